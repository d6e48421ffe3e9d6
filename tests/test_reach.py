"""到达率 (两个力争): reached and read-reached organizations against a recount in plain Python over
the raw rows (deliveries, members, role assignments, party organization links, organizations)."""

import datetime
import itertools
import random
from zoneinfo import ZoneInfo

import pytest

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.messaging import facts, reach, services
from liangxin.messaging.models import Delivery
from liangxin.orgs.models import Organization
from liangxin.party.models import Member, PartyOrgLink
from liangxin.stats import engine

from .conftest import client_for
from .party_helpers import make_member, make_party_org, new_org

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = reach.Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
_serial = itertools.count(1)


def at(day: str, hms: str = "10:00:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hms}").replace(tzinfo=SHANGHAI)


def deliver(message, *, user=None, member=None, org=None, channel="inbox", state="sent", sent_at=None, read_at=None):
    """A delivery row as the worker leaves it, with the facts the fan-out writes on its day."""
    n = next(_serial)
    delivery = Delivery.objects.create(
        message=message, recipient_key=f"test:{n}", idempotency_key=f"test-{n}", channel=channel, state=state,
        user=user, member=member, organization=org, sent_at=sent_at, read_at=read_at,
    )  # fmt: skip
    facts.write_new(message.pk, delivery.pk - 1, delivery.pk, day_of(delivery))
    return delivery


def day_of(delivery) -> datetime.date:
    """The day the delivery was made: its sending day (the fan-out precedes the send by minutes)."""
    return (delivery.sent_at or delivery.created_at).astimezone(SHANGHAI).date()


def secretary_of(party_org, username):
    user = User.objects.create_user(username=username, password="x")
    RoleAssignment.objects.create(user=user, role="secretary", node=party_org.node)
    return user


@pytest.fixture(autouse=True, params=["walk deliveries", "per organization"])
def form(request, monkeypatch):
    """Every test under both forms of the condition (the unit's size chooses one in production)."""
    monkeypatch.setattr(reach, "_per_organization", lambda counted: request.param == "per organization")
    return request.param


# -- the recount ------------------------------------------------------------------------------
def recount(period: reach.Period, orgs, *, read: bool = False) -> set[int]:
    """The organizations of ``orgs`` (counted ones only) reached in ``period``, rule by rule, with
    the people as they were when each delivery was made (no test here moves one after it)."""
    first = datetime.datetime.combine(period.start, datetime.time(0, 0), tzinfo=SHANGHAI)
    after = datetime.datetime.combine(period.end, datetime.time(0, 0), tzinfo=SHANGHAI) + datetime.timedelta(days=1)
    members = {m.pk: m for m in Member.objects.all()}
    by_user = {m.user_id: m for m in members.values() if m.user_id}
    roles = [(r.user_id, r.node_id) for r in RoleAssignment.objects.filter(role="secretary")]
    links = [(link.party_org.node_id, link.organization_id, link.start_on, link.end_on)
             for link in PartyOrgLink.objects.select_related("party_org")]  # fmt: skip
    found = set()
    for d in Delivery.objects.all():
        if d.state not in ("sent", "delivered", "read", "replied") or d.sent_at is None:
            continue
        if not first <= d.sent_at < after or (period.channel and d.channel != period.channel):
            continue
        if read and (d.read_at is None or d.channel == "sms"):
            continue
        # one delivery is one person: its contact's organization, else its member's employer,
        # else (no member, or one without an employer) the employer of the account's member
        member, holder = members.get(d.member_id), by_user.get(d.user_id)
        if d.organization_id:
            found.add(d.organization_id)
        elif member is not None and member.employer_id:
            found.add(member.employer_id)
        elif holder is not None and holder.employer_id:
            found.add(holder.employer_id)
        day = day_of(d)  # the links in force on the day of the delivery
        for user_id, node_id in roles:
            if user_id == d.user_id:
                for link_node, org_id, start, end in links:
                    in_force = start <= day and (end is None or end > day)
                    if link_node == node_id and in_force:
                        found.add(org_id)
    counted = {o.pk for o in orgs if o.status == "operating"}  # the basis parameter is 0 here
    return found & counted


