"""The dues rules at their boundaries: every bracket (the 2008 rule: the rate applies to the whole
pay), retired, low income, farmers, the override, joining, future months, back-payment and the
6-month lapse check. Plain functions over the policy defaults: no database."""

import datetime
from decimal import Decimal

import pytest

from liangxin.dues import ledger, rules
from liangxin.party.policy import PARAMETERS

PARAMS = {p.key: p.default for p in PARAMETERS}
D = Decimal


def employed(base: str) -> Decimal:
    return rules.monthly_amount("employed", D(base), PARAMS).value


@pytest.mark.parametrize(
    "base, expected",
    [
        ("0.00", "0.00"),
        ("3000.00", "15.00"),  # ≤ dues_employed_bracket_1: 0.5 %
        ("3000.01", "30.00"),  # above it: 1 % of the whole pay (30.0001)
        ("4000.00", "40.00"),  # the example: 1 % of 4,000, not marginal
        ("5000.00", "50.00"),  # ≤ dues_employed_bracket_2: 1 %
        ("5000.01", "75.00"),  # 1.5 % (75.00015)
        ("10000.00", "150.00"),  # ≤ dues_employed_bracket_3: 1.5 %
        ("10000.01", "200.00"),  # above: 2 % (200.0002)
        ("25000.00", "500.00"),
    ],
)
def test_employed_brackets_at_their_boundaries(base, expected):
    assert employed(base) == D(expected)


def test_amounts_round_half_up_to_the_fen():
    assert employed("4050.50") == D("40.51")  # 40.505: half up, not to even
    assert employed("3333.33") == D("33.33")
    assert employed("2999.90") == D("15.00")  # 14.9995
    assert employed("2999.00") == D("15.00")  # 14.995


def test_the_explanation_names_the_bracket_and_rate_parameters():
    text = rules.monthly_amount("employed", D("4000"), PARAMS).text
    assert (
        "「在职党员党费：第二档上限」" in text
        and "「在职党员：第二档比例」" in text
        and "1%" in text
        and "40.00" in text
    )
    assert "「在职党员：超过第三档的比例」" in rules.monthly_amount("employed", D("10000.01"), PARAMS).text


def test_brackets_follow_the_policy_parameters():
    params = {**PARAMS, "dues_employed_bracket_1": D(4000), "dues_employed_rate_1": D("0.8")}
    assert rules.monthly_amount("employed", D("4000"), params).value == D("32.00")
    assert rules.monthly_amount("employed", D("4000.01"), params).value == D("40.00")


@pytest.mark.parametrize("base, expected", [("5000.00", "25.00"), ("5000.01", "50.00"), ("1200", "6.00")])
def test_retired_members_pay_by_the_retired_line(base, expected):
    amount = rules.monthly_amount("retired", D(base), PARAMS)
    assert amount.value == D(expected)
    assert "「离退休党员党费：分档线（月收入）」" in amount.text


@pytest.mark.parametrize("category", ["student", "unemployed", "hardship"])
def test_low_income_categories_pay_the_fixed_amount_whatever_the_base(category):
    amount = rules.monthly_amount(category, D("8000"), PARAMS)
    assert amount.value == D("0.20")
    assert "「学生、下岗失业、生活困难党员每月党费」" in amount.text
    assert rules.monthly_amount(category, None, PARAMS).value == D("0.20")


def test_farmers_pay_within_the_range():
    assert rules.monthly_amount("farmer", None, PARAMS).value == D("0.20")  # nothing set: the minimum
    assert rules.monthly_amount("farmer", None, PARAMS, farmer_yuan=D("1")).value == D("1.00")
    ok = {"category": "farmer"}
    assert rules.check_profile({**ok, "farmer_yuan": D("0.20")}, PARAMS) == {}
    assert rules.check_profile({**ok, "farmer_yuan": D("1.00")}, PARAMS) == {}
    low = rules.check_profile({**ok, "farmer_yuan": D("0.19")}, PARAMS)
    high = rules.check_profile({**ok, "farmer_yuan": D("1.01")}, PARAMS)
    assert set(low) == set(high) == {"farmer_yuan"}
    assert "「农民党员每月党费最低」" in low["farmer_yuan"] and "「农民党员每月党费最高」" in high["farmer_yuan"]


