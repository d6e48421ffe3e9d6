"""The 互动网 and a member's own pages on a phone (Debian chromium, 390 × 844): a member opens the
navigation behind 菜单, reads the policy library and the 常见问题, searches, asks a question; then
their own record, meetings and inbox. No page is wider than the screen (no sideways scrolling),
wide tables scroll inside their own box. Screenshots go to the test's temporary directory
(``PHONE_SCREENSHOT_DIR`` keeps them elsewhere)."""

# ruff: noqa: F811 (the fixtures imported from test_browser share their names with the arguments)

import datetime
import os

import pytest
from django.utils import timezone

from liangxin.inbox.services import notify
from liangxin.life import prompts
from liangxin.portal import policies
from liangxin.qa import services
from liangxin.qa.models import Question

from . import qa_world
from .test_browser import CHROMIUM, browser, expect, log_in, page  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not found on PATH"),
]

PHONE = {"width": 390, "height": 844}
LONG = "关于进一步加强新经济组织和新社会组织党的建设推进两个覆盖工作的实施意见（试行）"


@pytest.fixture
def site(transactional_db, live_server, party_cast):
    c = qa_world.build(party_cast)
    c.url = lambda path: live_server.url + path
    today = timezone.localdate()
    policies.publish(
        c.city_admin, c.city_node,
        {"title": LONG, "number": "沪社工委〔2025〕12号", "issuer": "上海市社会工作党委", "issued_on": "2025-03-01",
         "category": "city", "body": "全面推进两个覆盖工作，" * 60, "to_everyone": True},
        today=datetime.date(2025, 6, 30),
    )  # fmt: skip
    faq = services.ask(
        c.neighbour, c.branch.node, {"title": "流动党员如何交纳党费？", "text": "外出务工" * 30, "is_public": True}
    )
    services.answer(c.street_admin, faq, "可以通过手机按月交纳，也可以回原党支部交纳。" * 4, official=True)
    prompts.publish(
        c.street_admin, c.nanjing_node,
        {"month": f"{today:%Y-%m}", "title": "本月组织生活：学习支部工作条例", "text": "结合本单位实际开展学习。",
         "topics": "学习《中国共产党支部工作条例（试行）》"},
        today,
    )  # fmt: skip
    for i in range(4):
        notify([c.asker], "message", f"关于开展主题党日活动的通知（第{i + 1}期）" + "请按时参加" * 6, "请按时参加。")
    return c


@pytest.fixture
def shots(tmp_path):
    folder = os.environ.get("PHONE_SCREENSHOT_DIR") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return folder


def fits(page, shots: str, name: str) -> None:
    """The page is no wider than the phone (390 px), and its screenshot is kept."""
    page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (name, page.url, width)


def test_a_member_reads_the_portal_and_asks_a_question_on_a_phone(site, page, shots):
    c = site
    page.set_viewport_size(PHONE)
    log_in(page, c, c.asker)
    expect(page.locator("#month-prompts")).to_contain_text("学习支部工作条例")
    expect(page.locator("nav.sidenav")).to_be_hidden()  # folded behind 菜单
    fits(page, shots, "home")
    page.locator("label.navbutton").click()
    expect(page.locator("nav.sidenav")).to_be_visible()
    fits(page, shots, "menu")
    page.locator("nav.sidenav").get_by_role("link", name="政策文件库").click()
    expect(page.locator("h1")).to_have_text("政策文件库")
    fits(page, shots, "policies")
    page.locator("form.filters input[name=q]").fill("覆盖")
    page.locator("form.filters input[name=q]").press("Enter")
    expect(page.locator("ol.results mark").first).to_have_text("覆盖")
    fits(page, shots, "policy-search")
    page.locator("ol.results a.result-title").first.click()
    expect(page.locator("h1")).to_contain_text("两个覆盖工作")
    fits(page, shots, "policy")

    page.goto(c.url("/portal/qa/"))
    expect(page.locator("#questions")).to_contain_text("流动党员如何交纳党费？")
    fits(page, shots, "faq")
    page.locator("form.filters input[name=q]").fill("手机")
    page.locator("form.filters input[name=q]").press("Enter")
    page.locator("#questions a.result-title").first.click()
    expect(page.locator("#answers")).to_contain_text("官方解答")
    fits(page, shots, "faq-answer")

    page.goto(c.url("/portal/qa/"))
    page.get_by_role("link", name="＋ 我要提问").click()
    fits(page, shots, "ask")
    page.locator("#id_title").fill("预备党员转正需要哪些材料？")
    page.locator("#id_text").fill("我是预备党员，明年到期，请问转正申请需要准备哪些材料？" * 3)
    page.locator("#id_is_public").uncheck()
    page.get_by_role("button", name="提交问题").click()
    expect(page.locator("h1")).to_have_text("预备党员转正需要哪些材料？")
    expect(page.locator(".msg-success")).to_contain_text(c.nanjing_node.name)
    fits(page, shots, "asked")
    question = Question.objects.get(title="预备党员转正需要哪些材料？")
    assert (question.asker, question.is_public, question.committee) == (c.asker, False, c.nanjing_node)


def test_a_members_own_pages_and_the_inbox_fit_a_phone(site, page, shots):
    c = site
    page.set_viewport_size(PHONE)
    log_in(page, c, c.asker)
    for name, path, ready in (
        ("membership", "/me/membership/", "h1"),
        ("meetings", "/me/meetings/", "h1"),
        ("inbox", "/inbox/", "#notices"),
        ("profile", "/me/", "h1"),
    ):
        page.goto(c.url(path))
        expect(page.locator(ready).first).to_be_visible()
        fits(page, shots, name)
    # a wide table scrolls inside its own box, never the page
    page.goto(c.url("/inbox/"))
    box = page.evaluate(
        "() => { const t = document.querySelector('#notices'); return [t.scrollWidth, t.clientWidth]; }"
    )
    assert box[1] <= PHONE["width"], box


def test_the_desktop_keeps_the_side_navigation_without_a_menu_button(site, page):
    c = site
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, c, c.asker)
    expect(page.locator("nav.sidenav")).to_be_visible()
    expect(page.locator("label.navbutton")).to_be_hidden()
