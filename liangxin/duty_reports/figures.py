"""The platform's figures of a 述职报告, assembled by one plain function from the queries that decide
them elsewhere (never a second way of counting) for a committee's subtree and a year:

- coverage: every rate of the statistics dashboard (``stats.engine.compute`` for the node as a unit,
  ``stats.measures.RATES``) as of the year's end — today while the year runs — and as of the previous
  year's end (the engine's snapshot of that day, or its as-of pass), with the change in points;
- 空白点: the ``blank`` measure's organizations at the start (the previous year's end) and at the end,
  and how many of those blank at the start are covered and still counted at the end
  (``stats.blank_spots.blank_and_counted``);
- 发展党员: applications received (``applied_on``) and members admitted (``approved_on``, as
  ``develop.queries.used_by_path``) in the year, by the applicants' party organizations in the subtree;
- 组织生活: ``life.compliance.rollup`` over the year (the compliance page's 合计 row);
- 党费: ``dues.ledger.node_totals`` over the year's months (the dues page's 合计);
- 问题清单: the rule engine's findings (``party.rules``: each rule's SQL candidates, each checked) on the
  subtree's organizations by responsibility, party organizations and members, today (findings keep
  no history), per level;
- 报送任务: ``assessment.measures.reports_on_time`` (the committee's own assignments due in the year);
- 到达率: ``messaging.reach.reach`` for the node over the year (all channels);
- 考核结果: none yet — the assessment rounds are not built (``assessment_result``: the seam).

Everything is plain JSON (numbers as text where they are Decimals) so the snapshot is stored as is.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from liangxin.assessment import measures as assessment_measures
from liangxin.assessment.choices import Grade, RoundState
from liangxin.assessment.models import RoundEntry
from liangxin.core.tree import subtree_q
from liangxin.develop.models import Applicant
from liangxin.dues import ledger as dues_ledger
from liangxin.dues import rules as dues_rules
from liangxin.life import compliance
from liangxin.messaging import reach as reach_
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.models import Organization
from liangxin.party import policy
from liangxin.party import rules as party_rules
from liangxin.party.models import Member, PartyOrganization
from liangxin.stats import blank_spots
from liangxin.stats import engine as stats_engine
from liangxin.stats.measures import percent

NO_ASSESSMENT = "本年度暂无考核结果"


def period_of(year: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The report's year: 1 January to 31 December, or to today while the year runs."""
    return datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _as_of(day: datetime.date, today: datetime.date) -> datetime.date | None:
    # a stock is read as of a past day by the engine's as-of pass; today's from the cells
    return day if day < today else None


def coverage(node: ManagementNode, end: datetime.date, today: datetime.date) -> list[dict[str, Any]]:
    previous_end = datetime.date(end.year - 1, 12, 31)
    now = stats_engine.compute(stats_engine.StatsQuery(node=node, as_of=_as_of(end, today)))
    before = stats_engine.compute(stats_engine.StatsQuery(node=node, as_of=previous_end))
    out = []
    for rate in now.rates:
        old = before.rate(rate.key)
        change = None if rate.percent is None or old.percent is None else rate.percent - old.percent
        out.append({
            "key": rate.key, "label": rate.label, "numerator": rate.numerator, "denominator": rate.denominator,
            "percent": _text(rate.percent), "previous_percent": _text(old.percent), "change": _text(change),
        })  # fmt: skip
    return out


def blank(node: ManagementNode, end: datetime.date, today: datetime.date) -> dict[str, int]:
    start_blank, _ = blank_spots.blank_and_counted(
        stats_engine.StatsQuery(node=node, as_of=datetime.date(end.year - 1, 12, 31))
    )
    end_blank, end_counted = blank_spots.blank_and_counted(stats_engine.StatsQuery(node=node, as_of=_as_of(end, today)))
    closed = (start_blank & end_counted) - end_blank
    return {"start": len(start_blank), "end": len(end_blank), "closed": len(closed)}


def develop(node: ManagementNode, start: datetime.date, end: datetime.date) -> dict[str, int]:
    qs = Applicant.objects.filter(subtree_q(node.path, "party_org__node__path"))
    return {
        "applied": qs.filter(applied_on__gte=start, applied_on__lte=end).count(),
        "approved": qs.filter(approved_on__gte=start, approved_on__lte=end).count(),
    }


def life(node: ManagementNode, year: int, today: datetime.date) -> dict[str, Any]:
    _, total = compliance.rollup(PartyOrganization.objects.all(), node, year, "", today)
    return {**total.counts, "share": _text(total.share)}


