"""Compliance of organization life (组织生活达标): for each party organization and kind of
meeting, every calendar period of the kind's rule (``periods``) is

- ``held``: a meeting of that kind recorded as held on a day of the period (the last day counts);
- ``missing``: the period has ended without one — a finding (overdue);
- ``pending``: not held yet, and the period has not ended (not yet due);
- ``na``: not applicable — the rule's parameter is 0; or a 支部委员会 / 党小组会 where the party
  organization has no branch committee; or a period that began before the party organization
  was founded (a party organization founded mid-period owes nothing for that period).

"Has a branch committee" (``has_committee``): CommitteeSeat rows exist — the body is there. A
period applies only where the body exists: a branch with ``branch_committee_full_members`` full
members that has not elected a committee owes no 支委会 meetings (it cannot hold them); not
having elected one is its own finding (``party.rules``, "应设支委会"). 党小组会 follows the same
test, because the model does not record 党小组 and only branches with a committee divide into
groups in practice; a branch without one may still record group meetings, which then show as
held but are never required. Both use today's seats, not those of the period.

A party organization is assessed over a window (a year, a quarter, a month) on the periods that
end inside it and have ended by today: ``compliant`` if each of them has a held meeting,
``missing`` if any has none, ``pending`` if no period is due yet. The roll-up counts active
party organizations only. Everything here is plain Python over (party org, kind, date) rows of
held meetings, so a page, the API and a brute-force test can recompute the same figures.
"""

import bisect
import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from liangxin.core.dates import add_months
from liangxin.core.tree import subtree_q
from liangxin.mgmt.models import ManagementNode
from liangxin.party import policy
from liangxin.party.choices import MemberCategory
from liangxin.party.models import CommitteeSeat, Member

from .choices import COMMITTEE_ONLY_KINDS, KIND_PARAMETER, MeetingKind, MeetingStatus
from .models import Attendance, Meeting
from .periods import Period, months_of, periods_in_year, window

HELD, MISSING, PENDING, NA = "held", "missing", "pending", "na"
STATE_LABELS = {HELD: "已召开", MISSING: "未召开（已超期）", PENDING: "未到期", NA: "不适用"}
COMPLIANT = "compliant"
ORG_STATES = {
    "all": "党组织数",
    "assessed": "已有到期要求",
    COMPLIANT: "达标",
    MISSING: "未达标",
    PENDING: "尚无到期要求",
}


@dataclass(frozen=True)
class OrgFacts:
    """What compliance needs to know of a party organization."""

    id: int
    name: str
    path: str
    parent_name: str
    founded_on: datetime.date | None
    n_full_members: int
    n_seats: int


def _count(model, fk: str, **filters):
    rows = model.objects.filter(**{fk: OuterRef("pk")}, **filters).order_by().values(fk)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


def org_facts(party_orgs: QuerySet) -> list[OrgFacts]:
    rows = party_orgs.annotate(
        n_full=_count(Member, "party_org", category=MemberCategory.FULL, is_active=True),
        n_seats=_count(CommitteeSeat, "party_org"),
    ).values_list("pk", "node__name", "node__path", "node__parent__name", "founded_on", "n_full", "n_seats")
    return [OrgFacts(*row) for row in rows.order_by("node__path")]


def has_committee(facts: OrgFacts, params: dict) -> bool:
    """Whether the branch committee exists (the party organization's page lists its seats)."""
    return facts.n_seats > 0


def not_applicable(kind: str, facts: OrgFacts, params: dict) -> str:
    """Why ``kind`` is not required of this party organization ("" when it is), naming the parameter."""
    key = KIND_PARAMETER[kind]
    if months_of(params[key]) == 0:
        return f"政策参数{policy.cite(key)}为 0，不作要求"
    if kind in COMMITTEE_ONLY_KINDS and not has_committee(facts, params):
        return f"未设支委会，不要求召开{MeetingKind(kind).label}"
    return ""


def cell_state(period: Period, held: list[datetime.date], founded_on, today: datetime.date) -> str:
    if any(period.contains(day) for day in held):
        return HELD
    if founded_on is not None and founded_on > period.start:
        return NA
    return MISSING if period.has_ended(today) else PENDING


def rule_text(kind: str, params: dict) -> str:
    key = KIND_PARAMETER[kind]
    return f"规则：{policy.cite(key, params=params)}"


def held_index(party_orgs: QuerySet, start: datetime.date, end: datetime.date) -> dict:
    """{party org id: {kind: [dates of held meetings]}} for meetings held from ``start`` to ``end``."""
    index: dict = defaultdict(lambda: defaultdict(list))
    rows = Meeting.objects.filter(
        party_org__in=party_orgs.values("pk"), status=MeetingStatus.HELD, date__gte=start, date__lte=end
    ).values_list("party_org_id", "kind", "date")
    for po_id, kind, day in rows.order_by("date").iterator(chunk_size=5000):
        index[po_id][kind].append(day)
    return index


