"""Organization life through its services: scheduling notifies the members, a meeting is later
recorded as held with its attendance, bad input is refused in Chinese naming the field and
nothing is half-saved, and attachments are checked by their content."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.core.models import AuditEntry
from liangxin.inbox.models import Notice
from liangxin.life import attachments, reminders, services
from liangxin.life.models import Attachment, Attendance, Meeting

from .party_helpers import make_member, make_party_org

TODAY = datetime.date(2025, 5, 14)
ONE_DAY = datetime.timedelta(days=1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def member_account(cast, member, username):
    user = User.objects.create_user(username=username, password="x" * 12, full_name=member.name)
    RoleAssignment.objects.create(user=user, role="member", node=member.party_org.node)
    member.user = user
    member.save()
    return user


@pytest.fixture
def life(party_cast):
    """The branch with four members (two with accounts), and a branch in 外滩 with one member."""
    c = party_cast
    c.li = make_member(c, c.branch, name="李明")
    c.zhao = make_member(c, c.branch, name="赵刚", category="probationary")
    c.qian = make_member(c, c.branch, name="钱芳")
    c.wang_user = member_account(c, c.member, "wanghong")
    c.li_user = member_account(c, c.li, "liming")
    c.waitan_branch = make_party_org(c, name="外滩餐饮党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.outsider = make_member(c, c.waitan_branch, name="孙强")
    return c


def values(**changes) -> dict:
    base = {"kind": "general", "date": TODAY, "topic": "学习贯彻党的二十届三中全会精神", "place": "公司三楼会议室"}
    base.update(changes)
    return base


def present(*members) -> list[dict]:
    return [{"member": m.pk, "status": "present", "reason": ""} for m in members]


def nothing_saved():
    return (
        Meeting.objects.count(),
        Attendance.objects.count(),
        Attachment.objects.count(),
        Notice.objects.filter(kind="meeting").count(),
        AuditEntry.objects.filter(object_type="life.meeting").count(),
    ) == (0, 0, 0, 0, 0)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files() -> set[str]:
    return {p.name for p in attachments.storage_dir().iterdir()}


# -- scheduling and notices ---------------------------------------------------------------------
def test_scheduling_notifies_each_member_with_an_account_once(life):
    c = life
    day = TODAY + datetime.timedelta(days=7)
    meeting = services.create_meeting(
        c.secretary, c.branch, values(date=day, status="planned", start_time=datetime.time(14, 30)), today=TODAY
    )
    notices = Notice.objects.filter(kind="meeting").order_by("recipient__username")
    assert [n.recipient for n in notices] == [c.li_user, c.wang_user]
    first = notices[0]
    assert first.title == f"会议通知：{day:%Y-%m-%d} 14:30 支部党员大会「学习贯彻党的二十届三中全会精神」"
    assert "公司三楼会议室" in first.body and first.url == "/me/meetings/"
    entry = AuditEntry.objects.get(object_type="life.meeting", object_id=str(meeting.pk))
    assert entry.action == "create" and entry.mgmt_path == c.branch.node.path and entry.changes["会议日期"][1]
    # a new topic: no second notice; a new day: everyone hears of it; cancelling: too
    services.update_meeting(c.secretary, meeting, {"topic": "学习党章"}, today=TODAY)
    assert Notice.objects.filter(kind="meeting").count() == 2
    services.update_meeting(c.secretary, meeting, {"date": day + datetime.timedelta(days=1)}, today=TODAY)
    assert Notice.objects.filter(kind="meeting", title__startswith="会议变更").count() == 2
    services.cancel_meeting(c.secretary, meeting, "与上级党委会议时间冲突")
    cancelled = Notice.objects.filter(kind="meeting", title__startswith="会议取消")
    assert cancelled.count() == 2 and "时间冲突" in cancelled[0].body


def test_a_committee_meeting_is_announced_to_the_committee(life):
    from liangxin.party.services import seat_member

    c = life
    seat_member(c.city_admin, c.branch, c.li.pk, "书记")
    services.create_meeting(c.secretary, c.branch, values(kind="committee", status="planned"), today=TODAY)
    assert list(Notice.objects.filter(kind="meeting").values_list("recipient", flat=True)) == [c.li_user.pk]


def test_an_inflow_member_is_notified_and_may_attend(life):
    c = life
    c.outsider.inflow_party_org = c.branch
    c.outsider.floating = "inflow"
    c.outsider.save()
    user = member_account(c, c.outsider, "sunqiang")
    services.create_meeting(c.secretary, c.branch, values(status="planned"), today=TODAY)
    assert Notice.objects.filter(kind="meeting", recipient=user).exists()
    meeting = services.create_meeting(
        c.secretary, c.branch, values(status="held"), attendance=present(c.member, c.outsider), today=TODAY
    )
    assert meeting.attendance.count() == 2


# -- recording as held ------------------------------------------------------------------------------
def test_a_planned_meeting_is_later_recorded_as_held_with_attendance(life):
    c = life
    meeting = services.create_meeting(c.secretary, c.branch, values(status="planned"), today=TODAY)
    attendance = present(c.member, c.li) + [
        {"member": c.zhao.pk, "status": "excused", "reason": "出差"},
        {"member": c.qian.pk, "status": "absent", "reason": ""},
    ]
    services.update_meeting(
        c.secretary, meeting, {"status": "held", "minutes": "会议学习了……"}, attendance=attendance, today=TODAY
    )
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.minutes == "会议学习了……"
    rows = {a.member.name: (a.status, a.reason) for a in meeting.attendance.select_related("member")}
    assert rows == {
        "王红": ("present", ""), "李明": ("present", ""), "赵刚": ("excused", "出差"), "钱芳": ("absent", "")
    }  # fmt: skip
    entry = AuditEntry.objects.filter(object_type="life.meeting", action="update").get()
    assert entry.detail == "出席 2 人，请假 1 人，缺席 1 人（请假：赵刚：出差）"
    assert entry.changes["状态"] == ["计划召开", "已召开"]
    with pytest.raises(ValidationError) as refused:
        services.update_meeting(c.secretary, meeting, {"status": "planned"}, today=TODAY)
    assert "已召开的会议不能改回" in refused.value.message_dict["status"][0]


def test_a_member_who_moved_on_keeps_their_line_when_the_meeting_is_edited(life):
    c = life
    meeting = services.create_meeting(
        c.secretary, c.branch, values(status="held"), attendance=present(c.member, c.li), today=TODAY
    )
    c.li.party_org = c.waitan_branch  # transferred since
    c.li.save()
    again = present(c.member, c.li)
    services.update_meeting(c.secretary, meeting, {"topic": "改正主题"}, attendance=again, today=TODAY)
    assert sorted(meeting.attendance.values_list("member__name", flat=True)) == ["李明", "王红"]
    with pytest.raises(ValidationError):  # but nobody new from elsewhere
        services.update_meeting(c.secretary, meeting, {}, attendance=present(c.member, c.outsider), today=TODAY)


def test_recording_as_held_needs_the_attendance(life):
    c = life
    meeting = services.create_meeting(c.secretary, c.branch, values(status="planned"), today=TODAY)
    with pytest.raises(ValidationError) as refused:
        services.update_meeting(c.secretary, meeting, {"status": "held"}, today=TODAY)
    assert refused.value.message_dict["attendance"] == ["出席情况：请登记参会人员的出席情况"]
    meeting.refresh_from_db()
    assert meeting.status == "planned"


# -- bad input: a Chinese message naming the field, nothing half-saved -------------------------------
@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"status": "held", "date": TODAY + ONE_DAY}, "date", "会议日期：已召开的会议，日期不能晚于今天"),
        ({"status": "planned", "date": TODAY - ONE_DAY}, "date", "会议日期：计划召开的会议"),
        ({"status": "held", "date": None}, "date", "会议日期：请填写有效日期"),
        ({"status": "held", "kind": "party"}, "kind", "会议类型：请选择"),
        ({"status": "held", "topic": ""}, "topic", "会议主题：请填写"),
        ({"status": "held", "place": "x" * 201}, "place", "会议地点：不能超过 200 个字"),
        ({"status": "cancelled"}, "status", "状态：新登记的会议只能是"),
    ],
)
def test_bad_meeting_fields_are_refused(life, changes, field, text):
    c = life
    with pytest.raises(ValidationError) as refused:
        services.create_meeting(c.secretary, c.branch, values(**changes), attendance=present(c.member), today=TODAY)
    assert refused.value.message_dict[field][0].startswith(text)
    assert nothing_saved()


def test_a_meeting_before_the_party_organization_was_founded_is_refused(life):
    c = life
    c.branch.founded_on = datetime.date(2025, 3, 1)
    c.branch.save()
    with pytest.raises(ValidationError) as refused:
        services.create_meeting(
            c.secretary, c.branch, values(status="held", date=datetime.date(2025, 2, 28)),
            attendance=present(c.member), today=TODAY,
        )  # fmt: skip
    assert "早于党组织成立日期（2025-03-01）" in refused.value.message_dict["date"][0]


def test_an_attendee_from_another_organization_is_refused(life):
    c = life
    with pytest.raises(ValidationError) as refused:
        services.create_meeting(
            c.secretary, c.branch, values(status="held"), attendance=present(c.member, c.outsider), today=TODAY
        )
    message = refused.value.message_dict["attendance"][0]
    assert message == f"参会人员：编号「{c.outsider.pk}」不是本党组织（{c.branch.name}）的党员"
    assert "孙强" not in message  # a member outside the branch is not named
    assert nothing_saved()


def test_an_absence_with_leave_needs_its_reason(life):
    c = life
    attendance = present(c.member) + [{"member": c.li.pk, "status": "excused", "reason": "  "}]
    with pytest.raises(ValidationError) as refused:
        services.create_meeting(c.secretary, c.branch, values(status="held"), attendance=attendance, today=TODAY)
    assert refused.value.message_dict["reason"] == ["请假事由：李明 为请假，须填写请假事由"]
    assert nothing_saved()


@pytest.mark.parametrize(
    ("attendance", "text"),
    [
        ([], "出席情况：已召开的会议至少应有一名党员出席"),
        ([{"member": "x", "status": "present"}], "参会人员：编号「x」不是本党组织"),
        ([{"member": 999999, "status": "present"}], "参会人员：编号「999999」不是本党组织"),
        ([{"member": "M", "status": "sleeping"}], "参会人员"),
    ],
)
def test_unreadable_attendance_is_refused(life, attendance, text):
    c = life
    with pytest.raises(ValidationError) as refused:
        services.create_meeting(c.secretary, c.branch, values(status="held"), attendance=attendance, today=TODAY)
    assert refused.value.message_dict["attendance"][0].startswith(text)
    assert nothing_saved()


def test_a_bad_status_or_duplicate_attendee_is_refused(life):
    c = life
    for attendance, text in [
        ([{"member": c.member.pk, "status": "sleeping"}], "出席情况：王红 的出席情况「sleeping」无效"),
        (present(c.member, c.member), "参会人员：王红 重复登记"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.create_meeting(c.secretary, c.branch, values(status="held"), attendance=attendance, today=TODAY)
        assert refused.value.message_dict["attendance"] == [text]
    assert nothing_saved()


# -- attachments ----------------------------------------------------------------------------------
def test_photos_and_pdfs_are_stored_under_var_dir_by_content(life, settings):
    c = life
    files = [upload("合影.JPG", JPEG), upload("../../签到表.pdf", PDF), upload("现场.png", PNG)]
    meeting = services.create_meeting(
        c.secretary, c.branch, values(status="held"), attendance=present(c.member), files=files, today=TODAY
    )
    found = list(meeting.attachments.order_by("pk"))
    assert [(a.name, a.content_type, a.size) for a in found] == [
        ("合影.JPG", "image/jpeg", len(JPEG)),
        ("签到表.pdf", "application/pdf", len(PDF)),
        ("现场.png", "image/png", len(PNG)),
    ]
    for a in found:
        path = attachments.path_of(a.stored_name)
        assert path.parent == settings.VAR_DIR / "life" and path.exists()
        assert a.stored_name.endswith((".jpg", ".pdf", ".png")) and "签到表" not in a.stored_name
    assert "附件 3 个" in AuditEntry.objects.get(object_type="life.meeting").detail


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("会议纪要.jpg", b"MZ\x90\x00 this is a program", "内容不是允许的类型"),
        ("会议纪要.docx", b"PK\x03\x04 a word file", "内容不是允许的类型"),
        ("会议.svg", b"<svg onload=alert(1)>", "内容不是允许的类型"),
        ("合影.png", PDF, "扩展名「.png」与文件内容（PDF 文档）不符"),
        ("合影", JPEG, "扩展名「无」与文件内容（JPEG 图片）不符"),
        ("合影.jpg.exe", JPEG, "扩展名「.exe」与文件内容"),
        ("空.pdf", b"", "是空文件"),
    ],
)
def test_an_attachment_of_the_wrong_type_is_refused_and_nothing_is_saved(life, name, content, text):
    c = life
    before = stored_files()
    with pytest.raises(ValidationError) as refused:
        services.create_meeting(
            c.secretary, c.branch, values(status="held"), attendance=present(c.member),
            files=[upload("好的.png", PNG), upload(name, content)], today=TODAY,
        )  # fmt: skip
    message = refused.value.message_dict["attachments"][0]
    assert message.startswith("附件：附件「") and text in message
    assert nothing_saved() and stored_files() == before


def test_an_attachment_over_the_size_cap_is_refused(life, settings):
    c = life
    settings.LIFE_ATTACHMENT_MAX_BYTES = 1024 * 1024
    meeting = services.create_meeting(c.secretary, c.branch, values(status="held"), attendance=present(c.member))
    big = upload("大合影.png", PNG + b"\x00" * (1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        services.add_attachments(c.secretary, meeting, [big])
    message = "附件：附件「大合影.png」大小 1.0 MB（1,048,632 字节），超过上限 1.0 MB（1,048,576 字节）"
    assert refused.value.message_dict["attachments"] == [message]
    assert meeting.attachments.count() == 0
    just = upload("合影.png", PNG + b"\x00" * (1024 * 1024 - len(PNG)))  # exactly the cap
    assert len(services.add_attachments(c.secretary, meeting, [just])) == 1


def test_a_deleted_attachment_leaves_no_file(life, django_capture_on_commit_callbacks):
    c = life
    meeting = services.create_meeting(c.secretary, c.branch, values(status="held"), attendance=present(c.member))
    (found,) = services.add_attachments(c.secretary, meeting, [upload("合影.png", PNG)])
    path = attachments.path_of(found.stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_attachment(c.secretary, found)
    assert not path.exists() and not Attachment.objects.exists()
    assert AuditEntry.objects.filter(object_type="life.meeting", detail__startswith="删除附件：合影.png").exists()


def test_display_names_lose_directories_and_control_characters():
    assert attachments.display_name("C:\\Users\\x\\合影.jpg") == "合影.jpg"
    assert attachments.display_name("../../etc/passwd") == "passwd"
    assert attachments.display_name("a\x00b\n.pdf") == "ab.pdf"
    assert attachments.display_name("长" * 200 + ".pdf") == "长" * 116 + ".pdf"
    assert attachments.display_name("") == "附件"


# -- reminders at their boundary days ---------------------------------------------------------------
def _titles(user, today):
    return [(r.title, r.due_on, r.overdue) for r in reminders.due_for(user, scope_for(user), today)]


def held(c, kind, day):
    return services.create_meeting(
        c.secretary, c.branch, values(kind=kind, status="held", date=day), attendance=present(c.member), today=day
    )


def test_a_secretary_is_reminded_of_each_kind_due_in_the_current_period(life):
    c = life
    due = reminders.due_for(c.secretary, scope_for(c.secretary), datetime.date(2025, 5, 1))
    # no committee elected, so no 支委会 / 党小组会
    kinds = {r.key.split(":")[3]: r for r in due}
    assert set(kinds) == {"general", "lecture", "theme_day", "review", "appraisal"}
    assert kinds["theme_day"].due_on == datetime.date(2025, 5, 31) and kinds["theme_day"].overdue
    assert "本月（2025年5月）尚未召开主题党日，上一月（2025年4月）也未召开" in kinds["theme_day"].title
    assert "「主题党日：每几个月至少一次」1 个月（《中国共产党支部工作条例（试行）》）" in kinds["theme_day"].title
    assert kinds["general"].due_on == datetime.date(2025, 6, 30)
    assert kinds["review"].due_on == datetime.date(2025, 12, 31)
    assert all(r.url == f"/life/compliance/{c.branch.pk}/?year=2025" for r in kinds.values())


def test_a_meeting_held_on_the_last_day_of_the_last_period_is_not_overdue(life):
    c = life
    held(c, "theme_day", datetime.date(2025, 4, 30))
    first_day = {r.key: r for r in reminders.due_for(c.secretary, scope_for(c.secretary), datetime.date(2025, 5, 1))}
    theme = first_day[f"life:due:{c.branch.pk}:theme_day:20250501"]
    assert not theme.overdue and "上一月" not in theme.title
    held(c, "theme_day", datetime.date(2025, 5, 31))  # held on the last day: nothing due any more
    keys = {r.key for r in reminders.due_for(c.secretary, scope_for(c.secretary), datetime.date(2025, 5, 31))}
    assert not any(":theme_day:" in k for k in keys)
    # the next day is June: due again, and not overdue since May was held
    june = {r.key: r for r in reminders.due_for(c.secretary, scope_for(c.secretary), datetime.date(2025, 6, 1))}
    assert not june[f"life:due:{c.branch.pk}:theme_day:20250601"].overdue


def test_a_quarter_missed_makes_the_next_quarter_overdue_from_its_first_day(life):
    c = life
    held(c, "general", datetime.date(2025, 3, 31))
    on = {r.key: r for r in reminders.due_for(c.secretary, scope_for(c.secretary), datetime.date(2025, 4, 1))}
    assert not on[f"life:due:{c.branch.pk}:general:20250401"].overdue
    on = {r.key: r for r in reminders.due_for(c.secretary, scope_for(c.secretary), datetime.date(2025, 7, 1))}
    assert on[f"life:due:{c.branch.pk}:general:20250701"].overdue  # Q2 was missed


def test_planned_meetings_are_reminded_up_to_thirty_days_ahead_and_when_unrecorded(life):
    c = life
    today = datetime.date(2025, 5, 1)
    soon = services.create_meeting(
        c.secretary, c.branch, values(status="planned", date=today + datetime.timedelta(days=30)), today=today
    )
    services.create_meeting(
        c.secretary, c.branch, values(status="planned", date=today + datetime.timedelta(days=31), topic="远期"),
        today=today,
    )  # fmt: skip
    planned = [r for r in reminders.due_for(c.secretary, scope_for(c.secretary), today) if ":planned:" in r.key]
    assert [r.key for r in planned] == [f"life:planned:{soon.pk}:20250531"]
    later = today + datetime.timedelta(days=31)  # the day after the meeting: record it or cancel it
    unrecorded = [r for r in reminders.due_for(c.secretary, scope_for(c.secretary), later) if ":record:" in r.key]
    assert len(unrecorded) == 1 and unrecorded[0].overdue and "日期已过，请登记召开情况或取消" in unrecorded[0].title


def test_a_member_is_reminded_of_their_upcoming_meetings_only(life):
    c = life
    today = datetime.date(2025, 5, 1)
    meeting = services.create_meeting(c.secretary, c.branch, values(status="planned", date=today), today=today)
    services.create_meeting(
        c.city_admin, c.waitan_branch, values(status="planned", date=today, topic="外滩的会"), today=today
    )
    mine = reminders.due_for(c.wang_user, scope_for(c.wang_user), today)
    assert [(r.key, r.due_on, r.overdue) for r in mine] == [(f"life:attend:{meeting.pk}:20250501", today, False)]
    assert "公司三楼会议室" in mine[0].title and mine[0].url == "/me/meetings/"
    assert reminders.due_for(c.wang_user, scope_for(c.wang_user), today + datetime.timedelta(days=1)) == []
    assert reminders.due_for(c.street_admin, scope_for(c.street_admin), today) == []  # admins: the roll-up