def test_a_percentage_category_without_a_base_cannot_be_computed():
    amount = rules.monthly_amount("employed", None, PARAMS)
    assert amount.value is None and "党费计算基数" in amount.text


def test_an_override_replaces_the_rule_and_says_why():
    amount = rules.monthly_amount("employed", D("4000"), PARAMS, override_amount=D("10"), override_reason="家庭困难")
    assert amount.value == D("10.00") and amount.computed == D("40.00")
    assert "家庭困难" in amount.text and "40.00" in amount.text


def test_profile_checks_name_the_field_and_the_reason():
    assert rules.check_profile({"dues_base": D("-1")}, PARAMS) == {"dues_base": "党费计算基数不能为负数，收到 -1"}
    missing = rules.check_profile({"dues_base": D("4000"), "override_amount": D("10")}, PARAMS)
    assert list(missing) == ["override_reason"] and "原因" in missing["override_reason"]
    blank = rules.check_profile({"override_amount": D("10"), "override_reason": "  "}, PARAMS)
    assert "override_reason" in blank
    negative = rules.check_profile({"override_amount": D("-5"), "override_reason": "x"}, PARAMS)
    assert list(negative) == ["override_amount"]
    assert "category" in rules.check_profile({"category": "worker"}, PARAMS)
    assert rules.check_profile({"override_amount": D("0"), "override_reason": "免交"}, PARAMS) == {}


def test_amounts_typed_by_people():
    assert rules.parse_amount(" 1,234.5元 ", "实缴金额") == D("1234.50")
    assert rules.parse_amount("", "实缴金额") is None
    with pytest.raises(ValueError, match="实缴金额应为数字"):
        rules.parse_amount("abc", "实缴金额")
    with pytest.raises(ValueError, match="最多保留两位小数"):
        rules.parse_amount("1.234", "实缴金额")
    with pytest.raises(ValueError, match="实缴金额应为数字"):
        rules.parse_amount("NaN", "实缴金额")


# -- payments: joining, future months, back-payment ---------------------------------------------------
JOINED = datetime.date(2024, 3, 15)
TODAY = datetime.date(2024, 9, 10)


def check(month, paid="40.00", paid_on=TODAY, today=TODAY, joined=JOINED):
    return rules.check_payment(
        month=month, joined_on=joined, amount_paid=D(paid), paid_on=paid_on, today=today, params=PARAMS
    )


def test_dues_start_in_the_month_of_the_branch_vote():
    assert check(datetime.date(2024, 3, 1)) == {}  # joined on the 15th: that month is owed
    refused = check(datetime.date(2024, 2, 1))
    assert list(refused) == ["month"] and "2024-03-15" in refused["month"] and "2024年2月" in refused["month"]


def test_no_month_in_the_future():
    assert check(datetime.date(2024, 9, 1)) == {}
    refused = check(datetime.date(2024, 10, 1))
    assert list(refused) == ["month"] and "未来" in refused["month"]


def test_back_payment_at_most_six_months_before_the_month_paid_in():
    old = datetime.date(2023, 12, 15)
    assert check(datetime.date(2024, 3, 1), paid_on=datetime.date(2024, 9, 1), joined=old) == {}  # 6 back
    refused = check(datetime.date(2024, 2, 1), paid_on=datetime.date(2024, 9, 1), joined=old)  # 7 back
    assert list(refused) == ["month"] and "「党费补交最多（月）」" in refused["month"]
    # the boundary day: paid on the last day of August, February is still within six months
    assert check(datetime.date(2024, 2, 1), paid_on=datetime.date(2024, 8, 31), joined=old) == {}
    assert rules.earliest_payable(datetime.date(2024, 8, 31), PARAMS) == datetime.date(2024, 2, 1)
    assert rules.earliest_payable(datetime.date(2024, 9, 1), PARAMS) == datetime.date(2024, 3, 1)


def test_a_month_recorded_unpaid_counts_back_from_today():
    old = datetime.date(2023, 1, 1)
    assert check(datetime.date(2024, 3, 1), paid="0", paid_on=None, joined=old) == {}
    assert "month" in check(datetime.date(2024, 2, 1), paid="0", paid_on=None, joined=old)


