"""The measures (计数项) every coverage figure is made of, defined once (DOMAIN.md "Coverage").

A measure is a count of organizations meeting a condition (or, for ``members``, a sum). Every
path computes them with these same conditions: the live aggregate over organizations, the
per-region cells kept current (``stats.cube``), the cells of a dated snapshot (``stats.asof``)
and the drill-down lists behind each number (``condition``). Rates are ratios of two measures.

The conditions read three facts under names given by a ``Src``: the coverage state, the count
of members employed there and the status. Today's figures read the stored columns; figures as
of a past date read the same facts re-derived from dated links, assignments, placements and
employment (``stats.asof``).

Unknown size (``employees`` NULL, 从业人员数未填; DOMAIN.md: unknown ≠ 0). Such an organization
exists and operates, so it is counted in the statistical basis (纳入统计) whatever the basis
parameter (统计口径：最低从业人员数) says: at 0 every operating organization is in; at 10 or 30 an
unknown-size one is still in, because leaving it out would silently hide it from every coverage
denominator while nobody has shown it to be below the line — ``size_unknown`` shows how many
such organizations the basis holds, and ``below_basis`` counts only known sizes under the line.
It is in no size-threshold denominator (≥ 50 and ≥ 100 employees, above-scale): the dashboard
shows ``econ_size_unknown`` beside those rates, so a reader sees how many enterprises could not
be placed. SQL's three-valued logic does the rest: ``employees >= n`` is not true for NULL.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from liangxin.orgs.choices import CoverageState, OrgStatus, Sector

ORG_COVERED = (CoverageState.OWN, CoverageState.JOINT)
WORK_COVERED = (CoverageState.OWN, CoverageState.JOINT, CoverageState.ATTACHED, CoverageState.INSTRUCTOR)


@dataclass(frozen=True)
class Src:
    """Where the three facts come from: stored columns, or the as-of annotations."""

    state: str = "coverage_state"
    members: str = "member_count"
    status: str = "status"


CURRENT = Src()
AS_OF = Src("s_state", "s_members", "s_status")

# (name, label). ``members`` is a sum of members; every other measure counts organizations.
MEASURES: list[tuple[str, str]] = [
    ("counted", "纳入统计的在营组织"),
    ("own", "单独建立党组织"),
    ("joint", "联合/区域/行业覆盖"),
    ("attached", "挂靠/依托覆盖"),
    ("instructor", "派驻指导员"),
    ("blank", "空白点（未覆盖）"),
    ("org_covered", "党的组织覆盖"),
    ("work_covered", "党的工作覆盖"),
    ("has_member", "有党员的组织"),
    ("members", "在组织就业的党员"),
    ("econ_50", "从业人员50人以上的非公企业"),
    ("econ_50_member", "50人以上非公企业中有党员的"),
    ("econ_100", "从业人员100人以上的非公企业"),
    ("econ_100_org", "100人以上非公企业中建立党组织的"),
    ("econ_above", "规模以上非公企业"),
    ("econ_above_org", "规模以上非公企业中建立党组织的"),
    ("key_units", "重点行业/重点单位"),
    ("key_units_org", "重点行业/重点单位中建立党组织的"),
    ("blank_50", "50人以上无党员"),
    ("blank_100", "100人以上未建党组织"),
    ("below_basis", "低于统计口径的在营组织"),
    ("size_unknown", "从业人员数未填的组织"),
    ("econ_size_unknown", "从业人员数未填的非公企业"),
    ("moved", "已迁出"),
    ("deregistered", "已注销"),
]
MEASURE_NAMES = [name for name, _ in MEASURES]
MEASURE_LABELS = dict(MEASURES)
assert len(set(MEASURE_LABELS.values())) == len(MEASURES), "labels head export columns: each must be unique"
COUNT_MEASURES = [name for name in MEASURE_NAMES if name != "members"]


@dataclass(frozen=True)
class Thresholds:
    """The policy parameters the measures depend on; part of every cached cell's key."""

    basis: int
    members_from: int
    party_org_from: int

    @classmethod
    def of(cls, params: dict[str, Decimal]) -> "Thresholds":
        return cls(
            int(params["statistical_min_employees"]),
            int(params["should_have_members_employees"]),
            int(params["should_have_party_org_employees"]),
        )

    @property
    def key(self) -> str:
        return f"{self.basis}/{self.members_from}/{self.party_org_from}"