def figures(cast, user, period, **params):
    q = engine.parse_query({k: str(v) for k, v in params.items()}, scope_for(user))
    assert q.errors == {}
    return reach.reach(q, period), q


# -- a small world ----------------------------------------------------------------------------
@pytest.fixture
def world(party_cast):
    """Organizations each reached (or not) one way, named by what happens to them."""
    c = party_cast
    w = type("World", (), {})()
    w.message = services.create_message(c.street_admin, c.nanjing_node, "通知", "正文")
    # 嘉信 (c.org): its member 王红 (no account) gets an SMS in March, read — received, never read
    deliver(w.message, member=c.member, channel="sms", sent_at=at("2026-03-05"), read_at=at("2026-03-05", "11:00:00"))
    w.contact = new_org(c, "联系人收到的组织", None, contact_name="赵联系")
    deliver(w.message, org=w.contact, channel="email", sent_at=at("2026-03-10"), read_at=at("2026-03-11"))
    w.day_before = new_org(c, "前一天收到的组织", None)
    deliver(w.message, org=w.day_before, sent_at=at("2026-02-28", "23:59:59"), read_at=at("2026-03-01"))
    w.last_day = new_org(c, "最后一天收到的组织", None)
    deliver(w.message, org=w.last_day, sent_at=at("2026-03-31", "23:59:59"))
    w.next_day = new_org(c, "次月收到的组织", None)
    deliver(w.message, org=w.next_day, sent_at=at("2026-04-01", "00:00:00"))
    w.failed = new_org(c, "投递失败的组织", None)
    deliver(w.message, org=w.failed, state="failed", sent_at=at("2026-03-10"))
    deliver(w.message, org=w.failed, state="queued")
    deliver(w.message, org=w.failed, state="unknown", sent_at=at("2026-03-10"))
    # a member with an account, in 外滩: the delivery names the account only (a notice to a user)
    w.waitan_branch = make_party_org(c, name="外滩党支部", parent=c.waitan_node, covered=[c.waitan_org])
    w.account = User.objects.create_user(username="lisi", password="x")
    w.lisi = make_member(c, w.waitan_branch, name="李四", employer=c.waitan_org, user=w.account)
    deliver(w.message, user=w.account, sent_at=at("2026-03-20"), read_at=at("2026-03-21"))
    # secretaries, each receiving on 15 March: one whose branch covered 旧联建 until the day the period
    # began, one whose branch covers 新联建 from the day after it ends, one whose branch covers 现联建
    # from that very day (the links in force on the day of the delivery count)
    w.old = new_org(c, "覆盖已结束的组织", None)
    w.new = new_org(c, "覆盖尚未开始的组织", None)
    w.now = new_org(c, "书记收到的组织", None)
    for name, org, start, end, user in (
        ("旧联合党支部", w.old, datetime.date(2024, 1, 1), MARCH.start, "old_sec"),
        ("新联合党支部", w.new, datetime.date(2026, 4, 1), None, "new_sec"),
        ("现联合党支部", w.now, datetime.date(2026, 3, 15), None, "now_sec"),
    ):
        branch = make_party_org(c, name=name, covered=[org], mode="joint")
        PartyOrgLink.objects.filter(party_org=branch).update(start_on=start, end_on=end)
        secretary = secretary_of(branch, user)
        deliver(w.message, user=secretary, sent_at=at("2026-03-15"), read_at=at("2026-03-15"))
    # not in operation: out of the denominator even though its contact received
    w.closed = new_org(c, "已注销的组织", None, contact_name="钱联系")
    Organization.objects.filter(pk=w.closed.pk).update(status="deregistered")
    deliver(w.message, org=w.closed, sent_at=at("2026-03-10"), read_at=at("2026-03-10"))
    return w