def test_payment_fields_are_checked():
    assert "amount_paid" in check(datetime.date(2024, 5, 1), paid="-1")
    assert "paid_on" in check(datetime.date(2024, 5, 1), paid_on=None)
    late = check(datetime.date(2024, 5, 1), paid_on=datetime.date(2024, 9, 11))
    assert list(late) == ["paid_on"] and "晚于今天" in late["paid_on"]


# -- arrears and the 6-month lapse check ---------------------------------------------------------------
def rows(paid: dict[str, str], due="40.00") -> dict:
    return {rules.parse_month(m): rules.Row(D(due), D(p)) for m, p in paid.items()}


def test_six_consecutive_months_without_dues_are_flagged_five_are_not():
    start, end = datetime.date(2024, 1, 1), datetime.date(2024, 8, 1)
    five = rules.arrears_of(start, end, rows({"2024-01": "40", "2024-02": "40", "2024-03": "40"}), D("40"))
    assert five.run == 5 and not rules.is_lapsed(five.run, PARAMS)
    six = rules.arrears_of(start, end, rows({"2024-01": "40", "2024-02": "40"}), D("40"))
    assert six.run == 6 and rules.is_lapsed(six.run, PARAMS)
    assert six.count == 6 and six.owed == D("240.00")
    assert "「连续未交党费或未参加组织生活（自行脱党核查）」" in rules.lapse_text(6, PARAMS)


def test_a_partial_payment_is_owed_but_breaks_the_run():
    a = rules.arrears_of(
        datetime.date(2024, 1, 1), datetime.date(2024, 3, 1), rows({"2024-02": "15", "2024-03": "0"}), D("40")
    )
    assert a.months == [datetime.date(2024, 1, 1), datetime.date(2024, 2, 1), datetime.date(2024, 3, 1)]
    assert a.owed == D("105.00") and a.run == 1  # January unrecorded (40) + 25 + 40; February paid something


def test_an_exempted_month_is_not_owed_and_an_unknown_amount_is_unpaid():
    exempt = rules.arrears_of(datetime.date(2024, 1, 1), datetime.date(2024, 6, 1), {}, D("0.00"))
    assert exempt.count == 0 and exempt.run == 0
    unknown = rules.arrears_of(datetime.date(2024, 1, 1), datetime.date(2024, 6, 1), {}, None)
    assert unknown.count == 6 and unknown.unknown == 6 and unknown.owed == 0 and unknown.run == 6


def test_obligations_start_with_the_ledger_and_never_before_joining():
    joined = datetime.date(2024, 3, 15)
    assert rules.obligation_start(joined, None, None) is None  # nothing ever recorded
    assert rules.obligation_start(joined, datetime.date(2024, 1, 1), None) == datetime.date(2024, 3, 1)
    assert rules.obligation_start(joined, datetime.date(2024, 6, 1), None) == datetime.date(2024, 6, 1)
    assert rules.obligation_start(joined, datetime.date(2024, 6, 1), datetime.date(2024, 4, 1)) == datetime.date(
        2024, 4, 1
    )


def test_closed_months_end_before_the_current_one():
    assert rules.closed_through(datetime.date(2024, 9, 1)) == datetime.date(2024, 8, 1)
    assert rules.closed_through(datetime.date(2024, 1, 31)) == datetime.date(2023, 12, 1)


def test_periods_asked_for():
    today = datetime.date(2024, 9, 10)
    assert ledger.period_for({}, today).months == (datetime.date(2024, 9, 1),)
    assert ledger.period_for({"month": "2024-05"}, today).label == "2024年5月"
    year = ledger.period_for({"year": "2024"}, today)
    assert year.first == datetime.date(2024, 1, 1) and year.last == datetime.date(2024, 9, 1)
    assert len(ledger.period_for({"year": "2023"}, today).months) == 12
    with pytest.raises(ValueError, match="未来"):
        ledger.period_for({"month": "2024-10"}, today)
    with pytest.raises(ValueError, match="年份"):
        ledger.period_for({"year": "2025"}, today)
    with pytest.raises(ValueError, match="月份应为"):
        ledger.period_for({"month": "五月"}, today)


