"""发展党员 through the API: the whole pipeline from application to 正式党员 with refusals on the way,
bad input, 总量控制, the pipeline counts, reminders and notices."""

import datetime
import json

import pytest
from django.utils import timezone

from liangxin.accounts.scoping import scope_for
from liangxin.core import crypto
from liangxin.core.dates import add_months
from liangxin.core.models import AuditEntry
from liangxin.develop import reminders, services
from liangxin.develop.models import Applicant, ApplicantStep, Quota
from liangxin.inbox.models import Notice
from liangxin.party.models import Member

from .conftest import client_for
from .party_helpers import id_number, make_member, make_party_org

TODAY = timezone.localdate()
URL = "/api/v1/develop/applicants/"


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def world(party_cast):
    """The branch with three full members (王红, 张伟, 李娜), a probationary one (赵敏), and a member
    of another branch of the same street (陈刚)."""
    c = party_cast
    c.zhang = make_member(c, c.branch, name="张伟")
    c.li = make_member(c, c.branch, name="李娜")
    c.zhao = make_member(c, c.branch, name="赵敏", category="probationary", joined_on=days(-100))
    c.other_branch = make_party_org(c, name="南京东路第二党支部")
    c.chen = make_member(c, c.other_branch, name="陈刚")
    return c


def post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def step(client, pk, kind, **fields):
    return post(client, f"{URL}{pk}/steps/", {"step": kind, **fields})


def register(c, *, applied_on, birth="19980315", name="刘洋"):
    values = {"name": name, "party_org": c.branch, "applied_on": applied_on}
    return services.register(c.secretary, scope_for(c.secretary), values, id_number(birth))


