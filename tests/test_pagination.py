import random

import pytest

from liangxin.core.pagination import keyset_page
from liangxin.orgs.models import Organization


@pytest.fixture
def many(cast):
    rng = random.Random(7)
    Organization.objects.bulk_create(
        Organization(name=f"组织{i}", sort_key=f"zu zhi {rng.randint(0, 5)}", pinyin_initials="ZZ", sector="economic",
                     kind="private", industry="C", employees=rng.randint(0, 4), operating_region=cast.nanjing,
                     responsible_basis="operating")
        for i in range(57)
    )  # fmt: skip
    return Organization.objects.all()


@pytest.mark.parametrize("key, descending", [("employees", True), ("employees", False), ("sort_key", False)])
@pytest.mark.parametrize("size", [1, 7, 10, 60])
def test_pages_walk_every_row_once_in_order_both_ways(many, key, descending, size):
    expected = list(many.order_by(("-" if descending else "") + key, ("-" if descending else "") + "pk"))
    seen, pages, cursor = [], [], None
    while True:
        page = keyset_page(many, key, descending, cursor, size)
        seen += page.rows
        pages.append(page.rows)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected
    # and back again from the last page
    page = keyset_page(many, key, descending, cursor, size) if len(pages) > 1 else None
    back = pages[-1]
    for earlier in reversed(pages[:-1]):
        page = keyset_page(many, key, descending, page.prev_cursor, size)
        assert page.rows == earlier
        back = earlier
    assert back == pages[0]


def test_a_forged_cursor_gives_the_first_page(many):
    assert (
        keyset_page(many, "employees", False, "not-a-cursor", 5).rows
        == keyset_page(many, "employees", False, None, 5).rows
    )