def fetch_range(year: int, params: dict) -> tuple[datetime.date, datetime.date]:
    """From the first day of the earliest period overlapping ``year`` to the last day of the latest."""
    spans = [periods_in_year(year, months_of(params[key])) for key in KIND_PARAMETER.values() if months_of(params[key])]
    if not spans:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return min(s[0].start for s in spans), max(s[-1].end for s in spans)


# -- one party organization's year ------------------------------------------------------------
@dataclass
class Cell:
    period: Period
    state: str
    colspan: int  # months of the period inside the year
    held: list = field(default_factory=list)  # [(meeting id, date)]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class Row:
    kind: str
    label: str
    parameter: str
    months: int
    reason: str  # not applicable: why
    cells: list[Cell]

    def month_states(self) -> list[str]:
        """One state per calendar month of the year (a quarter's state in each of its months)."""
        return [cell.state for cell in self.cells for _ in range(cell.colspan)]


@dataclass
class Finding:
    kind: str
    period: Period
    text: str
    parameter: str


@dataclass
class Grid:
    party_org: OrgFacts
    year: int
    today: datetime.date
    rows: list[Row]
    findings: list[Finding]

    def counts(self) -> dict[str, int]:
        """How many rule periods ending in the year are held, missing, pending, not applicable."""
        out = dict.fromkeys(STATE_LABELS, 0)
        for row in self.rows:
            for cell in row.cells:
                if cell.period.end.year == self.year:
                    out[cell.state] += 1
        return out


def _cells(year: int, months: int, held: list, ids: dict, founded_on, today, reason: str) -> list[Cell]:
    cells = []
    for period in periods_in_year(year, months):
        first = max(period.start, datetime.date(year, 1, 1))
        last = min(period.end, datetime.date(year, 12, 31))
        state = NA if reason else cell_state(period, held, founded_on, today)
        on = [(ids[day], day) for day in held if period.contains(day)] if not reason else []
        cells.append(Cell(period, state, last.month - first.month + 1, on))
    return cells


def grid(facts: OrgFacts, year: int, today: datetime.date, params: dict | None = None) -> Grid:
    """The calendar grid of one party organization for ``year``: rows are kinds, cells periods."""
    params = params or policy.values()
    start, end = fetch_range(year, params)
    meetings = Meeting.objects.filter(
        party_org_id=facts.id, status=MeetingStatus.HELD, date__gte=start, date__lte=end
    ).order_by("date", "pk")
    held: dict = defaultdict(list)
    ids: dict = defaultdict(dict)
    for pk, kind, day in meetings.values_list("pk", "kind", "date"):
        if day not in ids[kind]:
            held[kind].append(day)
            ids[kind][day] = pk
    rows, findings = [], []
    for kind in MeetingKind:
        key, reason = KIND_PARAMETER[kind], not_applicable(kind, facts, params)
        months = months_of(params[key]) or 12  # a rule set to 0 shows one "not applicable" cell
        cells = _cells(year, months, held[kind], ids[kind], facts.founded_on, today, reason)
        rows.append(Row(kind, kind.label, key, months_of(params[key]), reason, cells))
        for cell in cells:
            if cell.state == MISSING and cell.period.end.year == year:
                text = f"{cell.period.label}未召开{kind.label}（{rule_text(kind, params)}）"
                findings.append(Finding(kind, cell.period, text, key))
    return Grid(facts, year, today, rows, findings)


# -- assessing many party organizations over a window -------------------------------------------
@dataclass
class Assessment:
    facts: OrgFacts
    due: int  # rule periods ended inside the window (and applicable)
    missing: list[tuple[str, Period]]

    @property
    def state(self) -> str:
        if self.due == 0:
            return PENDING
        return MISSING if self.missing else COMPLIANT

    @property
    def missing_text(self) -> str:
        return "；".join(f"{p.label}{MeetingKind(k).label}" for k, p in self.missing)


@functools.lru_cache(maxsize=256)
def _periods(year: int, months: int) -> tuple[Period, ...]:
    return tuple(periods_in_year(year, months))


def rule_months(params: dict) -> list[tuple[str, int]]:
    return [(kind, months_of(params[KIND_PARAMETER[kind]])) for kind in MeetingKind]


def assess(facts: OrgFacts, held: dict, start, end, today, params, rules=None) -> Assessment:
    """``held``: {kind: [dates, sorted]} of this party organization; the window lies inside one
    year. The same states as ``cell_state`` and ``not_applicable``, written for speed: a city's
    roll-up assesses tens of thousands of party organizations."""
    due, missing = 0, []
    committee = has_committee(facts, params)
    founded = facts.founded_on
    for kind, months in rules or rule_months(params):
        if not months or (kind in COMMITTEE_ONLY_KINDS and not committee):
            continue
        dates = held.get(kind, ())
        for period in _periods(start.year, months):
            if period.end < start or period.end > end or period.end >= today:
                continue  # ends outside the window, or has not ended yet
            i = bisect.bisect_left(dates, period.start)
            if i < len(dates) and dates[i] <= period.end:
                due += 1
            elif founded is None or founded <= period.start:
                due += 1
                missing.append((str(kind), period))
    return Assessment(facts, due, missing)