def test_the_whole_pipeline_through_the_api_with_refusals_on_the_way(world):
    c = world
    sec, admin = client_for(c.secretary), client_for(c.street_admin)
    start = days(-1100)
    r = post(sec, URL, {"name": "刘洋", "id_number": id_number("19980315"), "party_org": c.branch.pk,
                        "applied_on": start, "phone": "13900000000"})  # fmt: skip
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["stage"] == "applicant" and r.json()["id_masked"].startswith("310101********")

    r = step(sec, pk, "candidate", on=start)
    assert r.status_code == 400
    assert r.json()["errors"] == {"step": ["尚未完成「确定为入党积极分子」，不能办理「确定为发展对象」"]}
    assert step(sec, pk, "talk", on=start + datetime.timedelta(days=10), talker="王红").status_code == 201

    activist_on = start + datetime.timedelta(days=40)
    r = step(sec, pk, "activist", on=activist_on, contacts=[c.zhao.pk])
    assert r.status_code == 400 and "「赵敏」不是本党组织的正式党员" in r.json()["detail"]
    r = step(sec, pk, "activist", on=activist_on, contacts=[c.chen.pk])
    assert r.json()["errors"]["contacts"] == [
        f"编号 {c.chen.pk} 的党员不是本党组织的正式党员，不能担任培养联系人（规则：培养联系人须为本党组织正式党员）"
    ]
    r = step(sec, pk, "activist", on=activist_on, contacts=[c.zhang.pk])
    assert r.status_code == 201 and r.json()["applicant"]["stage"] == "activist"

    ready = add_months(activist_on, 12)
    r = step(sec, pk, "candidate", on=ready - datetime.timedelta(days=1))
    assert r.status_code == 400
    assert (
        "培养教育考察不足 12 个月（规则：「积极分子培养教育考察至少」12 个月"
        "（《中国共产党发展党员工作细则》）），还差 1 天" in r.json()["detail"]
    )
    assert step(sec, pk, "candidate", on=ready).status_code == 201

    def on(n):
        return ready + datetime.timedelta(days=n)

    r = step(sec, pk, "publicity", start_on=on(15), on=on(21))
    assert r.json()["errors"]["step"] == ["尚未完成「确定入党介绍人」「政治审查」「集中培训」，不能办理「公示」"]
    r = step(sec, pk, "introducers", on=on(3), introducers=[c.zhang.pk])
    assert r.status_code == 400 and "入党介绍人应为 2 名，当前 1 名" in r.json()["detail"]
    assert step(sec, pk, "introducers", on=on(3), introducers=[c.zhang.pk, c.li.pk]).status_code == 201
    r = step(sec, pk, "review", on=on(5), result="fail", note="材料不全")
    assert r.status_code == 201 and r.json()["passed"] is False
    assert step(sec, pk, "review", on=on(6), result="pass").status_code == 201
    r = step(sec, pk, "training", start_on=on(10), on=on(11), days=2, hours=16)
    assert r.status_code == 400 and "集中培训不足：2 天、16 学时" in r.json()["detail"]
    assert step(sec, pk, "training", start_on=on(10), on=on(12), days=3, hours=24).status_code == 201
    assert step(sec, pk, "publicity", start_on=on(15), on=on(21)).status_code == 201

    assert step(sec, pk, "prereview", on=on(25), result="pass").status_code == 403  # the upper committee's
    assert step(admin, pk, "prereview", on=on(25), result="pass").status_code == 201

    voted = on(30)
    r = step(sec, pk, "vote", on=voted, entitled=3, present=1, favour=1)
    assert r.status_code == 201 and r.json()["passed"] is False
    assert r.json()["warnings"][0] == "表决未通过，未接收为预备党员"
    assert r.json()["applicant"]["voted_on"] is None and r.json()["applicant"]["stage"] == "candidate"
    r = step(sec, pk, "vote", on=voted, entitled=4, present=3, favour=3)
    assert r.status_code == 400 and "超过本党组织在册正式党员 3 名" in r.json()["detail"]
    r = step(sec, pk, "vote", on=voted, entitled=3, present=3, favour=2)
    assert r.status_code == 201 and r.json()["applicant"]["waiting_for_approval"] is True

    r = step(admin, pk, "approval", on=add_months(voted, 6) + datetime.timedelta(days=1))
    assert r.status_code == 400 and "审批日期已超过最长期限 1 天" in r.json()["detail"]
    approved = add_months(voted, 4)
    r = post(admin, "/api/v1/develop/quotas/", {"node": c.nanjing_node.pk, "year": approved.year, "quota": 0})
    assert r.status_code == 201
    r = step(admin, pk, "approval", on=approved)
    assert r.status_code == 400
    assert r.json()["errors"]["quota"] == [
        f"超出总量控制：南京东路街道综合党委 {approved.year} 年发展党员计划 0 名，已接收 0 名，"
        "不能再接收（请上级党委调整计划）"
    ]
    assert not Member.objects.filter(name="刘洋").exists()  # nothing half-saved
    quota = Quota.objects.get(node=c.nanjing_node, year=approved.year)
    assert (
        client_for(c.district_admin)
        .patch(f"/api/v1/develop/quotas/{quota.pk}/", json.dumps({"quota": 1}), content_type="application/json")
        .json()["quota"]
        == 1
    )
    r = step(admin, pk, "approval", on=approved, doc_no="沪南委〔2024〕8号")
    assert r.status_code == 201 and r.json()["warnings"][0].startswith("审批晚于期限")
    applicant = Applicant.objects.get(pk=pk)
    member = applicant.member
    assert (member.category, member.joined_on, member.party_org_id) == ("probationary", voted, c.branch.pk)
    assert member.id_hash == applicant.id_hash and crypto.decrypt(member.id_number_enc) == crypto.decrypt(
        applicant.id_number_enc
    )
    assert applicant.probation_end == add_months(voted, 12)

    assert step(sec, pk, "oath", on=approved + datetime.timedelta(days=7)).status_code == 201
    r = step(sec, pk, "full", on=add_months(voted, 12) - datetime.timedelta(days=1))
    assert r.status_code == 400 and "预备期未满" in r.json()["detail"]
    assert step(sec, pk, "extend", on=add_months(voted, 12), months=13, note="继续考察").status_code == 400
    r = step(sec, pk, "extend", on=add_months(voted, 12), months=6, note="继续考察")
    assert r.status_code == 201 and r.json()["applicant"]["probation_end"] == str(add_months(voted, 18))
    r = step(sec, pk, "full", on=add_months(voted, 18))
    assert r.status_code == 201 and r.json()["applicant"]["stage"] == "full"
    member.refresh_from_db()
    assert (member.category, member.full_on) == ("full", add_months(voted, 18))
    r = step(sec, pk, "stop", on=TODAY, reason="x")
    assert r.json()["errors"]["step"] == ["该申请人已转为正式党员，不能办理「终止发展」"]

    history = sec.get(f"{URL}{pk}/steps/").json()
    assert [s["kind"] for s in history][:3] == ["apply", "talk", "activist"]
    assert [s["passed"] for s in history if s["kind"] == "vote"] == [False, True]
    # the secretary heard of the upper committee's steps, not of their own
    titles = list(Notice.objects.filter(recipient=c.secretary).values_list("title", flat=True))
    assert any("上级党委预审" in t for t in titles) and any("上级党委审批" in t for t in titles)
    assert not any("入党谈话" in t for t in titles)
    # and the nearest committee's admins heard when it was their turn (预审, 审批)
    upper = list(Notice.objects.filter(recipient=c.street_admin).values_list("title", flat=True))
    assert upper == [
        "发展党员：上海嘉信信息科技有限公司党支部 刘洋：支部大会表决通过，待上级党委审批",
        "发展党员：上海嘉信信息科技有限公司党支部 刘洋：公示结束，待上级党委预审",
    ]
    assert not Notice.objects.filter(recipient=c.district_admin).exists()
    assert AuditEntry.objects.filter(object_type="develop.applicant", object_id=str(pk)).count() == len(history)


