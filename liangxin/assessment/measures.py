"""平台指标 (measures): the figures a computed indicator reads, by name.

Each measure applies to one kind of subject (``SubjectKind``: a party organization's node, or a
committee's), has a unit (比例 in percent, 次数, 个数) and a function answering for many subjects at
once over a period [start, end] (both included): {node id: value, or None when there is nothing
to count (a rate without a denominator)}. Every function calls the measuring app's own function or
condition, so a figure here is the figure of that app's page, never a second definition:

- 组织生活按期召开率: ``life.compliance.assess`` over the periods of the 三会一课 rules that end inside
  the window and have ended (held ÷ due), per year of the window;
- 召开组织生活次数: meetings recorded as held (``life.compliance.held_index``);
- 党费足额交纳率: the dues ledger's month entries (``dues.ledger.load`` / ``entries``): months paid in
  full ÷ months expected of the members, over the months of the period;
- 新递交入党申请, 发展党员: applicants by ``applied_on`` / ``approved_on`` (the develop app's dates;
  ``develop.queries.used_by_path`` counts 已接收 by ``approved_on`` the same way);
- 问题清单 (党组织): the rule engine's findings of level 必须 or 应当 on the party organization today
  (``party.rules.findings_for``; a 提醒 is not a fault): findings have no dated history, so this one
  is read today whatever the period;
- the coverage rates (党的组织覆盖率, 党的工作覆盖率, 双达标, 规模以上非公企业党组织覆盖率, 重点行业/重点单位 …:
  every rate of ``stats.measures.RATES``, by its own numerator and denominator) and 空白点: the statistics
  engine's answer for the committee's node (``stats.engine.compute``, by responsible node, as of the
  period's last day when it is past) — asked once per committee: the engine answers per unit;
- 报送任务按时完成率: the committee's own assignments (``reporting``) whose deadline fell in the period
  and has passed: answered on time (已提交) ÷ all;
- 信息阅读率: the stored per-node counts of mass messages (``messaging`` ``DeliveryTally``, as
  ``messaging.rates``) of messages sent in the period, over the committee's subtree: 已读 ÷ 已送达.
"""

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from liangxin.core.tree import subtree_bounds
from liangxin.develop.models import Applicant
from liangxin.dues import ledger as dues_ledger
from liangxin.dues import rules as dues_rules
from liangxin.life import compliance
from liangxin.messaging.models import DeliveryTally
from liangxin.mgmt.models import ManagementNode
from liangxin.party import policy
from liangxin.party import rules as party_rules
from liangxin.party.models import Member, PartyOrganization
from liangxin.reporting.choices import AssignmentState
from liangxin.reporting.models import ReportAssignment
from liangxin.stats import engine as stats_engine
from liangxin.stats import measures as stats_measures
from liangxin.stats.measures import percent

from .choices import SubjectKind, Unit

Values = dict[int, Decimal | None]
MeasureFn = Callable[[Sequence[ManagementNode], datetime.date, datetime.date], Values]


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    subject_kind: str
    unit: str
    fn: MeasureFn

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def unit_suffix(self) -> str:
        return {Unit.RATE: "%", Unit.TIMES: "次", Unit.COUNT: "个"}[Unit(self.unit)]


def _party_orgs(nodes: Sequence[ManagementNode]) -> dict[int, int]:
    """{party organization id: node id} of the nodes that are party organizations."""
    rows = PartyOrganization.objects.filter(node__in=[n.pk for n in nodes]).values_list("pk", "node_id")
    return dict(rows)


def _today() -> datetime.date:
    return timezone.localdate()


