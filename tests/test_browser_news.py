"""互动网 news and 信息报送 in Debian's chromium: a street writes a 工作动态 in the form, the district
approves it on its page, and a member of the street reads it on a phone-sized screen (390 px) —
the landing page, the list and the item never scroll sideways; the report form and the ranking
fit too."""

# ruff: noqa: F811 (the fixtures imported from test_browser share their names with the arguments)

import pytest

from liangxin.portal import reports
from liangxin.portal.models import NewsItem

from .conftest import _user
from .party_helpers import make_party_org
from .test_browser import CHROMIUM, browser, expect, log_in, page, site  # noqa: F401 (fixtures)
from .test_browser_portal import PHONE, _overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not found on PATH"),
]

TITLE = "南京东路街道举办楼宇党员主题党日活动暨两个覆盖百日攻坚推进会"


def test_a_streets_news_is_approved_and_read_on_a_phone(site, page):
    branch = make_party_org(site, name="上海嘉信信息科技有限公司党支部")
    member = _user("nanjing_member", "member", branch.node)
    log_in(page, site, site.street_admin)
    page.goto(site.url("/portal/news/new/"))
    page.locator("#id_category").select_option("news")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_body").fill(("街道组织辖区楼宇党员参观红色场馆，重温入党誓词。" * 20) + "\n\n第二段。")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".msg-success")).to_contain_text("黄浦区社会工作党委审核")
    item = NewsItem.objects.get()

    page.context.clear_cookies()
    log_in(page, site, site.district_admin)
    page.goto(site.url(f"/portal/news/{item.pk}/"))
    page.get_by_role("button", name="审核通过并发布").click()
    expect(page.locator(".msg-success")).to_contain_text("已审核通过")

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in(page, site, member)
    page.goto(site.url("/portal/"))
    expect(page.locator("ol.results a.result-title").first).to_have_text(TITLE)
    assert _overflow(page) == 0
    page.goto(site.url("/portal/news/?q=覆盖"))
    expect(page.locator("ol.results a.result-title")).to_have_text([TITLE])
    assert _overflow(page) == 0
    page.goto(site.url(f"/portal/news/{item.pk}/"))
    expect(page.locator(".richtext p")).to_have_count(2)
    assert _overflow(page) == 0


def test_the_report_pages_fit_a_phone(site, page):
    report = reports.submit(site.street_admin, site.nanjing_node, {"kind": "event", "title": TITLE, "body": "正文"})
    reports.adopt(site.district_admin, report, "key")
    page.set_viewport_size(PHONE)
    log_in(page, site, site.street_admin)
    page.goto(site.url("/portal/reports/new/"))
    expect(page.locator("h1")).to_have_text("报送信息")
    assert _overflow(page) == 0
    page.context.clear_cookies()
    log_in(page, site, site.district_admin)
    page.goto(site.url("/portal/reports/ranking/"))
    expect(page.locator("tbody tr").first).to_contain_text("南京东路街道综合党委")
    assert _overflow(page) == 0