def test_an_applicant_under_18_is_refused_and_18_on_the_day_is_accepted(world):
    c = world
    client = client_for(c.secretary)
    body = {"name": "小周", "id_number": id_number("20070610"), "party_org": c.branch.pk, "applied_on": "2025-06-09"}
    r = post(client, URL, body)
    assert r.status_code == 400
    assert r.json()["errors"]["id_number"] == [
        "递交申请时未满 18 周岁（规则：「入党最低年龄」18 周岁"
        "（《中国共产党章程》）），出生日期 2007-06-10，2025-06-10 年满 18 周岁"
    ]
    assert not Applicant.objects.exists()
    assert post(client, URL, {**body, "applied_on": "2025-06-10"}).status_code == 201


def test_bad_registrations_say_what_is_wrong(world):
    c = world
    client = client_for(c.secretary)
    number = id_number("19990101")
    wrong = number[:-1] + ("1" if number[-1] == "0" else "0")
    r = post(client, URL, {"name": "王", "id_number": wrong, "party_org": c.branch.pk,
                           "applied_on": str(days(3))})  # fmt: skip
    assert r.status_code == 400 and "公民身份号码校验位错误" in r.json()["errors"]["id_number"][0]
    r = post(client, URL, {"name": "王五", "id_number": number, "party_org": c.branch.pk, "applied_on": str(days(3))})
    assert r.json()["errors"]["applied_on"][0].endswith("不能晚于今天")
    assert post(client, URL, {"name": "王五", "id_number": number, "party_org": c.branch.pk,
                              "applied_on": str(days(-3))}).status_code == 201  # fmt: skip
    r = post(client, URL, {"name": "王五", "id_number": number, "party_org": c.branch.pk, "applied_on": str(days(-2))})
    assert "已有一份正在进行的入党申请（上海嘉信信息科技有限公司党支部，入党申请人）" in r.json()["detail"]
    member_number = crypto.decrypt(c.member.id_number_enc)
    r = post(client, URL, {"name": "王红", "id_number": member_number, "party_org": c.branch.pk,
                           "applied_on": str(days(-2))})  # fmt: skip
    assert r.json()["errors"]["id_number"] == ["该公民身份号码已登记为党员，不能再登记为入党申请人"]
    r = post(client, URL, {"name": "王六", "id_number": id_number("19990101"), "party_org": c.other_branch.pk,
                           "applied_on": str(days(-2))})  # fmt: skip
    assert r.status_code == 400  # another branch: not the secretary's to act on


