"""空白点: organizations the committee should act on, largest first, with the setup suggestion.

Three lists, each the organizations behind one measure (``stats.measures``): not covered at all
(``blank``), ≥ 50 employees without a member (``blank_50``), ≥ 100 employees without a party
organization of their own or a joint one (``blank_100``); the thresholds are policy parameters.
"""

from django.db.models import QuerySet

from liangxin.party import policy

from . import asof
from .engine import CELL_COLUMNS, StatsQuery, _ever_in_unit, _narrow, live_filter, unit_organizations
from .measures import AS_OF, Thresholds, conditions

LISTS = {
    "blank": "未覆盖的组织（空白点）",
    "blank_50": "从业人员达标但没有党员的组织",
    "blank_100": "从业人员达标但未建立党组织的组织",
}
SUGGEST_AT_MOST = 2000  # the rule engine asks a few queries per organization: the largest first


def blank_spots(q: StatsQuery, which: str) -> QuerySet:
    params = policy.values()
    return (
        unit_organizations(q)
        .filter(conditions(Thresholds.of(params))[which])
        .select_related("operating_region__parent", "carrier", "responsible_node")
        .order_by("-employees", "pk")
    )


def blank_and_counted(q: StatsQuery) -> tuple[set[int], set[int]]:
    """The ids of the unit's organizations that are blank spots and that are counted (纳入统计), on
    ``q.as_of`` (today when None): the same conditions as the ``blank`` and ``counted`` measures, over
    today's rows or over the as-of pass's facts (``stats.asof``). A 述职报告 compares two days' sets to
    tell which blank spots were closed."""
    t = Thresholds.of(policy.values())
    if q.as_of is None:
        rows = unit_organizations(q)
        blank = set(rows.filter(conditions(t)["blank"]).values_list("pk", flat=True))
        return blank, set(rows.filter(conditions(t)["counted"]).values_list("pk", flat=True))
    with asof.materialized(q.as_of, _ever_in_unit(q)) as facts:
        rows = live_filter(_narrow(facts, q, CELL_COLUMNS), q)
        blank = set(rows.filter(conditions(t, AS_OF)["blank"]).values_list("organization_id", flat=True))
        counted = set(rows.filter(conditions(t, AS_OF)["counted"]).values_list("organization_id", flat=True))
    return blank, counted
