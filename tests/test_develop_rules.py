"""发展党员 timing rules at their boundary days, and the order of the steps (plain functions, no database)."""

import datetime
from types import SimpleNamespace

import pytest

from liangxin.develop import rules, steps
from liangxin.develop.models import Stage
from liangxin.party.policy import PARAMETERS

P = {p.key: p.default for p in PARAMETERS}
D = datetime.date


def applicant(**dates):
    """A stand-in applicant with the date attributes the rules read."""
    names = ["talked_on", "activist_on", "candidate_on", "introducers_on", "reviewed_on", "trained_on"]
    names += ["publicized_on", "prereviewed_on", "voted_on", "approved_on", "oath_on", "full_on", "stopped_on"]
    base = {n: None for n in names} | {"applied_on": D(2024, 1, 15), "stage": Stage.APPLICANT}
    base |= {"extension_months": 0, "probation_end": None, "party_org_id": 1}
    return SimpleNamespace(**(base | dates))


# -- age -----------------------------------------------------------------------------------------------------
def test_age_18_on_the_birthday_is_enough_and_the_day_before_is_not():
    birth = D(2006, 5, 20)
    assert rules.check_age(birth, D(2024, 5, 20), P) is None
    message = rules.check_age(birth, D(2024, 5, 19), P)
    assert (
        message == "递交申请时未满 18 周岁（规则：「入党最低年龄」18 周岁"
        "（《中国共产党章程》）），出生日期 2006-05-20，2024-05-20 年满 18 周岁"
    )


def test_age_of_someone_born_on_29_february():
    birth = D(2004, 2, 29)
    assert rules.check_age(birth, D(2022, 2, 28), P) is not None
    assert rules.check_age(birth, D(2022, 3, 1), P) is None


# -- talk within a month -----------------------------------------------------------------------------------
def test_talk_on_exactly_one_month_after_the_application_is_in_time():
    assert rules.talk_deadline(D(2024, 1, 15), P) == D(2024, 2, 15)
    assert rules.talk_late(D(2024, 1, 15), D(2024, 2, 15), P) is None


def test_talk_a_day_later_is_late_and_says_by_how_much():
    warning = rules.talk_late(D(2024, 1, 15), D(2024, 2, 16), P)
    assert (
        warning == "谈话逾期 1 天（规则：「收到入党申请后谈话期限」1 个月"
        "（《中国共产党发展党员工作细则》），应在 2024-02-15 前谈话）"
    )


def test_talk_deadline_at_a_month_end_is_clamped():
    assert rules.talk_deadline(D(2024, 1, 31), P) == D(2024, 2, 29)
    assert rules.talk_late(D(2024, 1, 31), D(2024, 3, 1), P).startswith("谈话逾期 1 天")


def test_a_late_talk_is_recorded_with_the_warning_not_refused():
    outcome = steps.check("talk", applicant(), {"on": D(2024, 2, 16)}, P, D(2025, 1, 1))
    assert outcome.errors == {} and outcome.passed
    assert outcome.warnings == [
        "谈话逾期 1 天（规则：「收到入党申请后谈话期限」1 个月"
        "（《中国共产党发展党员工作细则》），应在 2024-02-15 前谈话）"
    ]


# -- a year of cultivation ----------------------------------------------------------------------------------------
def test_cultivation_of_exactly_twelve_months_is_enough():
    assert rules.check_cultivation(D(2023, 3, 10), D(2024, 3, 10), P) is None


def test_cultivation_a_day_short_is_refused_naming_the_rule_and_the_days_left():
    message = rules.check_cultivation(D(2023, 3, 10), D(2024, 3, 9), P)
    assert message == (
        "培养教育考察不足 12 个月（规则：「积极分子培养教育考察至少」12 个月"
        "（《中国共产党发展党员工作细则》）），还差 1 天（2024-03-10 起可确定为发展对象）"
    )


def test_cultivation_shortfall_counts_days():
    assert "还差 37 天" in rules.check_cultivation(D(2023, 3, 10), D(2024, 2, 2), P)


def test_cultivation_follows_the_parameter():
    assert rules.check_cultivation(D(2023, 3, 10), D(2024, 3, 10), P | {"activist_cultivation_months": 18})
    assert "至少」18 个月" in rules.check_cultivation(
        D(2023, 3, 10), D(2024, 3, 10), P | {"activist_cultivation_months": 18}
    )


# -- approval within 3 months, at most 6 ----------------------------------------------------------------------------
def test_approval_at_exactly_three_months_is_in_time():
    assert rules.check_approval(D(2024, 6, 1), D(2024, 9, 1), P) == (None, None)


