"""Every page every role of the demo reaches reads in Chinese: a bounded crawl in Debian's chromium.

The demo (``seed_demo``, small) is built, then each demo account logs in and follows the links of the
pages it sees (breadth first from the home page, so the menu comes first), same origin, GET only,
at most ``PAGES_PER_ROLE`` pages, never an export, a download or the logout. On each page the text a
user reads (``document.body.innerText`` and the title) may hold no snake_case identifier and no English
word outside ``ALLOWED``. Data is not a code name: the demo's login names and e-mail addresses are
allowed, and so are letters inside codes (credit codes, masked identity numbers), which always mix in digits.
"""

import heapq
import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from liangxin.accounts.models import RoleAssignment
from liangxin.demo.common import DEMO_PASSWORD

from .test_browser import CHROMIUM, browser, expect  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not found on PATH"),
]

PAGES_PER_ROLE = 32  # × 8 roles ≈ 250 pages; about 50 s on an idle 2-core machine
# Words a Chinese user of this platform reads as such (file formats, the API they are given; Word: the
# forms downloaded as .docx, 下载介绍信（Word）).
ALLOWED = {"API", "Excel", "Word", "PDF", "CSV", "ID", "Token", "Authorization", "JPEG", "PNG", "MB", "UTF", "GBK"}
PER_SHAPE = 2  # pages of one address shape (digits taken as one): two meeting pages, not forty
SKIP = re.compile(r"/logout/|export|download|/api/|/admin/|/static/|/media/|\.xlsx|\.csv|\.docx|\.pdf|/attachments?/")
SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
# a word of letters alone (letters inside a code mix in digits); after a dot it is a file's extension
WORD = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z]{2,}(?![A-Za-z0-9_])")
# an e-mail address is data, like a login name (a contact's 联系邮箱, a member's 电子邮箱)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"
TEXT_JS = "() => document.title + '\\n' + document.body.innerText"


@pytest.fixture
def demo(transactional_db, live_server):
    call_command("seed_demo", orgs=300, seed=1, stdout=open("/dev/null", "w"))
    users = RoleAssignment.objects.order_by("user__username").values_list("user__username", flat=True).distinct()
    return live_server.url, sorted(set(users))


def foreign_words(text: str, allowed: set[str]) -> list[str]:
    text = EMAIL.sub(" ", text)
    found = SNAKE.findall(text) + [w for w in WORD.findall(text) if w not in ALLOWED]
    return sorted({w for w in found if w not in allowed})


def shape_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(context, origin: str, username: str, logins: set[str], done: dict) -> tuple[int, dict[str, list[str]]]:
    """(pages visited, {path: foreign words}) over the pages ``username`` reaches. A page of an address
    shape (digits as one) this role has not seen goes before a second page of a known shape, and among
    those the shapes the roles before it (``done``: shape → visits) saw least go first, so the budget
    covers every kind of page (lists, details, forms, drill-downs) before repeating one."""
    page = context.new_page()
    page.goto(origin + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登 录").click()
    expect(page.locator("h1")).to_contain_text("您好")
    queue, seen, found, shapes = [(0, 0, 0, origin + "/")], {origin + "/"}, {}, {}
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        _, _, _, url = heapq.heappop(queue)
        response = page.goto(url, wait_until="domcontentloaded")
        done[shape_of(urlsplit(url).path)] = done.get(shape_of(urlsplit(url).path), 0) + 1
        visited += 1
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        words = foreign_words(page.evaluate(TEXT_JS), logins)
        if words:
            found[url[len(origin) :]] = words
        for href in page.evaluate(LINKS_JS):
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if not href.startswith(origin + "/") or SKIP.search(parts.path + "?" + parts.query) or href in seen:
                continue
            shape = shape_of(parts.path)
            rank = shapes.get(shape, 0)
            if rank < PER_SHAPE:
                seen.add(href)
                shapes[shape] = rank + 1
                heapq.heappush(queue, (rank, done.get(shape, 0), len(seen), href))
    page.close()
    return visited, found


def test_every_page_of_every_demo_role_reads_in_chinese(browser, demo):  # noqa: F811
    origin, usernames = demo
    assert len(usernames) >= 8
    everywhere, done = {}, {}
    for username in usernames:
        context = browser.new_context(locale="zh-CN")
        context.set_default_timeout(15_000)
        visited, found = crawl(context, origin, username, set(usernames), done)
        assert visited >= (5 if username == "member" else 20), (username, visited)
        context.close()
        everywhere.update({f"{username} {path}": words for path, words in found.items()})
    assert len(done) >= 60, sorted(done)  # kinds of page seen over all roles
    assert everywhere == {}