def test_a_step_with_a_future_date_is_refused_and_nothing_changes(world):
    c = world
    applicant = register(c, applied_on=days(-10))
    r = step(client_for(c.secretary), applicant.pk, "talk", on=days(1))
    assert r.status_code == 400
    assert r.json() == {
        "detail": f"不能办理「入党谈话」：谈话日期（{days(1)}）不能晚于今天：只能登记已经完成的环节",
        "errors": {"on": [f"谈话日期（{days(1)}）不能晚于今天：只能登记已经完成的环节"]},
    }
    applicant.refresh_from_db()
    assert applicant.talked_on is None and list(applicant.steps.values_list("kind", flat=True)) == ["apply"]
    r = step(client_for(c.secretary), applicant.pk, "fly", on=days(-1))
    assert r.status_code == 400 and "未知的环节「fly」" in r.json()["detail"]


def test_approval_within_three_months_has_no_warning_and_a_probationary_member_appears(world):
    c = world
    applicant = _voted(c, voted_on=days(-200))
    r = step(client_for(c.city_admin), applicant.pk, "approval", on=add_months(days(-200), 3))
    assert r.status_code == 201 and r.json()["warnings"] == []
    assert Member.objects.get(pk=r.json()["applicant"]["member"]).category == "probationary"


def test_stopping_a_probationary_member_takes_them_off_the_roll(world):
    c = world
    applicant = _voted(c, voted_on=days(-200))
    step(client_for(c.city_admin), applicant.pk, "approval", on=days(-150))
    r = step(client_for(c.secretary), applicant.pk, "stop", on=days(-1), reason="取消预备党员资格")
    assert r.status_code == 201 and r.json()["applicant"]["stage"] == "stopped"
    assert Member.objects.get(pk=r.json()["applicant"]["member"]).is_active is False


def _voted(c, voted_on: datetime.date) -> Applicant:
    """An applicant whose branch meeting voted on ``voted_on`` (steps written directly: the
    pipeline itself is tested above)."""
    applicant = register(c, applied_on=voted_on - datetime.timedelta(days=500), birth="19970101", name="孙丽")
    Applicant.objects.filter(pk=applicant.pk).update(
        stage="candidate", talked_on=voted_on - datetime.timedelta(days=490),
        activist_on=voted_on - datetime.timedelta(days=460), candidate_on=voted_on - datetime.timedelta(days=60),
        introducers_on=voted_on - datetime.timedelta(days=50), reviewed_on=voted_on - datetime.timedelta(days=40),
        trained_on=voted_on - datetime.timedelta(days=30), publicized_on=voted_on - datetime.timedelta(days=20),
        prereviewed_on=voted_on - datetime.timedelta(days=10), voted_on=voted_on,
    )  # fmt: skip
    applicant.refresh_from_db()
    return applicant


def test_quota_counts_the_subtree_and_only_admins_of_that_committee_or_above_set_it(world):
    c = world
    year = TODAY.year
    r = post(client_for(c.street_admin), "/api/v1/develop/quotas/", {"node": c.huangpu_node.pk, "year": year,
                                                                     "quota": 9})  # fmt: skip
    assert r.status_code == 400  # not a committee of the street admin's subtree: not even a choice
    r = post(client_for(c.district_admin), "/api/v1/develop/quotas/", {"node": c.huangpu_node.pk, "year": year,
                                                                       "quota": 1})  # fmt: skip
    assert r.status_code == 201 and r.json()["used"] == 0
    applicant = _voted(c, voted_on=days(-20))
    assert step(client_for(c.street_admin), applicant.pk, "approval", on=days(-5)).status_code == 201
    listed = client_for(c.district_admin).get(f"/api/v1/develop/quotas/?year={year}").json()["results"]
    assert [(q["node_name"], q["quota"], q["used"]) for q in listed] == [("黄浦区社会工作党委", 1, 1)]
    other = register(c, applied_on=days(-600), birth="19960101", name="周杰")
    Applicant.objects.filter(pk=other.pk).update(**{f: getattr(applicant, f) for f in (
        "stage", "talked_on", "activist_on", "candidate_on", "introducers_on", "reviewed_on", "trained_on",
        "publicized_on", "prereviewed_on", "voted_on")})  # fmt: skip
    r = step(client_for(c.street_admin), other.pk, "approval", on=days(-5))
    assert r.status_code == 400 and "黄浦区社会工作党委" in r.json()["errors"]["quota"][0]
    assert r.json()["errors"]["quota"][0].startswith(f"超出总量控制：黄浦区社会工作党委 {days(-5).year} 年")