def test_approval_a_day_after_three_months_is_allowed_with_a_warning():
    refusal, warning = rules.check_approval(D(2024, 6, 1), D(2024, 9, 2), P)
    assert refusal is None
    assert warning == (
        "审批晚于期限 1 天（规则：「上级党委审批预备党员期限」3 个月"
        "（《中国共产党发展党员工作细则》），应在 2024-09-01 前审批），"
        "仍在最长期限 2024-12-01 以内"
    )


def test_approval_at_exactly_six_months_is_the_last_day():
    refusal, warning = rules.check_approval(D(2024, 6, 1), D(2024, 12, 1), P)
    assert refusal is None and warning


def test_approval_a_day_after_six_months_is_refused():
    refusal, warning = rules.check_approval(D(2024, 6, 1), D(2024, 12, 2), P)
    assert warning is None
    assert refusal == (
        "审批日期已超过最长期限 1 天：支部大会通过（2024-06-01）后最迟 2024-12-01 审批"
        "（规则：「特殊情况审批最长期限」6 个月（《中国共产党发展党员工作细则》））"
    )


# -- probation and its extension ------------------------------------------------------------------------------------
def test_probation_ends_a_year_after_the_vote():
    assert rules.probation_end(D(2024, 6, 1), P) == D(2025, 6, 1)
    assert rules.probation_end(D(2024, 2, 29), P) == D(2025, 2, 28)
    assert rules.probation_end(D(2024, 6, 1), P, 6) == D(2025, 12, 1)


def test_full_membership_on_the_day_probation_ends_and_not_a_day_before():
    end = D(2025, 6, 1)
    assert rules.check_full(end, end, 0, P) is None
    assert (
        rules.check_full(end, D(2025, 5, 31), 0, P) == "预备期未满：2025-06-01 期满，还差 1 天（规则：「预备期」12 个月"
        "（《中国共产党章程》））"
    )
    assert "延长 6 个月" in rules.check_full(D(2025, 12, 1), D(2025, 11, 30), 6, P)


@pytest.mark.parametrize("months", [6, 12])
def test_extension_of_six_or_twelve_months_is_accepted(months):
    assert rules.check_extension(months, P) is None


@pytest.mark.parametrize("months", [5, 13])
def test_extension_of_five_or_thirteen_months_is_refused(months):
    assert rules.check_extension(months, P) == (
        f"延长预备期应为 6–12 个月，填写的是 {months} 个月（规则：「延长预备期至少」6 个月"
        f"（《中国共产党发展党员工作细则》），「延长预备期至多」12 个月（《中国共产党章程》））"
    )


def test_extension_only_once():
    a = applicant(stage=Stage.PROBATIONARY, approved_on=D(2024, 7, 1), extension_months=6)
    assert rules.order_errors(a, "extend") == ["预备期已延长 6 个月，只能延长一次"]


# -- contacts, introducers, training, vote ---------------------------------------------------------------------
def member(pk, name, category="full", party_org_id=1, is_active=True):
    return SimpleNamespace(pk=pk, name=name, category=category, party_org_id=party_org_id, is_active=is_active)


def test_one_or_two_contacts_who_are_full_members_of_the_branch():
    assert rules.check_contacts([member(1, "甲")], 1, P) == []
    assert rules.check_contacts([member(1, "甲"), member(2, "乙")], 1, P) == []
    assert rules.check_contacts([], 1, P) == [
        "培养联系人应为 1–2 名，当前 0 名（规则：「培养联系人（正式党员）最少」1 名"
        "（《中国共产党发展党员工作细则》），「培养联系人（正式党员）最多」2 名（《中国共产党发展党员工作细则》））"
    ]
    assert len(rules.check_contacts([member(1, "甲"), member(2, "乙"), member(3, "丙")], 1, P)) == 1


def test_a_probationary_member_or_one_of_another_branch_is_not_a_contact():
    out = rules.check_contacts([member(1, "甲", "probationary"), member(2, "乙", party_org_id=9)], 1, P)
    assert out == [
        "「甲」不是本党组织的正式党员，不能担任培养联系人（规则：培养联系人须为本党组织正式党员）",
        "编号 2 的党员不是本党组织的正式党员，不能担任培养联系人（规则：培养联系人须为本党组织正式党员）",
    ]


def test_two_introducers_exactly():
    assert rules.check_introducers([member(1, "甲"), member(2, "乙")], 1, P) == []
    assert rules.check_introducers([member(1, "甲")], 1, P) == [
        "入党介绍人应为 2 名，当前 1 名（规则：「入党介绍人（正式党员）人数」2 名（《中国共产党章程》））"
    ]


