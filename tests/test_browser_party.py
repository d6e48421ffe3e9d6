"""A secretary adds a member with a wrong identity number, corrects it, and sees the finding
for their organization change (Playwright on Debian chromium)."""

import pytest
from stdnum.cn import ric

from liangxin.orgs.models import Organization

from .conftest import CODES
from .party_helpers import make_party_org
from .test_browser import browser, expect, log_in, page, save  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
]

RIGHT = "31010119900307002" + ric.calc_check_digit("310101199003070020")
WRONG = RIGHT[:-1] + ("1" if RIGHT[-1] != "1" else "2")


@pytest.fixture
def site(transactional_db, live_server, cast):
    from .conftest import _user

    Organization.objects.filter(pk=cast.org.pk).update(employees=60)
    cast.branch = make_party_org(
        cast, name="南京东路联合党支部", mode="joint", org_type="joint_branch", covered=[cast.org, cast.waitan_org]
    )
    cast.secretary = _user("lianhe_secretary", "secretary", cast.branch.node)
    cast.url = lambda path: live_server.url + path
    return cast


def test_secretary_adds_a_member_and_the_finding_goes(site, page):  # noqa: F811
    log_in(page, site, site.secretary)
    page.goto(site.url(f"/orgs/{site.org.pk}/"))
    expect(page.locator("#coverage")).to_contain_text(
        "职工 60 人，尚无党员（规则：职工 ≥50 人应有党员；依据 「应有党员的从业人员数」"
    )
    page.goto(site.url(f"/members/new/?party_org={site.branch.pk}"))
    page.locator("#id_name").fill("陈晓")
    page.locator("#id_id_number").fill(WRONG)
    page.locator("#id_employer_code").fill(CODES[0].lower())
    page.locator("#id_category").select_option("full")
    page.locator("#id_joined_on").fill("2015-07-01")
    page.locator("#id_full_on").fill("2016-07-01")
    save(page)
    expect(page.locator(".field.has-error .error")).to_contain_text("公民身份号码校验位错误")
    expect(page.locator("#id_name")).to_have_value("陈晓")
    page.locator("#id_id_number").fill(RIGHT)
    save(page)
    expect(page.locator(".msg-success")).to_contain_text("已保存党员「陈晓」")
    expect(page.locator("#id-number")).to_contain_text("310101********" + RIGHT[-4:])
    page.goto(site.url(f"/orgs/{site.org.pk}/"))
    expect(page.locator("#coverage")).not_to_contain_text("尚无党员")
    expect(page.locator("#coverage")).to_contain_text("1 名（正式 1 名）")
