"""Compliance figures recomputed by brute force — plain Python over the raw meeting rows, written
apart from ``liangxin.life`` — equal what the grid page, the roll-up page, their lists and the API
show, for every party organization, kind and month of two years."""

import calendar
import datetime
import random
import re
from collections import defaultdict

import pytest
from django.utils import timezone

from liangxin.life.models import Meeting
from liangxin.party import policy
from liangxin.party.models import CommitteeSeat, PartyOrganization

from .conftest import client_for
from .party_helpers import make_member, make_party_org

STATES = ("all", "assessed", "compliant", "missing", "pending")
KINDS = ["general", "committee", "group", "lecture", "theme_day", "review", "appraisal"]
PARAMETER = {
    "general": "life_general_meeting_months", "committee": "life_committee_meeting_months",
    "group": "life_group_meeting_months", "lecture": "life_lecture_months", "theme_day": "life_theme_day_months",
    "review": "life_review_meeting_months", "appraisal": "life_appraisal_months",
}  # fmt: skip


@pytest.fixture
def world(party_cast):
    """Party organizations under 南京东路, 外滩, 天平路 and the lawyers' committee (one of them a
    基层党委 with two branches, one founded this year, one with a committee of 8, one with seats but
    few members, one deactivated), and two years of meetings drawn at random (held on first, last
    and middle days of months; some planned or cancelled, which never count)."""
    c = party_cast
    rng = random.Random(11)
    today = timezone.localdate()
    this_year = today.year
    c.today = today
    big = make_party_org(c, name="大型企业党支部", founded_on=datetime.date(this_year - 5, 1, 1))
    for i in range(8):
        make_member(c, big, name=f"大{i}")
    seated = make_party_org(c, name="有支委的小支部")
    seat_holder = make_member(c, seated, name="小书记")
    CommitteeSeat.objects.create(party_org=seated, member=seat_holder, position="书记")
    committee = make_party_org(c, name="某集团党委", org_type="committee")
    sub_a = make_party_org(c, name="集团第一党支部", parent=committee.node)
    sub_b = make_party_org(c, name="集团第二党支部", parent=committee.node)
    new = make_party_org(c, name="新成立党支部", founded_on=datetime.date(this_year, 2, 15))
    gone = make_party_org(c, name="已撤销党支部")
    gone.node.is_active = False
    gone.node.save()
    waitan = [make_party_org(c, name=f"外滩第{i}党支部", parent=c.waitan_node) for i in range(3)]
    tianping = [make_party_org(c, name=f"天平路第{i}党支部", parent=c.tianping_node) for i in range(2)]
    lawyers = make_party_org(c, name="律师行业联合党支部", parent=c.lawyers_node, mode="industry")
    c.party_orgs = [c.branch, big, seated, committee, sub_a, sub_b, new, gone, *waitan, *tianping, lawyers]
    rows = []
    for n, po in enumerate(c.party_orgs):
        diligence = [0.97, 0.8, 0.5, 0.0][n % 4]  # most comply mostly, some miss months, one holds none
        for year in (this_year - 1, this_year):
            for month in range(1, 13):
                last = calendar.monthrange(year, month)[1]
                for kind in KINDS:
                    if rng.random() > diligence / (3 if kind in ("general", "lecture") else 1):
                        continue
                    day = datetime.date(year, month, rng.choice([1, last, rng.randint(1, last)]))
                    status = "held" if day <= today else "planned"
                    if rng.random() < 0.05:
                        status = "cancelled"
                    rows.append(Meeting(party_org=po, kind=kind, status=status, date=day, topic="学习", place="会议室"))
    Meeting.objects.bulk_create(rows)
    return c


# -- the brute force -------------------------------------------------------------------------------
def brute_force(party_org_ids, year: int, today: datetime.date) -> dict:
    """{party org id: {kind: [12 month states]}} from the raw rows and the policy table."""
    params = policy.values()
    held = defaultdict(list)
    for po_id, kind, day in Meeting.objects.filter(status="held").values_list("party_org_id", "kind", "date"):
        held[(po_id, kind)].append(day)
    out = {}
    for po in PartyOrganization.objects.filter(pk__in=party_org_ids):
        seats = CommitteeSeat.objects.filter(party_org=po).count()
        has_committee = seats > 0  # the body exists: a branch that should elect one is a finding elsewhere
        out[po.pk] = {}
        for kind in KINDS:
            n = int(params[PARAMETER[kind]])
            if n == 0 or (kind in ("committee", "group") and not has_committee):
                out[po.pk][kind] = ["na"] * 12
                continue
            states = []
            for month in range(1, 13):
                first = (month - 1) // n * n + 1
                last = min(first + n - 1, 12)
                start = datetime.date(year, first, 1)
                end = datetime.date(year, last, calendar.monthrange(year, last)[1])
                if any(start <= d <= end for d in held[(po.pk, kind)]):
                    states.append("held")
                elif po.founded_on and po.founded_on > start:
                    states.append("na")
                elif end < today:
                    states.append("missing")
                else:
                    states.append("pending")
            out[po.pk][kind] = states
    return out


