"""Policy parameters (政策参数): DOMAIN.md's numbers as data, with defaults and sources.

Rules never hold these numbers as literals: they read ``values()`` and name the key they used.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    default: Decimal
    unit: str
    source: str


_SRC_BRANCH = "《中国共产党支部工作条例（试行）》"
_SRC_SEEDS = "两新组织党建工作文件（seeds 000–004）"
_SRC_DEVELOP = "《中国共产党发展党员工作细则》"

PARAMETERS: list[Parameter] = [
    Parameter("own_branch_full_members", "单独组建党支部的正式党员数", Decimal(3), "名", _SRC_BRANCH),
    Parameter("joint_branch_max_orgs", "一个联合党支部覆盖单位数上限", Decimal(5), "个", _SRC_SEEDS),
    Parameter("branch_max_members", "党支部党员数上限（超过可设党总支）", Decimal(50), "名", _SRC_BRANCH),
    Parameter("committee_min_members", "可设立基层党委的党员数", Decimal(100), "名", "《中国共产党章程》"),
    Parameter("branch_committee_full_members", "设立支部委员会的正式党员数", Decimal(7), "名", _SRC_BRANCH),
    Parameter("should_have_members_employees", "应有党员的从业人员数", Decimal(50), "人", _SRC_SEEDS),
    Parameter("should_have_party_org_employees", "应建立党组织的从业人员数", Decimal(100), "人", _SRC_SEEDS),
    Parameter("coverage_target_percent", "“两个确保”目标", Decimal(97), "%", _SRC_SEEDS),
    Parameter("transfer_after_months", "在单位工作满此月数应转接组织关系", Decimal(6), "个月", _SRC_SEEDS),
    Parameter("term_years_committee", "基层党委任期", Decimal(5), "年", "2020年选举工作条例"),
    Parameter("term_years_general_branch", "党总支任期", Decimal(3), "年", "2020年选举工作条例"),
    Parameter("term_years_branch", "党支部任期", Decimal(3), "年", "2020年选举工作条例"),
    Parameter("term_remind_months_first", "换届提前提醒（第一次）", Decimal(6), "个月", _SRC_BRANCH),
    Parameter("term_remind_months_second", "换届提前提醒（第二次）", Decimal(1), "个月", _SRC_BRANCH),
    Parameter("minimum_age", "入党最低年龄", Decimal(18), "周岁", _SRC_DEVELOP),
    Parameter("statistical_min_employees", "统计口径：最低从业人员数", Decimal(0), "人", _SRC_SEEDS),
]
BY_KEY = {p.key: p for p in PARAMETERS}


def values() -> dict[str, Decimal]:
    """Every parameter's current value (stored override, else the default); one query."""
    from .models import PolicyParameter

    current = {p.key: p.default for p in PARAMETERS}
    current.update(dict(PolicyParameter.objects.values_list("key", "value")))
    return current


def parse_value(raw: str) -> Decimal:
    """A parameter value typed by the city admin: a non-negative number."""
    try:
        value = Decimal(raw)
    except Exception:
        raise ValueError(f"应为数字，收到「{raw}」") from None
    if value < 0:
        raise ValueError("不能为负数")
    return value