def test_pipeline_counts_per_party_organization_link_to_their_lists(world):
    c = world
    register(c, applied_on=days(-10))
    register(c, applied_on=days(-12), birth="19970505", name="钱多")
    _voted(c, voted_on=days(-30))
    data = client_for(c.district_admin).get("/api/v1/develop/pipeline/").json()
    assert data["totals"]["applicant"] == 2 and data["totals"]["candidate"] == 1 and data["totals"]["waiting"] == 1
    [row] = data["results"]
    assert row["party_org_name"] == "上海嘉信信息科技有限公司党支部" and row["counts"]["applicant"] == 2
    listed = client_for(c.district_admin).get(row["lists"]["applicant"]).json()["results"]
    assert len(listed) == row["counts"]["applicant"]
    waiting = client_for(c.district_admin).get(row["lists"]["waiting"]).json()["results"]
    assert [a["name"] for a in waiting] == ["孙丽"]
    assert client_for(c.xuhui_admin).get("/api/v1/develop/pipeline/").json()["results"] == []
    assert client_for(c.xuhui_admin).get(f"/api/v1/develop/pipeline/?node={c.nanjing_node.pk}").status_code == 404


def test_reminders_talk_approval_and_probation_to_the_right_people(world):
    c = world
    remind = 14  # step_remind_days default
    soon = register(c, applied_on=add_months(days(remind - 1), -1), name="近期")
    late = register(c, applied_on=add_months(days(-3), -1), birth="19950202", name="逾期")
    register(c, applied_on=days(-1), birth="19950303", name="刚交")  # talk not due for a month
    waiting = _voted(c, voted_on=add_months(days(5), -3))
    due = reminders.due_for(c.secretary, scope_for(c.secretary), TODAY)
    by_key = {r.key.split(":")[1] + ":" + r.title.split("：")[1][:2]: r for r in due}
    assert by_key["talk:近期"].overdue is False and by_key["talk:逾期"].overdue is True
    assert (
        "应在" in by_key["talk:近期"].title
        and "「收到入党申请后谈话期限」1 个月（《中国共产党发展党员工作细则》）" in by_key["talk:近期"].title
    )
    assert by_key["approval:孙丽"].due_on == days(5)
    assert {r.key.split(":")[1] for r in due} == {"talk", "approval"}
    admin_due = reminders.due_for(c.street_admin, scope_for(c.street_admin), TODAY)
    assert [r.key for r in admin_due] == [f"develop:approval:{waiting.pk}:{days(5):%Y%m%d}"]
    assert reminders.due_for(c.district_admin, scope_for(c.district_admin), TODAY) == []  # not the nearest
    step(client_for(c.street_admin), waiting.pk, "approval", on=TODAY)
    Applicant.objects.filter(pk=waiting.pk).update(probation_end=days(3))
    due = reminders.due_for(c.secretary, scope_for(c.secretary), TODAY)
    assert [r.title for r in due if "probation" in r.key] == [
        f"上海嘉信信息科技有限公司党支部：孙丽 预备期 {days(3)} 期满，请及时讨论转正"
    ]
    assert {soon.pk, late.pk} <= {int(r.key.split(":")[2]) for r in due}


def test_steps_are_atomic_a_refused_one_writes_nothing(world):
    c = world
    applicant = register(c, applied_on=days(-60))
    before = (ApplicantStep.objects.count(), AuditEntry.objects.count(), Notice.objects.count())
    step(client_for(c.secretary), applicant.pk, "talk", on=days(-50))
    r = step(
        client_for(c.secretary), applicant.pk, "activist", on=days(-40), contacts=[c.zhang.pk, c.li.pk, c.member.pk]
    )
    assert r.status_code == 400 and "培养联系人应为 1–2 名，当前 3 名" in r.json()["detail"]
    applicant.refresh_from_db()
    assert applicant.stage == "applicant" and not applicant.contacts.exists()
    assert ApplicantStep.objects.count() == before[0] + 1 and AuditEntry.objects.count() == before[1] + 1
