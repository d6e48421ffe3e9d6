"""The timing rules of organization life at their boundary days: calendar periods, when a period
has ended, which meetings count for it, when a rule applies, and what the reminders say."""

import datetime
from decimal import Decimal

import pytest

from liangxin.life import compliance
from liangxin.life.compliance import HELD, MISSING, NA, PENDING, OrgFacts, cell_state, not_applicable
from liangxin.life.periods import period_of, periods_in_year, previous, window
from liangxin.party import policy

D = datetime.date


def params(**overrides) -> dict:
    values = {p.key: p.default for p in policy.PARAMETERS}
    values.update({k: Decimal(v) for k, v in overrides.items()})
    return values


def facts(full=3, seats=0, founded=None) -> OrgFacts:
    return OrgFacts(1, "测试党支部", "/1/2/3/", "南京东路街道综合党委", founded, full, seats)


# -- calendar periods ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "months", "start", "end", "label"),
    [
        (D(2025, 1, 1), 1, D(2025, 1, 1), D(2025, 1, 31), "2025年1月"),
        (D(2025, 1, 31), 1, D(2025, 1, 1), D(2025, 1, 31), "2025年1月"),
        (D(2024, 2, 29), 1, D(2024, 2, 1), D(2024, 2, 29), "2024年2月"),  # a leap year's February
        (D(2025, 2, 28), 1, D(2025, 2, 1), D(2025, 2, 28), "2025年2月"),
        (D(2025, 12, 31), 1, D(2025, 12, 1), D(2025, 12, 31), "2025年12月"),
        (D(2025, 1, 1), 3, D(2025, 1, 1), D(2025, 3, 31), "2025年第一季度"),
        (D(2025, 3, 31), 3, D(2025, 1, 1), D(2025, 3, 31), "2025年第一季度"),
        (D(2025, 4, 1), 3, D(2025, 4, 1), D(2025, 6, 30), "2025年第二季度"),
        (D(2025, 6, 30), 3, D(2025, 4, 1), D(2025, 6, 30), "2025年第二季度"),
        (D(2025, 9, 30), 3, D(2025, 7, 1), D(2025, 9, 30), "2025年第三季度"),
        (D(2025, 10, 1), 3, D(2025, 10, 1), D(2025, 12, 31), "2025年第四季度"),
        (D(2025, 12, 31), 3, D(2025, 10, 1), D(2025, 12, 31), "2025年第四季度"),
        (D(2025, 1, 1), 12, D(2025, 1, 1), D(2025, 12, 31), "2025年度"),
        (D(2025, 12, 31), 12, D(2025, 1, 1), D(2025, 12, 31), "2025年度"),
        (D(2025, 6, 30), 6, D(2025, 1, 1), D(2025, 6, 30), "2025年上半年"),
        (D(2025, 7, 1), 6, D(2025, 7, 1), D(2025, 12, 31), "2025年下半年"),
        # a length that does not divide the year: Jan–May, Jun–Oct, Nov–Dec (the last one short)
        (D(2025, 5, 31), 5, D(2025, 1, 1), D(2025, 5, 31), "2025年1–5月"),
        (D(2025, 11, 1), 5, D(2025, 11, 1), D(2025, 12, 31), "2025年11–12月"),
        # above 12: whole calendar years, periods starting in years divisible by the count
        (D(2025, 12, 31), 24, D(2024, 1, 1), D(2025, 12, 31), "2024–2025年"),
        (D(2026, 1, 1), 24, D(2026, 1, 1), D(2027, 12, 31), "2026–2027年"),
    ],
)
def test_a_period_is_the_calendar_month_quarter_or_year_around_the_day(day, months, start, end, label):
    period = period_of(day, months)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert period.contains(start) and period.contains(end)
    assert not period.contains(start - datetime.timedelta(days=1)) and not period.contains(end + datetime.timedelta(1))


def test_periods_tile_the_year_without_gaps():
    for months in (1, 2, 3, 4, 5, 6, 7, 12):
        periods = periods_in_year(2025, months)
        assert periods[0].start == D(2025, 1, 1) and periods[-1].end == D(2025, 12, 31)
        for a, b in zip(periods, periods[1:], strict=False):
            assert b.start == a.end + datetime.timedelta(days=1)
    assert len(periods_in_year(2025, 1)) == 12 and len(periods_in_year(2025, 3)) == 4
    assert len(periods_in_year(2025, 12)) == 1 and len(periods_in_year(2025, 5)) == 3


def test_previous_period_crosses_the_year():
    assert previous(period_of(D(2025, 1, 15), 1)) == period_of(D(2024, 12, 1), 1)
    assert previous(period_of(D(2025, 2, 1), 3)).label == "2024年第四季度"
    assert previous(period_of(D(2025, 7, 1), 12)).label == "2024年度"


