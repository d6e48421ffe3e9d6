"""到达率 ("两个力争": 力争党的声音传递到每一个两新组织), counted over the stored 到达事实.

An organization of a statistics unit is **reached** (覆盖到达) in a period when at least one of its
people received a message or a notice (通知下达 is a ``Message`` too) in the period, over the chosen
channel(s), its people being those **at the time of the delivery** (``facts``: written when the
delivery is made):

- its contact (``Delivery.organization``);
- a member employed there (``Delivery.member``, or ``Delivery.user`` linked to a member): the
  member's employer when the message was sent — a member who moved on since still counts for the
  organization they were reached at, not for their new employer;
- the secretary of a party organization covering it: a user holding the ``secretary`` role at the
  party organization's node, whose link (``PartyOrgLink``) to the organization was in force on the
  day the message was sent.

"Received" is a delivery 已发出 / 已送达 / 已读 / 已回复 whose ``sent_at`` falls in the period (whole
days in local time, both ends included): ``ReachFact.received_at``, kept equal to it while the
delivery is received and empty otherwise (queued, failed, 结果未知, recalled). It is **read-reached**
(阅读到达) when such a delivery was also read (``read_at``: the inbox opened, an e-mail link
followed; whenever that happened). An SMS is received, never read: no handset tells the platform,
so its fact never carries a reading time.

The denominator is the coverage rates' own, 纳入统计的在营组织 (``stats.measures`` ``counted``) of the
unit with its filters (``stats.engine.unit_organizations``), today's organizations in today's
places, so the rates sit beside the coverage rates and the never-reached list has exactly
``counted − reached`` rows.

Everything is SQL, in one of two forms that give the same answer (``reached_condition``): one
semi-join over the period's facts (an index-only range scan), or EXISTS probes per organization
through the facts' organization index (small units on SQLite). The denominators come from the
coverage report's cells. No Python loop over organizations or deliveries.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from liangxin.core import params as params_
from liangxin.party import policy
from liangxin.stats import engine
from liangxin.stats.measures import Thresholds, conditions, percent

from .choices import ChannelKind
from .models import ReachFact

ALL_CHANNELS = ""
CHANNEL_CHOICES: dict[str, str] = {ALL_CHANNELS: "全部渠道", **dict(ChannelKind.choices)}
REACHED_LABEL = "覆盖到达率"
READ_LABEL = "阅读到达率"
REACHED_DEFINITION = (
    "统计期内至少有一名联系人、在此就业的党员或覆盖它的党组织书记收到群发信息或下达通知的组织数 ÷ 纳入统计的在营组织数"
)
READ_DEFINITION = (
    "统计期内至少有一名上述人员阅读了信息或通知（站内消息已打开、邮件链接已点开；短信无法确认是否阅读，不计入）"
    "的组织数 ÷ 纳入统计的在营组织数"
)
NEVER_LABEL = "统计期内从未到达的组织"


@dataclass(frozen=True)
class Period:
    """统计期: whole days ``start``–``end`` (both included, local time) and the channel (""：all)."""

    start: datetime.date
    end: datetime.date
    channel: str = ALL_CHANNELS

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start 00:00, the day after end 00:00) in the platform's time zone."""
        tz = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return first, after

    def params(self) -> dict[str, str]:
        """The period as request parameters (for links that keep it)."""
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.channel:
            out["channel"] = self.channel
        return out

    def describe(self) -> list[tuple[str, str]]:
        return [
            ("统计期", f"{self.start.isoformat()} 至 {self.end.isoformat()}"),
            ("渠道", CHANNEL_CHOICES[self.channel]),
        ]


def default_period(today: datetime.date | None = None) -> Period:
    """This year so far: 两个力争 is a target of the year's work plan (seed 004)."""
    today = today or timezone.localdate()
    return Period(today.replace(month=1, day=1), today)


