"""党费 pages: the month sheet (record a branch's month at once), a member's profile and back-payment,
totals per child node equal to a brute-force sum over the raw rows (and to the list behind each
figure), arrears with the 6-month flag, exports, reminders, and the member's own page."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.core.dates import add_months
from liangxin.core.models import AuditEntry
from liangxin.dues import reminders, rules, services
from liangxin.dues.models import DuesPayment, DuesProfile
from liangxin.party import policy
from liangxin.party.models import Member

from .conftest import client_for
from .party_helpers import make_member, make_party_org

D = Decimal
TODAY = timezone.localdate()
THIS = rules.month_start(TODAY)


def ago(k: int) -> datetime.date:
    """The first day of the month ``k`` months before this one."""
    return add_months(THIS, -k)


def record(cast, party_org, month, paid: dict, actor=None):
    """Record ``month`` for ``party_org``: {member: amount paid (0: unpaid)}."""
    on = min(month + datetime.timedelta(days=2), TODAY)
    items = [services.PaymentInput(m, D(a), on if D(a) > 0 else None) for m, a in paid.items()]
    return services.record_month(actor or cast.city_admin, party_org, month, items, TODAY)


def profile(cast, member, category="employed", base=None, **extra):
    return services.set_profile(
        cast.city_admin, member, dues_base=None if base is None else D(base), category=category, **extra
    )


@pytest.fixture
def world(party_cast):
    """Three branches under 黄浦 (two in 南京东路, one in 外滩) and one in 徐汇, with a few months."""
    c = party_cast
    profile(c, c.member, base="4000")  # 40.00
    c.li = make_member(c, c.branch, "李四", dues_base=D("12000"))  # 240.00
    c.zhao = make_member(c, c.branch, "赵六", category="probationary", joined_on=ago(1) + datetime.timedelta(days=14))
    profile(c, c.zhao, base="3000")  # 15.00, from the month of the branch vote
    c.qian = make_member(c, c.branch, "钱七")
    profile(c, c.qian, "retired", base="6000")  # 60.00
    c.joint = make_party_org(c, "南京东路商务楼宇联合党支部", mode="joint", org_type="joint_branch")
    c.sun = make_member(c, c.joint, "孙八")
    profile(c, c.sun, "student")  # 0.20
    c.waitan_branch = make_party_org(c, "外滩餐饮党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.zhou = make_member(c, c.waitan_branch, "周九", dues_base=D("8000"))  # 120.00
    c.xuhui_branch = make_party_org(c, "天平软件党支部", parent=c.xuhui_node, covered=[c.xuhui_org])
    c.wu = make_member(c, c.xuhui_branch, "吴十", dues_base=D("5000"))  # 50.00

    record(c, c.branch, ago(3), {c.member: "40", c.li: "240", c.qian: "0"})
    record(c, c.branch, ago(2), {c.member: "40", c.li: "100", c.qian: "0"})
    record(c, c.branch, ago(1), {c.member: "40", c.li: "240", c.qian: "0", c.zhao: "15"})
    record(c, c.joint, ago(1), {c.sun: "0.20"})
    record(c, c.waitan_branch, ago(2), {c.zhou: "120"})
    record(c, c.waitan_branch, ago(1), {c.zhou: "0"})
    record(c, c.xuhui_branch, ago(1), {c.wu: "50"})
    return c


# -- brute force: plain Python over the raw rows -------------------------------------------------------
def brute_force(node_path: str, months: list[datetime.date]) -> dict:
    """{child key: (due, paid, unpaid)} for the members under ``node_path``, straight from the tables."""
    params = policy.values()
    rows = list(DuesPayment.objects.values("member_id", "party_org_id", "month", "amount_due", "amount_paid"))
    branch_first, member_first, by_key = {}, {}, {}
    for r in rows:
        branch_first[r["party_org_id"]] = min(branch_first.get(r["party_org_id"], r["month"]), r["month"])
        member_first[r["member_id"]] = min(member_first.get(r["member_id"], r["month"]), r["month"])
        by_key[(r["member_id"], r["month"])] = r
    out: dict[str, list] = {}
    for m in Member.objects.filter(is_active=True).select_related("party_org__node"):
        path = m.party_org.node.path
        if not path.startswith(node_path):
            continue
        rest = path[len(node_path) :].split("/")[0]
        key = rest or "self"
        firsts = [d for d in (branch_first.get(m.party_org_id), member_first.get(m.pk)) if d]
        if not firsts:
            continue
        start = max(m.joined_on.replace(day=1), min(firsts))
        p = DuesProfile.objects.filter(member=m).first()
        current = rules.amount_for_profile(m.dues_base, p, params).value
        sums = out.setdefault(key, [D(0), D(0), D(0)])
        total = out.setdefault("all", [D(0), D(0), D(0)])
        for month in months:
            if month < start:
                continue
            r = by_key.get((m.pk, month))
            due = r["amount_due"] if r else current
            paid = r["amount_paid"] if r else D(0)
            owed = max(due - paid, D(0)) if due is not None else D(0)
            for s in (sums, total):
                s[0] += due or 0
                s[1] += paid
                s[2] += owed
    return {k: tuple(v) for k, v in out.items()}


def shown(response) -> dict:
    rows = {r.key: (r.due, r.paid, r.owed) for r in response.context["rows"]}
    g = response.context["grand"]
    rows["all"] = (g.due, g.paid, g.owed)
    return rows


@pytest.mark.parametrize("period", ["month1", "month2", "month0", "year"])
def test_totals_equal_a_brute_force_sum_over_the_raw_rows(world, period):
    c = world
    if period == "year":
        query, months = {"year": str(THIS.year)}, rules.months_between(THIS.replace(month=1), THIS)
    else:
        month = ago(int(period[-1]))
        query, months = {"month": f"{month:%Y-%m}"}, [month]
    response = client_for(c.district_admin).get("/dues/", query)
    assert response.status_code == 200
    expected = brute_force(c.huangpu_node.path, months)
    got = shown(response)
    keys = {str(c.nanjing_node.pk), str(c.waitan_node.pk), "all"}
    assert {k: v for k, v in got.items() if k in keys} == {k: expected.get(k, (D(0), D(0), D(0))) for k in keys}
    html = response.content.decode()
    assert f"<b>{got['all'][0]}</b>" in html and f"<b>{got['all'][2]}</b>" in html
    assert "天平软件" not in html  # 徐汇 is not 黄浦's


def test_the_known_month_figures(world):
    c = world
    response = client_for(c.street_admin).get("/dues/", {"month": f"{ago(1):%Y-%m}", "node": c.nanjing_node.pk})
    got = shown(response)
    # 王红 40 + 李四 240 + 钱七 60 (unpaid) + 赵六 15 in the branch; 孙八 0.20 in the joint branch
    assert got[str(c.branch.node.pk)] == (D("355.00"), D("295.00"), D("60.00"))
    assert got[str(c.joint.node.pk)] == (D("0.20"), D("0.20"), D("0.00"))
    assert got["all"] == (D("355.20"), D("295.20"), D("60.00"))


def test_each_figure_opens_the_list_whose_sum_it_is(world):
    c = world
    client = client_for(c.district_admin)
    response = client.get("/dues/", {"month": f"{ago(2):%Y-%m}"})
    rows = [*response.context["rows"], response.context["grand"]]
    assert len(rows) == 3
    for row in rows:
        for status, figure in (("all", row.due), ("paid", row.paid), ("unpaid", row.owed)):
            page = client.get(row.links[status])
            assert page.status_code == 200
            total = page.context["sum"]
            assert {"all": total["due"], "paid": total["paid"], "unpaid": total["owed"]}[status] == figure
    unpaid = client.get(response.context["grand"].links["unpaid"]).content.decode()
    assert "钱七" in unpaid and "部分缴纳" in unpaid and "王红" not in unpaid


def test_a_secretary_sees_their_branch_and_nothing_above(world):
    c = world
    client = client_for(c.secretary)
    response = client.get("/dues/", {"month": f"{ago(1):%Y-%m}"})
    assert response.context["node"] == c.branch.node
    assert shown(response)["all"] == (D("355.00"), D("295.00"), D("60.00"))
    assert client.get("/dues/", {"node": c.nanjing_node.pk}).status_code == 404
    assert client.get("/dues/arrears/", {"node": c.waitan_node.pk}).status_code == 404


def test_bad_periods_are_explained(world):
    client = client_for(world.district_admin)
    future = client.get("/dues/", {"month": f"{add_months(THIS, 1):%Y-%m}"})
    assert future.status_code == 400 and "未来月份" in future.content.decode()
    assert client.get("/dues/list/", {"year": "19"}).status_code == 400


# -- the month sheet -------------------------------------------------------------------------------------
def sheet_post(members: dict, month: datetime.date, paid_on: str = "") -> dict:
    data = {"month": f"{month:%Y-%m}", "paid_on": paid_on or f"{TODAY:%Y-%m-%d}", "member": []}
    for m, amount in members.items():
        data["member"].append(str(m.pk))
        if amount is not None:
            data[f"paid_{m.pk}"] = "1"
            data[f"amount_{m.pk}"] = amount
    return data


def test_the_sheet_lists_every_member_with_the_amount_prefilled(world):
    c = world
    page = client_for(c.secretary).get(f"/dues/branch/{c.branch.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="amount_{c.li.pk}" value="240.00"' in html
    assert f'name="amount_{c.member.pk}" value="40.00"' in html
    assert "钱七" in html and "赵六" in html and "未登记" in html
    before = client_for(c.secretary).get(f"/dues/branch/{c.branch.pk}/", {"month": f"{ago(2):%Y-%m}"})
    assert "本月无需交纳" in before.content.decode()  # 赵六 joined last month


def test_a_secretary_records_the_whole_month_at_once(world):
    c = world
    client = client_for(c.secretary)
    data = sheet_post({c.member: "40.00", c.li: "240.00", c.zhao: "15.00", c.qian: None}, THIS)
    response = client.post(f"/dues/branch/{c.branch.pk}/", data)
    assert response.status_code == 302
    rows = {p.member_id: p for p in DuesPayment.objects.filter(month=THIS)}
    assert rows[c.li.pk].amount_paid == D("240.00") and rows[c.li.pk].paid_on == TODAY
    assert rows[c.qian.pk].amount_paid == 0 and rows[c.qian.pk].amount_due == D("60.00")
    assert rows[c.li.pk].recorded_by == c.secretary
    entries = AuditEntry.objects.filter(object_type="dues.duespayment", actor=c.secretary)
    assert entries.count() == 4
    assert AuditEntry.objects.filter(object_type="party.partyorganization", detail__contains="新增 4 条").exists()
    # sending the same sheet again changes nothing and writes nothing
    client.post(f"/dues/branch/{c.branch.pk}/", data)
    assert AuditEntry.objects.filter(object_type="dues.duespayment", actor=c.secretary).count() == 4
    # a correction is an audited update
    data[f"amount_{c.li.pk}"] = "200.00"
    client.post(f"/dues/branch/{c.branch.pk}/", data)
    change = AuditEntry.objects.filter(object_type="dues.duespayment", action="update").latest("id")
    assert change.changes == {"实缴金额（元）": ["240.00", "200.00"]}
    assert not any(
        r.title.endswith("党费尚未登记") for r in reminders.due_for(c.secretary, scope_for(c.secretary), TODAY)
    )


def assert_refused(response, *words):
    assert response.status_code == 400
    html = response.content.decode()
    for w in words:
        assert w in html, w
    return html


def test_bad_sheets_save_nothing(world):
    c = world
    client = client_for(c.secretary)
    url = f"/dues/branch/{c.branch.pk}/"
    count = DuesPayment.objects.count()
    # one negative amount refuses the whole sheet, and what was typed stays
    html = assert_refused(client.post(url, sheet_post({c.member: "40", c.li: "-5"}, THIS)), "李四", "不能为负数")
    assert 'value="-5"' in html
    assert_refused(client.post(url, sheet_post({c.member: "abc"}, THIS)), "实缴金额应为数字")
    # a month before the probationary member's branch vote
    assert_refused(client.post(url, sheet_post({c.zhao: "15"}, ago(2))), "赵六", "早于该党员入党")
    # a back-payment older than dues_backpay_max_months
    months = int(policy.values()["dues_backpay_max_months"])
    assert_refused(client.post(url, sheet_post({c.member: "40"}, ago(months + 1))), "「党费补交最多（月）」")
    assert client.post(url, sheet_post({c.member: "40"}, ago(months))).status_code == 302
    count += 1
    # a future month
    assert_refused(client.post(url, sheet_post({c.member: "40"}, add_months(THIS, 1))), "未来")
    assert DuesPayment.objects.count() == count


def test_a_member_of_another_branch_is_not_found(world):
    c = world
    client = client_for(c.secretary)
    data = sheet_post({c.member: "40", c.zhou: "120"}, THIS)
    assert client.post(f"/dues/branch/{c.branch.pk}/", data).status_code == 404
    assert not DuesPayment.objects.filter(month=THIS).exists()
    assert client.get(f"/dues/branch/{c.waitan_branch.pk}/").status_code == 404
    assert client.get(f"/dues/member/{c.zhou.pk}/").status_code == 404


def test_readers_see_the_sheet_but_cannot_record(world):
    c = world
    client = client_for(c.auditor)
    page = client.get(f"/dues/branch/{c.branch.pk}/")
    assert page.status_code == 200 and 'name="amount_' not in page.content.decode()
    assert client.post(f"/dues/branch/{c.branch.pk}/", sheet_post({c.member: "40"}, THIS)).status_code == 403
    assert client.post(f"/dues/member/{c.member.pk}/", {"dues_base": "1"}).status_code == 403


# -- a member's dues profile and back-payment ------------------------------------------------------------
def test_setting_the_base_and_category_is_audited(world):
    c = world
    client = client_for(c.secretary)
    response = client.post(f"/dues/member/{c.li.pk}/", {"dues_base": "4000", "category": "employed"})
    assert response.status_code == 302
    c.li.refresh_from_db()
    assert c.li.dues_base == D("4000.00")
    base = AuditEntry.objects.filter(object_type="party.member", object_id=str(c.li.pk)).latest("id")
    assert base.changes == {"党费计算基数（元/月）": ["12000.00", "4000.00"]}
    page = client.get(f"/dues/member/{c.li.pk}/").content.decode()
    assert "40.00 元" in page and "「在职党员：第二档比例」" in page and "12000.00" in page  # the change in the history


def test_an_override_needs_a_reason_and_bad_input_saves_nothing(world):
    c = world
    client = client_for(c.secretary)
    url = f"/dues/member/{c.li.pk}/"
    entries = AuditEntry.objects.count()
    assert_refused(client.post(url, {"dues_base": "-1", "category": "employed"}), "党费计算基数不能为负数")
    html = assert_refused(
        client.post(url, {"dues_base": "5000", "category": "employed", "override_amount": "10"}), "须填写原因"
    )
    assert 'value="5000"' in html  # what was typed stays
    assert_refused(client.post(url, {"category": "farmer", "farmer_yuan": "2"}), "「农民党员每月党费最高」")
    assert_refused(client.post(url, {"dues_base": "1.234"}), "最多保留两位小数")
    c.li.refresh_from_db()
    assert c.li.dues_base == D("12000.00") and not DuesProfile.objects.filter(member=c.li).exists()
    assert AuditEntry.objects.count() == entries
    ok = {"dues_base": "12000", "category": "employed", "override_amount": "100", "override_reason": "支部研究同意"}
    assert client.post(url, ok).status_code == 302
    saved = DuesProfile.objects.get(member=c.li)
    assert saved.override_amount == D("100.00") and saved.override_reason == "支部研究同意"
    assert "手工核定每月 100.00 元" in client.get(url).content.decode()


def test_one_month_is_recorded_or_back_paid_on_the_member_page(world):
    c = world
    client = client_for(c.secretary)
    url = f"/dues/member/{c.qian.pk}/"
    months = int(policy.values()["dues_backpay_max_months"])
    old = {"action": "payment", "month": f"{ago(months + 1):%Y-%m}", "amount_paid": "60", "paid_on": f"{TODAY}"}
    assert_refused(client.post(url, old), "补交党费最多补交", "「党费补交最多（月）」")
    future = {**old, "month": f"{add_months(THIS, 1):%Y-%m}"}
    assert_refused(client.post(url, future), "未来月份")
    ok = {**old, "month": f"{ago(3):%Y-%m}", "note": "补交"}
    assert client.post(url, ok).status_code == 302
    row = DuesPayment.objects.get(member=c.qian, month=ago(3))
    assert row.amount_paid == D("60.00") and row.note == "补交" and row.paid_on == TODAY
    page = client.get(url).content.decode()
    assert "未缴 2 个月，合计 120.00 元" in page


# -- arrears and the 6-month flag -------------------------------------------------------------------------
@pytest.fixture
def lapse_world(world):
    """A branch whose ledger started long ago: one member 5 months without dues, one 6, one paying."""
    c = world
    limit = int(policy.values()["lapse_months"])
    c.old = make_party_org(c, "南京东路老字号党支部")
    c.five = make_member(c, c.old, "郑五月", dues_base=D("4000"))
    c.six = make_member(c, c.old, "冯六月", dues_base=D("4000"))
    c.payer = make_member(c, c.old, "陈按时", dues_base=D("4000"))
    for member, last_paid in ((c.five, limit), (c.six, limit + 1), (c.payer, 1)):
        for k in range(last_paid, limit + 3):
            DuesPayment.objects.create(
                member=member, party_org=c.old, month=ago(k), amount_due=D("40"), amount_paid=D("40"), paid_on=ago(k)
            )
    DuesPayment.objects.create(member=c.payer, party_org=c.old, month=THIS, amount_due=D("40"), amount_paid=D("40"))
    return c


def test_six_months_without_dues_are_flagged_five_are_approaching(lapse_world):
    c = lapse_world
    limit = int(policy.values()["lapse_months"])
    response = client_for(c.street_admin).get("/dues/arrears/", {"node": c.old.node.pk})
    owing = {o.line.name: o for o in response.context["page"]}
    assert set(owing) == {"郑五月", "冯六月"}
    assert owing["郑五月"].arrears.run == limit - 1 and not owing["郑五月"].lapsed
    assert owing["冯六月"].arrears.run == limit and owing["冯六月"].lapsed
    assert owing["冯六月"].arrears.owed == D("40.00") * limit
    lapsed = client_for(c.street_admin).get("/dues/arrears/", {"node": c.old.node.pk, "lapsed": "1"})
    assert [o.line.name for o in lapsed.context["page"]] == ["冯六月"]
    assert "自行脱党核查" in lapsed.content.decode()


def test_the_arrears_list_equals_a_brute_force_count(world):
    c = world
    response = client_for(c.district_admin).get("/dues/arrears/")
    got = {o.line.member_id: (o.arrears.count, o.arrears.owed) for o in response.context["page"]}
    closed = rules.closed_through(TODAY)
    expected = {}
    for m in (c.member, c.li, c.zhao, c.qian, c.sun, c.zhou):
        rows = {r.month: r for r in DuesPayment.objects.filter(member=m)}
        firsts = [min(r.month for r in DuesPayment.objects.filter(party_org=m.party_org)), *rows]
        start = max(m.joined_on.replace(day=1), min(firsts))
        current = services.monthly_amount(m, policy.values()).value
        months = [x for x in rules.months_between(start, closed) if x not in rows or not rows[x].is_paid]
        owed = sum((rows[x].amount_due - rows[x].amount_paid if x in rows else current) for x in months)
        if months:
            expected[m.pk] = (len(months), owed)
    assert got == expected
    assert got[c.qian.pk] == (3, D("180.00")) and got[c.li.pk] == (1, D("140.00"))


# -- reminders -------------------------------------------------------------------------------------------
def test_the_secretary_is_reminded_of_the_unrecorded_month_and_the_lapse_line(lapse_world):
    c = lapse_world
    secretary = User.objects.create_user(username="old_secretary", password="x" * 12)
    RoleAssignment.objects.create(user=secretary, role="secretary", node=c.old.node)
    due = reminders.due_for(secretary, scope_for(secretary), TODAY)
    titles = [r.title for r in due]
    assert not any("尚未登记" in t for t in titles)  # 陈按时's row: this month is recorded
    approaching = [r for r in due if "郑五月" in r.title]
    lapsed = [r for r in due if "冯六月" in r.title]
    assert (
        len(approaching) == 1
        and not approaching[0].overdue
        and "「连续未交党费或未参加组织生活（自行脱党核查）」" in approaching[0].title
    )
    assert len(lapsed) == 1 and lapsed[0].overdue and "自行脱党" in lapsed[0].title
    assert len(due) == 2
    # the branch secretary of the cast: this month is not recorded
    mine = reminders.due_for(c.secretary, scope_for(c.secretary), TODAY)
    assert [r.key for r in mine if "尚未登记" in r.title] == [f"dues:month:{c.branch.pk}:{THIS:%Y-%m}"]
    assert reminders.due_for(c.district_admin, scope_for(c.district_admin), TODAY) == []


def member_login(cast, member) -> User:
    user = User.objects.create_user(username=f"m{member.pk}", password="x" * 12, full_name=member.name)
    RoleAssignment.objects.create(user=user, role="member", node=member.party_org.node)
    member.user = user
    member.save(update_fields=["user"])
    return user


def test_a_member_sees_their_own_unpaid_months_and_amount(world):
    c = world
    user = member_login(c, c.qian)
    due = reminders.due_for(user, scope_for(user), TODAY)
    assert len(due) == 1 and "您有 3 个月党费未交，合计 180.00 元" in due[0].title
    client = client_for(user)
    page = client.get("/dues/mine/")
    html = page.content.decode()
    assert page.status_code == 200 and "60.00 元" in html and "您有 3 个月党费未交，合计 180.00 元" in html
    assert "「离退休党员：分档线以上比例」" in html
    assert client.get("/dues/").status_code == 403
    assert client.get(f"/dues/member/{c.qian.pk}/").status_code == 403
    assert client.get("/api/v1/dues/payments/").json()["results"][0]["member"] == c.qian.pk
    assert {r["member"] for r in client.get("/api/v1/dues/payments/").json()["results"]} == {c.qian.pk}
    assert client.get("/api/v1/dues/arrears/").status_code == 403
    paying = member_login(c, c.member)
    assert reminders.due_for(paying, scope_for(paying), TODAY) == []


# -- exports ---------------------------------------------------------------------------------------------
def workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_treasurer_exports_the_month_sheet_and_the_yearly_ledger(world):
    c = world
    client = client_for(c.secretary)
    book = workbook(client.get(f"/dues/branch/{c.branch.pk}/sheet.xlsx", {"month": f"{ago(1):%Y-%m}"}))
    rows = list(book["数据"].iter_rows(values_only=True))
    header, data = rows[0], {r[0]: r for r in rows[1:]}
    assert set(data) == {"王红", "李四", "赵六", "钱七"}
    assert data["钱七"][header.index("状态")] == "未缴" and data["钱七"][header.index("应缴（元）")] == 60
    assert data["李四"][header.index("实缴（元）")] == 240
    assert AuditEntry.objects.filter(action="export", object_type="dues.duespayment").count() == 1

    year = ago(1).year
    ledger_book = workbook(client.get(f"/dues/branch/{c.branch.pk}/ledger.xlsx", {"year": str(year)}))
    rows = list(ledger_book["数据"].iter_rows(values_only=True))
    header, data = rows[0], {r[0]: r for r in rows[1:]}
    assert data["李四"][header.index(f"{ago(1).month}月实缴")] == 240
    months = rules.months_between(datetime.date(year, 1, 1), min(datetime.date(year, 12, 1), THIS))
    expected = brute_force(c.branch.node.path, months)["all"]
    totals = [
        sum(r[header.index(h)] or 0 for r in rows[1:]) for h in ("全年应缴（元）", "全年实缴（元）", "未缴（元）")
    ]
    assert [D(str(t)).quantize(D("0.01")) for t in totals] == list(expected)


def test_arrears_and_list_exports(world):
    c = world
    client = client_for(c.district_admin)
    rows = list(workbook(client.get("/dues/arrears/export.xlsx"))["数据"].iter_rows(values_only=True))
    assert {r[1] for r in rows[1:]} == {"钱七", "李四", "周九"}
    entries = workbook(client.get("/dues/list/export.xlsx", {"month": f"{ago(1):%Y-%m}", "status": "unpaid"}))
    names = {r[1] for r in list(entries["数据"].iter_rows(values_only=True))[1:]}
    assert names == {"钱七", "周九"}
