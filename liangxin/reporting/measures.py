"""The platform figures a 平台预填 field can take (预填指标): name → (Chinese label, function).

Each function answers for one node of the management tree (its whole subtree) and one period,
by calling the measuring app's own function or condition — a figure here is the figure of the
app's page, never a second definition:

- 覆盖, 空白点 and 党组织数 are stocks as of the period's last day when it is past: the statistics
  engine answers a past date from its snapshot of that day, or from the dated placement,
  employment, link and assignment history (``stats.asof``); a period ending today or later: today;
- 党员 (正式/预备), 流动党员, 入党申请人 at each stage are stocks as the platform holds them when the
  form is filled: the party and develop apps keep no dated history of a member's category, a
  floating status or an applicant's stage, so "as of" a past day cannot be answered for them;
- meetings held, dues collected and in arrears, transfers in and out are flows over the period.

Values are ``Decimal`` (dues are money); the form stores them as decimal text.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from liangxin.core.tree import subtree_q
from liangxin.develop import queries as develop_queries
from liangxin.develop.models import Applicant
from liangxin.dues import ledger as dues_ledger
from liangxin.dues import rules as dues_rules
from liangxin.life import compliance
from liangxin.life.choices import MeetingKind
from liangxin.mgmt.models import ManagementNode
from liangxin.party import policy
from liangxin.party.choices import FloatingStatus, MemberCategory
from liangxin.party.models import Member, PartyOrganization
from liangxin.stats import engine as stats_engine
from liangxin.transfers.models import Transfer, TransferState


@dataclass(frozen=True)
class Period:
    """统计期: from ``start`` to ``end``, both included."""

    start: datetime.date
    end: datetime.date


MeasureFn = Callable[[ManagementNode, Period], Decimal]


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    fn: MeasureFn


def _members_under(node: ManagementNode):
    # the party app's own condition for a node's members (dues.ledger.under: at or under the node)
    return dues_ledger.under(Member.objects.filter(is_active=True), node)


def _members(category: str) -> MeasureFn:
    return lambda node, period: Decimal(_members_under(node).filter(category=category).count())


def _floating(status: str) -> MeasureFn:
    return lambda node, period: Decimal(_members_under(node).filter(floating=status).count())


def _applicants(column: str) -> MeasureFn:
    # the pipeline's column condition (develop.queries.COLUMNS): the count the 发展党员 page shows
    def fn(node: ManagementNode, period: Period) -> Decimal:
        qs = Applicant.objects.filter(subtree_q(node.path, "party_org__node__path"))
        return Decimal(qs.filter(develop_queries.CONDITION[column]).count())

    return fn


def _meetings(kind: str) -> MeasureFn:
    # the compliance grid's index of held meetings (life.compliance.held_index)
    def fn(node: ManagementNode, period: Period) -> Decimal:
        party_orgs = compliance.in_subtree(PartyOrganization.objects.all(), node)
        index = compliance.held_index(party_orgs, period.start, period.end)
        return Decimal(sum(len(by_kind.get(kind, [])) for by_kind in index.values()))

    return fn


def _dues_total(node: ManagementNode, period: Period) -> dues_ledger.Total:
    months = dues_rules.months_between(dues_rules.month_start(period.start), dues_rules.month_start(period.end))
    dues_period = dues_ledger.Period(tuple(months), "", {})
    _, grand = dues_ledger.node_totals(Member.objects.all(), node, dues_period, policy.values())
    return grand


def _as_of(period: Period) -> datetime.date | None:
    """The day a stock is read on: the period's last day when it is past, else today (None)."""
    return period.end if period.end < timezone.localdate() else None


def _coverage(measure: str) -> MeasureFn:
    # the statistics engine's answer for the node as a unit (stats.engine.compute over its measures)
    def fn(node: ManagementNode, period: Period) -> Decimal:
        report = stats_engine.compute(stats_engine.StatsQuery(node=node, as_of=_as_of(period)))
        return Decimal(report.totals[measure])

    return fn


def _transfers(side: str) -> MeasureFn:
    # 接收 (办结) in the period, by the receiving or the sending side (transfers' own states)
    def fn(node: ManagementNode, period: Period) -> Decimal:
        qs = Transfer.objects.filter(
            Q(state=TransferState.ACCEPTED, closed_on__gte=period.start, closed_on__lte=period.end),
            subtree_q(node.path, f"{side}_party_org__node__path"),
        )
        return Decimal(qs.count())

    return fn


def _party_orgs(node: ManagementNode, period: Period) -> Decimal:
    report = stats_engine.StatsQuery(node=node, as_of=_as_of(period))
    return Decimal(stats_engine.party_org_count(report) or 0)


_LIST: list[Measure] = [
    Measure("members_full", "正式党员（名）", _members(MemberCategory.FULL)),
    Measure("members_probationary", "预备党员（名）", _members(MemberCategory.PROBATIONARY)),
    *[
        Measure(f"applicants_{key}", f"{label}（名）", _applicants(key))
        for key, label, _ in develop_queries.COLUMNS
        if key in ("applicant", "activist", "candidate", "probationary")
    ],
    *[Measure(f"meetings_{kind.value}", f"召开{kind.label}（次）", _meetings(kind.value)) for kind in MeetingKind],
    Measure("dues_paid", "党费已收缴（元）", lambda node, period: _dues_total(node, period).paid),
    Measure("dues_owed", "党费欠缴（元）", lambda node, period: _dues_total(node, period).owed),
    Measure("party_orgs", "党组织数（个）", _party_orgs),
    Measure("orgs_counted", "纳入统计的两新组织（个）", _coverage("counted")),
    Measure("orgs_covered", "党的组织覆盖的两新组织（个）", _coverage("org_covered")),
    Measure("orgs_blank", "空白点（个）", _coverage("blank")),
    Measure("transfers_in", "组织关系转入（名）", _transfers("to")),
    Measure("transfers_out", "组织关系转出（名）", _transfers("from")),
    Measure("floating_out", "流出党员（名）", _floating(FloatingStatus.OUTFLOW)),
    Measure("floating_in", "流入党员（名）", _floating(FloatingStatus.INFLOW)),
]
MEASURES: dict[str, Measure] = {m.name: m for m in _LIST}
MEASURE_CHOICES = [(m.name, m.label) for m in _LIST]


def measure(name: str, node: ManagementNode, period: Period) -> Decimal:
    """The figure ``name`` for ``node`` (its subtree) and ``period``."""
    return MEASURES[name].fn(node, period)