def parse_period(params, errors: dict[str, str]) -> Period:
    """``from``, ``to`` (YYYY-MM-DD) and ``channel`` of a request; a missing one takes the default
    (this year so far, all channels). Wrong values are written into ``errors`` in Chinese."""
    default = default_period()
    start = params_.collect(errors, params_.parse_date, params, "from", "到达统计起始日期")
    end = params_.collect(errors, params_.parse_date, params, "to", "到达统计截止日期")
    channel = params_.collect(errors, params_.parse_choice, params, "channel", "渠道", CHANNEL_CHOICES)
    period = Period(start or default.start, end or default.end, channel or ALL_CHANNELS)
    if period.start > period.end and "from" not in errors and "to" not in errors:
        errors["to"] = "到达统计截止日期不能早于起始日期"
    return period


def facts_of(period: Period, *, read: bool = False) -> QuerySet:
    """The 到达事实 received in the period over its channel(s); ``read``: and read (an SMS's fact
    never carries a reading time)."""
    first, after = period.bounds()
    qs = ReachFact.objects.filter(received_at__gte=first, received_at__lt=after)
    if period.channel:
        qs = qs.filter(channel=period.channel)
    if read:
        qs = qs.filter(read_at__isnull=False)
    return qs


def reached_condition(period: Period, *, read: bool = False, per_organization: bool = False) -> Q:
    """On an organization row: reached (``read``: read-reached) in the period — it has a fact
    received in the period (``facts``: whom the delivery reached when it was made).

    Two forms, the same answer. By default one uncorrelated subquery, evaluated once: the
    organizations of the period's facts, read from the index on (received_at, channel,
    organization, read_at) alone — a cost that follows the facts of the period, whatever the unit.
    ``per_organization``: a correlated EXISTS probe per organization through the index on
    (organization, received_at) — a cost that follows the organizations of the unit, cheaper for a
    street or a district than walking every fact of the city."""
    found = facts_of(period, read=read)
    if per_organization:
        return Exists(found.filter(organization_id=OuterRef("pk")))
    return Q(pk__in=found.values("organization_id"))


# Units of at most this many counted organizations take the per-organization form. Measured on the
# 100,000-organization demo (SQLite, this year's 80,000 received deliveries): ≈ 10 µs an organization
# per-organization, ≈ 230 ms for the walk whatever the unit — a street (1,800) 38 ms against 184, a
# district (6,000) 95 against 259, the city (96,000) 974 against 230; bench/message_bench.py. Those
# figures are of the walk through people before the 到达事实; both forms now read one narrow table
# (the city's walk ≈ 160 ms there), and the threshold was kept, not measured again.
PER_ORGANIZATION_UP_TO = 20_000


def _per_organization(counted: int) -> bool:
    """Which form answers a unit of ``counted`` organizations. PostgreSQL always walks: it plans the
    correlated EXISTS under OR as hashed subplans over whole tables (a street's figure 1.2 s, a
    district's 9 s, against ≈ 0.3–0.5 s walking), so the per-organization form is SQLite's only."""
    return connection.vendor == "sqlite" and counted <= PER_ORGANIZATION_UP_TO


def _counted() -> Q:
    return conditions(Thresholds.of(policy.values()))["counted"]


@dataclass
class ReachRow:
    """One line: the unit, or one of its children."""

    label: str
    counted: int = 0
    reached: int = 0
    read: int = 0
    params: dict[str, str] | None = None  # what narrows the unit's query to this row (None: no list)

    @property
    def never(self) -> int:
        return self.counted - self.reached

    @property
    def reached_percent(self) -> Decimal | None:
        return percent(self.reached, self.counted)

    @property
    def read_percent(self) -> Decimal | None:
        return percent(self.read, self.counted)

    def add(self, row: dict) -> None:
        """Add a group's reached and read-reached organizations (the denominator comes whole)."""
        self.reached += row["reached"]
        self.read += row["read"]


@dataclass
class Reach:
    query: engine.StatsQuery
    period: Period
    total: ReachRow
    children: list[ReachRow] = field(default_factory=list)
    child_label: str = "下级"