def test_each_way_of_being_reached_and_each_boundary(world, party_cast):
    c, w = party_cast, world
    result, q = figures(c, c.city_admin, MARCH)
    orgs = list(engine.unit_organizations(q))
    reached = recount(MARCH, orgs)
    read = recount(MARCH, orgs, read=True)
    assert reached == {c.org.pk, w.contact.pk, w.last_day.pk, c.waitan_org.pk, w.now.pk}
    assert read == {w.contact.pk, c.waitan_org.pk, w.now.pk}  # 嘉信's SMS read_at does not count
    counted = len([o for o in orgs if o.status == "operating"])
    assert counted == len(orgs) - 1  # the deregistered organization is out
    assert (result.total.counted, result.total.reached, result.total.read) == (counted, len(reached), len(read))
    never = set(reach.never_reached(q, MARCH).values_list("pk", flat=True))
    assert never == {o.pk for o in orgs if o.status == "operating"} - reached
    assert result.total.never == len(never)


def test_the_secretary_route_is_taken_only_while_the_link_is_in_force(world, party_cast):
    c, w = party_cast, world
    q = engine.parse_query({}, scope_for(c.city_admin))
    never = set(reach.never_reached(q, MARCH).values_list("pk", flat=True))
    assert {w.old.pk, w.new.pk} <= never and w.now.pk not in never
    # links changed after the delivery change nothing: what counts is the day it was made
    PartyOrgLink.objects.filter(organization=w.old).update(end_on=None)
    PartyOrgLink.objects.filter(organization=w.now).update(end_on=datetime.date(2026, 3, 16))
    never = set(reach.never_reached(q, MARCH).values_list("pk", flat=True))
    assert w.old.pk in never and w.now.pk not in never
    # a later message to the old branch's secretary, now that its link is in force again: reached
    secretary = RoleAssignment.objects.get(user__username="old_sec").user
    deliver(w.message, user=secretary, sent_at=at("2026-03-20"))
    assert w.old.pk not in set(reach.never_reached(q, MARCH).values_list("pk", flat=True))


def test_a_channel_narrows_what_counts(world, party_cast):
    c = party_cast
    sms, _ = figures(c, c.city_admin, reach.Period(MARCH.start, MARCH.end, "sms"))
    assert (sms.total.reached, sms.total.read) == (1, 0)  # 嘉信 by its member's SMS, which is never read
    email, _ = figures(c, c.city_admin, reach.Period(MARCH.start, MARCH.end, "email"))
    assert (email.total.reached, email.total.read) == (1, 1)  # the contact's e-mail, opened


def test_a_period_of_one_day(world, party_cast):
    c, w = party_cast, world
    day = reach.Period(datetime.date(2026, 3, 31), datetime.date(2026, 3, 31))
    result, q = figures(c, c.city_admin, day)
    assert recount(day, list(engine.unit_organizations(q))) == {w.last_day.pk}
    assert (result.total.reached, result.total.read) == (1, 0)


def test_children_add_up_and_each_equals_its_own_unit(world, party_cast):
    c = party_cast
    result, q = figures(c, c.city_admin, MARCH, region=c.huangpu.code)
    assert [r.label for r in result.children] == ["南京东路街道", "外滩街道"]
    for row in result.children:
        own, _ = figures(c, c.city_admin, MARCH, **row.params)
        assert (row.counted, row.reached, row.read) == (own.total.counted, own.total.reached, own.total.read)
    assert sum(r.reached for r in result.children) == result.total.reached
    assert sum(r.counted for r in result.children) == result.total.counted


