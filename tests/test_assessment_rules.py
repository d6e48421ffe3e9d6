"""评分规则 (liangxin/assessment/rules.py): every kind at its boundaries, its parameter checks, and
properties over any value (hypothesis): never above full marks, never negative, monotone."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from liangxin.assessment import rules

D = Decimal


def bands(direction, *pairs):
    return {"direction": direction, "bands": [{"threshold": t, "share": v} for t, v in pairs]}


def rule(kind, **params):
    return rules.validate(kind, params)


PASS_95 = rule("pass_fail", threshold="95", direction="gte")
PASS_AT_MOST_2 = rule("pass_fail", threshold="2", direction="lte")
BANDS = rules.validate(
    "bands", {"direction": "gte", "bands": [{"threshold": "95", "share": "100"}, {"threshold": "80", "share": "50"}]}
)
BANDS_FEWER = rules.validate(
    "bands", {"direction": "lte", "bands": [{"threshold": "0", "share": "100"}, {"threshold": "2", "share": "40"}]}
)
LINEAR = rule("linear", zero_at="50", full_at="100")
LINEAR_FEWER = rule("linear", zero_at="3", full_at="0")
SCALE = rule("scale", max="10")


@pytest.mark.parametrize(
    ("value", "expected"), [("95", "100.00"), ("94.99", "0.00"), ("95.01", "100.00"), ("0", "0.00"), ("100", "100.00")]
)
def test_pass_fail_passes_exactly_at_the_threshold(value, expected):
    assert rules.score(PASS_95, D(value)) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"), [("2", "100.00"), ("2.01", "0.00"), ("1.99", "100.00"), ("0", "100.00")]
)
def test_pass_fail_at_most(value, expected):
    assert rules.score(PASS_AT_MOST_2, D(value)) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("95", "100.00"), ("94.99", "50.00"), ("95.01", "100.00"), ("80", "50.00"), ("79.99", "0.00"), ("80.01", "50.00")],
)
def test_bands_give_the_first_band_reached(value, expected):
    assert rules.score(BANDS, D(value)) == D(expected)


@pytest.mark.parametrize(("value", "expected"), [("0", "100.00"), ("1", "40.00"), ("2", "40.00"), ("2.5", "0.00")])
def test_bands_fewer_is_better(value, expected):
    assert rules.score(BANDS_FEWER, D(value)) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", "0.00"),
        ("49.99", "0.00"),
        ("50.01", "0.02"),
        ("75", "50.00"),
        ("100", "100.00"),
        ("99.99", "99.98"),
        ("120", "100.00"),
    ],
)
def test_linear_between_the_thresholds(value, expected):
    assert rules.score(LINEAR, D(value)) == D(expected)


@pytest.mark.parametrize(("value", "expected"), [("0", "100.00"), ("1", "66.67"), ("3", "0.00"), ("4", "0.00")])
def test_linear_fewer_is_better(value, expected):
    assert rules.score(LINEAR_FEWER, D(value)) == D(expected)


@pytest.mark.parametrize(("value", "expected"), [("0", "0.00"), ("10", "100.00"), ("7.5", "75.00"), ("3", "30.00")])
def test_scale_is_the_share_of_the_maximum(value, expected):
    assert rules.score(SCALE, D(value)) == D(expected)


@pytest.mark.parametrize("value", ["10.01", "-0.01", "11"])
def test_scale_refuses_a_score_outside_the_scale(value):
    with pytest.raises(ValidationError, match="评分：应在 0 至 10 之间"):
        rules.score(SCALE, D(value))


@pytest.mark.parametrize("found", [PASS_95, BANDS, LINEAR, LINEAR_FEWER, SCALE])
@pytest.mark.parametrize("missing", [None, "", "  "])
def test_a_missing_value_scores_nothing(found, missing):
    assert rules.score(found, missing) == D(0)


def test_typed_text_is_read_as_a_number():
    assert rules.score(PASS_95, " 95 ") == D(100)
    assert rules.score(BANDS, "96%") == D(100)
    with pytest.raises(ValidationError, match="数值：应为数字，收到「很好」"):
        rules.score(BANDS, "很好")


# -- parameter checks ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("nothing", {}, "评分规则：应为"),
        ("pass_fail", {"direction": "gte"}, "达标门槛：请填写数值"),
        ("pass_fail", {"threshold": "x", "direction": "gte"}, "达标门槛：应为数字"),
        ("pass_fail", {"threshold": "1", "direction": "up"}, "方向：应为"),
        ("pass_fail", {"threshold": "Infinity", "direction": "gte"}, "达标门槛：应为不超过十亿的数字"),
        ("bands", {"direction": "gte", "bands": []}, "分档：至少设一档"),
        ("bands", bands("gte", ("80", "50"), ("95", "100")), "第2档门槛：应低于上一档的门槛 80"),
        ("bands", bands("lte", ("2", "100"), ("1", "50")), "第2档门槛：应高于上一档的门槛 2"),
        ("bands", bands("gte", ("95", "50"), ("80", "60")), "第2档得分比例：不应高于上一档"),
        ("bands", bands("gte", ("95", "101")), "第1档得分比例：得分比例应大于 0 且不超过 100"),
        ("bands", bands("gte", ("95", "0")), "第1档得分比例"),
        ("bands", bands("gte", *[(str(i), "1") for i in range(11, 0, -1)]), "最多 10 档"),
        ("bands", {"direction": "gte", "bands": ["95"]}, "第1档：应写明门槛和得分比例"),
        ("linear", {"zero_at": "5", "full_at": "5"}, "满分值：不应等于零分值"),
        ("linear", {"zero_at": "5"}, "满分值：请填写数值"),
        ("scale", {"max": "0"}, "满分：应大于 0"),
        ("scale", {"max": True}, "满分：请填写数值"),
        ("scale", [], "规则参数：格式不正确"),
    ],
)  # fmt: skip
def test_parameters_are_checked_in_chinese(kind, params, message):
    with pytest.raises(ValidationError) as caught:
        rules.validate(kind, params)
    assert message in caught.value.messages[0]


def test_parameters_round_trip_as_stored_text():
    for found in (PASS_95, BANDS, BANDS_FEWER, LINEAR, SCALE):
        assert rules.validate(found.kind, rules.as_params(found)) == found
    assert rules.as_params(BANDS) == {
        "direction": "gte", "bands": [{"threshold": "95", "share": "100"}, {"threshold": "80", "share": "50"}],
    }  # fmt: skip


def test_rules_in_words():
    assert rules.describe(PASS_95, "%") == "不低于 95% 得满分，否则不得分"
    assert rules.describe(BANDS, "%") == "不低于 95% 得 100%；不低于 80% 得 50%；其余不得分"


# -- properties ------------------------------------------------------------------------------
values = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
thresholds = st.decimals(min_value=-100, max_value=200, places=1, allow_nan=False, allow_infinity=False)
shares = st.decimals(min_value="0.1", max_value=100, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def any_rule(draw):
    kind = draw(st.sampled_from(["pass_fail", "bands", "linear"]))
    direction = draw(st.sampled_from(["gte", "lte"]))
    if kind == "pass_fail":
        return rule(kind, threshold=str(draw(thresholds)), direction=direction)
    if kind == "linear":
        a, b = draw(st.lists(thresholds, min_size=2, max_size=2, unique=True))
        return rule(kind, zero_at=str(a), full_at=str(b))
    points = sorted(draw(st.lists(thresholds, min_size=1, max_size=5, unique=True)), reverse=direction == "gte")
    parts = sorted(draw(st.lists(shares, min_size=len(points), max_size=len(points))), reverse=True)
    bands = [{"threshold": str(t), "share": str(s)} for t, s in zip(points, parts, strict=True)]
    return rules.validate(kind, {"direction": direction, "bands": bands})


def better(found, a, b):
    """Whether b is at least as good as a under the rule's direction."""
    if found.kind == "linear":
        return b >= a if found.full_at > found.zero_at else b <= a
    return b >= a if found.direction == "gte" else b <= a