def test_training_three_days_or_24_hours():
    assert rules.check_training(D(2024, 3, 1), D(2024, 3, 3), 3, 0, P) == []
    assert rules.check_training(D(2024, 3, 1), D(2024, 3, 2), 2, 24, P) == []
    assert rules.check_training(D(2024, 3, 1), D(2024, 3, 2), 2, 23, P) == [
        "集中培训不足：2 天、23 学时（规则：发展对象集中培训至少 3 天或 24 学时）"
    ]
    assert rules.check_training(D(2024, 3, 1), D(2024, 3, 2), 3, 0, P) == ["培训天数 3 天超过起止日期之间的 2 天"]


def test_vote_needs_more_than_half_present_and_more_than_half_in_favour():
    assert rules.check_vote(10, 6, 6, 10, P).passed
    half_present = rules.check_vote(10, 5, 5, 10, P)
    assert not half_present.passed and half_present.errors == []
    assert half_present.failures == [
        "实到有表决权的党员 5 名，未超过应到会 10 名的 50%"
        "（规则：「支部大会讨论接收预备党员：到会有表决权党员须超过」50%（《中国共产党发展党员工作细则》））",
        "赞成 5 票，未超过应到会有表决权正式党员 10 名的 50%（规则：「赞成人数须超过应到会有表决权正式党员的」50%"
        "（《中国共产党发展党员工作细则》））",
    ]
    assert rules.check_vote(9, 5, 5, 9, P).passed  # 5 > 4.5
    assert not rules.check_vote(10, 8, 5, 10, P).passed  # in favour is counted against those entitled


def test_impossible_vote_numbers_are_refused_not_recorded():
    result = rules.check_vote(12, 13, 14, 10, P)
    assert result.errors == [
        "应到会有表决权的正式党员 12 名，超过本党组织在册正式党员 10 名",
        "实到 13 名，超过应到会 12 名",
        "赞成 14 票，超过实到 13 名",
    ]


# -- the order ---------------------------------------------------------------------------------------------------
def test_steps_out_of_order_are_refused_naming_what_is_missing():
    a = applicant()
    assert rules.order_errors(a, "talk") == []
    assert rules.order_errors(a, "candidate") == ["尚未完成「确定为入党积极分子」，不能办理「确定为发展对象」"]
    a.talked_on = D(2024, 1, 20)
    assert rules.order_errors(a, "talk") == ["「入党谈话」已于 2024-01-20 办理，不能重复办理"]
    c = applicant(
        stage=Stage.CANDIDATE, talked_on=D(2024, 1, 20), activist_on=D(2024, 2, 1), candidate_on=D(2025, 2, 1)
    )
    assert rules.order_errors(c, "publicity") == [
        "尚未完成「确定入党介绍人」「政治审查」「集中培训」，不能办理「公示」"
    ]
    assert rules.order_errors(applicant(stage=Stage.STOPPED), "talk") == ["该申请人已终止发展，不能办理「入党谈话」"]


def test_a_future_date_or_one_before_the_previous_step_is_refused():
    a = applicant()
    outcome = steps.check("talk", a, {"on": D(2025, 1, 2)}, P, D(2025, 1, 1))
    assert outcome.errors == {"on": ["谈话日期（2025-01-02）不能晚于今天：只能登记已经完成的环节"]}
    outcome = steps.check("talk", a, {"on": D(2024, 1, 14)}, P, D(2025, 1, 1))
    assert outcome.errors == {"on": ["谈话日期（2024-01-14）不能早于「递交入党申请书」（2024-01-15）"]}


def test_parse_reads_what_people_type_and_says_what_is_wrong():
    values, errors = steps.parse("vote", {"on": "２０２４-06-01", "entitled": "10", "present": "-1", "favour": "x"})
    assert values["on"] == D(2024, 6, 1) and values["entitled"] == 10
    assert errors == {"present": ["实到有表决权的党员（名）不能为负数"], "favour": ["赞成（票）应为整数"]}
    assert steps.parse("activist", {"on": "2024-13-01", "contacts": ["3", "3", "4"]}) == (
        {"contacts": [3, 4], "note": ""},
        {"on": ["确定日期格式应为 年-月-日，如 2025-03-01"]},
    )
    assert "未知的环节" in steps.parse("jump", {})[1]["step"][0]