# -- party organizations ---------------------------------------------------------------------------
def life_compliance(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
    po_nodes = _party_orgs(nodes)
    out: Values = dict.fromkeys((n.pk for n in nodes), None)
    party_orgs = PartyOrganization.objects.filter(pk__in=list(po_nodes))
    params, today = policy.values(), _today()
    index = compliance.held_index(party_orgs, datetime.date(start.year, 1, 1), end)
    rules = compliance.rule_months(params)
    due: dict[int, int] = defaultdict(int)
    held: dict[int, int] = defaultdict(int)
    for facts in compliance.org_facts(party_orgs):
        for year in range(start.year, end.year + 1):
            first, last = max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
            found = compliance.assess(facts, index.get(facts.id, {}), first, last, today, params, rules)
            due[facts.id] += found.due
            held[facts.id] += found.due - len(found.missing)
    for po_id, node_id in po_nodes.items():
        out[node_id] = percent(held[po_id], due[po_id])
    return out


def meetings_held(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
    po_nodes = _party_orgs(nodes)
    out: Values = dict.fromkeys((n.pk for n in nodes), None)
    index = compliance.held_index(PartyOrganization.objects.filter(pk__in=list(po_nodes)), start, end)
    for po_id, node_id in po_nodes.items():
        out[node_id] = Decimal(sum(len(days) for days in index.get(po_id, {}).values()))
    return out


def dues_paid_in_full(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
    po_nodes = _party_orgs(nodes)
    out: Values = dict.fromkeys((n.pk for n in nodes), None)
    months = tuple(dues_rules.months_between(dues_rules.month_start(start), dues_rules.month_start(end)))
    members = Member.objects.filter(party_org_id__in=list(po_nodes))
    lines = dues_ledger.load(members, policy.values(), months[0], months[-1])
    expected: dict[int, int] = defaultdict(int)
    paid: dict[int, int] = defaultdict(int)
    for entry in dues_ledger.entries(lines, dues_ledger.Period(months, "", {})):
        expected[entry.line.party_org_id] += 1
        paid[entry.line.party_org_id] += not entry.entry.unpaid
    for po_id, node_id in po_nodes.items():
        out[node_id] = percent(paid[po_id], expected[po_id])
    return out


def _applicants_by(field: str) -> MeasureFn:
    def fn(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
        po_nodes = _party_orgs(nodes)
        rows = (
            Applicant.objects.filter(party_org_id__in=list(po_nodes), **{f"{field}__gte": start, f"{field}__lte": end})
            .order_by()
            .values_list("party_org_id")
            .annotate(n=Count("pk"))
        )
        counted = dict(rows)
        out: Values = dict.fromkeys((n.pk for n in nodes), None)
        for po_id, node_id in po_nodes.items():
            out[node_id] = Decimal(counted.get(po_id, 0))
        return out

    return fn


# 必须 and 应当: a 提醒 (a term ending months ahead, a committee that could be set up) is not a fault
COUNTED_LEVELS = (party_rules.MUST, party_rules.SHOULD)


def open_findings(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
    out: Values = dict.fromkeys((n.pk for n in nodes), None)
    params, today = policy.values(), _today()
    facts = party_rules.party_org_facts(PartyOrganization.objects.filter(node__in=[n.pk for n in nodes]))
    for po in facts.select_related("node"):
        found = party_rules.findings_for(po, "party_org", params, today)
        out[po.node_id] = Decimal(sum(f.level in COUNTED_LEVELS for f in found))
    return out


# -- committees ------------------------------------------------------------------------------------
def _coverage(nodes: Sequence[ManagementNode], end: datetime.date) -> dict[int, dict[str, int]]:
    as_of = end if end < _today() else None
    return {n.pk: stats_engine.compute(stats_engine.StatsQuery(node=n, as_of=as_of)).totals for n in nodes}


def _coverage_rate(rate: stats_measures.Rate) -> MeasureFn:
    # the dashboard's own rate (stats.measures.RATES): its numerator and denominator measures
    def fn(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
        return {pk: percent(t[rate.numerator], t[rate.denominator]) for pk, t in _coverage(nodes, end).items()}

    return fn


def blank_spots(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
    return {pk: Decimal(t["blank"]) for pk, t in _coverage(nodes, end).items()}


def reports_on_time(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
    last = min(end, _today() - datetime.timedelta(days=1))  # a deadline that has passed
    rows = (
        ReportAssignment.objects.filter(
            node__in=[n.pk for n in nodes], task__deadline__gte=start, task__deadline__lte=last
        )
        .order_by()
        .values_list("node_id", "state")
        .annotate(n=Count("pk"))
    )
    due: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    for node_id, state, n in rows:
        due[node_id] += n
        on_time[node_id] += n if state == AssignmentState.SUBMITTED else 0
    return {n.pk: percent(on_time[n.pk], due[n.pk]) for n in nodes}


def message_read_rate(nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    tallies = DeliveryTally.objects.filter(message__sent_at__gte=since, message__sent_at__lt=until, node_key__gt=0)
    per_node = tallies.order_by().values_list("node_key").annotate(received=Sum("received"), read=Sum("read"))
    counts = {key: (received or 0, read or 0) for key, received, read in per_node}
    # a subquery, not the ids: a message to the whole city has tens of thousands of nodes
    paths = dict(ManagementNode.objects.filter(pk__in=tallies.values("node_key")).values_list("pk", "path"))
    # the nodes in path order with running sums: a subtree is one path range, two bisections
    ordered = sorted((path, counts[pk]) for pk, path in paths.items())
    keys = [path for path, _ in ordered]
    received_sum, read_sum = [0], [0]
    for _, (received, read) in ordered:
        received_sum.append(received_sum[-1] + received)
        read_sum.append(read_sum[-1] + read)
    out: Values = {}
    for node in nodes:
        low, high = subtree_bounds(node.path)
        i, j = bisect.bisect_left(keys, low), bisect.bisect_left(keys, high)
        out[node.pk] = percent(read_sum[j] - read_sum[i], received_sum[j] - received_sum[i])
    return out


_LIST = [
    Measure("life_compliance", "组织生活按期召开率", SubjectKind.PARTY_ORG, Unit.RATE, life_compliance),
    Measure("meetings_held", "召开组织生活次数", SubjectKind.PARTY_ORG, Unit.TIMES, meetings_held),
    Measure("dues_paid_in_full", "党费按月足额交纳率", SubjectKind.PARTY_ORG, Unit.RATE, dues_paid_in_full),
    Measure("new_applicants", "新递交入党申请人数", SubjectKind.PARTY_ORG, Unit.COUNT, _applicants_by("applied_on")),
    Measure(
        "new_members", "发展党员人数（上级党委审批）", SubjectKind.PARTY_ORG, Unit.COUNT, _applicants_by("approved_on")
    ),
    Measure(
        "open_findings", "问题清单中必须、应当级问题条数（当前）", SubjectKind.PARTY_ORG, Unit.COUNT, open_findings
    ),
    *[
        Measure(f"stats_{rate.key}", rate.label, SubjectKind.COMMITTEE, Unit.RATE, _coverage_rate(rate))
        for rate in stats_measures.RATES
    ],
    Measure("blank_spots", "空白点个数", SubjectKind.COMMITTEE, Unit.COUNT, blank_spots),
    Measure("reports_on_time", "报送任务按时完成率", SubjectKind.COMMITTEE, Unit.RATE, reports_on_time),
    Measure("message_read_rate", "信息群发阅读率", SubjectKind.COMMITTEE, Unit.RATE, message_read_rate),
]
MEASURES: dict[str, Measure] = {m.name: m for m in _LIST}


def for_kind(subject_kind: str) -> list[Measure]:
    return [m for m in _LIST if m.subject_kind == subject_kind]


BATCH = 5000  # subjects per pass: the ids go into IN lists (SQLite's limit on parameters)


def compute(name: str, nodes: Sequence[ManagementNode], start: datetime.date, end: datetime.date) -> Values:
    """The measure ``name`` for every node of ``nodes`` over [start, end] (one pass per 5,000 nodes)."""
    fn, out = MEASURES[name].fn, {}
    for i in range(0, len(nodes), BATCH):
        out.update(fn(nodes[i : i + BATCH], start, end))
    return out