def test_a_street_sees_only_its_own_organizations(world, party_cast):
    c = party_cast
    result, q = figures(c, c.street_admin, MARCH)  # 南京东路: its home unit
    assert q.region == c.nanjing
    never = set(reach.never_reached(q, MARCH).values_list("pk", flat=True))
    assert c.waitan_org.pk not in never and c.xuhui_org.pk not in never
    nanjing = {o.pk for o in Organization.objects.filter(operating_region=c.nanjing, status="operating")}
    assert never <= nanjing
    assert result.total.counted == len(nanjing)
    refused = engine.parse_query({"region": c.waitan.code}, scope_for(c.street_admin))
    assert "region" in refused.errors


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_deliveries_equal_the_recount(party_cast, seed):
    """Many deliveries of every state and channel to every kind of person, over several periods."""
    c = party_cast
    rng = random.Random(seed)
    message = services.create_message(c.street_admin, c.nanjing_node, "通知", "正文")
    places = [c.nanjing, c.waitan, c.tianping]
    orgs = [new_org(c, f"随机组织{i}", None, operating_region=rng.choice(places)) for i in range(14)]
    orgs += [c.org, c.waitan_org, c.xuhui_org]
    Organization.objects.filter(pk__in=[o.pk for o in orgs[:2]]).update(status="moved")
    branches = [make_party_org(c, name=f"随机党支部{i}", covered=rng.sample(orgs, 3), mode="joint") for i in range(4)]
    for branch in branches:
        start = datetime.date(2026, rng.randint(1, 5), 1)
        end = rng.choice([None, start + datetime.timedelta(days=rng.randint(1, 90))])
        PartyOrgLink.objects.filter(party_org=branch).update(start_on=start, end_on=end)
    people = []
    for i in range(10):
        account = User.objects.create_user(username=f"u{i}", password="x") if i % 2 else None
        people.append(
            ("member", make_member(c, rng.choice(branches), f"党员{i}", rng.choice(orgs + [None]), user=account))
        )
    people += [("secretary", secretary_of(b, f"sec{i}")) for i, b in enumerate(branches)]
    people += [("org", o) for o in orgs]
    states = ["sent", "delivered", "read", "replied", "failed", "queued", "unknown", "recalled"]
    for _ in range(60):
        kind, who = rng.choice(people)
        if kind == "member":
            to = {"member": who, "user": who.user} if who.user else {"member": who}
        else:
            to = {"user": who} if kind == "secretary" else {"org": who}
        sent = at("2026-01-01") + datetime.timedelta(hours=rng.randint(0, 24 * 150))
        read = sent + datetime.timedelta(hours=1) if rng.random() < 0.5 else None
        channel = rng.choice(["inbox", "email", "sms", "log"])
        deliver(message, channel=channel, state=rng.choice(states), sent_at=sent, read_at=read, **to)
    # odd rows the fan-out never writes, where the precedence decides: a contact's delivery naming
    # a member too, a member without an employer with someone else's account
    members = [who for kind, who in people if kind == "member"]
    jobless = make_member(c, branches[0], "无业党员", None)
    for _ in range(8):
        a, b = rng.sample(members, 2)
        sent = at("2026-03-10")
        deliver(message, org=rng.choice(orgs), member=a, sent_at=sent, read_at=sent)
        deliver(message, member=rng.choice([a, jobless]), user=b.user or a.user, sent_at=sent, read_at=sent)
    for period in [
        MARCH,
        reach.Period(datetime.date(2026, 1, 1), datetime.date(2026, 5, 31)),
        reach.Period(datetime.date(2026, 2, 10), datetime.date(2026, 4, 20), "sms"),
        reach.Period(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), "inbox"),
    ]:
        for params in ({}, {"region": c.huangpu.code}, {"node": c.nanjing_node.pk}, {"region": c.xuhui.code}):
            result, q = figures(c, c.city_admin, period, **params)
            unit = list(engine.unit_organizations(q))
            reached, read = recount(period, unit), recount(period, unit, read=True)
            assert (result.total.reached, result.total.read) == (len(reached), len(read)), (period, params)
            assert result.total.counted == len([o for o in unit if o.status == "operating"])
            # the children (and what sits on the unit itself) add up to the unit
            for name in ("counted", "reached", "read"):
                assert sum(getattr(r, name) for r in result.children) == getattr(result.total, name), (params, name)
            never = set(reach.never_reached(q, period).values_list("pk", flat=True))
            assert never == {o.pk for o in unit if o.status == "operating"} - reached


