"""Reading indicator sets: a version's tree as rows (pages) or nested (API), and 试算 — a computed
leaf's measure and score for one subject over one period."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from liangxin.core.params import BadParameter, parse_date
from liangxin.mgmt.models import ManagementNode

from . import measures, rules
from .choices import Method, RuleKind
from .models import Indicator, IndicatorSet, IndicatorVersion
from .services import children_of

MAX_PERIOD_DAYS = 366 * 5


@dataclass
class Row:
    """One indicator as the tree shows it."""

    indicator: Indicator
    depth: int
    number: str  # 1, 1.2, 1.2.3
    is_leaf: bool
    rule_text: str
    measure_label: str
    children: list["Row"] = field(default_factory=list)


def rule_text(item: Indicator) -> str:
    """The leaf's rule in words (with the measure's unit), or why it cannot be read."""
    if not item.rule_kind:
        return ""
    measure = measures.MEASURES.get(item.measure)
    unit = measure.unit_suffix if measure and measure.unit_suffix == "%" else ""
    try:
        return rules.describe(rules.validate(item.rule_kind, item.rule_params), unit)
    except Exception:  # a draft's rule not yet complete: shown as such, refused at publishing
        return "（规则参数不完整）"


def _label(item: Indicator) -> str:
    measure = measures.MEASURES.get(item.measure)
    return f"{measure.label}（{measure.unit_label}）" if measure else ""


def tree(version: IndicatorVersion) -> list[Row]:
    """The top-level rows, each with its children, in order (one query)."""
    by_parent = children_of(version)

    def build(parent_id: int | None, depth: int, prefix: str) -> list[Row]:
        rows = []
        for i, item in enumerate(by_parent.get(parent_id, []), start=1):
            number = f"{prefix}{i}"
            is_leaf = item.pk not in by_parent
            row = Row(item, depth, number, is_leaf, rule_text(item) if is_leaf else "", _label(item) if is_leaf else "")
            row.children = build(item.pk, depth + 1, f"{number}.")
            rows.append(row)
        return rows

    return build(None, 0, "")


def flat(rows: list[Row]) -> list[Row]:
    out = []
    for row in rows:
        out.append(row)
        out += flat(row.children)
    return out


def latest_published(indicator_set: IndicatorSet) -> IndicatorVersion | None:
    return indicator_set.versions.filter(status="published").order_by("-number").first()


def sets_with_versions(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related("versions").order_by("pk")


# -- 试算 --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Preview:
    indicator: Indicator
    subject: ManagementNode
    start: datetime.date
    end: datetime.date
    value: Decimal | None
    share: Decimal  # percent of full marks
    measure_label: str
    unit_suffix: str


def period(params: Mapping) -> tuple[datetime.date, datetime.date]:
    """``start`` and ``end`` (YYYY-MM-DD; default: this year to today), start ≤ end, at most five years."""
    today = timezone.localdate()
    start = parse_date(params, "start", "起始日期") or datetime.date(today.year, 1, 1)
    end = parse_date(params, "end", "截止日期") or today
    if start > end:
        raise BadParameter("end", f"「截止日期」不应早于起始日期 {start:%Y-%m-%d}")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise BadParameter("end", "「截止日期」与起始日期相隔不应超过五年")
    return start, end


def can_preview(item: Indicator) -> bool:
    return item.method == Method.COMPUTED and item.measure in measures.MEASURES and item.rule_kind != RuleKind.SCALE


def preview(item: Indicator, subject: ManagementNode, start: datetime.date, end: datetime.date) -> Preview:
    """The measure of a computed leaf for ``subject`` over [start, end], and the score it earns."""
    measure = measures.MEASURES[item.measure]
    value = measure.fn([subject], start, end).get(subject.pk)
    share = rules.score(rules.validate(item.rule_kind, item.rule_params), value)
    return Preview(item, subject, start, end, value, share, measure.label, measure.unit_suffix)
