import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from liangxin.accounts.scoping import scope_for
from liangxin.orgs import validation

from .conftest import CODES, org_values

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def message(func, value) -> str:
    with pytest.raises(ValidationError) as info:
        func(value)
    return info.value.messages[0]


@given(st.text(alphabet=ALPHABET, min_size=9, max_size=9), st.booleans(), st.booleans())
def test_any_valid_code_survives_how_people_type_it(body, lower, full_width):
    code = "91310101" + body
    code += uscc.calc_check_digit(code)
    typed = code.lower() if lower else code
    if full_width:
        typed = "".join(FULL_WIDTH.get(ch, ch) for ch in typed)
    assert validation.clean_credit_code(f"  {typed[:6]} {typed[6:]}\u3000") == code


def test_credit_code_messages_are_chinese_and_specific():
    assert "18位" in message(validation.clean_credit_code, "91310101MA1FPX")
    assert "校验位错误" in message(validation.clean_credit_code, CODES[0][:-1] + ("1" if CODES[0][-1] != "1" else "2"))
    assert "无效字符" in message(validation.clean_credit_code, "91310101MA1FPXOOOI")
    assert validation.clean_credit_code("") is None


@pytest.mark.parametrize(
    "raw, expected", [("12", 12), (" １２ ", 12), ("1,200", 1200), ("", None), (7, 7), ("30.0", 30)]
)  # blank: unknown (从业人员数未填), not 0
def test_employees_accepts_what_ledgers_hold(raw, expected):
    assert validation.clean_employees(raw) == expected


@pytest.mark.parametrize("raw, text", [("-1", "不能为负数"), ("十二", "应为整数"), ("2000000", "请核对")])
def test_employees_rejects_with_reason(raw, text):
    assert text in message(validation.clean_employees, raw)


def test_name_and_date_checks():
    assert validation.clean_name("  上海　嘉信 ") == "上海 嘉信"
    assert "不能为空" in message(validation.clean_name, " ")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert "不能晚于今天" in message(validation.clean_founded_on, tomorrow)


def check(cast, user, instance=None, **overrides):
    return validation.check_organization(org_values(cast, **overrides), instance=instance, scope=scope_for(user))


def test_duplicate_code_names_the_holder_only_when_visible(cast):
    inside = check(cast, cast.street_admin, credit_code=CODES[0])
    assert "上海嘉信信息科技有限公司" in inside["credit_code"]
    outside = check(cast, cast.other_street_admin, credit_code=CODES[0], operating_region=cast.waitan)
    assert "其他辖区" in outside["credit_code"] and "嘉信" not in outside["credit_code"]
    assert check(cast, cast.street_admin, instance=cast.org, credit_code=CODES[0]) == {}


def test_code_required_except_for_individual_businesses(cast):
    assert "必填" in check(cast, cast.street_admin)["credit_code"]
    assert check(cast, cast.street_admin, kind="individual") == {}


def test_place_carrier_and_scope_checks(cast):
    assert (
        "街道/镇或网格"
        in check(cast, cast.city_admin, credit_code=CODES[3], operating_region=cast.huangpu)["operating_region"]
    )
    assert "不在经营地" in check(cast, cast.city_admin, credit_code=CODES[3], carrier=cast.park)["carrier"]
    assert (
        "管辖范围"
        in check(cast, cast.street_admin, credit_code=CODES[3], operating_region=cast.waitan)["operating_region"]
    )
    assert check(cast, cast.street_admin, credit_code=CODES[3], operating_region=cast.grid, carrier=cast.building) == {}


def test_attachment_needs_committee_reason_and_date(cast):
    errors = check(cast, cast.city_admin, credit_code=CODES[3], attachment_kind="industry")
    assert set(errors) == {"attachment_node", "attachment_reason", "attachment_date"}
    errors = check(cast, cast.city_admin, credit_code=CODES[3], attachment_node=cast.lawyers_node)
    assert "调整方式" in errors["attachment_kind"]


def test_street_admin_cannot_hand_an_organization_to_another_committee(cast):
    errors = check(
        cast, cast.street_admin, instance=cast.org, credit_code=CODES[0], attachment_kind="industry",
        attachment_node=cast.lawyers_node, attachment_reason="r", attachment_date=datetime.date(2024, 1, 1),
    )  # fmt: skip
    assert "管辖范围" in errors["attachment_node"]
