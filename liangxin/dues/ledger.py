"""Reading the dues ledger over a set of members: one line per member with its recorded months,
then the month entries, totals by child node and arrears built from them by ``rules``.

Every figure on the pages and in the API comes from here, so a figure and the list behind it
are the same entries: totals sum the entries, the list shows them.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Min, QuerySet
from django.utils import timezone

from liangxin.core.tree import subtree_q
from liangxin.party import policy
from liangxin.party.models import Member

from . import rules
from .models import DuesPayment

ZERO = rules.ZERO


@dataclass
class Line:
    """One member on the roll, with what the ledger holds for them."""

    member_id: int
    name: str
    id_masked: str
    party_org_id: int
    party_org_name: str
    node_path: str
    joined_on: datetime.date
    category: str
    base: Decimal | None
    amount: rules.Amount
    start: datetime.date | None = None  # rules.obligation_start
    rows: dict[datetime.date, rules.Row] = field(default_factory=dict)


def load(
    members: QuerySet,
    params: Mapping[str, Decimal],
    first: datetime.date | None = None,
    last: datetime.date | None = None,
) -> list[Line]:
    """The lines of the active members of ``members`` (a scope queryset), with their recorded
    rows between the months ``first`` and ``last`` (all when None). Four queries."""
    members = members.filter(is_active=True)
    lines: dict[int, Line] = {}
    for m in members.select_related("party_org__node", "dues_profile").order_by("party_org__node__path", "name", "pk"):
        profile = getattr(m, "dues_profile", None)
        lines[m.pk] = Line(
            member_id=m.pk,
            name=m.name,
            id_masked=m.id_masked,
            party_org_id=m.party_org_id,
            party_org_name=m.party_org.node.name,
            node_path=m.party_org.node.path,
            joined_on=m.joined_on,
            category=profile.category if profile else "employed",
            base=m.dues_base,
            amount=rules.amount_for_profile(m.dues_base, profile, params),
        )
    if not lines:
        return []
    ids = members.values("pk")
    branch_start = dict(
        DuesPayment.objects.filter(party_org_id__in=members.values("party_org_id"))
        .values_list("party_org_id")
        .annotate(first=Min("month"))
        .order_by()
    )
    member_first = dict(
        DuesPayment.objects.filter(member_id__in=ids).values_list("member_id").annotate(first=Min("month")).order_by()
    )
    rows = DuesPayment.objects.filter(member_id__in=ids)
    if first is not None:
        rows = rows.filter(month__gte=first)
    if last is not None:
        rows = rows.filter(month__lte=last)
    for member_id, month, due, paid, paid_on in rows.values_list(
        "member_id", "month", "amount_due", "amount_paid", "paid_on"
    ):
        lines[member_id].rows[month] = rules.Row(due, paid, paid_on)
    for line in lines.values():
        line.start = rules.obligation_start(
            line.joined_on, branch_start.get(line.party_org_id), member_first.get(line.member_id)
        )
    return list(lines.values())


def under(members: QuerySet, node) -> QuerySet:
    """Members whose party organization lies at or under ``node``."""
    return members.filter(subtree_q(node.path, "party_org__node__path"))


# -- periods -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """A month or a calendar year (to the current month)."""

    months: tuple[datetime.date, ...]
    label: str
    query: dict  # how to ask for it again: {"month": "2024-05"} or {"year": "2024"}

    @property
    def first(self) -> datetime.date:
        return self.months[0]

    @property
    def last(self) -> datetime.date:
        return self.months[-1]

    @property
    def qs(self) -> str:
        return urlencode(self.query)


def period_for(g: Mapping, today: datetime.date) -> Period:
    """The period asked by GET parameters ``month`` (YYYY-MM) or ``year``; default: this month.
    ValueError (Chinese) for a malformed or future period."""
    current = rules.month_start(today)
    year = str(g.get("year") or "").strip()
    if year:
        if not year.isdigit() or not 2000 <= int(year) <= current.year:
            raise ValueError(f"年份应为 2000 至 {current.year} 之间的四位数字，收到「{year}」")
        last = min(datetime.date(int(year), 12, 1), current)
        months = rules.months_between(datetime.date(int(year), 1, 1), last)
        return Period(tuple(months), f"{year}年（截至{rules.month_label(last)}）", {"year": year})
    month = rules.parse_month(g["month"]) if g.get("month") else current
    if month > current:
        raise ValueError(f"{rules.month_label(month)}是未来月份，最晚可查看本月（{rules.month_label(current)}）")
    return Period((month,), rules.month_label(month), {"month": f"{month:%Y-%m}"})


# -- month entries ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    line: Line
    entry: rules.MonthEntry


STATUSES = {"all": "应缴", "paid": "已缴", "unpaid": "未缴"}


def entries(lines: Iterable[Line], period: Period, status: str = "all") -> list[Entry]:
    """Every month of ``period`` each member was expected to pay (from ``line.start``), as
    recorded or (no row) at the current amount; ``status`` paid: something paid; unpaid: in arrears."""
    out = []
    for line in lines:
        if line.start is None:
            continue
        for month in period.months:
            if month < line.start:
                continue
            e = rules.month_entry(month, line.rows.get(month), line.amount.value)
            if status == "paid" and e.paid <= 0:
                continue
            if status == "unpaid" and not e.unpaid:
                continue
            out.append(Entry(line, e))
    return out


@dataclass
class Total:
    """Due, paid and unpaid (owed) of one unit over a period."""

    key: str  # "self" or a child node id
    label: str
    node_id: int | None
    due: Decimal = ZERO
    paid: Decimal = ZERO
    owed: Decimal = ZERO
    entries: int = 0
    unpaid_entries: int = 0
    members: set = field(default_factory=set)
    branches: set = field(default_factory=set)
    recorded_branches: set = field(default_factory=set)

    @property
    def unrecorded(self) -> int:
        """Party organizations with members but no record in the period."""
        return len(self.branches - self.recorded_branches)

    def add(self, e: Entry) -> None:
        self.due += e.entry.due or ZERO
        self.paid += e.entry.paid
        self.owed += e.entry.owed
        self.entries += 1
        self.unpaid_entries += e.entry.unpaid
        self.members.add(e.line.member_id)


def totals(node, children: list, lines: list[Line], period: Period) -> tuple[list[Total], Total]:
    """Per child node of ``node`` (and 本级: members held by ``node`` itself), plus the sum."""
    by_id = {str(c.pk): Total(str(c.pk), c.name, c.pk) for c in children}
    own = Total("self", f"{node.name}（本级）", node.pk)
    grand = Total("all", "合计", node.pk)
    depth = len(node.path)

    def unit(line: Line) -> Total:
        rest = line.node_path[depth:]
        child = rest.split("/", 1)[0]
        return by_id.get(child, own) if child else own

    recorded = set()
    for line in lines:
        t = unit(line)
        t.branches.add(line.party_org_id)
        grand.branches.add(line.party_org_id)
        if any(month in line.rows for month in period.months):
            recorded.add(line.party_org_id)
    for t in [*by_id.values(), own, grand]:
        t.recorded_branches = t.branches & recorded
    for e in entries(lines, period):
        unit(e.line).add(e)
        grand.add(e)
    rows = list(by_id.values())
    if own.branches:
        rows.insert(0, own)
    return rows, grand


def node_totals(members: QuerySet, node, period: Period, params) -> tuple[list[Total], Total]:
    """The totals of ``node`` over ``period`` for the members of a scope queryset: per active
    child node (and 本级), due / paid / unpaid, plus the sum (pages and API alike)."""
    lines = load(under(members, node), params, period.first, period.last)
    children = list(node.children.filter(is_active=True).order_by("path"))
    return totals(node, children, lines, period)


# -- arrears ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Owing:
    line: Line
    arrears: rules.Arrears
    lapsed: bool


def arrears(lines: Iterable[Line], today: datetime.date, params: Mapping[str, Decimal]) -> list[Owing]:
    """Members with unpaid closed months (up to the month before ``today``'s), most months first."""
    end = rules.closed_through(today)
    out = []
    for line in lines:
        a = rules.arrears_of(line.start, end, line.rows, line.amount.value)
        if a.count:
            out.append(Owing(line, a, rules.is_lapsed(a.run, params)))
    out.sort(key=lambda o: (-o.arrears.run, -o.arrears.count, o.line.node_path, o.line.name))
    return out


def lapse_run(member: Member, today: datetime.date) -> int:
    """Consecutive closed months, ending last month, in which the member paid no dues (the
    ledger's own count, the one its 欠缴 list flags for the 自行脱党 check: ``party.exits``
    reads it through its slot)."""
    lines = load(Member.objects.filter(pk=member.pk), policy.values())
    if not lines:
        return 0
    line = lines[0]
    return rules.arrears_of(line.start, rules.closed_through(today), line.rows, line.amount.value).run


def paid_through(member: Member) -> datetime.date | None:
    """The last month up to which the member's dues are paid without a gap ("党费已交到…年…月" on
    the transfer letter): from the first month owed on this platform (``rules.obligation_start``),
    every month paid in full (as recorded, or at the current amount when not recorded), up to the
    first month that is not. Months paid ahead count. None when nothing was ever recorded or the
    first month owed is unpaid: the ledger cannot say, and the letter leaves it to be written."""
    lines = load(Member.objects.filter(pk=member.pk), policy.values())
    if not lines or lines[0].start is None:
        return None
    line = lines[0]
    last = max([*line.rows, rules.month_start(timezone.localdate())])
    through = None
    for month in rules.months_between(line.start, last):
        if rules.month_entry(month, line.rows.get(month), line.amount.value).unpaid:
            break
        through = month
    return through
