"""流动党员: outflow and inflow registration (audited, through the member service), the inflow
party organization's part (流入地为主), census (排摸) and the list of members not confirmed in
the census period with its Excel export, reminders to the branch."""

import datetime
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from liangxin.accounts.scoping import scope_for
from liangxin.core.models import AuditEntry
from liangxin.inbox.models import Notice
from liangxin.party import policy
from liangxin.party.models import Member
from liangxin.transfers import reminders, rules, services
from liangxin.transfers.models import CensusRecord

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


def outflow(c, member=None, **values):
    values = {"card_no": "3101012024000001", "inflow_place": "外滩街道", "inflow_party_org": c.waitan_branch, **values}
    return services.register_outflow(c.secretary, scope_for(c.secretary), member or c.member, **values)


def test_outflow_through_the_api_reaches_the_inflow_side(world):
    c = world
    response = post(c.secretary, "/api/v1/floating-members/", {
        "kind": "outflow", "member": c.member.pk, "card_no": "3101012024000001", "inflow_place": "外滩街道",
        "inflow_party_org": c.waitan_branch.pk,
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["floating"], body["inflow_party_org_name"], body["census_overdue"]) == (
        "outflow", "外滩餐饮管理有限公司党支部", False,
    )  # fmt: skip
    assert body["census"][0]["note"] == "流出登记"  # registration counts as the first census
    c.member.refresh_from_db()
    assert c.member.outflow_place == "上海嘉信信息科技有限公司党支部"
    entry = AuditEntry.objects.filter(object_type="party.member", object_id=str(c.member.pk)).first()
    assert entry.changes["流动状态"] == ["", "流出"]
    assert Notice.objects.filter(recipient=c.waitan_secretary, kind="floating").count() == 1
    # the inflow party organization's secretary sees her (流入地为主), though not on their roll
    listing = client_for(c.waitan_secretary).get("/floating/?managed=1").content.decode()
    assert "王红" in listing
    assert client_for(c.waitan_secretary).get(f"/members/{c.member.pk}/").status_code == 404
    assert [m["name"] for m in client_for(c.waitan_secretary).get("/api/v1/floating-members/").json()["results"]] == [
        "王红"
    ]
    assert client_for(c.xuhui_admin).get(f"/api/v1/floating-members/{c.member.pk}/").status_code == 404


def test_both_sides_record_census_but_only_the_holder_ends_floating(world):
    c = world
    outflow(c)
    page = client_for(c.waitan_secretary).get(f"/floating/{c.member.pk}/").content.decode()
    assert "登记排摸" in page and "结束流动" not in page
    done = client_for(c.waitan_secretary).post(
        f"/floating/{c.member.pk}/census/", {"confirmed_on": TODAY(), "location": "外滩街道某小区", "contact_ok": ""}
    )
    assert done.status_code == 302
    record = CensusRecord.objects.first()
    assert (record.location, record.contact_ok, record.party_org, record.by_name) == (
        "外滩街道某小区", False, c.waitan_branch, "waitan_secretary",
    )  # fmt: skip
    # contact lost: the holding side is told
    assert Notice.objects.filter(recipient=c.secretary, kind="floating", title__contains="联系不畅").exists()
    assert client_for(c.waitan_secretary).post(f"/floating/{c.member.pk}/end/", {"reason": "返回"}).status_code == 403
    refused = client_for(c.secretary).post(f"/floating/{c.member.pk}/end/", {"reason": ""})
    assert refused.status_code == 302
    c.member.refresh_from_db()
    assert c.member.floating == "outflow"
    assert post(c.secretary, f"/api/v1/floating-members/{c.member.pk}/end/").json()["errors"]["reason"] == [
        "请填写结束流动的原因（如：已返回、已离开本地）"
    ]
    assert client_for(c.secretary).post(f"/floating/{c.member.pk}/end/", {"reason": "已返回上海"}).status_code == 302
    c.member.refresh_from_db()
    assert (c.member.floating, c.member.inflow_party_org, c.member.is_active) == ("", None, True)
    assert client_for(c.waitan_secretary).get(f"/floating/{c.member.pk}/").status_code == 404


@pytest.mark.parametrize(
    "values, field, text",
    [
        ({"card_no": ""}, "card_no", "请填写流动党员活动证号"),
        ({"inflow_place": " "}, "inflow_place", "请填写流入地"),
        ({"on": datetime.date(2999, 1, 1)}, "on", "登记日期不能晚于今天"),
    ],
)
def test_bad_outflow_input(world, values, field, text):
    c = world
    before = (AuditEntry.objects.count(), CensusRecord.objects.count())
    with pytest.raises(Exception) as error:
        outflow(c, **values)
    assert text in error.value.message_dict[field][0]
    assert (AuditEntry.objects.count(), CensusRecord.objects.count()) == before
    c.member.refresh_from_db()
    assert c.member.floating == ""


def test_outflow_into_its_own_party_org_or_by_another_branch_is_refused(world):
    c = world
    response = post(c.secretary, "/api/v1/floating-members/", {
        "kind": "outflow", "member": c.member.pk, "card_no": "1", "inflow_place": "x", "inflow_party_org": c.branch.pk,
    })  # fmt: skip
    assert response.json()["errors"]["inflow_party_org"] == ["流入地党组织不能是组织关系所在的党组织"]
    other = make_member(c, c.waitan_branch, name="李明")
    response = post(c.secretary, "/api/v1/floating-members/", {"kind": "outflow", "member": other.pk})
    assert response.json()["errors"]["member"] == ["党员不存在或不在您的管辖范围内"]
    assert client_for(c.secretary).get(f"/floating/outflow/?member={other.pk}").status_code == 404
    assert client_for(c.auditor).get(f"/floating/outflow/?member={c.member.pk}").status_code == 403


def test_inflow_registration_creates_a_member_managed_here(world):
    c = world
    number = id_number("19850505")
    form = {"party_org": c.branch.pk, "name": "孙浩", "id_number": number, "category": "full",
            "joined_on": "2008-07-01", "full_on": "2009-07-01", "card_no": "3412022023000123",
            "outflow_place": "安徽省阜阳市某党支部", "inflow_place": "", "on": TODAY()}  # fmt: skip
    response = client_for(c.secretary).post("/floating/inflow/", form)
    assert response.status_code == 302
    member = Member.objects.get(name="孙浩")
    assert (member.floating, member.party_org, member.inflow_party_org) == ("inflow", c.branch, c.branch)
    assert member.inflow_place == c.branch.name and member.census_records.count() == 1
    again = client_for(c.secretary).post("/floating/inflow/", form)
    assert again.status_code == 400 and "已是本平台在册党员，请由其所在党组织办理流出登记" in again.content.decode()
    wrong = client_for(c.secretary).post("/floating/inflow/", {**form, "id_number": id_number(), "outflow_place": ""})
    assert wrong.status_code == 400 and "请填写流出地" in wrong.content.decode()
    outsider = client_for(c.secretary).post("/floating/inflow/", {**form, "party_org": c.waitan_branch.pk})
    assert outsider.status_code == 400 and "请选择您管辖的党组织" in outsider.content.decode()
    assert Member.objects.filter(name="孙浩").count() == 1
    # an inflow member who leaves the area leaves the roll here
    assert client_for(c.secretary).post(f"/floating/{member.pk}/end/", {"reason": "已离开本地"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active


def _census(member, day):
    return CensusRecord.objects.create(member=member, confirmed_on=day, by_name="测试", location="某地")


def test_unconfirmed_list_at_the_census_period_boundary(world):
    c = world
    params, today = policy.values(), TODAY()
    since = rules.census_confirmed_since(params, today)  # the earliest census that still counts today
    assert rules.census_due_on(since, params) >= today > rules.census_due_on(since - datetime.timedelta(days=1), params)
    on_time = outflow(c)
    late = outflow(c, member=make_member(c, c.branch, name="李四"), card_no="2")
    never = make_member(c, c.branch, name="周五")
    Member.objects.filter(pk=never.pk).update(floating="outflow", floating_card_no="3", inflow_place="北京")
    CensusRecord.objects.all().delete()
    _census(on_time, since)
    _census(late, since - datetime.timedelta(days=1))
    page = client_for(c.secretary).get("/floating/?unconfirmed=1").content.decode()
    assert "李四" in page and "周五" in page and "王红" not in page and "从未排摸" in page
    api = client_for(c.secretary).get("/api/v1/floating-members/?unconfirmed=1").json()["results"]
    assert sorted(m["name"] for m in api) == ["周五", "李四"] and all(m["census_overdue"] for m in api)
    response = client_for(c.secretary).get("/floating/export.xlsx?unconfirmed=1")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["数据"].iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == ["周五", "李四"]
    assert (
        "超过 6 个月未排摸"
        in dict((r[0], r[1]) for r in book["导出说明"].iter_rows(min_row=3, values_only=True))["筛选条件"]
    )
    assert AuditEntry.objects.filter(action="export", object_repr="未按期排摸流动党员").exists()
    # the branch is reminded once for the two, naming the rule
    due = reminders.due_for(c.secretary, scope_for(c.secretary), today)
    assert [r.title for r in due] == [
        "上海嘉信信息科技有限公司党支部：2 名流动党员超过 6 个月未排摸（规则：流动党员排摸周期 6 个月；"
        "依据 「流动党员排摸周期」（市级设定））"
    ]
    assert due[0].url.endswith(f"?unconfirmed=1&party_org={c.branch.pk}")
    # the inflow side has the managed ones in its own reminder too
    assert "1 名流动党员" in reminders.due_for(c.waitan_secretary, scope_for(c.waitan_secretary), today)[0].title


def test_census_input_is_checked(world):
    c = world
    outflow(c)
    response = post(c.waitan_secretary, f"/api/v1/floating-members/{c.member.pk}/census/", {"location": ""})
    assert response.json()["errors"] == {"location": ["请填写目前所在地"]}
    response = post(c.waitan_secretary, f"/api/v1/floating-members/{c.member.pk}/census/",
                    {"location": "外滩", "confirmed_on": "2999-01-01"})  # fmt: skip
    assert response.json()["errors"] == {"confirmed_on": ["排摸日期不能晚于今天"]}
    page = client_for(c.secretary).post(f"/floating/{c.member.pk}/census/", {"confirmed_on": "", "location": "上海"})
    assert page.status_code == 400 and "请填写排摸日期" in page.content.decode()
    assert CensusRecord.objects.count() == 1  # the registration's only
    ok = post(c.waitan_secretary, f"/api/v1/floating-members/{c.member.pk}/census/", {"location": "外滩"})
    assert ok.status_code == 200 and ok.json()["last_confirmed"] == TODAY().isoformat()
    assert post(c.auditor, f"/api/v1/floating-members/{c.member.pk}/census/", {"location": "x"}).status_code == 403


def test_a_transfer_into_the_inflow_party_org_settles_the_floating_member(world):
    c = world
    outflow(c)
    t = services.initiate(c.street_admin, scope_for(c.street_admin), c.member, kind="internal",
                          to_party_org=c.waitan_branch, issued_on=TODAY())  # fmt: skip
    services.accept(c.waitan_secretary, scope_for(c.waitan_secretary), t)
    c.member.refresh_from_db()
    assert (c.member.party_org, c.member.floating, c.member.inflow_party_org) == (c.waitan_branch, "", None)


def test_pages_render(world):
    c = world
    outflow(c)
    client = client_for(c.secretary)
    for url in ("/floating/", "/floating/outflow/", f"/floating/outflow/?member={c.member.pk}&to_q=外滩",
                "/floating/inflow/", f"/floating/{c.member.pk}/"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    page = client.get(f"/floating/outflow/?member={c.member.pk}").content.decode()
    assert f'value="{c.waitan_branch.pk}" checked' in page  # the registration can be changed