def brute_state(months: dict, year: int, today: datetime.date, window: tuple[int, int]) -> str:
    """compliant / missing / pending over the months ``window`` (first, last) of ``year``."""
    params = policy.values()
    due = missed = 0
    for kind, states in months.items():
        n = int(params[PARAMETER[kind]])
        for first in range(1, 13, n):
            last = min(first + n - 1, 12)
            end = datetime.date(year, last, calendar.monthrange(year, last)[1])
            if not (window[0] <= last <= window[1]) or end >= today or states[first - 1] == "na":
                continue
            due += 1
            missed += states[first - 1] == "missing"
    return "pending" if due == 0 else ("missing" if missed else "compliant")


def brute_rollup(c, unit, year: int, window=(1, 12)) -> dict:
    """{child node id (or "total"): counts} for the active party organizations under ``unit``."""
    active = [po for po in PartyOrganization.objects.select_related("node") if po.node.is_active]
    under = [po for po in active if po.node.path.startswith(unit.path)]
    states = brute_force([po.pk for po in under], year, c.today)
    out = defaultdict(lambda: dict.fromkeys(["all", "assessed", "compliant", "missing", "pending"], 0))
    depth = unit.path.count("/") - 1
    for po in under:
        state = brute_state(states[po.pk], year, c.today, window)
        child = int(po.node.path.strip("/").split("/")[depth]) if po.node != unit else unit.pk
        for key in (child, "total"):
            out[key]["all"] += 1
            out[key][state] += 1
            out[key]["assessed"] += state != "pending"
    return {k: dict(v) for k, v in out.items()}


# -- reading the pages ---------------------------------------------------------------------------------
CELL = re.compile(r'<td class="cell[^"]*" colspan="(\d+)" data-kind="(\w+)" data-state="(\w+)"')


def page_grid(html: str) -> dict:
    states = defaultdict(list)
    for span, kind, state in CELL.findall(html):
        states[kind] += [state] * int(span)
    return dict(states)


ROW = re.compile(r'<tr data-node="(\w+)">(.*?)</tr>', re.S)
FIGURE = re.compile(r'data-state="(\w+)"><a href="([^"]+)">(?:<b>)?(\d+)')


def page_rollup(html: str) -> dict:
    out = {}
    for node, body in ROW.findall(html):
        figures = {s: (int(n), url) for s, url, n in FIGURE.findall(body) if s != "share"}
        out[int(node) if node.isdigit() else node] = figures
    return out


# -- the tests --------------------------------------------------------------------------------------
def test_the_grid_page_and_api_equal_the_brute_force(world):
    c = world
    client = client_for(c.city_admin)
    for year in (c.today.year - 1, c.today.year):
        expected = brute_force([po.pk for po in c.party_orgs], year, c.today)
        for po in c.party_orgs:
            api = client.get(f"/api/v1/life/compliance/?party_org={po.pk}&year={year}").json()
            assert {r["kind"]: r["month_states"] for r in api["rows"]} == expected[po.pk], (po.name, year)
            html = client.get(f"/life/compliance/{po.pk}/?year={year}").content.decode()
            assert page_grid(html) == expected[po.pk], (po.name, year)
            missing = sum(1 for r in api["rows"] for p in r["periods"] if p["state"] == "missing")
            assert len(api["findings"]) == missing == api["counts"]["missing"]
    # the test drew a real spread of states
    everything = [s for year in (c.today.year - 1,) for po in brute_force([p.pk for p in c.party_orgs], year, c.today)
                  .values() for states in po.values() for s in states]  # fmt: skip
    assert {"held", "missing", "na"} <= set(everything)


@pytest.mark.parametrize("period, window", [("", (1, 12)), ("q2", (4, 6)), ("m1", (1, 1)), ("q4", (10, 12))])
def test_the_rollup_page_and_api_equal_the_brute_force(world, period, window):
    c = world
    year = c.today.year - 1  # a whole year behind us: every period has ended
    for user, unit in [(c.city_admin, c.city_node), (c.district_admin, c.huangpu_node), (c.city_admin, c.nanjing_node)]:
        expected = brute_rollup(c, unit, year, window)
        client = client_for(user)
        api = client.get(f"/api/v1/life/rollup/?node={unit.pk}&year={year}&period={period}").json()
        got = {r["node"]: {k: r[k] for k in STATES} for r in api["rows"]}
        got["total"] = {k: api["total"][k] for k in STATES}
        assert {k: v for k, v in got.items() if v["all"]} == expected
        page = page_rollup(client.get(f"/life/rollup/?node={unit.pk}&year={year}&period={period}").content.decode())
        assert {k: {s: n for s, (n, _) in v.items()} for k, v in page.items() if v["all"][0]} == expected
        for row in api["rows"] + [api["total"]]:
            share = None if not row["assessed"] else round(100 * row["compliant"] / row["assessed"], 1)
            assert (None if row["share"] is None else float(row["share"])) == share