def test_a_wrong_period_is_refused_in_chinese():
    errors: dict = {}
    reach.parse_period({"from": "2026-03-31", "to": "2026-03-01"}, errors)
    assert errors == {"to": "到达统计截止日期不能早于起始日期"}
    errors = {}
    reach.parse_period({"from": "三月", "channel": "fax"}, errors)
    assert set(errors) == {"from", "channel"} and "到达统计起始日期" in errors["from"]


def test_the_default_period_is_this_year_so_far():
    assert reach.default_period(datetime.date(2026, 7, 9)) == reach.Period(
        datetime.date(2026, 1, 1), datetime.date(2026, 7, 9)
    )
    errors: dict = {}
    assert reach.parse_period({}, errors) == reach.default_period() and errors == {}


# -- one message's counts per child node -------------------------------------------------------
def recount_by_child(message, node) -> dict[str, tuple[int, int, int, int]]:
    """Per child name: (deliveries, received, read, replied), rule by rule over raw rows."""
    from liangxin.mgmt.models import ManagementNode

    nodes = {n.pk: n for n in ManagementNode.objects.all()}
    kids = [n for n in nodes.values() if n.parent_id == node.pk]
    members = {m.pk: m for m in Member.objects.select_related("party_org")}
    by_user = {m.user_id: m for m in members.values() if m.user_id}
    roles = sorted(RoleAssignment.objects.all(), key=lambda r: r.pk)
    out = {k.name: [0, 0, 0, 0] for k in kids} | {"其他（本级或未归属下级）": [0, 0, 0, 0]}
    for d in Delivery.objects.filter(message=message):
        person = members.get(d.member_id) or by_user.get(d.user_id)
        at = None
        if person is not None:
            at = person.party_org.node_id
        elif d.user_id:  # the account's first role (by grant), wherever it is
            held = [r.node_id for r in roles if r.user_id == d.user_id]
            at = held[0] if held else None
        if at is None and d.organization_id:
            at = Organization.objects.get(pk=d.organization_id).responsible_node_id
        kid = next((k for k in kids if at is not None and nodes[at].path.startswith(k.path)), None)
        row = out[kid.name if kid else "其他（本级或未归属下级）"]
        for i, value in enumerate(counts_of(d)):
            row[i] += value
    return {name: tuple(v) for name, v in out.items()}


def counts_of(d) -> tuple[int, int, int, int]:
    """What one delivery adds to (deliveries, received, read, replied), rule by rule."""
    got = d.state in ("sent", "delivered", "read", "replied")
    return 1, int(got), int(got and d.read_at is not None and d.channel != "sms"), int(got and d.replied_at is not None)


def test_a_messages_counts_per_child_node_equal_the_recount(world, party_cast):
    from liangxin.messaging import rates

    c, w = party_cast, world
    # administrators addressed by a notice: by their role's node
    deliver(w.message, user=c.district_admin, sent_at=at("2026-03-02"), read_at=at("2026-03-02"))
    deliver(w.message, user=c.xuhui_admin, channel="email", state="replied", sent_at=at("2026-03-02"))
    Delivery.objects.filter(user=c.xuhui_admin).update(replied_at=at("2026-03-03"), read_at=at("2026-03-03"))
    facts.sync(Delivery.objects.filter(user=c.xuhui_admin))  # as every service does after a change
    deliver(w.message, user=c.industry_admin, state="failed")
    deliver(w.message, org=c.xuhui_org, channel="sms", sent_at=at("2026-03-02"), read_at=at("2026-03-02"))
    deliver(w.message, user=c.nobody, sent_at=at("2026-03-02"))  # no role, no member: elsewhere
    for node in (c.city_node, c.huangpu_node, c.nanjing_node):
        result = rates.by_child(w.message, node)
        got = {r.label: (r.deliveries, r.received, r.read, r.replied) for r in [*result.children, result.elsewhere]}
        assert got == recount_by_child(w.message, node), node.name
        assert result.total.deliveries == Delivery.objects.filter(message=w.message).count()
    city = {r.label: r for r in rates.by_child(w.message, c.city_node).children}
    assert (city["徐汇区社会工作党委"].received, city["徐汇区社会工作党委"].read) == (2, 1)  # the SMS is not read
    assert city["上海市律师行业党委"].deliveries == 1 and city["上海市律师行业党委"].received == 0


