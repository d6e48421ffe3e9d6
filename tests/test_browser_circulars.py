"""通知下达 end to end (Playwright on Debian chromium): 黄浦's committee sends a notice to its
streets, 南京东路 forwards it to its party organizations with its implementation notes, the
branch secretary opens it from the inbox and signs, and 黄浦's tracking page shows the street
level forwarded and the grassroots level signed."""

import pytest

from .party_helpers import make_party_org
from .test_browser import browser, expect, log_in, page  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
]


@pytest.fixture
def site(transactional_db, live_server, cast):
    from .conftest import _user

    cast.branch = make_party_org(cast, name="上海嘉信信息科技有限公司党支部", covered=[cast.org])
    cast.secretary = _user("jiaxin_secretary", "secretary", cast.branch.node)
    cast.url = lambda path: live_server.url + path
    return cast


def log_out(tab) -> None:
    tab.context.clear_cookies()  # the next user logs in on the same browser


def test_district_sends_street_forwards_secretary_signs_district_sees_it_reached(site, page):  # noqa: F811
    # the district sends to its streets
    log_in(page, site, site.district_admin)
    page.get_by_role("navigation").get_by_role("link", name="下发通知").click()
    page.get_by_label("标题").fill("关于开展十二月主题党日活动的通知")
    page.get_by_label("文号").fill("黄社工委〔2026〕12号")
    page.get_by_label("发文单位").fill("中共黄浦区社会工作委员会")
    page.locator("#id_body").fill("各街道综合党委：\n\n请组织所属党组织于本月内开展主题党日活动。")
    page.get_by_label("本单位直属下级单位").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="下发", exact=True).click()
    expect(page.locator(".msg-success")).to_contain_text("通知已下发至 2 个单位")
    log_out(page)

    # the street opens it from 收文 and forwards it to its party organizations with its notes
    log_in(page, site, site.street_admin)
    page.get_by_role("navigation").get_by_role("link", name="收文").click()
    expect(page.locator("#receipts tr.unread")).to_have_count(1)
    page.get_by_role("link", name="关于开展十二月主题党日活动的通知").click()
    expect(page.locator("#receipt-state")).to_have_text("已读")
    forward = page.locator("#forward")
    forward.get_by_label("转发意见（本单位的贯彻落实要求）").fill("请各支部于 12 月 25 日前报送活动照片。")
    forward.get_by_label("本单位直属下级单位（1 个）").check()
    forward.get_by_role("button", name="转发").click()
    expect(page.locator(".msg-success")).to_contain_text("已转发至 1 个单位")
    expect(page.locator("#receipt-state")).to_have_text("已转发")
    log_out(page)

    # the branch secretary finds it in the inbox, reads the chain with the street's notes, signs
    log_in(page, site, site.secretary)
    page.goto(site.url("/inbox/"))
    page.get_by_role("link", name="通知：关于开展十二月主题党日活动的通知").click()
    expect(page.locator("#notice h1")).to_have_text("关于开展十二月主题党日活动的通知")
    expect(page.locator("#chain")).to_contain_text("南京东路街道综合党委 转发")
    expect(page.locator("#chain")).to_contain_text("请各支部于 12 月 25 日前报送活动照片。")
    page.locator("#sign-button").click()
    expect(page.locator(".msg-success")).to_contain_text("已签收")
    expect(page.locator("#receipt-state")).to_have_text("已签收")
    log_out(page)

    # the district sees it reached: the street level forwarded, the grassroots level signed
    log_in(page, site, site.district_admin)
    page.get_by_role("navigation").get_by_role("link", name="发文").click()
    page.get_by_role("link", name="关于开展十二月主题党日活动的通知").click()
    streets = page.locator("#levels tr", has_text="街道/镇综合党委")
    expect(streets.locator("td")).to_have_text(["街道/镇综合党委", "2", "1", "1", "1", "1", "0"])
    grassroots = page.locator("#levels tr", has_text="基层党组织")
    expect(grassroots.locator("td")).to_have_text(["基层党组织", "1", "1", "1", "0", "0", "0"])