def test_every_rollup_number_opens_the_list_behind_it(world):
    c = world
    year = c.today.year - 1
    client = client_for(c.district_admin)
    page = page_rollup(client.get(f"/life/rollup/?year={year}").content.decode())
    assert set(page) == {c.nanjing_node.pk, c.waitan_node.pk, "total"}
    for figures in page.values():
        for state, (n, url) in figures.items():
            listing = client.get(url.replace("&amp;", "&")).content.decode()
            assert f"共 {n} 个党组织" in listing, (state, url)
            assert listing.count("<tr data-party-org=") == n
    api = client.get(f"/api/v1/life/rollup/?node={c.nanjing_node.pk}&year={year}&state=missing").json()
    expected = brute_rollup(c, c.nanjing_node, year)["total"]["missing"]
    assert len(api["party_orgs"]) == expected and all(p["missing"] for p in api["party_orgs"])


def test_a_party_committee_counts_its_own_row_apart_from_its_branches(world):
    c = world
    committee = PartyOrganization.objects.get(node__name="某集团党委")
    year = c.today.year - 1
    api = client_for(c.city_admin).get(f"/api/v1/life/rollup/?node={committee.node.pk}&year={year}").json()
    assert [(r["label"], r["own_only"], r["all"]) for r in api["rows"]] == [
        ("某集团党委（本级）", True, 1), ("集团第一党支部", False, 1), ("集团第二党支部", False, 1)
    ]  # fmt: skip
    own = (
        client_for(c.city_admin)
        .get(f"/api/v1/life/rollup/?node={committee.node.pk}&year={year}&state=all&own_only=1")
        .json()
    )
    assert [p["name"] for p in own["party_orgs"]] == ["某集团党委"]


def test_a_deactivated_party_organization_is_not_counted(world):
    c = world
    api = client_for(c.city_admin).get(f"/api/v1/life/rollup/?node={c.nanjing_node.pk}&state=all").json()
    names = {p["name"] for p in api["party_orgs"]}
    assert "已撤销党支部" not in names and "大型企业党支部" in names


def test_committee_meetings_are_required_only_where_a_committee_exists(party_cast):
    """Two branches of 8 full members hold every meeting except 支委会; only the one with seats
    owes 支委会 meetings: grid, findings, roll-up list and the secretary's reminders agree."""
    from liangxin.life import compliance, reminders

    c = party_cast
    today = datetime.date(2025, 8, 15)
    year = today.year
    without = make_party_org(c, name="无支委会党支部", founded_on=datetime.date(2020, 1, 1))
    with_seats = make_party_org(c, name="有支委会党支部", founded_on=datetime.date(2020, 1, 1))
    for po in (without, with_seats):
        first = [make_member(c, po, name=f"{po.pk}号{i}") for i in range(8)][0]
    CommitteeSeat.objects.create(party_org=with_seats, member=first, position="书记")
    rows = []
    for po in (without, with_seats):
        for month in range(1, 13):
            for kind in ("general", "group", "lecture", "theme_day"):
                day = datetime.date(year - 1, month, 10)
                rows.append(Meeting(party_org=po, kind=kind, status="held", date=day, topic="学习", place="会议室"))
                if datetime.date(year, month, 10) <= today:
                    day = datetime.date(year, month, 10)
                    rows.append(Meeting(party_org=po, kind=kind, status="held", date=day, topic="学习", place="会议室"))
    Meeting.objects.bulk_create(rows)
    both = PartyOrganization.objects.filter(pk__in=[without.pk, with_seats.pk])
    facts = {f.name: f for f in compliance.org_facts(both)}

    free = compliance.grid(facts["无支委会党支部"], year, today)
    committee_row = next(r for r in free.rows if r.kind == "committee")
    assert {cell.state for cell in committee_row.cells} == {"na"}
    assert "未设支委会" in committee_row.reason
    assert [f.kind for f in free.findings if f.kind == "committee"] == []
    bound = compliance.grid(facts["有支委会党支部"], year, today)
    assert len([f for f in bound.findings if f.kind == "committee"]) == 7  # January to July

    states = {a.facts.name: a.state for a in compliance.assessments(both, year, "", today)}
    assert states == {"无支委会党支部": "compliant", "有支委会党支部": "missing"}

    due = [r.title for r in reminders._periods_due(facts["无支委会党支部"], today, policy.values())]
    assert not [t for t in due if "支部委员会" in t]
    due = [r.title for r in reminders._periods_due(facts["有支委会党支部"], today, policy.values())]
    assert [t for t in due if "支部委员会" in t]