# -- the pages and the API ------------------------------------------------------------------
MARCH_PARAMS = {"from": "2026-03-01", "to": "2026-03-31"}


def test_the_dashboard_shows_both_rates_beside_the_coverage_rates(world, party_cast):
    c = party_cast
    response = client_for(c.district_admin).get("/stats/", MARCH_PARAMS)
    assert response.status_code == 200
    text = response.text
    result, _ = figures(c, c.district_admin, MARCH)
    assert "覆盖到达率" in text and "阅读到达率" in text and "“两个力争”" in text
    assert f"{result.total.reached} / {result.total.counted}" in text
    assert f"{result.total.read} / {result.total.counted}" in text
    never = response.context["reach_total_never"]
    assert never.startswith("/stats/reach/never/?") and "from=2026-03-01" in never and "region=310101" in never
    assert [row.label for row, _ in response.context["reach_children"]] == ["南京东路街道", "外滩街道"]


def test_a_wrong_period_on_the_dashboard_is_a_chinese_400(party_cast):
    response = client_for(party_cast.city_admin).get("/stats/", {"from": "2026-04-01", "to": "2026-03-01"})
    assert response.status_code == 400
    assert "到达统计截止日期不能早于起始日期" in response.text


def test_the_never_reached_list_has_as_many_rows_as_the_figure(world, party_cast):
    c, w = party_cast, world
    result, q = figures(c, c.street_admin, MARCH)
    response = client_for(c.street_admin).get("/stats/reach/never/", {**MARCH_PARAMS, "cursor": ""})
    assert response.status_code == 200
    assert response.context["total"] == result.total.never
    shown = {org.pk for org in response.context["page"].rows}
    assert shown == set(reach.never_reached(q, MARCH).values_list("pk", flat=True))
    assert w.day_before.name in response.text and w.last_day.name not in response.text
    assert c.xuhui_org.name not in response.text  # never reached, but another district's


def test_a_street_cannot_open_another_streets_never_reached_list(world, party_cast):
    c = party_cast
    for url in ("/stats/reach/never/", "/stats/reach/never/export.xlsx"):
        response = client_for(c.street_admin).get(url, {**MARCH_PARAMS, "region": c.waitan.code})
        assert response.status_code == 400
        assert "不存在或不在您的权限范围内" in response.text