def reach(q: engine.StatsQuery, period: Period, report: engine.Report | None = None) -> Reach:
    """The unit's reached and read-reached organizations and their rates, and its children's.

    The denominators are the coverage report's own ``counted`` (its cells: no pass over the
    organizations; the dashboard hands in the report it already has). The numerators are one
    GROUP BY driven from the organizations reached — the database walks the reached set and looks
    each organization up, rather than probing every organization of the unit — folded into the
    children like the dashboard's table."""
    if report is None or report.query.as_of is not None:
        report = _report_of(q)
    units = engine.child_units(q)
    column = "operating_region_id" if units.dim == "region" else "responsible_node_id"
    counted = {_key(row.params): row.measures["counted"] for row in report.children}  # the unit's own: key None
    total = ReachRow(q.unit_label, counted=report.totals["counted"], params={})
    kids = {k.pk: ReachRow(k.name, counted=counted.get(_key(units.params[k.pk]), 0), params=units.params[k.pk])
            for k in units.kids}  # fmt: skip
    own = ReachRow(f"{units.unit.name}（直属，未划入下级）", counted=counted.get(None, 0))
    small = _per_organization(report.totals["counted"])
    rows = (
        engine.unit_organizations(q)
        .filter(_counted())
        .filter(reached_condition(period, per_organization=small))
        .values(column)
        .annotate(
            reached=Count("pk"), read=Count("pk", filter=reached_condition(period, read=True, per_organization=small))
        )
        .order_by()
    )
    for row in rows:
        if not units.inside(row[column]):
            continue
        total.add(row)
        kid = units.kid_of(row[column])
        (kids[kid.pk] if kid is not None else own).add(row)
    children = list(kids.values()) + ([own] if own.counted else [])
    return Reach(q, period, total, children, units.level_label)


def _key(params: dict[str, str] | None) -> tuple | None:
    return tuple(sorted(params.items())) if params is not None else None


def _report_of(q: engine.StatsQuery) -> engine.Report:
    return engine.compute(dataclasses.replace(q, as_of=None))  # reach is of today's organizations


def never_reached(q: engine.StatsQuery, period: Period) -> QuerySet:
    """The unit's counted organizations no one of whose people received anything in the period:
    largest first, like the blank-spot lists.

    On PostgreSQL always the per-organization form: ``NOT (pk IN subquery)`` is no anti-join there
    (NULL semantics), and once the period's organizations outgrow ``work_mem`` it probes the
    subquery for each organization — a first page ran for minutes on the 1M city — while ``NOT
    EXISTS`` is planned as an anti-join."""
    small = connection.vendor == "postgresql" or _per_organization(_report_of(q).totals["counted"])
    return (
        engine.unit_organizations(q)
        .filter(_counted())
        .exclude(reached_condition(period, per_organization=small))
        .select_related("operating_region__parent", "carrier", "responsible_node")
        .order_by("-employees", "pk")
    )


def as_dict(result: Reach) -> dict:
    """The figures as plain data (the API's answer)."""
    q = result.query

    def row(r: ReachRow) -> dict:
        return {
            "label": r.label,
            "params": r.params,
            "counted": r.counted,
            "reached": r.reached,
            "read": r.read,
            "never": r.never,
            "reached_percent": float(r.reached_percent) if r.reached_percent is not None else None,
            "read_percent": float(r.read_percent) if r.read_percent is not None else None,
        }

    return {
        "unit": {"label": q.unit_label, "region": q.region.code if q.region else None,
                 "node": q.node.pk if q.node else None},
        "filters": q.filter_params(),
        "period": {"from": result.period.start.isoformat(), "to": result.period.end.isoformat(),
                   "channel": result.period.channel or None},
        "definitions": {"reached": f"{REACHED_LABEL}：{REACHED_DEFINITION}",
                        "read": f"{READ_LABEL}：{READ_DEFINITION}"},
        "total": row(result.total),
        "children_level": result.child_label,
        "children": [row(r) for r in result.children],
    }  # fmt: skip