def conditions(t: Thresholds, src: Src = CURRENT) -> dict[str, Q]:
    """Each count measure's condition on an organization row."""
    operating = Q(**{src.status: OrgStatus.OPERATING})
    size_unknown = Q(employees__isnull=True)
    # unknown size stays in the basis at any basis parameter (module docstring)
    counted = operating & (Q(employees__gte=t.basis) | size_unknown)
    org_covered = Q(**{f"{src.state}__in": ORG_COVERED})
    has_member = Q(**{f"{src.members}__gt": 0})
    economic = counted & Q(sector=Sector.ECONOMIC)
    ge50 = Q(employees__gte=t.members_from)
    ge100 = Q(employees__gte=t.party_org_from)
    econ_50, econ_100 = economic & ge50, economic & ge100
    # above-scale is a size threshold too: an enterprise of unknown size is in none of them
    econ_above, key_units = economic & Q(above_scale=True, employees__isnull=False), counted & Q(key_industry=True)
    state = {s: counted & Q(**{src.state: s}) for s in CoverageState.values}
    return {
        "counted": counted,
        "own": state[CoverageState.OWN],
        "joint": state[CoverageState.JOINT],
        "attached": state[CoverageState.ATTACHED],
        "instructor": state[CoverageState.INSTRUCTOR],
        "blank": state[CoverageState.NONE],
        "org_covered": counted & org_covered,
        "work_covered": counted & Q(**{f"{src.state}__in": WORK_COVERED}),
        "has_member": counted & has_member,
        "econ_50": econ_50,
        "econ_50_member": econ_50 & has_member,
        "econ_100": econ_100,
        "econ_100_org": econ_100 & org_covered,
        "econ_above": econ_above,
        "econ_above_org": econ_above & org_covered,
        "key_units": key_units,
        "key_units_org": key_units & org_covered,
        "blank_50": counted & ge50 & ~has_member,
        "blank_100": counted & ge100 & ~org_covered,
        "below_basis": operating & Q(employees__lt=t.basis),
        "size_unknown": counted & size_unknown,
        "econ_size_unknown": economic & size_unknown,
        "moved": Q(**{src.status: OrgStatus.MOVED}),
        "deregistered": Q(**{src.status: OrgStatus.DEREGISTERED}),
    }


def aggregates(t: Thresholds, src: Src = CURRENT) -> dict:
    """Every measure as one aggregate expression: all of them in one pass over the rows."""
    conds = conditions(t, src)
    out = {name: Count("pk", filter=conds[name]) for name in COUNT_MEASURES}
    out["members"] = Coalesce(Sum(src.members, filter=conds["counted"]), 0)
    return {name: out[name] for name in MEASURE_NAMES}


def zero() -> dict[str, int]:
    return dict.fromkeys(MEASURE_NAMES, 0)


def add(total: dict[str, int], row: dict) -> None:
    for name in MEASURE_NAMES:
        total[name] += row[name] or 0


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    numerator: str
    denominator: str
    definition: str
    target_param: str | None = None
    target_fixed: Decimal | None = None
    beside: str | None = None  # a measure shown with the rate: what its denominator leaves out


SIZE_UNKNOWN_BESIDE = "econ_size_unknown"  # beside every size-threshold rate (module docstring)


RATES: list[Rate] = [
    Rate("org_coverage", "党的组织覆盖率", "org_covered", "counted",
         "单独建立党组织或被联合/区域/行业党组织覆盖的组织数 ÷ 纳入统计的在营组织数"),
    Rate("work_coverage", "党的工作覆盖率", "work_covered", "counted",
         "组织覆盖数 + 挂靠/依托覆盖数 + 派驻指导员的组织数 ÷ 纳入统计的在营组织数"),
    Rate("dual_members", "“双达标”：50人以上非公企业有党员", "econ_50_member", "econ_50",
         "从业人员达到“应有党员”人数的非公企业中，至少有一名党员在此就业的比例", "coverage_target_percent",
         beside=SIZE_UNKNOWN_BESIDE),
    Rate("dual_org", "“双达标”：100人以上非公企业建立党组织", "econ_100_org", "econ_100",
         "从业人员达到“应建立党组织”人数的非公企业中，单独建立或被联合覆盖的比例", "coverage_target_percent",
         beside=SIZE_UNKNOWN_BESIDE),
    Rate("above_scale", "规模以上非公企业党组织覆盖率", "econ_above_org", "econ_above",
         "规模以上非公企业中，单独建立或被联合覆盖的比例（从业人员数未填的不计入）", "coverage_target_percent",
         beside=SIZE_UNKNOWN_BESIDE),
    Rate("key_units", "重点行业/重点单位党组织覆盖率（力争）", "key_units_org", "key_units",
         "重点行业、重点单位中单独建立或被联合覆盖的比例", None, Decimal(100)),
    Rate("has_member", "有党员的组织占比", "has_member", "counted",
         "至少有一名在册党员（正式或预备）在此就业的组织 ÷ 纳入统计的在营组织数"),
]  # fmt: skip
RATE_BY_KEY = {r.key: r for r in RATES}


def percent(numerator: int, denominator: int) -> Decimal | None:
    """A rate in percent to one decimal place, None when nothing is counted."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
