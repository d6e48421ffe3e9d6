"""Policy parameters (政策参数): DOMAIN.md's numbers as data, with defaults and sources.

Rules never hold these numbers as literals: they read ``values()`` and name the key they used.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .models import PolicyParameter


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    default: Decimal
    unit: str
    source: str


# Where each number comes from, by the title users know (never a file name): a national rule, one
# of the source documents of DOMAIN.md (the seeds), or a choice the city makes (市级设定).
_SRC_BRANCH = "《中国共产党支部工作条例（试行）》"
_SRC_PARTY = "《中国共产党章程》"
_SRC_DEVELOP = "《中国共产党发展党员工作细则》"
_SRC_DUES = "《关于中国共产党党费收缴、使用和管理的规定》（2008年）"
_SRC_ELECTION = "《中国共产党基层组织选举工作条例》"
_SRC_CITY = "市级设定"
# seed 001: "对在新社会组织工作六个月以上而组织关系未转入的党员，原则上将其组织关系转入"
_SRC_YIWU = "《大力推进新社会组织党建工作》（义乌）"
# seed 004: "确保全区非公企业50人以上有党员、100人以上建立党组织的比例保持在97%以上"
_SRC_HUANGPU = "《黄浦区2015年“两新”组织党建工作要点》"

PARAMETERS: list[Parameter] = [
    Parameter("own_branch_full_members", "单独组建党支部的正式党员数", Decimal(3), "名", _SRC_BRANCH),
    Parameter("joint_branch_max_orgs", "一个联合党支部覆盖单位数上限", Decimal(5), "个", _SRC_BRANCH),
    Parameter("branch_max_members", "党支部党员数上限（超过可设党总支）", Decimal(50), "名", _SRC_BRANCH),
    Parameter("committee_min_members", "可设立基层党委的党员数", Decimal(100), "名", _SRC_CITY),
    Parameter("branch_committee_full_members", "设立支部委员会的正式党员数", Decimal(7), "名", _SRC_BRANCH),
    Parameter("should_have_members_employees", "应有党员的从业人员数", Decimal(50), "人", _SRC_HUANGPU),
    Parameter("should_have_party_org_employees", "应建立党组织的从业人员数", Decimal(100), "人", _SRC_HUANGPU),
    Parameter("coverage_target_percent", "“两个确保”目标", Decimal(97), "%", _SRC_HUANGPU),
    Parameter("transfer_after_months", "在单位工作满此月数应转接组织关系", Decimal(6), "个月", _SRC_YIWU),
    Parameter("term_years_committee", "基层党委任期", Decimal(5), "年", _SRC_ELECTION),
    Parameter("term_years_general_branch", "党总支任期", Decimal(3), "年", _SRC_ELECTION),
    Parameter("term_years_branch", "党支部任期", Decimal(3), "年", _SRC_ELECTION),
    Parameter("term_remind_months_first", "换届提前提醒（第一次）", Decimal(6), "个月", _SRC_ELECTION),
    Parameter("term_remind_months_second", "换届提前提醒（第二次）", Decimal(1), "个月", _SRC_CITY),
    Parameter("minimum_age", "入党最低年龄", Decimal(18), "周岁", _SRC_PARTY),
    Parameter("statistical_min_employees", "统计口径：最低从业人员数", Decimal(0), "人", _SRC_CITY),
    # organization life (三会一课 and more): at least once per this many months (a calendar period)
    Parameter("life_general_meeting_months", "支部党员大会：每几个月至少一次", Decimal(3), "个月", _SRC_BRANCH),
    Parameter("life_committee_meeting_months", "支部委员会：每几个月至少一次", Decimal(1), "个月", _SRC_BRANCH),
    Parameter("life_group_meeting_months", "党小组会：每几个月至少一次", Decimal(1), "个月", _SRC_BRANCH),
    Parameter("life_lecture_months", "党课：每几个月至少一次", Decimal(3), "个月", _SRC_BRANCH),
    Parameter("life_theme_day_months", "主题党日：每几个月至少一次", Decimal(1), "个月", _SRC_BRANCH),
    Parameter("life_review_meeting_months", "组织生活会：每几个月至少一次", Decimal(12), "个月", _SRC_BRANCH),
    Parameter("life_appraisal_months", "民主评议党员：每几个月至少一次", Decimal(12), "个月", _SRC_BRANCH),
    Parameter("lapse_months", "连续未交党费或未参加组织生活（自行脱党核查）", Decimal(6), "个月", _SRC_PARTY),
    # applicants (发展党员)
    Parameter("applicant_talk_within_months", "收到入党申请后谈话期限", Decimal(1), "个月", _SRC_DEVELOP),
    Parameter("cultivation_contacts_min", "培养联系人（正式党员）最少", Decimal(1), "名", _SRC_DEVELOP),
    Parameter("cultivation_contacts_max", "培养联系人（正式党员）最多", Decimal(2), "名", _SRC_DEVELOP),
    Parameter("activist_cultivation_months", "积极分子培养教育考察至少", Decimal(12), "个月", _SRC_DEVELOP),
    Parameter("candidate_training_days", "发展对象集中培训至少（天）", Decimal(3), "天", _SRC_DEVELOP),
    Parameter("candidate_training_hours", "或集中培训至少（学时）", Decimal(24), "学时", _SRC_DEVELOP),
    Parameter("introducers_required", "入党介绍人（正式党员）人数", Decimal(2), "名", _SRC_PARTY),
    Parameter(
        "admission_present_share",
        "支部大会讨论接收预备党员：到会有表决权党员须超过",
        Decimal("0.5"),
        "（比例）",
        _SRC_DEVELOP,
    ),
    Parameter(
        "admission_favour_share", "赞成人数须超过应到会有表决权正式党员的", Decimal("0.5"), "（比例）", _SRC_DEVELOP
    ),
    Parameter("approval_within_months", "上级党委审批预备党员期限", Decimal(3), "个月", _SRC_DEVELOP),
    Parameter("approval_within_max_months", "特殊情况审批最长期限", Decimal(6), "个月", _SRC_DEVELOP),
    Parameter("probation_months", "预备期", Decimal(12), "个月", _SRC_PARTY),
    Parameter("probation_extension_min_months", "延长预备期至少", Decimal(6), "个月", _SRC_DEVELOP),
    Parameter("probation_extension_max_months", "延长预备期至多", Decimal(12), "个月", _SRC_PARTY),
    Parameter("step_remind_days", "发展党员各环节期限前提醒（天）", Decimal(14), "天", _SRC_CITY),
    # 通知下达: an unsigned notice is listed as due (and put in the inbox once) this many days before its deadline
    Parameter("circular_remind_days", "通知签收期限前提醒（天）", Decimal(3), "天", _SRC_CITY),
    # transfers and floating members
    Parameter("transfer_letter_valid_months", "组织关系介绍信有效期", Decimal(3), "个月", _SRC_CITY),
    Parameter("floating_census_months", "流动党员排摸周期", Decimal(6), "个月", _SRC_CITY),
    # dues (党费), 2008 rules: shares of monthly after-tax pay by bracket, in percent or yuan
    Parameter("dues_employed_bracket_1", "在职党员党费：第一档上限（月收入）", Decimal(3000), "元", _SRC_DUES),
    Parameter("dues_employed_bracket_2", "在职党员党费：第二档上限", Decimal(5000), "元", _SRC_DUES),
    Parameter("dues_employed_bracket_3", "在职党员党费：第三档上限", Decimal(10000), "元", _SRC_DUES),
    Parameter("dues_employed_rate_1", "在职党员：第一档比例", Decimal("0.5"), "%", _SRC_DUES),
    Parameter("dues_employed_rate_2", "在职党员：第二档比例", Decimal(1), "%", _SRC_DUES),
    Parameter("dues_employed_rate_3", "在职党员：第三档比例", Decimal("1.5"), "%", _SRC_DUES),
    Parameter("dues_employed_rate_4", "在职党员：超过第三档的比例", Decimal(2), "%", _SRC_DUES),
    Parameter("dues_retired_bracket", "离退休党员党费：分档线（月收入）", Decimal(5000), "元", _SRC_DUES),
    Parameter("dues_retired_rate_1", "离退休党员：分档线以下比例", Decimal("0.5"), "%", _SRC_DUES),
    Parameter("dues_retired_rate_2", "离退休党员：分档线以上比例", Decimal(1), "%", _SRC_DUES),
    Parameter("dues_low_income_yuan", "学生、下岗失业、生活困难党员每月党费", Decimal("0.2"), "元", _SRC_DUES),
    Parameter("dues_farmer_min_yuan", "农民党员每月党费最低", Decimal("0.2"), "元", _SRC_DUES),
    Parameter("dues_farmer_max_yuan", "农民党员每月党费最高", Decimal(1), "元", _SRC_DUES),
    Parameter("dues_backpay_max_months", "党费补交最多（月）", Decimal(6), "个月", _SRC_CITY),
    # accounts: 等保 asks for periodic password change; ASVS advises against it, so it is off (0)
    # until the city sets a number of days
    Parameter("password_max_age_days", "密码有效期（0 为不限）", Decimal(0), "天", _SRC_CITY),
]
BY_KEY = {p.key: p for p in PARAMETERS}


def shown(key: str, value) -> str:
    """A parameter's value with its unit, as people write it: "12 个月", "18 周岁", a share as "50%"."""
    parameter, number = BY_KEY[key], Decimal(value)
    if parameter.unit == "（比例）":
        return f"{(number * 100).normalize():f}%"
    return f"{number.normalize():f} {parameter.unit}"


def cite(*keys: str, params: Mapping | None = None) -> str:
    """The one way users read a parameter: its Chinese name and where it comes from, 「名称」（出处）.

    With ``params`` each name carries the value in force (「名称」6 个月（出处）); several keys of one
    source share it: 「甲」、「乙」（出处）. Messages, reminders and pages call this, so no code name
    of a parameter ever reaches a user."""
    by_source: dict[str, list[str]] = {}
    for key in keys:
        parameter = BY_KEY[key]
        name = f"「{parameter.label}」" + (shown(key, params[key]) if params is not None else "")
        by_source.setdefault(parameter.source, []).append(name)
    return "；".join(f"{'、'.join(names)}（{source}）" for source, names in by_source.items())


def values() -> dict[str, Decimal]:
    """Every parameter's current value (stored override, else the default); one query."""
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
