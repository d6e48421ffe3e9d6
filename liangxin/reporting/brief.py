"""月度简报: one page for a committee — the key coverage figures as of a month's end with their change
from the previous month's end, and what is due (待办与提醒) — printed by ``reporting.yearend_files``.

The figures are the statistics engine's answers for the node as a unit at the two month ends (as
the year-end report's, ``reporting.yearend``); what is due is the platform's own reminder list
(``inbox.reminders.due_for``: every daily-work app's rule, overdue first) for the user who makes the
brief, within their scope — the list their home page shows.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from liangxin.core import params as params_
from liangxin.inbox.reminders import Reminder, due_for
from liangxin.mgmt.models import ManagementNode
from liangxin.stats import engine

from .yearend import Table, Value, parse_node

_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
DUE_SHOWN = 15  # items of the due list on the page; the rest are counted
# (label, measure or rate key, kind): counts of organizations, rates in percent
FIGURES: list[tuple[str, str, str]] = [
    ("纳入统计的在营组织（个）", "counted", "measure"),
    ("党的组织覆盖的组织（个）", "org_covered", "measure"),
    ("党的组织覆盖率（%）", "org_coverage", "rate"),
    ("党的工作覆盖率（%）", "work_coverage", "rate"),
    ("“双达标”：50人以上非公企业有党员（%）", "dual_members", "rate"),
    ("“双达标”：100人以上非公企业建立党组织（%）", "dual_org", "rate"),
    ("空白点（个）", "blank", "measure"),
]


@dataclass
class Brief:
    node: ManagementNode
    month_end: datetime.date
    previous: datetime.date
    made_on: datetime.date
    figures: Table
    due: list[Reminder] = field(default_factory=list)
    due_more: int = 0

    @property
    def title(self) -> str:
        return f"{self.node.name}{self.month_end.year}年{self.month_end.month}月党建工作简报"


def month_end(year: int, month: int) -> datetime.date:
    first_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


def default_month_end(today: datetime.date | None = None) -> datetime.date:
    """The last day of the last month that has ended."""
    return (today or timezone.localdate()).replace(day=1) - datetime.timedelta(days=1)


def parse(params: Mapping, scope) -> tuple[ManagementNode | None, datetime.date, dict[str, str]]:
    """The node (as the year-end report's) and the month (``month``, 年-月; default last month)."""
    errors: dict[str, str] = {}
    node = parse_node(params, scope, errors)
    last = default_month_end()
    end = last
    text = params_.raw(params, "month")
    if text is not None:
        match = _MONTH.fullmatch(text)
        if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            errors["month"] = f"「统计月份」应为年-月，如 {last:%Y-%m}，收到「{params_.shown(text)}」"
        elif month_end(int(match[1]), int(match[2])) > last:
            errors["month"] = f"统计月份须为已经结束的月份（{last:%Y-%m}或以前）"
        else:
            end = month_end(int(match[1]), int(match[2]))
    return node, end, errors


def _value(report: engine.Report, key: str, kind: str) -> Value:
    return report.totals[key] if kind == "measure" else report.rate(key).percent


def build(node: ManagementNode, end: datetime.date, user, scope, made_on: datetime.date | None = None) -> Brief:
    made_on = made_on or timezone.localdate()
    previous = end.replace(day=1) - datetime.timedelta(days=1)
    now = engine.compute(engine.StatsQuery(node=node, as_of=end))
    before = engine.compute(engine.StatsQuery(node=node, as_of=previous))
    rows: list[list[Value]] = []
    for label, key, kind in FIGURES:
        a, b = _value(now, key, kind), _value(before, key, kind)
        change: Value = None
        if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
            change = a - b
        rows.append([label, a, b, change])
    rows.append(["党组织（个）", now.party_orgs, before.party_orgs,
                 (now.party_orgs or 0) - (before.party_orgs or 0)])  # fmt: skip
    figures = Table("figures", "主要数字", ["指标", f"{end:%m月%d日}", f"上月末（{previous:%m月%d日}）", "增减"], rows,
                    "口径与覆盖统计相同；比率的增减为百分点。")  # fmt: skip
    due = due_for(user, scope, made_on)
    return Brief(node, end, previous, made_on, figures, due[:DUE_SHOWN], max(len(due) - DUE_SHOWN, 0))
