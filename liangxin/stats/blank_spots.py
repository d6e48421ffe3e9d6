"""空白点: organizations the committee should act on, largest first, with the setup suggestion.

Three lists, each the organizations behind one measure (``stats.measures``): not covered at all
(``blank``), ≥ 50 employees without a member (``blank_50``), ≥ 100 employees without a party
organization of their own or a joint one (``blank_100``); the thresholds are policy parameters.
"""

from django.db.models import QuerySet

from liangxin.party import policy

from .engine import StatsQuery, unit_organizations
from .measures import Thresholds, conditions

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