def assessments(party_orgs: QuerySet, year: int, period_key: str, today, params=None) -> list[Assessment]:
    """Every party organization of ``party_orgs`` assessed over the window (ValueError: bad period)."""
    params = params or policy.values()
    start, end, _ = window(year, period_key)
    fetch_start, fetch_end = fetch_range(year, params)
    index = held_index(party_orgs, fetch_start, min(fetch_end, end))
    rules = rule_months(params)
    return [assess(f, index.get(f.id, {}), start, end, today, params, rules) for f in org_facts(party_orgs)]


@dataclass
class RollupRow:
    label: str
    node_id: int  # the node whose party organizations the row counts
    counts: dict[str, int]
    exact: bool = False  # the node itself only (a party organization's own row), not its subtree

    @property
    def share(self) -> Decimal | None:
        """达标率 (%): compliant among those with at least one period due."""
        if not self.counts["assessed"]:
            return None
        value = Decimal(100 * self.counts[COMPLIANT]) / Decimal(self.counts["assessed"])
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def in_state(item: Assessment, state: str) -> bool:
    """Whether an assessment belongs to the list behind a roll-up column (``ORG_STATES``)."""
    if state == "all":
        return True
    if state == "assessed":
        return item.state != PENDING
    return item.state == state


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(ORG_STATES, 0)


def add(counts: dict[str, int], assessment: Assessment) -> None:
    counts["all"] += 1
    counts[assessment.state] += 1
    if assessment.state != PENDING:
        counts["assessed"] += 1


def in_subtree(party_orgs: QuerySet, node) -> QuerySet:
    return party_orgs.filter(node__is_active=True).filter(subtree_q(node.path, "node__path"))


def rollup(party_orgs: QuerySet, unit, year: int, period_key: str, today, params=None):
    """Per child node of ``unit`` (the management tree), the party organizations of its subtree
    and how many comply; plus the unit's own row when it is a party organization itself, and
    the total. ``party_orgs`` is the caller's scope. Returns (rows, total)."""
    children = list(ManagementNode.objects.filter(parent=unit).order_by("name", "pk"))
    rows = {child.pk: RollupRow(child.name, child.pk, empty_counts()) for child in children}
    total = RollupRow("合计", unit.pk, empty_counts())
    own = RollupRow(f"{unit.name}（本级）", unit.pk, empty_counts(), exact=True)
    depth = len(unit.ancestor_ids)
    for item in assessments(in_subtree(party_orgs, unit), year, period_key, today, params):
        ids = [int(p) for p in item.facts.path.split("/") if p]
        add(rows[ids[depth]].counts if len(ids) > depth else own.counts, item)
        add(total.counts, item)
    shown = [rows[c.pk] for c in children if c.is_active or rows[c.pk].counts["all"]]
    return ([own] if own.counts["all"] else []) + shown, total


# -- as data (the API) --------------------------------------------------------------------------
def grid_as_dict(found: Grid) -> dict:
    def cell(c: Cell) -> dict:
        return {
            "start": c.period.start, "end": c.period.end, "label": c.period.label, "state": c.state,
            "state_label": c.state_label, "meetings": [pk for pk, _ in c.held],
        }  # fmt: skip

    return {
        "party_org": {"id": found.party_org.id, "name": found.party_org.name},
        "year": found.year,
        "as_of": found.today,
        "rows": [
            {
                "kind": r.kind,
                "label": r.label,
                "parameter": r.parameter,
                "months": r.months,
                "not_applicable": r.reason,
                "periods": [cell(c) for c in r.cells],
                "month_states": r.month_states(),
            }  # fmt: skip
            for r in found.rows
        ],
        "counts": found.counts(),
        "findings": [
            {"kind": f.kind, "start": f.period.start, "end": f.period.end, "text": f.text, "parameter": f.parameter}
            for f in found.findings
        ],
    }


def rollup_row_as_dict(row: RollupRow) -> dict:
    return {"node": row.node_id, "label": row.label, "own_only": row.exact, **row.counts, "share": row.share}


def assessment_as_dict(item: Assessment) -> dict:
    missing = [{"kind": k, "start": p.start, "end": p.end, "label": p.label} for k, p in item.missing]
    facts = item.facts
    return {"id": facts.id, "name": facts.name, "parent": facts.parent_name, "state": item.state, "due": item.due,
            "missing": missing}  # fmt: skip


def lapsed(member: Member, today: datetime.date, months: int) -> bool:
    """No organization life without reason for ``months`` (the 自行脱党 check: ``party.exits``
    reads it through its slot): in that window the member was recorded absent at held meetings
    and never present or excused (a branch that held no meeting does not make its members lapse)."""
    since = add_months(today, -months)
    statuses = set(
        Attendance.objects.filter(
            member=member, meeting__status="held", meeting__date__gt=since, meeting__date__lte=today
        ).values_list("status", flat=True)
    )
    return statuses == {"absent"}
