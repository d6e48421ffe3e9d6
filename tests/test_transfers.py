"""组织关系转接: the whole transfer inside the platform through the API and through the pages,
to and from outside it, bad input refused in Chinese with nothing half-saved, 超期 flagged,
reminders and notices to both sides, and the 6-month rule's link."""

import datetime
import json

import pytest
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.core.dates import add_months
from liangxin.core.models import AuditEntry
from liangxin.inbox.models import Notice
from liangxin.party import exits, policy
from liangxin.party import services as party_services
from liangxin.party.models import CommitteeSeat, Member
from liangxin.transfers import reminders, rules, services
from liangxin.transfers.models import Transfer, TransferStep

from .conftest import _user, client_for
from .party_helpers import id_number, make_member, make_party_org

TODAY = timezone.localdate


@pytest.fixture
def world(party_cast):
    c = party_cast
    c.waitan_branch = make_party_org(c, name="外滩餐饮管理有限公司党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.waitan_secretary = _user("waitan_secretary", "secretary", c.waitan_branch.node)
    return c


def post(user, url, body=None):
    return client_for(user).post(url, data=json.dumps(body or {}), content_type="application/json")


def counts() -> tuple:
    return (
        Transfer.objects.count(),
        TransferStep.objects.count(),
        AuditEntry.objects.count(),
        Notice.objects.count(),
        Member.objects.filter(is_active=True).count(),
    )


def start(c, user=None, member=None, **values) -> Transfer:
    user = user or c.secretary
    values = {"kind": "internal", "to_party_org": c.waitan_branch, "issued_on": TODAY(), **values}
    return services.initiate(user, scope_for(user), member or c.member, **values)


def backdate(transfer: Transfer, issued_on: datetime.date) -> None:
    """Time passes: the letter was issued on ``issued_on``."""
    Transfer.objects.filter(pk=transfer.pk).update(issued_on=issued_on)
    transfer.steps.update(on=issued_on)
    transfer.refresh_from_db()


# -- the whole transfer inside the platform -----------------------------------------------------------
def test_internal_transfer_through_the_api(world):
    c = world
    created = post(
        c.secretary,
        "/api/v1/transfers/",
        {"kind": "internal", "member": c.member.pk, "to_party_org": c.waitan_branch.pk, "reason": "工作调动"},
    )
    assert created.status_code == 201, created.json()
    t = created.json()
    assert (t["state"], t["needs_review"], t["waiting_for"]) == ("initiated", True, "待转出方上级党委审核")
    assert t["letter_no"] and t["to_org_name"] == "外滩餐饮管理有限公司党支部" and not t["overdue"]
    # the sending side's committee (南京东路) is told; so is the receiving secretary
    assert Notice.objects.filter(recipient=c.street_admin, kind="transfer").count() == 1
    assert Notice.objects.filter(recipient=c.waitan_secretary, kind="transfer").count() == 1
    url = f"/api/v1/transfers/{t['id']}/"

    early = post(c.waitan_secretary, url + "accept/")
    assert early.status_code == 400 and "尚未经转出方上级党委审核" in early.json()["errors"]["state"][0]
    assert post(c.secretary, url + "review/").status_code == 403  # the branch does not review itself
    assert post(c.xuhui_admin, url + "review/").status_code == 404  # outside both ends

    reviewed = post(c.street_admin, url + "review/", {"note": "同意"})
    assert reviewed.status_code == 200 and reviewed.json()["state"] == "reviewed"
    assert post(c.street_admin, url + "accept/").status_code == 403  # the sender's committee is not the receiver

    accepted = post(c.waitan_secretary, url + "accept/", {"note": "已报到"})
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert body["state"] == "accepted" and body["closed_on"] == TODAY().isoformat()
    assert [s["action"] for s in body["steps"]] == ["发起", "审核通过", "接收"]
    assert [s["actor_name"] for s in body["steps"]] == ["jiaxin_secretary", "nanjing_admin", "waitan_secretary"]
    c.member.refresh_from_db()
    assert c.member.party_org == c.waitan_branch
    moved = AuditEntry.objects.filter(object_type="party.member", object_id=str(c.member.pk), action="update").first()
    assert moved.changes["组织关系所在党组织"] == ["上海嘉信信息科技有限公司党支部", "外滩餐饮管理有限公司党支部"]
    assert AuditEntry.objects.filter(object_type="transfers.transfer", object_id=str(t["id"])).count() == 3
    # both sides heard of every step
    assert Notice.objects.filter(recipient=c.secretary, kind="transfer").count() == 2  # reviewed, accepted
    assert Notice.objects.filter(recipient=c.waitan_secretary, kind="transfer").count() == 2  # initiated, reviewed
    # the transfer stays visible to both ends; the member is now only in 外滩's roll
    assert client_for(c.secretary).get(url).status_code == 200
    assert client_for(c.other_street_admin).get(f"/members/{c.member.pk}/").status_code == 200


def test_internal_transfer_through_the_pages(world):
    c = world
    page = client_for(c.street_admin).get(f"/transfers/new/?member={c.member.pk}&to_q=外滩餐饮")
    assert page.status_code == 200 and "外滩餐饮管理有限公司党支部" in page.content.decode()
    created = client_for(c.street_admin).post(
        "/transfers/new/",
        {"member": c.member.pk, "kind": "internal", "to_party_org": c.waitan_branch.pk, "issued_on": TODAY()},
    )
    assert created.status_code == 302
    t = Transfer.objects.get()
    assert created["Location"] == f"/transfers/{t.pk}/"
    assert not t.needs_review  # started by the committee: no second review
    detail = client_for(c.waitan_secretary).get(f"/transfers/{t.pk}/").content.decode()
    assert "待转入党组织接收" in detail and "由上级党委发起，无需另行审核" in detail
    assert f'action="/transfers/{t.pk}/accept/"' in detail
    # the sender's page shows no accept button; posting it is refused
    assert "accept/" not in client_for(c.secretary).get(f"/transfers/{t.pk}/").content.decode()
    assert client_for(c.secretary).post(f"/transfers/{t.pk}/accept/").status_code == 403
    assert client_for(c.xuhui_admin).post(f"/transfers/{t.pk}/accept/").status_code == 404
    done = client_for(c.waitan_secretary).post(f"/transfers/{t.pk}/accept/", {"on": TODAY(), "note": "已报到"})
    assert done.status_code == 302
    t.refresh_from_db()
    c.member.refresh_from_db()
    assert t.state == "accepted" and c.member.party_org == c.waitan_branch
    listing = client_for(c.waitan_secretary).get("/transfers/?state=accepted").content.decode()
    assert "王红" in listing and "接收" in listing


def test_return_needs_a_reason_and_the_sender_sees_it(world):
    c = world
    t = start(c, user=c.street_admin)
    before = counts()
    refused = client_for(c.waitan_secretary).post(f"/transfers/{t.pk}/return/", {"reason": "  "})
    assert refused.status_code == 302
    t.refresh_from_db()
    assert t.state == "initiated" and counts() == before
    assert post(c.waitan_secretary, f"/api/v1/transfers/{t.pk}/return/").json()["errors"] == {
        "reason": ["退回须填写退回原因"]
    }
    returned = post(c.waitan_secretary, f"/api/v1/transfers/{t.pk}/return/", {"reason": "党员尚未报到"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert returned.json()["return_reason"] == "党员尚未报到"
    due = reminders.due_for(c.secretary, scope_for(c.secretary), TODAY())
    assert [r.title for r in due] == ["组织关系转接被退回：王红（转往外滩餐饮管理有限公司党支部），原因：党员尚未报到"]
    # a returned transfer is closed: another may be started, and the reminder goes away
    assert post(c.waitan_secretary, f"/api/v1/transfers/{t.pk}/accept/").status_code == 400
    start(c)
    assert not any("被退回" in r.title for r in reminders.due_for(c.secretary, scope_for(c.secretary), TODAY()))


def test_the_committee_may_return_at_review(world):
    c = world
    t = start(c)
    assert post(c.waitan_secretary, f"/api/v1/transfers/{t.pk}/return/", {"reason": "x"}).status_code == 400
    returned = post(c.street_admin, f"/api/v1/transfers/{t.pk}/return/", {"reason": "转入党组织选择有误"})
    assert returned.status_code == 200
    assert returned.json()["steps"][-1]["side"] == "上级党委"


# -- bad input ------------------------------------------------------------------------------------------
def _bad_cases(c):
    inactive = make_party_org(c, name="已撤销党支部", parent=c.waitan_node)
    party_services.deactivate_party_org(c.city_admin, inactive, TODAY(), "合并")
    future = (TODAY() + datetime.timedelta(days=1)).isoformat()
    expired = add_months(TODAY(), -4).isoformat()
    base = {"kind": "internal", "member": c.member.pk, "to_party_org": c.waitan_branch.pk}
    person = {"name": "赵强", "id_number": id_number(), "category": "full", "joined_on": "2010-07-01",
              "full_on": "2011-07-01", "issued_on": TODAY().isoformat()}  # fmt: skip
    return [
        ({**base, "to_party_org": 999999}, "to_party_org", "转入党组织不存在"),
        ({**base, "to_party_org": inactive.pk}, "to_party_org", "已撤销"),
        ({**base, "to_party_org": c.branch.pk}, "to_party_org", "与当前组织关系所在党组织相同"),
        ({**base, "to_party_org": None}, "to_party_org", "请选择转入党组织"),
        ({**base, "issued_on": future}, "issued_on", "不能晚于今天"),
        (
            {**base, "issued_on": expired},
            "issued_on",
            "已超过有效期（规则：组织关系介绍信有效期 3 个月；依据 「组织关系介绍信有效期」（市级设定））",
        ),
        ({"kind": "out", "member": c.member.pk, "to_org_name": "北京某党支部"}, "letter_no", "须填写介绍信编号"),
        ({"kind": "out", "member": c.member.pk, "letter_no": "京1号"}, "to_org_name", "请填写接收党组织名称"),
        (
            {"kind": "in", "to_party_org": c.branch.pk, "from_org_name": "外省", **person},
            "letter_no",
            "须填写介绍信编号",
        ),
        (
            {"kind": "in", "to_party_org": c.waitan_branch.pk, "from_org_name": "外省", "letter_no": "1", **person},
            "to_party_org",
            "不在您的管辖范围内",
        ),  # fmt: skip
        (
            {
                "kind": "in",
                "to_party_org": c.branch.pk,
                "from_org_name": "外省",
                "letter_no": "1",
                **person,
                "id_number": "310101199001011235",
            },
            "id_number",
            "校验位错误",
        ),  # fmt: skip
        (
            {
                "kind": "in",
                "to_party_org": c.branch.pk,
                "from_org_name": "外省",
                "letter_no": "1",
                **person,
                "joined_on": future,
            },
            "joined_on",
            "入党日期不能晚于今天",
        ),  # fmt: skip
        ({**base, "member": 999999}, "member", "党员不存在"),
    ]


def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(world):
    c = world
    cases = _bad_cases(c)
    before = counts()
    for body, field, text in cases:
        response = post(c.secretary, "/api/v1/transfers/", body)
        assert response.status_code == 400, (body, response.content)
        errors = response.json()["errors"]
        assert field in errors and text in errors[field][0], (body, errors)
    assert counts() == before


def test_a_second_open_transfer_for_the_same_member_is_refused(world):
    c = world
    first = start(c)
    before = counts()
    again = post(c.street_admin, "/api/v1/transfers/", {"kind": "out", "member": c.member.pk, "letter_no": "京1",
                                                        "to_org_name": "北京某党支部"})  # fmt: skip
    assert again.status_code == 400 and "已有一件正在办理的组织关系转接" in again.json()["errors"]["member"][0]
    assert counts() == before
    page = client_for(c.secretary).get(f"/transfers/new/?member={c.member.pk}").content.decode()
    assert f"/transfers/{first.pk}/" in page and "办结或退回后才能再次发起" in page


def test_bad_step_input(world):
    c = world
    t = start(c, user=c.street_admin)
    future = (TODAY() + datetime.timedelta(days=1)).isoformat()
    before = counts()
    response = post(c.waitan_secretary, f"/api/v1/transfers/{t.pk}/accept/", {"on": future})
    assert response.status_code == 400 and response.json()["errors"]["on"] == ["办理日期不能晚于今天"]
    early = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = post(c.waitan_secretary, f"/api/v1/transfers/{t.pk}/accept/", {"on": early})
    assert response.status_code == 400 and "不能早于介绍信开具日期" in response.json()["errors"]["on"][0]
    # the member was moved elsewhere meanwhile: acceptance is refused, nothing changes
    other = make_party_org(c, name="另一党支部")
    party_services.save_member(c.city_admin, c.member, {"party_org": other}, None)
    before = counts()
    response = post(c.waitan_secretary, f"/api/v1/transfers/{t.pk}/accept/")
    assert response.status_code == 400 and "已不在转出党组织" in response.json()["errors"]["member"][0]
    assert counts() == before
    assert Transfer.objects.get(pk=t.pk).state == "initiated"


def test_bad_input_on_the_page_shows_the_reason(world):
    c = world
    response = client_for(c.secretary).post(
        "/transfers/new/", {"member": c.member.pk, "kind": "out", "issued_on": TODAY(), "to_org_name": "北京某党支部"}
    )
    assert response.status_code == 400 and "转出至系统外须填写介绍信编号" in response.content.decode()
    response = client_for(c.secretary).post("/transfers/new/", {"member": c.member.pk, "kind": "internal",
                                                               "to_party_org": "424242"})  # fmt: skip
    assert response.status_code == 400 and "转入党组织不存在" in response.content.decode()
    assert client_for(c.xuhui_admin).get(f"/transfers/new/?member={c.member.pk}").status_code == 404
    assert not Transfer.objects.exists()
    # to outside: a party organization still ticked in the internal part of the form is ignored
    done = client_for(c.secretary).post("/transfers/new/", {
        "member": c.member.pk, "kind": "out", "issued_on": TODAY(), "to_org_name": "北京某党支部", "letter_no": "京1号",
        "to_party_org": c.waitan_branch.pk,
    })  # fmt: skip
    assert done.status_code == 302
    assert Transfer.objects.values_list("kind", "to_party_org", "to_org_name").get() == ("out", None, "北京某党支部")


# -- outside the platform ------------------------------------------------------------------------------
def test_external_transfer_out_takes_the_member_off_the_roll(world):
    c = world
    party_services.set_committee(c.city_admin, c.branch, [(c.member, "书记")])
    party_services.update_party_org(c.city_admin, c.branch, name=c.branch.name, values={"secretary": c.member},
                                    covered=[c.org], on=TODAY())  # fmt: skip
    body = {
        "kind": "out",
        "member": c.member.pk,
        "letter_no": "京组转〔2025〕8号",
        "to_org_name": "中共北京市海淀区委组织部",
    }
    created = post(c.secretary, "/api/v1/transfers/", body)
    assert created.status_code == 201 and created.json()["waiting_for"] == "待转出方上级党委审核"
    t = created.json()["id"]
    assert post(c.street_admin, f"/api/v1/transfers/{t}/review/").status_code == 200
    assert post(c.other_street_admin, f"/api/v1/transfers/{t}/accept/").status_code == 404  # not their transfer
    done = post(c.secretary, f"/api/v1/transfers/{t}/accept/", {"note": "回执已收到"})
    assert done.status_code == 200 and done.json()["state"] == "accepted"
    c.member.refresh_from_db()
    c.branch.refresh_from_db()
    assert not c.member.is_active and c.member.party_org == c.branch
    assert c.branch.secretary is None and not CommitteeSeat.objects.filter(member=c.member).exists()
    entries = AuditEntry.objects.filter(object_type="party.member", object_id=str(c.member.pk))
    assert [e.changes["在册"] for e in entries if e.action == "update" and "在册" in e.changes] == [[True, False]]
    assert c.member.exits.get().kind == "transfer_out"  # the 党员减少 record, approved by the transfer


def test_external_transfer_in_creates_or_reactivates_the_member(world):
    c = world
    number = id_number("19880808")
    form = {"to_party_org": c.branch.pk, "from_org_name": "中共江苏省苏州工业园区工委", "letter_no": "苏组转12号",
            "issued_on": TODAY(), "name": "赵强", "id_number": number, "category": "full", "joined_on": "2012-07-01",
            "full_on": "2013-07-01", "phone": "13800001111"}  # fmt: skip
    response = client_for(c.secretary).post("/transfers/new-in/", form)
    assert response.status_code == 302
    t = Transfer.objects.get()
    assert (t.kind, t.member, t.needs_review, t.id_masked) == ("in", None, False, number[:6] + "********" + number[-4:])
    assert number not in t.id_number_enc
    detail = client_for(c.secretary).get(f"/transfers/{t.pk}/").content.decode()
    assert "待转入党组织接收" in detail and "系统外" in detail
    assert client_for(c.secretary).post(f"/transfers/{t.pk}/accept/").status_code == 302
    member = Member.objects.get(name="赵强")
    assert member.party_org == c.branch and member.is_active and member.birth_date == datetime.date(1988, 8, 8)
    t.refresh_from_db()
    assert t.member == member and t.state == "accepted"
    assert AuditEntry.objects.filter(object_type="party.member", object_id=str(member.pk), action="create").exists()

    # the same person again while on the roll: refused at registration
    again = post(c.secretary, "/api/v1/transfers/", {"kind": "in", **form, "issued_on": TODAY().isoformat()})
    assert again.status_code == 400 and "已是本平台在册党员" in again.json()["errors"]["id_number"][0]

    # off the roll (transferred out), then back from outside: the same record is put back
    exits.record_automatic(c.city_admin, member, "transfer_out", TODAY(), "转出至系统外")
    back = post(c.secretary, "/api/v1/transfers/", {"kind": "in", **form, "issued_on": TODAY().isoformat()})
    assert back.status_code == 201
    assert post(c.secretary, f"/api/v1/transfers/{back.json()['id']}/accept/").status_code == 200
    member.refresh_from_db()
    assert member.is_active and Member.objects.filter(name="赵强").count() == 1


# -- 超期 -----------------------------------------------------------------------------------------------
def test_overdue_is_flagged_from_the_day_after_the_letter_expired(world):
    c = world
    params, today = policy.values(), TODAY()
    last_valid_issue = rules.overdue_issued_before(params, today)  # valid through today exactly
    assert rules.letter_valid_until(last_valid_issue, params) >= today
    on_time = start(c, user=c.street_admin)
    late = start(c, user=c.city_admin, member=make_member(c, c.branch, name="李四"))
    backdate(on_time, last_valid_issue)
    backdate(late, last_valid_issue - datetime.timedelta(days=1))
    listing = client_for(c.waitan_secretary).get("/transfers/?overdue=1").content.decode()
    assert "李四" in listing and "王红" not in listing and "超期" in listing
    api = client_for(c.waitan_secretary).get("/api/v1/transfers/?overdue=1").json()["results"]
    assert [r["person_name"] for r in api] == ["李四"] and api[0]["overdue"]
    assert not client_for(c.waitan_secretary).get(f"/api/v1/transfers/{on_time.pk}/").json()["overdue"]
    detail = client_for(c.waitan_secretary).get(f"/transfers/{late.pk}/").content.decode()
    assert "组织关系介绍信有效期 3 个月" in detail
    due = {
        r.title.split("：")[1][:2]: r
        for r in reminders.due_for(c.waitan_secretary, scope_for(c.waitan_secretary), today)
    }
    assert due["李四"].overdue and not due["王红"].overdue
    assert due["王红"].due_on == rules.letter_valid_until(last_valid_issue, params)
    # accepting late is still possible, and it is written in the step
    assert post(c.waitan_secretary, f"/api/v1/transfers/{late.pk}/accept/").json()["steps"][-1]["note"] == (
        "介绍信超过有效期后接收"
    )


def test_transfer_export_lists_what_the_list_shows(world):
    import io

    from openpyxl import load_workbook

    c = world
    start(c)
    response = client_for(c.waitan_secretary).get("/transfers/export.xlsx?state=initiated")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["数据"].iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "公民身份号码", "转接类型") and [r[0] for r in rows[1:]] == ["王红"]
    assert AuditEntry.objects.filter(action="export", object_type="transfers.transfer").exists()
    assert client_for(c.xuhui_admin).get("/api/v1/transfers/").json()["results"] == []


# -- reminders ---------------------------------------------------------------------------------------
def test_reminders_reach_each_side(world):
    c = world
    today = TODAY()
    t = start(c)
    titles = lambda user: [r.title for r in reminders.due_for(user, scope_for(user), today)]  # noqa: E731
    assert titles(c.street_admin) == [
        "组织关系转接待审核：王红（上海嘉信信息科技有限公司党支部 → 外滩餐饮管理有限公司党支部）"
    ]
    assert titles(c.waitan_secretary) == []  # not theirs until reviewed
    assert titles(c.district_admin) == []  # the district does not get the street's reviews
    services.review(c.street_admin, scope_for(c.street_admin), t)
    assert titles(c.waitan_secretary) == ["组织关系转入待接收：王红（来自上海嘉信信息科技有限公司党支部）"]
    assert titles(c.street_admin) == [] and titles(c.xuhui_admin) == []


def test_a_member_sees_their_own_transfer(world):
    c = world
    user = User.objects.create_user(username="wanghong", password="x" * 12, full_name="王红")
    RoleAssignment.objects.create(user=user, role="member", node=c.branch.node)
    c.member.user = user
    c.member.save()
    t = start(c)
    other = start(c, user=c.city_admin, member=make_member(c, c.branch, name="李四"))
    assert Notice.objects.filter(recipient=user, kind="transfer").count() == 1
    due = reminders.due_for(user, scope_for(user), TODAY())
    assert [r.title for r in due] == [
        "我的组织关系转接（上海嘉信信息科技有限公司党支部 → 外滩餐饮管理有限公司党支部）：待转出方上级党委审核"
    ]
    client = client_for(user)
    page = client.get(due[0].url)
    assert (
        page.status_code == 200
        and "王红" in page.content.decode()
        and "<form" not in page.content.decode().split("办理记录")[0].split("转接信息")[1]
    )
    assert client.get(f"/transfers/{other.pk}/").status_code == 404
    assert client.get("/transfers/").status_code == 403
    assert [r["id"] for r in client.get("/api/v1/transfers/").json()["results"]] == [t.pk]
    assert client.post(f"/api/v1/transfers/{t.pk}/review/").status_code == 403


# -- the 6-month rule links to starting a transfer --------------------------------------------------------
def test_members_due_for_transfer_get_a_prefilled_link(world):
    c = world
    params = policy.values()
    months = int(params["transfer_after_months"])
    worker = make_member(c, c.branch, name="赵六", employer=c.waitan_org, employed_since=add_months(TODAY(), -months))
    recent = make_member(c, c.branch, name="钱七", employer=c.waitan_org,
                         employed_since=add_months(TODAY(), -months) + datetime.timedelta(days=1))  # fmt: skip
    page = client_for(c.street_admin).get("/transfers/due/").content.decode()
    link = f"/transfers/new/?member={worker.pk}&amp;to={c.waitan_branch.pk}"
    assert "赵六" in page and link in page and "钱七" not in page and "外滩餐饮管理有限公司党支部" in page
    assert recent.pk
    form = client_for(c.street_admin).get(f"/transfers/new/?member={worker.pk}").content.decode()
    assert f'value="{c.waitan_branch.pk}" checked' in form and "覆盖其工作单位的党组织（建议）" in form
    start(c, user=c.street_admin, member=worker)
    page = client_for(c.street_admin).get("/transfers/due/").content.decode()
    assert "转接办理中" in page and link not in page


def test_list_pages_take_the_same_queries_for_more_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = world
    client = client_for(c.waitan_secretary)

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    start(c, user=c.street_admin)
    services.register_outflow(c.city_admin, scope_for(c.city_admin), c.member, card_no="1", inflow_place="外滩",
                              inflow_party_org=c.waitan_branch)  # fmt: skip
    few = (queries("/transfers/"), queries("/floating/"), queries("/api/v1/transfers/"))
    for n in range(4):
        member = make_member(c, c.branch, name=f"党员{n}")
        start(c, user=c.street_admin, member=member)
        services.register_outflow(c.city_admin, scope_for(c.city_admin), member, card_no=f"2{n}", inflow_place="外滩",
                                  inflow_party_org=c.waitan_branch)  # fmt: skip
    assert (queries("/transfers/"), queries("/floating/"), queries("/api/v1/transfers/")) == few