def test_the_never_reached_export_has_the_lists_rows_and_says_the_period(world, party_cast):
    import io

    from openpyxl import load_workbook

    from liangxin.core.models import AuditEntry

    c = party_cast
    response = client_for(c.district_admin).get("/stats/reach/never/export.xlsx", {**MARCH_PARAMS, "channel": "sms"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["数据"].iter_rows(values_only=True))
    _, q = figures(c, c.district_admin, MARCH)
    sms = reach.Period(MARCH.start, MARCH.end, "sms")
    assert sorted(r[0] for r in rows[1:]) == sorted(reach.never_reached(q, sms).values_list("name", flat=True))
    assert rows[0][:3] == ("组织名称", "统一社会信用代码", "组织类型")
    cover = {row[0]: row[1] for row in book["导出说明"].iter_rows(min_row=3, values_only=True)}
    assert "统计期：2026-03-01 至 2026-03-31" in cover["筛选条件"] and "渠道：短信" in cover["筛选条件"]
    assert AuditEntry.objects.filter(action="export", object_type="stats.reach_never").count() == 1


def test_the_api_gives_the_figures_and_the_never_reached_list(world, party_cast):
    c = party_cast
    client = client_for(c.district_admin)
    data = client.get("/api/v1/stats/reach/", MARCH_PARAMS).json()
    result, q = figures(c, c.district_admin, MARCH)
    assert data["total"]["reached"] == result.total.reached and data["total"]["read"] == result.total.read
    assert data["total"]["counted"] == result.total.counted and data["period"]["from"] == "2026-03-01"
    assert [r["label"] for r in data["children"]] == ["南京东路街道", "外滩街道"]
    page = client.get("/api/v1/stats/reach/never/", {**MARCH_PARAMS, "page_size": 500}).json()
    assert {r["id"] for r in page["results"]} == set(reach.never_reached(q, MARCH).values_list("pk", flat=True))
    assert "suggestion" not in page["results"][0]


def test_the_api_refuses_a_wrong_period_a_past_date_and_a_unit_outside_scope(party_cast):
    c = party_cast
    client = client_for(c.street_admin)
    wrong = client.get("/api/v1/stats/reach/", {"from": "2026-02-30"})
    assert wrong.status_code == 400 and "到达统计起始日期" in wrong.json()["errors"]["from"][0]
    past = client.get("/api/v1/stats/reach/", {"as_of": "2025-01-01"})
    assert past.status_code == 400 and "当前在营" in past.json()["errors"]["as_of"][0]
    outside = client.get("/api/v1/stats/reach/never/", {"region": c.waitan.code})
    assert outside.status_code == 400 and "region" in outside.json()["errors"]


def test_a_message_to_members_only_is_counted_by_their_party_organizations(party_cast):
    from liangxin.messaging import rates

    c = party_cast
    message = services.create_message(c.city_admin, c.city_node, "通知", "正文")
    other = make_party_org(c, name="天平路党支部", parent=c.tianping_node)
    deliver(
        message, member=make_member(c, other, "周一"), state="read", sent_at=at("2026-03-02"), read_at=at("2026-03-02")
    )
    deliver(message, member=c.member, state="failed")
    result = rates.by_child(message, c.city_node)
    got = {r.label: (r.deliveries, r.received, r.read, r.replied) for r in [*result.children, result.elsewhere]}
    assert got == recount_by_child(message, c.city_node)
    assert got["徐汇区社会工作党委"] == (1, 1, 1, 0) and got["黄浦区社会工作党委"] == (1, 0, 0, 0)


def test_each_childs_row_names_its_node_and_drills_to_its_deliveries_and_a_leaf_has_only_its_own(party_cast):
    from liangxin.messaging import rates

    c = party_cast
    message = services.create_message(c.city_admin, c.city_node, "通知", "正文")
    mine = deliver(message, member=c.member, sent_at=at("2026-03-02"))  # 嘉信's branch, in 黄浦
    other = make_party_org(c, name="天平路党支部", parent=c.tianping_node)
    deliver(message, member=make_member(c, other, "周一"), state="failed")  # in 徐汇
    result = rates.by_child(message, c.city_node)
    assert result.node == c.city_node and result.total.label == "合计"
    assert (result.total.deliveries, result.total.received) == (2, 1)
    huangpu = next(r for r in result.children if r.label == "黄浦区社会工作党委")
    assert huangpu.node_id == c.huangpu_node.pk
    assert list(rates.in_subtree(Delivery.objects.filter(message=message), c.huangpu_node)) == [mine]
    # a node without children: everything at or under it is its own row, apart from the children
    leaf = rates.by_child(message, c.branch.node)
    assert leaf.children == [] and (leaf.elsewhere.deliveries, leaf.elsewhere.received) == (2, 1)


def test_the_form_follows_the_units_size_on_sqlite_and_postgresql_always_walks(monkeypatch):
    monkeypatch.undo()  # the real choice, not the fixture's
    from django.db import connection

    sqlite = connection.vendor == "sqlite"
    assert reach._per_organization(reach.PER_ORGANIZATION_UP_TO) is sqlite
    assert reach._per_organization(reach.PER_ORGANIZATION_UP_TO + 1) is False