def dues(node: ManagementNode, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    months = tuple(dues_rules.months_between(dues_rules.month_start(start), dues_rules.month_start(end)))
    _, grand = dues_ledger.node_totals(Member.objects.all(), node, dues_ledger.Period(months, "", {}), policy.values())
    full = grand.entries - grand.unpaid_entries
    return {
        "due": str(grand.due), "paid": str(grand.paid), "owed": str(grand.owed),
        "entries": grand.entries, "full_entries": full, "full_share": _text(percent(full, grand.entries)),
    }  # fmt: skip


class NodeSubtree:
    """The rule engine's objects of a committee's subtree, by responsibility (what the committee acts
    on): organizations whose responsible node is in it, its party organizations and their members.
    ``party.rules.candidates`` reads these three querysets, as it reads a user's scope."""

    def __init__(self, node: ManagementNode) -> None:
        self.node = node

    def organizations(self, action: str = "view") -> QuerySet:
        return Organization.objects.filter(subtree_q(self.node.path, "responsible_node__path"))

    def party_orgs(self, action: str = "view") -> QuerySet:
        return PartyOrganization.objects.filter(subtree_q(self.node.path, "node__path"))

    def members(self, action: str = "view") -> QuerySet:
        return dues_ledger.under(Member.objects.all(), self.node)


def findings(node: ManagementNode, today: datetime.date) -> dict[str, int]:
    params, subtree = policy.values(), NodeSubtree(node)
    out = dict.fromkeys(party_rules.LEVEL_LABELS, 0)
    for rule in party_rules.RULES.values():
        for obj in party_rules.candidates(rule, subtree, params, today).iterator(chunk_size=500):
            found = rule.check(obj, params, today)
            if found is not None:
                out[found.level] += 1
    return out


def reports(node: ManagementNode, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    value = assessment_measures.reports_on_time([node], start, end)[node.pk]
    return {"on_time_share": _text(value)}


def reach(node: ManagementNode, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    found = reach_.reach(stats_engine.StatsQuery(node=node), reach_.Period(start, end))
    total = found.total
    return {
        "counted": total.counted, "reached": total.reached, "read": total.read,
        "reached_share": _text(total.reached_percent), "read_share": _text(total.read_percent),
    }  # fmt: skip


PUBLISHED = (RoundState.PUBLISHED, RoundState.CLOSED)


def assessment_result(node: ManagementNode, year: int) -> dict[str, Any] | None:
    """The committee's result in the published rounds (已发布, 异议已答复) whose period ends in
    ``year``, the latest first: total and grade as the round locked them. None when there is none
    (shown as 本年度暂无考核结果); a round not yet published says nothing."""
    entries = (
        RoundEntry.objects.filter(
            subject=node, round__state__in=PUBLISHED, round__period_end__year=year, total__isnull=False
        )
        .select_related("round")
        .order_by("-round__period_end", "-round_id")
    )
    labels = dict(Grade.choices)
    found = [f"{e.round.name}：{e.total}分，{labels.get(e.grade, e.grade)}" for e in entries]
    return {"text": "；".join(found)} if found else None


def assemble(node: ManagementNode, year: int, today: datetime.date) -> dict[str, Any]:
    """Every figure of ``node``'s report for ``year``, read on ``today`` (the snapshot to store)."""
    start, end = period_of(year, today)
    return {
        "year": year, "start": start.isoformat(), "as_of": end.isoformat(), "taken_on": today.isoformat(),
        "previous_as_of": datetime.date(year - 1, 12, 31).isoformat(),
        "coverage": coverage(node, end, today), "blank": blank(node, end, today),
        "develop": develop(node, start, end), "life": life(node, year, today), "dues": dues(node, start, end),
        "findings": findings(node, today), "reports": reports(node, start, end), "reach": reach(node, start, end),
        "assessment": assessment_result(node, year),
    }  # fmt: skip


def _pct(value: str | None) -> str:
    return "—" if value is None else f"{value}%"


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The figures as (section, item, value) lines: the page, the print page and the Word file."""
    out: list[tuple[str, str, str]] = []
    for r in figures.get("coverage", []):
        change = r["change"]
        shift = "" if change is None else f"（较上年末{'+' if Decimal(change) >= 0 else ''}{change}个百分点）"
        out.append(("覆盖情况", r["label"], f"{_pct(r['percent'])}（{r['numerator']}/{r['denominator']}）{shift}"))
    b = figures.get("blank", {})
    if b:
        out += [("空白点", "年初空白点", f"{b['start']}个"), ("空白点", "年末空白点", f"{b['end']}个"),
                ("空白点", "年内消除空白点", f"{b['closed']}个")]  # fmt: skip
    d = figures.get("develop", {})
    if d:
        out += [
            ("发展党员", "年内递交入党申请", f"{d['applied']}人"),
            ("发展党员", "年内发展党员", f"{d['approved']}人"),
        ]
    li = figures.get("life", {})
    if li:
        out.append(("组织生活", "参加评估的党组织", f"{li['assessed']}个"))
        out.append(("组织生活", "三会一课按期召开达标率", _pct(li["share"])))
    du = figures.get("dues", {})
    if du:
        money = (("due", "应交（元）"), ("paid", "已交（元）"), ("owed", "欠交（元）"))
        out += [("党费", label, du[key]) for key, label in money]
        out.append(("党费", "按月足额交纳率", _pct(du["full_share"])))
    f = figures.get("findings", {})
    if f:
        text = "，".join(f"{label}{f.get(level, 0)}条" for level, label in party_rules.LEVEL_LABELS.items())
        out.append(("问题清单", "尚未解决的问题", text))
    if "reports" in figures:
        out.append(("报送任务", "按时完成率", _pct(figures["reports"]["on_time_share"])))
    r = figures.get("reach", {})
    if r:
        out.append(("信息到达", "到达率", f"{_pct(r['reached_share'])}（{r['reached']}/{r['counted']}）"))
        out.append(("信息到达", "阅读到达率", f"{_pct(r['read_share'])}（{r['read']}/{r['counted']}）"))
    a = figures.get("assessment")
    out.append(("考核结果", "年度考核", a["text"] if a else NO_ASSESSMENT))
    return out