def test_a_period_has_ended_only_after_its_last_day():
    q1 = period_of(D(2025, 2, 10), 3)
    assert not q1.has_ended(D(2025, 3, 31))  # on the last day a meeting may still be held
    assert q1.has_ended(D(2025, 4, 1))
    year = period_of(D(2025, 2, 10), 12)
    assert not year.has_ended(D(2025, 12, 31)) and year.has_ended(D(2026, 1, 1))


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("", D(2025, 1, 1), D(2025, 12, 31)),
        ("q1", D(2025, 1, 1), D(2025, 3, 31)),
        ("Q4", D(2025, 10, 1), D(2025, 12, 31)),
        ("m2", D(2025, 2, 1), D(2025, 2, 28)),
        ("m12", D(2025, 12, 1), D(2025, 12, 31)),
    ],
)
def test_rollup_windows(key, start, end):
    assert window(2025, key)[:2] == (start, end)


@pytest.mark.parametrize("key", ["q0", "q5", "m0", "m13", "x1", "2025", "q"])
def test_a_bad_window_is_refused_in_chinese(key):
    with pytest.raises(ValueError, match="统计期间"):
        window(2025, key)


# -- which meetings count ---------------------------------------------------------------------------
def test_a_meeting_on_the_last_day_of_a_period_counts_for_that_period():
    q1, q2 = period_of(D(2025, 1, 1), 3), period_of(D(2025, 4, 1), 3)
    held = [D(2025, 3, 31)]
    assert cell_state(q1, held, None, D(2025, 6, 1)) == HELD
    assert cell_state(q2, held, None, D(2025, 7, 1)) == MISSING  # not for the next one
    assert cell_state(q1, [D(2025, 1, 1)], None, D(2025, 6, 1)) == HELD  # the first day too
    assert cell_state(q1, [D(2024, 12, 31), D(2025, 4, 1)], None, D(2025, 6, 1)) == MISSING
    dec = period_of(D(2025, 12, 31), 1)
    assert cell_state(dec, [D(2025, 12, 31)], None, D(2026, 1, 1)) == HELD
    year = period_of(D(2025, 12, 31), 12)
    assert cell_state(year, [D(2025, 12, 31)], None, D(2026, 1, 1)) == HELD


def test_missing_from_the_day_after_the_period_ends():
    jan = period_of(D(2025, 1, 1), 1)
    assert cell_state(jan, [], None, D(2025, 1, 31)) == PENDING
    assert cell_state(jan, [], None, D(2025, 2, 1)) == MISSING
    q4 = period_of(D(2025, 10, 1), 3)
    assert cell_state(q4, [], None, D(2025, 12, 31)) == PENDING
    assert cell_state(q4, [], None, D(2026, 1, 1)) == MISSING


def test_a_party_organization_owes_nothing_for_a_period_begun_before_its_founding():
    q1 = period_of(D(2025, 1, 1), 3)
    assert cell_state(q1, [], D(2025, 1, 1), D(2025, 4, 1)) == MISSING  # founded on the first day: owes it
    assert cell_state(q1, [], D(2025, 1, 2), D(2025, 4, 1)) == NA
    assert cell_state(q1, [D(2025, 3, 1)], D(2025, 2, 1), D(2025, 4, 1)) == HELD  # held anyway: shown
    q2 = period_of(D(2025, 4, 1), 3)
    assert cell_state(q2, [], D(2025, 1, 2), D(2025, 7, 1)) == MISSING


# -- when a rule applies ----------------------------------------------------------------------------
def test_committee_and_group_meetings_need_a_committee_that_exists():
    p = params()  # branch_committee_full_members = 7
    for kind in ("committee", "group"):
        assert "未设支委会" in not_applicable(kind, facts(full=6), p)
        assert "未设支委会" in not_applicable(kind, facts(full=7), p)  # should elect one: not a meeting it owes
        assert not_applicable(kind, facts(full=2, seats=3), p) == ""  # a committee elected anyway
        assert not_applicable(kind, facts(full=9, seats=5), p) == ""
    for kind in ("general", "lecture", "theme_day", "review", "appraisal"):
        assert not_applicable(kind, facts(full=1), p) == ""


def test_a_rule_set_to_zero_asks_nothing():
    reason = not_applicable("lecture", facts(), params(life_lecture_months=0))
    assert "党课" in reason and "为 0" in reason


def test_assessment_counts_only_periods_ended_inside_the_window():
    p = params()
    f = facts(full=3)  # no committee: general, lecture, theme day, review, appraisal apply
    held = {"theme_day": [D(2025, 1, 31), D(2025, 2, 28)], "general": [D(2025, 3, 31)], "lecture": [D(2025, 1, 1)]}
    # on 1 April: Jan–Mar theme days (2 held, March missing), Q1 general and lecture held
    a = compliance.assess(f, held, D(2025, 1, 1), D(2025, 12, 31), D(2025, 4, 1), p)
    assert (a.due, a.state, a.missing_text) == (5, "missing", "2025年3月主题党日")
    # on 31 March nothing of March or Q1 has ended: only January and February are due
    a = compliance.assess(f, held, D(2025, 1, 1), D(2025, 12, 31), D(2025, 3, 31), p)
    assert (a.due, a.state) == (2, "compliant")
    # the window of February alone
    a = compliance.assess(f, held, D(2025, 2, 1), D(2025, 2, 28), D(2025, 12, 1), p)
    assert (a.due, a.state) == (1, "compliant")
    # January's window on 31 January: nothing due yet
    a = compliance.assess(f, held, D(2025, 1, 1), D(2025, 1, 31), D(2025, 1, 31), p)
    assert (a.due, a.state) == (0, "pending")