# -- killed mutants (make mutate): the month helpers and a month's entry, one by one ----------------------
def test_month_helpers_round_trip_across_year_ends():
    dec, jan = datetime.date(2023, 12, 1), datetime.date(2024, 1, 1)
    assert rules.month_start(datetime.date(2024, 2, 29)) == datetime.date(2024, 2, 1)
    assert rules.month_index(jan) == rules.month_index(dec) + 1 == 2024 * 12
    assert rules.from_index(rules.month_index(dec)) == dec and rules.from_index(2024 * 12) == jan
    assert rules.months_between(datetime.date(2023, 11, 15), datetime.date(2024, 2, 3)) == [
        datetime.date(2023, 11, 1), dec, jan, datetime.date(2024, 2, 1)]  # fmt: skip
    assert rules.months_between(jan, jan) == [jan]
    assert rules.months_between(jan, dec) == []
    assert rules.month_label(datetime.date(2024, 5, 1)) == "2024年5月"
    assert rules.closed_through(datetime.date(2024, 1, 31)) == dec


def test_cent_and_number():
    assert rules.cent(D("0.005")) == D("0.01") and rules.cent(D("0.0049")) == D("0.00")
    assert rules.cent(D("2.675")) == D("2.68")  # half up, never to even
    assert rules.number(D("3000.00")) == "3000" and rules.number(D("0.50")) == "0.5" and rules.number(D("1.5")) == "1.5"


def test_a_months_entry_owed_unpaid_and_lapsed():
    month = datetime.date(2024, 5, 1)
    missing = rules.month_entry(month, None, D("40"))
    assert (missing.due, missing.paid, missing.recorded, missing.paid_on) == (D("40"), D("0.00"), False, None)
    assert missing.owed == D("40") and missing.unpaid and missing.lapsed
    row = rules.Row(D("40"), D("15"), datetime.date(2024, 5, 20))
    part = rules.month_entry(month, row, D("99"))  # a recorded row wins over the current amount
    assert (part.due, part.paid, part.recorded, part.paid_on) == (D("40"), D("15"), True, datetime.date(2024, 5, 20))
    assert part.owed == D("25") and part.unpaid and not part.lapsed
    full = rules.month_entry(month, rules.Row(D("40"), D("40")), None)
    assert full.owed == D("0.00") and not full.unpaid and not full.lapsed
    over = rules.month_entry(month, rules.Row(D("40"), D("50")), None)
    assert over.owed == D("0.00") and not over.unpaid
    unknown = rules.month_entry(month, None, None)
    assert unknown.owed == D("0.00") and unknown.unpaid and unknown.lapsed
    unknown_paid = rules.MonthEntry(month, None, D("10"), True)
    assert not unknown_paid.unpaid and not unknown_paid.lapsed
    exempt = rules.month_entry(month, None, D("0"))
    assert not exempt.unpaid and not exempt.lapsed and exempt.owed == D("0")


def test_sum_entries_counts_an_unknown_due_as_zero():
    month = datetime.date(2024, 5, 1)
    entries = [
        rules.MonthEntry(month, D("40"), D("15"), True),
        rules.MonthEntry(month, None, D("0"), False),
        rules.MonthEntry(month, D("10"), D("10"), True),
    ]
    assert rules.sum_entries(entries) == (D("50"), D("25"), D("25"))
    assert rules.sum_entries([]) == (D("0.00"), D("0.00"), D("0.00"))


def test_lapse_at_exactly_the_parameter():
    limit = int(PARAMS["lapse_months"])
    assert not rules.is_lapsed(limit - 1, PARAMS)
    assert rules.is_lapsed(limit, PARAMS) and rules.is_lapsed(limit + 1, PARAMS)
    assert rules.is_lapsed(2, {**PARAMS, "lapse_months": D(2)})


def test_arrears_of_counts_months_owed_unknown_and_the_run():
    start, end = datetime.date(2024, 1, 1), datetime.date(2024, 4, 1)
    rows = {
        datetime.date(2024, 2, 1): rules.Row(D("40"), D("40")),
        datetime.date(2024, 3, 1): rules.Row(D("40"), D("5")),
    }
    a = rules.arrears_of(start, end, rows, None)
    assert a.months == [datetime.date(2024, 1, 1), datetime.date(2024, 3, 1), datetime.date(2024, 4, 1)]
    assert (a.count, a.owed, a.unknown, a.run) == (3, D("35"), 2, 1)
    assert rules.arrears_of(end, start, rows, D("40")) == rules.Arrears()
    assert rules.arrears_of(None, end, rows, D("40")).count == 0
    same = rules.arrears_of(end, end, {}, D("40"))
    assert (same.months, same.owed, same.run) == ([end], D("40"), 1)


