"""Organization life through the pages and the API: a secretary schedules and records meetings,
members see their notices and meetings, bad input is refused in Chinese with nothing saved,
files are served only within scope, and every page renders."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liangxin.inbox.models import Notice
from liangxin.life import attachments, services
from liangxin.life.models import Attachment, Meeting

from . import test_life_services as shared
from .conftest import client_for
from .test_life_services import JPEG, PDF, PNG, nothing_saved, present

life = shared.life  # the fixture: the branch with four members, and a branch in 外滩

ONE_DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def form(c, **changes) -> dict:
    data = {
        "party_org": c.branch.pk, "status": "held", "kind": "theme_day", "date": today().isoformat(),
        "start_time": "09:30", "topic": "重温入党誓词", "place": "党员活动室", "minutes": "全体党员重温入党誓词。",
        "members": [c.member.pk, c.li.pk, c.zhao.pk],
        f"att_{c.member.pk}": "present", f"att_{c.li.pk}": "present",
        f"att_{c.zhao.pk}": "excused", f"reason_{c.zhao.pk}": "在外地出差",
    }  # fmt: skip
    data.update(changes)
    return data


def held_meeting(c, **changes):
    values = {"kind": "general", "date": today(), "topic": "党员大会", "place": "会议室", "status": "held"}
    values.update(changes)
    return services.create_meeting(c.secretary, c.branch, values, attendance=present(c.member))


def planned_meeting(c, days=7, **changes):
    values = {
        "kind": "general",
        "date": today() + datetime.timedelta(days=days),
        "topic": "专题学习",
        "place": "会议室",
    }
    values.update(status="planned", **changes)
    return services.create_meeting(c.secretary, c.branch, values)


# -- scheduling and recording --------------------------------------------------------------------
def test_a_secretary_schedules_a_meeting_and_the_members_see_it(life):
    c = life
    client = client_for(c.secretary)
    page = client.get("/life/new/")  # the secretary's one party organization, no choosing
    assert page.status_code == 200 and "安排会议" in page.content.decode()
    day = today() + datetime.timedelta(days=3)
    response = client.post(
        "/life/new/", {"party_org": c.branch.pk, "status": "planned", "kind": "lecture", "date": day.isoformat(),
                       "start_time": "14:00", "topic": "书记讲党课", "place": "二楼会议室"},
    )  # fmt: skip
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/life/{meeting.pk}/"
    assert (meeting.status, meeting.kind, meeting.start_time) == ("planned", "lecture", datetime.time(14, 0))
    notice = Notice.objects.get(recipient=c.wang_user, kind="meeting")
    assert "书记讲党课" in notice.title and notice.url == "/me/meetings/"
    member = client_for(c.wang_user)
    mine = member.get("/me/meetings/").content.decode()
    assert "书记讲党课" in mine and "二楼会议室" in mine
    assert "书记讲党课" in member.get("/").content.decode()  # the home page's reminders
    assert "书记讲党课" in member.get("/inbox/").content.decode()
    assert client_for(c.secretary).get("/me/meetings/").status_code == 403
    assert member.get(f"/life/{meeting.pk}/").status_code == 403  # members see their own page only


def test_a_meeting_is_recorded_as_held_with_attendance_and_photos(life):
    c = life
    client = client_for(c.secretary)
    files = [SimpleUploadedFile("合影.jpg", JPEG), SimpleUploadedFile("签到表.pdf", PDF)]
    response = client.post("/life/new/", {**form(c), "files": files})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.status == "held"
    detail = client.get(f"/life/{meeting.pk}/").content.decode()
    assert "出席 2 人，请假 1 人，缺席 0 人" in detail and "在外地出差" in detail
    assert "合影.jpg" in detail and "签到表.pdf" in detail
    photo = meeting.attachments.get(name="合影.jpg")
    download = client.get(f"/life/files/{photo.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert "attachment" in download["Content-Disposition"] and b"".join(download.streaming_content) == JPEG
    assert client_for(c.district_admin).get(f"/life/files/{photo.pk}/").status_code == 200
    assert client_for(c.xuhui_admin).get(f"/life/files/{photo.pk}/").status_code == 404
    assert client_for(c.other_street_admin).get(f"/life/{meeting.pk}/").status_code == 404


def test_a_planned_meeting_is_recorded_later_from_its_page(life):
    c = life
    meeting = planned_meeting(c, days=0)
    client = client_for(c.secretary)
    page = client.get(f"/life/{meeting.pk}/record/").content.decode()
    assert "登记召开情况" in page and "王红" in page and "钱芳" in page
    data = form(c, kind="general", topic="专题学习", place="会议室", status="")
    response = client.post(f"/life/{meeting.pk}/record/", data)
    meeting.refresh_from_db()
    assert response.status_code == 302 and meeting.status == "held" and meeting.attendance.count() == 3
    assert client.get(f"/life/{meeting.pk}/record/").status_code == 302  # already held: back to its page


def test_editing_and_cancelling_from_the_pages(life):
    c = life
    meeting = planned_meeting(c)
    client = client_for(c.secretary)
    assert client.get(f"/life/{meeting.pk}/edit/").status_code == 200
    data = {"kind": "general", "date": meeting.date.isoformat(), "topic": "改期后的主题", "place": "会议室"}
    assert client.post(f"/life/{meeting.pk}/edit/", data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.topic == "改期后的主题"
    client.post(f"/life/{meeting.pk}/cancel/", {"reason": ""})
    meeting.refresh_from_db()
    assert meeting.status == "planned"  # a reason is required
    client.post(f"/life/{meeting.pk}/cancel/", {"reason": "上级临时通知集中学习"})
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.cancel_reason == "上级临时通知集中学习"
    assert client.get(f"/life/{meeting.pk}/edit/").status_code == 302  # cancelled: no more edits


# -- bad input through the page ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"date": "2999-01-01"}, "会议日期：已召开的会议，日期不能晚于今天"),
        ({"date": "2024-13-01"}, "会议日期：请填写有效日期"),
        ({"start_time": "25:99"}, "开始时间：格式应为 时:分"),
        ({"kind": ""}, "会议类型：请选择"),
        ({"topic": "   "}, "会议主题：请填写"),
        ({"reason_ZHAO": ""}, "请假事由：赵刚 为请假，须填写请假事由"),
        ({"OUTSIDER": True}, "参会人员：编号"),
        ({"files": "TEXT"}, "内容不是允许的类型"),
        ({"files": "BIG"}, "超过上限"),
    ],
)
def test_bad_input_on_the_page_is_refused_and_nothing_is_saved(life, settings, changes, text):
    c = life
    settings.LIFE_ATTACHMENT_MAX_BYTES = 1024
    data = form(c)
    if changes.pop("reason_ZHAO", None) is not None:
        data[f"reason_{c.zhao.pk}"] = ""
    if changes.pop("OUTSIDER", None):
        data["members"] = data["members"] + [c.outsider.pk]
        data[f"att_{c.outsider.pk}"] = "present"
    files = changes.pop("files", None)
    if files == "TEXT":
        data["files"] = [SimpleUploadedFile("合影.jpg", b"#!/bin/sh\nrm -rf /\n")]
    elif files == "BIG":
        data["files"] = [SimpleUploadedFile("合影.png", PNG + b"\x00" * 2048)]
    data.update(changes)
    response = client_for(c.secretary).post("/life/new/", data)
    body = response.content.decode()
    assert response.status_code == 400 and text in body and "未保存" in body
    assert "重温入党誓词" in body  # what was typed is kept
    assert nothing_saved()


def test_a_party_organization_outside_scope_is_404_and_a_reader_is_403(life):
    c = life
    outside = c.waitan_branch.pk
    secretary = client_for(c.secretary)
    assert secretary.get(f"/life/new/?party_org={outside}").status_code == 404
    assert secretary.post("/life/new/", form(c, party_org=outside)).status_code == 404
    assert client_for(c.xuhui_admin).post("/life/new/", form(c)).status_code == 404
    assert client_for(c.auditor).post("/life/new/", form(c)).status_code == 403
    assert client_for(c.street_admin).post("/life/new/", form(c)).status_code == 302  # the admin above: allowed
    assert Meeting.objects.count() == 1


# -- files: scoped download and delete ---------------------------------------------------------------
def test_files_are_deleted_only_by_those_who_may_change_the_meeting(life, django_capture_on_commit_callbacks):
    c = life
    meeting = held_meeting(c)
    (photo,) = services.add_attachments(c.secretary, meeting, [SimpleUploadedFile("合影.png", PNG)])
    path = attachments.path_of(photo.stored_name)
    assert client_for(c.auditor).post(f"/life/files/{photo.pk}/delete/").status_code == 403
    assert client_for(c.xuhui_admin).post(f"/life/files/{photo.pk}/delete/").status_code == 404
    assert client_for(c.auditor).get(f"/life/files/{photo.pk}/").status_code == 200  # may read it
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(c.secretary).post(f"/life/files/{photo.pk}/delete/").status_code == 302
    assert not Attachment.objects.exists() and not path.exists()


def test_uploading_a_wrong_file_to_a_meeting_says_why(life):
    c = life
    meeting = held_meeting(c)
    client = client_for(c.secretary)
    response = client.post(f"/life/{meeting.pk}/files/", {"files": [SimpleUploadedFile("照片.png", PDF)]}, follow=True)
    assert "扩展名「.png」与文件内容（PDF 文档）不符" in response.content.decode()
    assert not meeting.attachments.exists()
    client.post(f"/life/{meeting.pk}/files/", {"files": [SimpleUploadedFile("照片.png", PNG)]})
    assert meeting.attachments.count() == 1


# -- lists, grid, roll-up, member page -------------------------------------------------------------
def test_the_meeting_list_filters_and_refuses_a_bad_year(life):
    c = life
    held_meeting(c, kind="lecture", topic="党课一")
    held_meeting(c, kind="general", topic="大会一")
    client = client_for(c.street_admin)
    page = client.get(f"/life/?party_org={c.branch.pk}&kind=lecture&year={today().year}").content.decode()
    assert "党课一" in page and "大会一" not in page and "共 1 次会议" in page
    bad = client.get("/life/?year=1999")
    assert bad.status_code == 400 and "年度：「1999」无效" in bad.content.decode()
    assert "党课一" not in client_for(c.other_street_admin).get("/life/").content.decode()


SRC_B = "《中国共产党支部工作条例（试行）》"


def test_the_compliance_grid_shows_findings_and_refuses_a_bad_year(life):
    c = life
    year = today().year - 1
    client = client_for(c.secretary)
    page = client.get(f"/life/compliance/{c.branch.pk}/?year={year}").content.decode()
    assert f"{year}年12月未召开主题党日（规则：「主题党日：每几个月至少一次」1 个月（{SRC_B}））" in page
    assert "未设支委会，不要求召开支部委员会" in page  # no committee meetings asked of a branch without one
    bad = client.get(f"/life/compliance/{c.branch.pk}/?year=abc")
    assert bad.status_code == 400 and "年度" in bad.content.decode()
    assert client_for(c.other_street_admin).get(f"/life/compliance/{c.branch.pk}/").status_code == 404


def sheet_rows(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.worksheets[-1].iter_rows(values_only=True))


def test_the_rollup_and_its_lists_export_to_excel(life):
    c = life
    year = today().year - 1
    client = client_for(c.district_admin)
    page = client.get(f"/life/rollup/?year={year}").content.decode()
    assert "南京东路街道综合党委" in page and "外滩街道综合党委" in page
    rows = sheet_rows(client.get(f"/life/rollup/export.xlsx?year={year}"))
    assert rows[0][:3] == ("单位", "党组织数", "已有到期要求")
    by_name = {r[0]: r[1:] for r in rows[1:]}
    assert by_name["南京东路街道综合党委"][:4] == (1, 1, 0, 1) and by_name["外滩街道综合党委"][:4] == (1, 1, 0, 1)
    assert by_name["合计"][:4] == (2, 2, 0, 2)
    listing = client.get(f"/life/rollup/orgs/export.xlsx?year={year}&state=missing")
    names = [r[0] for r in sheet_rows(listing)]
    assert set(names[1:]) == {c.branch.name, c.waitan_branch.name}
    bad = client.get("/life/rollup/orgs/?state=everything")
    assert bad.status_code == 400 and "类别「everything」无效" in bad.content.decode()


def test_a_member_sees_their_meetings_and_their_own_attendance(life):
    from liangxin.party.services import seat_member

    c = life
    held = held_meeting(c, topic="上月大会")
    planned_meeting(c, topic="下周学习")
    planned_meeting(c, topic="支委会研究", kind="committee")
    page = client_for(c.wang_user).get("/me/meetings/").content.decode()
    assert "上月大会" in page and "下周学习" in page and "出席" in page
    assert "支委会研究" not in page  # not on the committee
    seat_member(c.city_admin, c.branch, c.member.pk, "组织委员")
    assert "支委会研究" in client_for(c.wang_user).get("/me/meetings/").content.decode()
    assert held.pk


# -- the API ------------------------------------------------------------------------------------------
def api_body(c, **changes) -> dict:
    body = {
        "party_org": c.branch.pk, "status": "held", "kind": "general", "date": today().isoformat(),
        "topic": "支部党员大会", "place": "会议室",
        "attendance": [{"member": c.member.pk, "status": "present"},
                       {"member": c.li.pk, "status": "excused", "reason": "病假"}],
    }  # fmt: skip
    body.update(changes)
    return body


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_the_api_schedules_records_and_lists(life):
    c = life
    client = client_for(c.secretary)
    day = (today() + ONE_DAY * 5).isoformat()
    created = post(client, "/api/v1/life/meetings/", api_body(c, status="planned", date=day, attendance=None))
    assert created.status_code == 201 and created.json()["status"] == "planned"
    assert Notice.objects.filter(recipient=c.wang_user, kind="meeting").count() == 1
    pk = created.json()["id"]
    patched = client.patch(
        f"/api/v1/life/meetings/{pk}/",
        {"status": "held", "date": today().isoformat(), "attendance": api_body(c)["attendance"]},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.json()
    assert [(a["member_name"], a["status"], a["reason"]) for a in patched.json()["attendance"]] == [
        ("王红", "present", ""), ("李明", "excused", "病假")
    ]  # fmt: skip
    post(client, "/api/v1/life/meetings/", api_body(c, kind="lecture"))
    year = today().year
    listed = client.get(f"/api/v1/life/meetings/?party_org={c.branch.pk}&kind=lecture&year={year}").json()
    assert [m["kind"] for m in listed["results"]] == ["lecture"]
    bad = client.get("/api/v1/life/meetings/?kind=party").json()
    assert bad["errors"]["kind"][0].startswith("会议类型：「party」无效")
    assert client_for(c.other_street_admin).get(f"/api/v1/life/meetings/{pk}/").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"date": "2999-01-01"}, "date", "会议日期：已召开的会议，日期不能晚于今天"),
        ({"date": "昨天"}, "date", "会议日期：请填写有效日期"),
        ({"attendance": [{"member": "OUTSIDER", "status": "present"}]}, "attendance", "参会人员：编号"),
        ({"attendance": [{"member": "ZHAO", "status": "excused"}, {"member": "WANG", "status": "present"}]},
         "reason", "请假事由：赵刚 为请假"),
        ({"attendance": None}, "attendance", "出席情况：请登记参会人员的出席情况"),
        ({"attendance": "all"}, "attendance", "出席情况：应为列表"),
        ({"party_org": None}, "party_org", "党组织：请指定党组织编号"),
        ({"start_time": "noon"}, "start_time", "开始时间：格式应为"),
    ],
)  # fmt: skip
def test_bad_input_through_the_api_is_400_with_the_field(life, changes, field, text):
    c = life
    ids = {"OUTSIDER": c.outsider.pk, "ZHAO": c.zhao.pk, "WANG": c.member.pk}
    for row in changes.get("attendance") or []:
        if isinstance(row, dict):
            row["member"] = ids.get(row["member"], row["member"])
    response = post(client_for(c.secretary), "/api/v1/life/meetings/", api_body(c, **changes))
    assert response.status_code == 400
    assert response.json()["detail"] == "提交的数据有误" and response.json()["errors"][field][0].startswith(text)
    assert nothing_saved()


def test_the_api_answers_404_outside_scope_and_403_to_readers(life):
    c = life
    outside = api_body(c, party_org=c.waitan_branch.pk)
    assert post(client_for(c.secretary), "/api/v1/life/meetings/", outside).status_code == 404
    assert post(client_for(c.xuhui_admin), "/api/v1/life/meetings/", api_body(c)).status_code == 404
    assert post(client_for(c.auditor), "/api/v1/life/meetings/", api_body(c)).status_code == 403
    meeting = held_meeting(c)
    assert (
        client_for(c.auditor)
        .patch(f"/api/v1/life/meetings/{meeting.pk}/", {"topic": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    assert Meeting.objects.get() == meeting and meeting.topic == "党员大会"


def test_files_through_the_api(life):
    c = life
    meeting = held_meeting(c)
    client = client_for(c.secretary)
    url = f"/api/v1/life/meetings/{meeting.pk}/attachments/"
    bad = client.post(url, {"files": [SimpleUploadedFile("照片.jpg", b"GIF89a......")]})
    assert bad.status_code == 400 and "内容不是允许的类型" in bad.json()["errors"]["attachments"][0]
    good = client.post(url, {"files": [SimpleUploadedFile("照片.png", PNG)]})
    assert good.status_code == 201 and good.json()[0]["content_type"] == "image/png"
    got = client.get(f"{url}{good.json()[0]['id']}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert client_for(c.other_street_admin).get(f"{url}{good.json()[0]['id']}/").status_code == 404


def test_the_compliance_and_rollup_api_refuse_bad_parameters(life):
    c = life
    client = client_for(c.city_admin)
    assert client.get("/api/v1/life/compliance/").json()["errors"]["party_org"][0].startswith("党组织：请指定")
    bad_year = client.get(f"/api/v1/life/compliance/?party_org={c.branch.pk}&year=20x5")
    assert bad_year.json()["errors"]["year"][0].startswith("年度：「20x5」无效")
    assert client.get("/api/v1/life/compliance/?party_org=999999").status_code == 404
    assert client.get("/api/v1/life/rollup/?period=q9").json()["errors"]["period"][0].startswith("统计期间「q9」无效")
    assert client.get("/api/v1/life/rollup/?state=x").json()["errors"]["state"][0].startswith("类别：「x」无效")
    not_a_number = client.get("/api/v1/life/rollup/?node=abc")
    assert not_a_number.status_code == 400
    assert not_a_number.json()["errors"]["node"][0].startswith("「管理节点」应为编号")
    assert client_for(c.street_admin).get(f"/api/v1/life/rollup/?node={c.waitan_node.pk}").status_code == 404


def test_the_navigation_offers_the_pages_by_role(life):
    c = life
    secretary = client_for(c.secretary).get("/").content.decode()
    assert "/life/" in secretary and "/life/rollup/" not in secretary
    admin = client_for(c.street_admin).get("/").content.decode()
    assert "/life/rollup/" in admin
    member = client_for(c.wang_user).get("/").content.decode()
    assert "/me/meetings/" in member and 'href="/life/"' not in member


def test_the_meeting_lists_take_the_same_queries_for_more_rows(life):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = life
    client = client_for(c.street_admin)
    counts = []
    for _ in range(2):
        for i in range(4):
            services.add_attachments(c.secretary, held_meeting(c, topic=f"会议{i}"), [SimpleUploadedFile("a.png", PNG)])
        for url in ("/life/", "/api/v1/life/meetings/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]