# -- killed mutants (make mutate): deadlines from their parameters, words, the latest prior step ------------
@pytest.mark.parametrize(
    ("deadline", "key"),
    [
        (rules.talk_deadline, "applicant_talk_within_months"),
        (rules.cultivation_complete_on, "activist_cultivation_months"),
        (rules.approval_deadline, "approval_within_months"),
        (rules.approval_last_day, "approval_within_max_months"),
        (rules.probation_end, "probation_months"),
    ],
)
def test_each_deadline_is_its_parameter_in_months(deadline, key):
    from liangxin.core.dates import add_months

    for start in (D(2024, 1, 31), D(2024, 8, 31), D(2023, 12, 15)):
        assert deadline(start, P) == add_months(start, int(P[key]))
        assert deadline(start, {**P, key: P[key] + 1}) == add_months(start, int(P[key]) + 1)


def test_probation_end_adds_the_extension():
    from liangxin.core.dates import add_months

    assert rules.probation_end(D(2024, 3, 31), P, 6) == add_months(D(2024, 3, 31), int(P["probation_months"]) + 6)


def test_parameters_and_days_in_words():
    from liangxin.party.policy import BY_KEY

    assert rules.num({"x": "12"}, "x") == 12
    assert rules.shown(P, "probation_months") == "12 个月"
    ratio = next(p.key for p in PARAMETERS if p.unit == "（比例）")
    assert rules.shown({**P, ratio: "0.5"}, ratio) == "50%"
    probation = BY_KEY["probation_months"]
    assert rules.rule(P, "probation_months") == f"「{probation.label}」12 个月（{probation.source}）"
    assert rules.day(D(2024, 3, 5)) == "2024-03-05"
    assert rules.label("vote") == "支部大会表决"


def test_latest_prior_is_the_latest_date_among_the_steps_it_follows():
    a = applicant(introducers_on=D(2024, 9, 1), reviewed_on=D(2024, 10, 1), trained_on=D(2024, 8, 1))
    assert rules.latest_prior(a, "publicity") == (D(2024, 10, 1), "政治审查")
    assert rules.latest_prior(a, "talk") == (D(2024, 1, 15), "递交入党申请书")
    # stopping follows whatever step came last
    assert rules.latest_prior(a, "stop") == (D(2024, 10, 1), "上一环节")
    assert rules.latest_prior(applicant(), "stop") == (D(2024, 1, 15), "递交入党申请书")


def test_training_may_end_on_the_day_it_starts():
    same = rules.check_training(D(2024, 5, 6), D(2024, 5, 6), 3, 24, P)
    assert not any("不能早于" in m for m in same)
    before = rules.check_training(D(2024, 5, 6), D(2024, 5, 5), 3, 24, P)
    assert "结业日期（2024-05-05）不能早于开始日期（2024-05-06）" in before


def test_vote_counts_at_their_edges():
    assert rules.check_vote(0, 0, 0, 5, P).errors[0] == "应到会有表决权的正式党员人数至少为 1"
    one = rules.check_vote(1, 1, 1, 1, P)
    assert one.errors == []
    assert rules.check_vote(3, 3, 3, 3, P).errors == []  # everyone entitled came
    assert rules.check_vote(3, 4, 3, 3, P).errors == ["实到 4 名，超过应到会 3 名"]


def test_order_errors_name_the_closing_step_and_the_end_of_the_pipeline():
    full = applicant(stage=Stage.FULL)
    assert rules.order_errors(full, "talk") == ["该申请人已转为正式党员，不能办理「入党谈话」"]
    stopped = applicant(stage=Stage.STOPPED)
    assert rules.order_errors(stopped, "talk") == ["该申请人已终止发展，不能办理「入党谈话」"]
    voted = applicant(activist_on=D(2024, 3, 1), voted_on=D(2024, 9, 2))
    assert rules.order_errors(voted, "contacts") == [
        "已办理「支部大会表决」（2024-09-02），不能再办理「调整培养联系人」"
    ]
    # an extended probation blocks only a second extension
    extended = applicant(approved_on=D(2024, 10, 1), extension_months=6)
    assert rules.order_errors(extended, "oath") == []
    assert rules.order_errors(extended, "extend") == ["预备期已延长 6 个月，只能延长一次"]


def test_introducers_must_be_full_members_of_the_branch():
    outsider = SimpleNamespace(pk=9, name="外人", is_active=True, category="full", party_org_id=2)
    errors = rules.check_introducers([outsider], 1, P)
    assert "编号 9 的党员不是本党组织的正式党员，不能担任入党介绍人（规则：入党介绍人须为本党组织正式党员）" in errors