@given(any_rule(), values)
def test_a_score_lies_between_nothing_and_full_marks(found, value):
    assert D(0) <= rules.score(found, value) <= D(100)


@given(any_rule(), values, values)
def test_a_better_value_never_scores_less(found, a, b):
    if not better(found, a, b):
        a, b = b, a
    assert rules.score(found, a) <= rules.score(found, b)


@given(st.decimals(min_value="0.5", max_value=1000, places=1), st.decimals(min_value=0, max_value=1, places=3))
def test_a_person_s_score_within_the_scale_is_its_share(top, fraction):
    found = rule("scale", max=str(top))
    value = (top * fraction).quantize(D("0.01"))
    if value > top:
        value = top
    result = rules.score(found, value)
    assert D(0) <= result <= D(100)
    assert abs(result - value / top * 100) <= D("0.005")


# -- the total of a tree -----------------------------------------------------------------------
TREE = {None: [(1, D(20)), (2, D(80))], 1: [(11, D(50)), (12, D(50))], 2: [(21, D(100))]}


def test_the_total_weights_each_level():
    assert rules.weighted_total(TREE, {11: D(100), 12: D(100), 21: D(100)}) == D(100)
    assert rules.weighted_total(TREE, {11: D(50), 12: D(100), 21: D(100)}) == D(95)
    assert rules.weighted_total(TREE, {11: D(100), 12: D(100), 21: D(0)}) == D(20)
    assert rules.weighted_total(TREE, {21: D(100)}) == D(80)  # the missing leaves earn nothing
    assert rules.weighted_total({}, {}) == D(0)


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=3, max_size=3))
def test_the_total_lies_between_nothing_and_full_marks(parts):
    total = rules.weighted_total(TREE, dict(zip((11, 12, 21), parts, strict=True)))
    assert D(0) <= total <= D(100)
    exact = D(20) * (parts[0] + parts[1]) / 200 + D(80) * parts[2] / 100
    assert total == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
