"""Timing rules of transfers and floating members at their boundary days: the letter is valid
exactly ``transfer_letter_valid_months`` (3), a census counts exactly ``floating_census_months``
(6); the SQL thresholds agree with the per-object checks on every day, month ends included."""

import datetime
from decimal import Decimal

import pytest

from liangxin.core.dates import add_months
from liangxin.party import policy
from liangxin.party import services as party_services
from liangxin.transfers import rules

D = datetime.date
PARAMS = {rules.LETTER_KEY: Decimal(3), rules.CENSUS_KEY: Decimal(6)}


def test_letter_is_valid_through_the_day_three_months_after_it_was_issued():
    issued = D(2025, 1, 15)
    assert rules.letter_valid_until(issued, PARAMS) == D(2025, 4, 15)
    assert not rules.letter_expired(issued, PARAMS, D(2025, 4, 15))  # the last valid day
    assert rules.letter_expired(issued, PARAMS, D(2025, 4, 16))  # the first overdue day
    assert not rules.letter_expired(issued, PARAMS, issued)


@pytest.mark.parametrize(
    "issued, last_valid",
    [
        (D(2024, 11, 30), D(2025, 2, 28)),  # clamped to the month's end
        (D(2023, 11, 30), D(2024, 2, 29)),  # a leap year
        (D(2025, 8, 31), D(2025, 11, 30)),
        (D(2025, 12, 31), D(2026, 3, 31)),
    ],
)
def test_letter_validity_at_month_ends(issued, last_valid):
    assert rules.letter_valid_until(issued, PARAMS) == last_valid
    assert not rules.letter_expired(issued, PARAMS, last_valid)
    assert rules.letter_expired(issued, PARAMS, last_valid + datetime.timedelta(days=1))


def test_open_transfer_is_overdue_only_after_the_letter_expired():
    class T:
        is_open, issued_on = True, D(2025, 1, 15)

    assert not rules.is_overdue(T, PARAMS, D(2025, 4, 15))
    assert rules.is_overdue(T, PARAMS, D(2025, 4, 16))
    T.is_open = False  # accepted or returned: never 超期
    assert not rules.is_overdue(T, PARAMS, D(2025, 12, 1))
    assert "组织关系介绍信有效期 3 个月" in rules.overdue_text(T, PARAMS)


def test_census_counts_exactly_six_months():
    last = D(2025, 1, 31)
    assert rules.census_due_on(last, PARAMS) == D(2025, 7, 31)
    assert not rules.census_overdue(last, PARAMS, D(2025, 7, 31))
    assert rules.census_overdue(last, PARAMS, D(2025, 8, 1))
    assert rules.census_overdue(None, PARAMS, D(2025, 1, 1))  # never confirmed
    assert "流动党员排摸周期 6 个月" in rules.census_text(last, PARAMS)
    assert "尚无排摸记录" in rules.census_text(None, PARAMS)


def test_census_at_month_ends():
    assert rules.census_due_on(D(2025, 8, 31), PARAMS) == D(2026, 2, 28)
    assert not rules.census_overdue(D(2025, 8, 31), PARAMS, D(2026, 2, 28))
    assert rules.census_overdue(D(2025, 8, 31), PARAMS, D(2026, 3, 1))
    assert not rules.census_overdue(D(2026, 2, 28), PARAMS, D(2026, 8, 28))
    assert rules.census_overdue(D(2026, 2, 28), PARAMS, D(2026, 8, 29))


def test_sql_thresholds_agree_with_the_checks_on_every_day():
    day = D(2023, 1, 1)
    while day < D(2025, 3, 1):
        letter = rules.overdue_issued_before(PARAMS, day)
        census = rules.census_confirmed_since(PARAMS, day)
        for offset in range(-3, 4):
            d = letter + datetime.timedelta(days=offset)
            assert (d < letter) == rules.letter_expired(d, PARAMS, day), (day, d)
            c = census + datetime.timedelta(days=offset)
            assert (c < census) == rules.census_overdue(c, PARAMS, day), (day, c)
        day += datetime.timedelta(days=1)


def test_thresholds_are_plain_months_back_away_from_month_ends():
    assert rules.overdue_issued_before(PARAMS, D(2025, 4, 16)) == add_months(D(2025, 4, 16), -3)
    assert rules.census_confirmed_since(PARAMS, D(2025, 8, 1)) == add_months(D(2025, 8, 1), -6)


def test_rules_use_the_policy_parameter_in_force(cast):
    party_services.set_parameter(cast.city_admin, rules.LETTER_KEY, Decimal(2))
    party_services.set_parameter(cast.city_admin, rules.CENSUS_KEY, Decimal(3))
    params = policy.values()
    assert rules.letter_valid_until(D(2025, 1, 15), params) == D(2025, 3, 15)
    assert rules.letter_expired(D(2025, 1, 15), params, D(2025, 3, 16))
    assert rules.census_overdue(D(2025, 1, 15), params, D(2025, 4, 16))

    class T:
        is_open, issued_on = True, D(2025, 1, 15)

    assert "有效期 2 个月" in rules.overdue_text(T, params)
    assert "排摸周期 3 个月" in rules.census_text(D(2025, 1, 15), params)
