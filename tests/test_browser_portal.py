"""政策文件库 in Debian's chromium on a phone-sized screen (390 px): the list with a search, a document's
page and the publish form never scroll sideways, and the words found are marked."""

# ruff: noqa: F811 (the fixtures imported from test_browser share their names with the arguments)

import datetime

import pytest

from liangxin.portal import policies

from .test_browser import CHROMIUM, browser, expect, log_in, page, site  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not found on PATH"),
]

PHONE = {"width": 390, "height": 844}
LONG = "关于进一步加强新经济组织和新社会组织党的建设推进两个覆盖工作的实施意见（试行）" * 2


def _overflow(page) -> int:
    """How far the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_the_policy_pages_fit_a_phone(site, page):
    doc = policies.publish(
        site.street_admin, site.nanjing_node,
        {"title": LONG, "number": "南东街委〔2025〕12号", "issuer": "南京东路街道综合党委", "issued_on": "2025-03-01",
         "category": "street", "body": ("全面推进两个覆盖工作，" * 80) + "https://example.invalid/" + "x" * 120},
        today=datetime.date(2025, 6, 30),
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    log_in(page, site, site.street_admin)
    page.goto(site.url("/portal/policies/?q=覆盖"))
    expect(page.locator("ol.results mark").first).to_have_text("覆盖")
    assert _overflow(page) == 0
    page.goto(site.url(f"/portal/policies/{doc.pk}/"))
    expect(page.locator("h1")).to_contain_text("两个覆盖工作")
    assert _overflow(page) == 0
    page.goto(site.url("/portal/policies/new/"))
    expect(page.locator("h1")).to_have_text("发布政策文件")
    assert _overflow(page) == 0