def test_obligation_starts_at_the_later_of_joining_and_the_first_record():
    joined = datetime.date(2024, 3, 20)
    assert rules.obligation_start(joined, None, datetime.date(2024, 5, 1)) == datetime.date(2024, 5, 1)
    assert rules.obligation_start(joined, datetime.date(2024, 6, 1), datetime.date(2024, 5, 1)) == datetime.date(
        2024, 5, 1
    )
    assert rules.obligation_start(joined, datetime.date(2023, 1, 1), datetime.date(2023, 6, 1)) == datetime.date(
        2024, 3, 1
    )


def test_months_typed_the_ways_people_type_them():
    for raw in ("2024-05", "2024-05-01", "2024年5月", "2024/5", " 2024年05月 "):
        assert rules.parse_month(raw) == datetime.date(2024, 5, 1), raw
    for raw in ("", None, "2024", "五月", "2024-13"):
        with pytest.raises(ValueError, match="月份应为"):
            rules.parse_month(raw)


def test_amounts_typed_with_separators_units_and_limits():
    assert rules.parse_amount("1,234.5元", "金额") == D("1234.50")
    assert rules.parse_amount("1，234", "金额") == D("1234.00")
    assert rules.parse_amount(None, "金额") is None and rules.parse_amount("  ", "金额") is None
    assert rules.parse_amount(D("99999999.99"), "金额") == D("99999999.99")
    for raw in ("100000000", "-100000000"):
        with pytest.raises(ValueError, match="^金额数额过大"):
            rules.parse_amount(raw, "金额")
    for raw in ("0.125", "0.005"):  # a third decimal is refused, never rounded away
        with pytest.raises(ValueError, match="^金额最多保留两位小数"):
            rules.parse_amount(raw, "金额")


def test_number_never_in_exponent_form():
    assert rules.number(D("1E+3")) == "1000" and rules.number(D("0.00001")) == "0.00001"


def test_the_amount_for_a_members_profile():
    from types import SimpleNamespace

    none = rules.amount_for_profile(D("4000"), None, PARAMS)
    assert none.value == D("40.00")  # no profile: employed
    profile = SimpleNamespace(category="retired", farmer_yuan=None, override_amount=None, override_reason="")
    assert rules.amount_for_profile(D("6000"), profile, PARAMS).value == D("60.00")
    farmer = SimpleNamespace(category="farmer", farmer_yuan=D("0.5"), override_amount=None, override_reason="")
    assert rules.amount_for_profile(None, farmer, PARAMS).value == D("0.50")
    assert "支部确定" in rules.amount_for_profile(None, farmer, PARAMS).text
    unset = SimpleNamespace(category="farmer", farmer_yuan=None, override_amount=None, override_reason="")
    assert rules.amount_for_profile(None, unset, PARAMS).value == rules.cent(PARAMS["dues_farmer_min_yuan"])
    assert "未另定，按最低" in rules.amount_for_profile(None, unset, PARAMS).text
    fixed = SimpleNamespace(category="employed", farmer_yuan=None, override_amount=D("12"), override_reason="困难")
    amount = rules.amount_for_profile(D("4000"), fixed, PARAMS)
    assert amount.value == D("12.00") and "困难" in amount.text and "40.00" in amount.text


def test_profile_checks_field_by_field():
    from liangxin.dues.models import DuesCategory

    assert rules.check_profile({"dues_base": D("0")}, PARAMS) == {}
    assert rules.check_profile({"dues_base": D("-0.01")}, PARAMS) == {"dues_base": "党费计算基数不能为负数，收到 -0.01"}
    assert rules.check_profile({"category": "bank"}, PARAMS) == {
        "category": "党费类别「bank」不存在，应为：" + "、".join(DuesCategory.labels)
    }
    # a farmer's amount is checked for farmers only
    assert rules.check_profile({"category": "employed", "farmer_yuan": D("99")}, PARAMS) == {}
    assert set(rules.check_profile({"category": "farmer", "farmer_yuan": D("99")}, PARAMS)) == {"farmer_yuan"}
    assert rules.check_profile({"override_amount": D("-1"), "override_reason": "x"}, PARAMS) == {
        "override_amount": "手工核定月党费不能为负数，收到 -1"
    }
    assert rules.check_profile({"override_amount": D("5"), "override_reason": " "}, PARAMS) == {
        "override_reason": "手工核定党费金额须填写原因（如经支部研究同意少交或免交）"
    }


