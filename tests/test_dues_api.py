"""党费 API: profiles, payments (one, or a branch's month at once), arrears and totals — the same
rules, scope and figures as the pages, errors in Chinese by field, nothing half-saved."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from liangxin.core.dates import add_months
from liangxin.core.models import AuditEntry
from liangxin.dues import rules
from liangxin.dues.models import DuesPayment, DuesProfile
from liangxin.party import policy

from . import test_dues_pages
from .conftest import client_for
from .test_dues_pages import THIS, ago, brute_force

world = test_dues_pages.world  # the same fixture as the pages' tests

D = Decimal
TODAY = timezone.localdate()


def send(user, method, url, body):
    return getattr(client_for(user), method)(url, data=json.dumps(body), content_type="application/json")


# -- profiles ----------------------------------------------------------------------------------------------
def test_a_profile_shows_the_amount_and_how_it_was_reached(world):
    c = world
    data = client_for(c.secretary).get(f"/api/v1/dues/profiles/{c.li.pk}/").json()
    assert data["dues_base"] == "12000.00" and data["category"] == "employed"
    assert data["monthly_amount"] == "240.00" and "「在职党员：超过第三档的比例」" in data["rule"]
    listed = client_for(c.secretary).get("/api/v1/dues/profiles/", {"party_org": c.branch.pk}).json()["results"]
    assert {r["name"] for r in listed} == {"王红", "李四", "赵六", "钱七"}


def test_profile_changes_are_checked_and_audited(world):
    c = world
    url = f"/api/v1/dues/profiles/{c.li.pk}/"
    bad = send(c.secretary, "patch", url, {"dues_base": "-100"})
    assert bad.status_code == 400
    assert bad.json() == {"detail": "提交的数据有误", "errors": {"dues_base": ["党费计算基数不能为负数，收到 -100.00"]}}
    no_reason = send(c.secretary, "patch", url, {"override_amount": "50"})
    assert no_reason.status_code == 400 and list(no_reason.json()["errors"]) == ["override_reason"]
    typo = send(c.secretary, "patch", url, {"dues_base": "abc"})
    assert typo.json()["errors"] == {"dues_base": ["党费计算基数应为数字，收到「abc」"]}
    c.li.refresh_from_db()
    assert c.li.dues_base == D("12000.00") and not DuesProfile.objects.filter(member=c.li).exists()

    ok = send(c.secretary, "patch", url, {"category": "retired", "override_amount": "50", "override_reason": "同意"})
    assert ok.status_code == 200
    assert ok.json()["monthly_amount"] == "50.00" and ok.json()["category"] == "retired"
    assert "按规定为 120.00 元" in ok.json()["rule"]  # retired above the line: 1 % of 12,000
    entry = AuditEntry.objects.filter(object_type="dues.duesprofile").latest("id")
    assert entry.changes["手工核定原因"] == [None, "同意"] and entry.actor == c.secretary


def test_profiles_outside_scope_are_missing_and_readers_cannot_change(world):
    c = world
    assert client_for(c.other_street_admin).get(f"/api/v1/dues/profiles/{c.li.pk}/").status_code == 404
    assert send(c.auditor, "patch", f"/api/v1/dues/profiles/{c.li.pk}/", {"dues_base": "1"}).status_code == 403
    assert send(c.secretary, "patch", f"/api/v1/dues/profiles/{c.zhou.pk}/", {"dues_base": "1"}).status_code == 404


# -- payments ----------------------------------------------------------------------------------------------
def test_recording_one_month(world):
    c = world
    body = {"member": c.qian.pk, "month": f"{ago(2):%Y-%m}", "amount_paid": 60, "paid_on": f"{TODAY}"}
    response = send(c.secretary, "post", "/api/v1/dues/payments/", body)
    assert response.status_code == 201
    data = response.json()
    assert data["amount_paid"] == "60.00" and data["is_paid"] and data["month"] == f"{ago(2):%Y-%m}"
    assert data["recorded_by"] == c.secretary.display_name


def test_bad_payments_are_refused_by_field(world):
    c = world
    months = int(policy.values()["dues_backpay_max_months"])
    base = {"member": c.member.pk, "amount_paid": "40", "paid_on": f"{TODAY}"}
    cases = {
        "month": {**base, "month": f"{ago(months + 1):%Y-%m}"},  # older than dues_backpay_max_months
        "amount_paid": {**base, "month": f"{ago(1):%Y-%m}", "amount_paid": "-1"},
    }
    before = DuesPayment.objects.count()
    old = send(c.secretary, "post", "/api/v1/dues/payments/", cases["month"])
    assert old.status_code == 400 and "「党费补交最多（月）」" in old.json()["errors"]["month"][0]
    negative = send(c.secretary, "post", "/api/v1/dues/payments/", cases["amount_paid"])
    assert negative.status_code == 400 and "不能为负数" in negative.json()["errors"]["amount_paid"][0]
    future = send(c.secretary, "post", "/api/v1/dues/payments/", {**base, "month": f"{add_months(THIS, 1):%Y-%m}"})
    assert "未来" in future.json()["errors"]["month"][0]
    early = send(
        c.secretary, "post", "/api/v1/dues/payments/", {**base, "member": c.zhao.pk, "month": f"{ago(2):%Y-%m}"}
    )
    assert "早于该党员入党" in early.json()["errors"]["month"][0]
    assert DuesPayment.objects.count() == before


def test_a_payment_for_a_member_of_another_branch_is_not_found(world):
    c = world
    body = {"member": c.zhou.pk, "month": f"{ago(1):%Y-%m}", "amount_paid": "120", "paid_on": f"{TODAY}"}
    assert send(c.secretary, "post", "/api/v1/dues/payments/", body).status_code == 404
    assert send(c.district_admin, "post", "/api/v1/dues/payments/", {**body, "member": c.wu.pk}).status_code == 404
    assert send(c.auditor, "post", "/api/v1/dues/payments/", body).status_code == 403


def test_recording_a_branch_month_at_once(world):
    c = world
    entries = [
        {"member": c.member.pk, "amount_paid": "40"},
        {"member": c.li.pk, "amount_paid": "240", "paid_on": f"{TODAY}"},
        {"member": c.zhao.pk, "amount_paid": "15"},
        {"member": c.qian.pk, "amount_paid": "0"},
    ]
    body = {"party_org": c.branch.pk, "month": f"{THIS:%Y-%m}", "paid_on": f"{TODAY}", "entries": entries}
    response = send(c.secretary, "post", "/api/v1/dues/payments/bulk/", body)
    assert response.status_code == 200
    assert response.json() == {
        "party_org": c.branch.pk, "month": f"{THIS:%Y-%m}", "created": 4, "updated": 0, "unchanged": 0
    }  # fmt: skip
    listed = client_for(c.secretary).get("/api/v1/dues/payments/", {"month": f"{THIS:%Y-%m}"}).json()["results"]
    assert {r["member_name"]: r["amount_paid"] for r in listed} == {
        "王红": "40.00", "李四": "240.00", "赵六": "15.00", "钱七": "0.00"
    }  # fmt: skip
    again = send(c.secretary, "post", "/api/v1/dues/payments/bulk/", body)
    assert again.json()["unchanged"] == 4


def test_a_bad_bulk_saves_nothing(world):
    c = world
    before = DuesPayment.objects.count()
    entries = [{"member": c.member.pk, "amount_paid": "40"}, {"member": c.li.pk, "amount_paid": "-240"}]
    body = {"party_org": c.branch.pk, "month": f"{THIS:%Y-%m}", "paid_on": f"{TODAY}", "entries": entries}
    bad = send(c.secretary, "post", "/api/v1/dues/payments/bulk/", body)
    assert bad.status_code == 400
    assert bad.json()["errors"]["entries"] == ["第 2 行 李四：实缴金额不能为负数，收到 -240.00"]
    other = {**body, "entries": [entries[0], {"member": c.zhou.pk, "amount_paid": "120"}]}
    assert send(c.secretary, "post", "/api/v1/dues/payments/bulk/", other).status_code == 404
    waitan = {**body, "party_org": c.waitan_branch.pk}
    assert send(c.secretary, "post", "/api/v1/dues/payments/bulk/", waitan).status_code == 404
    twice = {**body, "entries": [entries[0], entries[0]]}
    assert "多次" in send(c.secretary, "post", "/api/v1/dues/payments/bulk/", twice).json()["errors"]["entries"][0]
    assert DuesPayment.objects.count() == before


def test_payments_are_listed_within_scope(world):
    c = world
    huangpu = client_for(c.district_admin).get("/api/v1/dues/payments/", {"page_size": 500}).json()["results"]
    assert {r["member_name"] for r in huangpu} == {"王红", "李四", "赵六", "钱七", "孙八", "周九"}
    by_member = client_for(c.district_admin).get("/api/v1/dues/payments/", {"member": c.li.pk}).json()["results"]
    assert sorted(r["amount_paid"] for r in by_member) == ["100.00", "240.00", "240.00"]
    by_org = client_for(c.district_admin).get("/api/v1/dues/payments/", {"party_org": c.waitan_branch.pk})
    assert len(by_org.json()["results"]) == 2
    assert client_for(c.district_admin).get("/api/v1/dues/payments/", {"month": "x"}).status_code == 400
    xuhui = DuesPayment.objects.get(member=c.wu)
    assert client_for(c.district_admin).get(f"/api/v1/dues/payments/{xuhui.pk}/").status_code == 404


# -- totals and arrears: the same figures as the pages, and as a brute-force sum -----------------------------
@pytest.mark.parametrize("period", ["month", "year"])
def test_totals_api_equals_the_page_and_a_brute_force_sum(world, period):
    c = world
    if period == "year":
        query, months = {"year": str(THIS.year)}, rules.months_between(THIS.replace(month=1), THIS)
    else:
        query, months = {"month": f"{ago(1):%Y-%m}"}, [ago(1)]
    api = client_for(c.district_admin).get("/api/v1/dues/totals/", query).json()
    page = client_for(c.district_admin).get("/dues/", query)
    expected = brute_force(c.huangpu_node.path, months)
    zero = (D(0), D(0), D(0))
    for row in [*api["rows"], api["total"]]:
        figures = (D(row["due"]), D(row["paid"]), D(row["unpaid"]))
        assert figures == expected.get(row["key"], zero)
    page_rows = {r.key: (r.due, r.paid, r.owed) for r in page.context["rows"]}
    assert page_rows == {r["key"]: (D(r["due"]), D(r["paid"]), D(r["unpaid"])) for r in api["rows"]}
    lists = client_for(c.district_admin).get(api["total"]["lists"]["unpaid"])
    assert lists.context["sum"]["owed"] == D(api["total"]["unpaid"])


def test_totals_api_refuses_bad_periods_and_foreign_nodes(world):
    c = world
    future = client_for(c.district_admin).get("/api/v1/dues/totals/", {"month": f"{add_months(THIS, 1):%Y-%m}"})
    assert future.status_code == 400 and "未来" in future.json()["errors"]["month"][0]
    assert client_for(c.district_admin).get("/api/v1/dues/totals/", {"node": c.xuhui_node.pk}).status_code == 404
    assert client_for(c.district_admin).get("/api/v1/dues/totals/", {"node": "x"}).status_code == 400


def test_arrears_api_equals_the_page(world):
    c = world
    api = client_for(c.district_admin).get("/api/v1/dues/arrears/").json()
    page = client_for(c.district_admin).get("/dues/arrears/")
    assert {r["member"]: (r["count"], D(r["owed"])) for r in api["results"]} == {
        o.line.member_id: (o.arrears.count, o.arrears.owed) for o in page.context["page"]
    }
    assert api["count"] == 3 and D(api["owed"]) == page.context["owed"] == D("440.00")  # 180 + 140 + 120
    qian = next(r for r in api["results"] if r["name"] == "钱七")
    assert qian["months"] == [f"{ago(k):%Y-%m}" for k in (3, 2, 1)] and qian["consecutive"] == 3
    assert not qian["lapsed"]
    assert client_for(c.district_admin).get("/api/v1/dues/arrears/", {"lapsed": "1"}).json()["count"] == 0


def test_a_member_without_a_base_cannot_be_recorded_until_it_is_set(world):
    from .party_helpers import make_member

    c = world
    new = make_member(c, c.branch, "林无基数")
    body = {"member": new.pk, "month": f"{THIS:%Y-%m}", "amount_paid": "10", "paid_on": f"{TODAY}"}
    refused = send(c.secretary, "post", "/api/v1/dues/payments/", body)
    assert refused.status_code == 400 and "党费计算基数" in refused.json()["errors"]["member"][0]
    sheet = client_for(c.secretary).get(f"/dues/branch/{c.branch.pk}/").content.decode()
    assert "未核定基数" in sheet and f'name="amount_{new.pk}"' not in sheet
    send(c.secretary, "patch", f"/api/v1/dues/profiles/{new.pk}/", {"dues_base": "1000"})
    assert send(c.secretary, "post", "/api/v1/dues/payments/", body).json()["amount_due"] == "5.00"
