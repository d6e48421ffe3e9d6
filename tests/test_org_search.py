"""Searching a credit code by any run of its characters (issue 11 §5: the last digits found nothing)."""

from urllib.parse import urlencode

from django.http import QueryDict

from liangxin.accounts.scoping import scope_for
from liangxin.orgs.queries import filtered_organizations

from .conftest import CODES, client_for


def found(user, text: str) -> set[str]:
    qs, f = filtered_organizations(scope_for(user), QueryDict(urlencode({"q": text})))
    assert not f.errors
    return set(qs.values_list("credit_code", flat=True))


def test_any_run_of_four_or_more_characters_of_the_code_finds_it(cast):
    code = CODES[0]  # 91310101MA1FPX0003
    assert found(cast.city_admin, code[-4:]) == {code}  # the last four: 0003
    assert code in found(cast.city_admin, code[8:14])  # six in the middle: MA1FPX
    assert code in found(cast.city_admin, code[:4])  # the first four
    assert found(cast.city_admin, code[-6:].lower()) == {code}  # typed in lower case
    page = client_for(cast.street_admin).get("/orgs/", {"q": code[-4:]}).content.decode()
    assert cast.org.name in page


def test_three_characters_match_only_the_start_of_a_code(cast):
    # 003 ends 91310101MA1FPX0003, but begins no code
    assert found(cast.city_admin, "003") == set()
    assert found(cast.city_admin, "913") == set(CODES[:3])


def test_search_by_code_stays_in_scope(cast):
    waitan_code = CODES[1]  # 外滩街道: not the 南京东路街道 admin's
    assert found(cast.street_admin, waitan_code[-4:]) == set()
    assert found(cast.other_street_admin, waitan_code[-4:]) == {waitan_code}