def test_payment_checks_field_by_field():
    today, joined = datetime.date(2024, 12, 15), datetime.date(2020, 1, 1)

    def check(month, amount, paid_on=None, joined_on=joined):
        return rules.check_payment(
            month=month, joined_on=joined_on, amount_paid=amount, paid_on=paid_on, today=today, params=PARAMS
        )

    dec = datetime.date(2024, 12, 1)
    assert check(dec, None) == {"amount_paid": "实缴金额不能为空（未缴请填 0）"}
    assert check(dec, D("-1")) == {"amount_paid": "实缴金额不能为负数，收到 -1"}
    assert check(dec, D("0.50")) == {"paid_on": "已缴纳的月份须填写缴纳日期"}
    assert check(dec, D("0")) == {}
    early = check(datetime.date(2024, 3, 1), D("0"), joined_on=datetime.date(2024, 4, 2))
    assert early["month"].endswith("预备党员自支部大会通过之日起交纳党费，此前月份无需交纳")
    # back-payment counts from the day it was paid, for a month paid; from today otherwise
    old_month, paid_long_ago = datetime.date(2024, 1, 1), datetime.date(2024, 3, 10)
    assert rules.earliest_payable(paid_long_ago, PARAMS) <= old_month < rules.earliest_payable(today, PARAMS)
    assert check(old_month, D("0.50"), paid_long_ago) == {}
    assert set(check(old_month, D("0"), paid_long_ago)) == {"month"}
    assert set(check(old_month, None, paid_long_ago)) == {"amount_paid", "month"}


def test_an_override_names_the_amount_the_rule_gives_or_why_there_is_none():
    known = rules.monthly_amount("employed", D("4000"), PARAMS, override_amount=D("10"), override_reason="困难")
    assert known.text == "手工核定每月 10.00 元（原因：困难；按规定为 40.00 元）" and known.computed == D("40.00")
    unknown = rules.monthly_amount("employed", None, PARAMS, override_amount=D("10"))
    assert unknown.text == "手工核定每月 10.00 元（原因：；未填写党费计算基数，无法按比例计算应缴金额）"


def test_month_entries_keep_their_month():
    month = datetime.date(2024, 5, 1)
    assert rules.month_entry(month, None, D("1")).month == month
    assert rules.month_entry(month, rules.Row(D("1"), D("1")), None).month == month


def test_lapse_words_change_at_exactly_the_parameter():
    limit = int(PARAMS["lapse_months"])
    assert "应按党章核查是否自行脱党" in rules.lapse_text(limit, PARAMS)
    assert "应按党章核查是否自行脱党" not in rules.lapse_text(limit - 1, PARAMS)
    assert f"已连续 {limit - 1} 个月未交纳党费" in rules.lapse_text(limit - 1, PARAMS)


def test_back_payment_words_and_a_future_payment_day():
    today = datetime.date(2024, 12, 15)
    back = int(PARAMS["dues_backpay_max_months"])
    old = datetime.date(2023, 1, 1)
    errors = rules.check_payment(
        month=old, joined_on=datetime.date(2020, 1, 1), amount_paid=D("0"), paid_on=None, today=today, params=PARAMS
    )
    assert f"补交党费最多补交 {back} 个月" in errors["month"]
    # a payment day in the future is the one error: no back-payment reckoning from a day not yet come
    future = rules.check_payment(
        month=old, joined_on=datetime.date(2020, 1, 1), amount_paid=D("5"), paid_on=datetime.date(2025, 1, 2),
        today=today, params=PARAMS,
    )  # fmt: skip
    assert future == {"paid_on": "缴纳日期 2025-01-02 晚于今天，不能登记"}
