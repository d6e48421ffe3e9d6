"""Under the Content-Security-Policy nothing on the main pages is refused (Debian chromium, Playwright): the
dashboard's charts and their tooltips, the organization list's HTMX filter, a form with its error, the inbox,
the compliance grid, the API documents and the Django admin. Every violation the browser reports (the
``securitypolicyviolation`` event and the console's "Content Security Policy" messages) fails the test.

Screenshots of the dashboard: set ``CSP_SCREENSHOT_DIR`` to keep them (to look at before/after)."""

import os
import random

import pytest

from liangxin.accounts.models import User

from . import stats_world
from .conftest import PASSWORD
from .test_browser import WRONG_CODE, browser, expect, fill_new_org, log_in, page, save, submit_login  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]

# Playwright's init scripts run outside the tab's policy, so this listener is not itself refused.
LISTEN = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
});"""


@pytest.fixture
def site(transactional_db, live_server, cast):
    cast.url = lambda path: live_server.url + path
    stats_world.build(cast, random.Random(5))
    return cast


@pytest.fixture
def watched(page):  # noqa: F811 (the fixture imported above)
    """The tab, and the list of every policy violation seen on it."""
    tab = page
    seen = []
    tab.add_init_script(LISTEN)
    tab.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    tab.violations = lambda: seen + [v for v in tab.evaluate("window.__csp || []")]
    return tab


def visit(tab, site, path: str, ready: str) -> None:
    tab.goto(site.url(path))
    expect(tab.locator(ready).first).to_be_visible()


def screenshot(tab, name: str, selector: str = "") -> None:
    folder = os.environ.get("CSP_SCREENSHOT_DIR")
    if folder and selector:
        tab.locator(selector).screenshot(path=os.path.join(folder, name))
    elif folder:
        tab.screenshot(path=os.path.join(folder, name), full_page=True)


def test_dashboard_list_form_inbox_and_grid_raise_no_violation(site, watched):
    tab = watched
    log_in(tab, site, site.district_admin)
    assert tab.violations() == []

    visit(tab, site, "/stats/", "#chart-children canvas")
    tab.wait_for_function("echarts.getInstanceByDom(document.getElementById('chart-children')) !== undefined")
    screenshot(tab, "dashboard.png")
    tab.locator("#chart-children").scroll_into_view_if_needed()
    box = tab.locator("#chart-children canvas").first.bounding_box()
    tab.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)  # a tooltip
    tab.wait_for_timeout(800)
    screenshot(tab, "tooltip.png", "#chart-children")
    chart = tab.locator("#chart-children")
    height = tab.evaluate("document.getElementById('chart-children').getBoundingClientRect().height")
    assert height == int(chart.get_attribute("data-height"))  # set by stats.js, no longer a style attribute
    assert tab.evaluate("document.getElementById('chart-kinds').getBoundingClientRect().height") == 280
    assert tab.violations() == []
    with tab.expect_navigation():
        tab.locator("select[data-navigate]").select_option("blank")
    assert "sort=blank" in tab.url
    assert tab.violations() == []

    visit(tab, site, "/orgs/", "#orgs tbody tr")
    with tab.expect_response(lambda r: "/orgs/" in r.url and r.request.headers.get("hx-request") == "true"):
        tab.locator("form.filters select[name=kind]").select_option("private")
    assert tab.violations() == []

    visit(tab, site, "/orgs/new/", "#id_name")
    fill_new_org(tab, site, WRONG_CODE)
    save(tab)
    expect(tab.locator(".field.has-error .error")).to_contain_text("校验位错误")
    assert tab.violations() == []

    visit(tab, site, "/inbox/", "h1")
    visit(tab, site, "/nodes/", "table")
    assert tab.violations() == []

    # every page of the left navigation (组织生活达标's grid, 发展党员, 党费, imports' progress poll …)
    links = tab.locator("nav.sidenav a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert len(links) > 15
    for href in links:
        tab.goto(site.url(href))
        tab.wait_for_load_state("load")
        assert tab.violations() == [], href


def test_api_documents_raise_no_violation(site, watched):
    tab = watched
    log_in(tab, site, site.city_admin)
    visit(tab, site, "/api/v1/docs/", ".swagger-ui .info .title")
    assert tab.violations() == []
    tab.goto(site.url("/api/v1/redoc/"))
    expect(tab.locator("h1").first).to_be_visible(timeout=30_000)  # Redoc renders the whole document first
    # Redoc's "API docs by Redocly" logo is an image on its CDN: refused, as intended (nothing leaves the
    # intranet); the tab works without it. Any other violation fails.
    assert [v for v in tab.violations() if "https://cdn.redoc.ly/" not in v] == []


def test_django_admin_raises_no_violation(site, watched):
    tab = watched
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    tab.goto(site.url("/login/"))  # the product's login (the admin's own login page may redirect there)
    submit_login(tab, "root", PASSWORD)
    tab.wait_for_load_state("load")
    visit(tab, site, "/admin/", "#content")
    visit(tab, site, "/admin/accounts/user/", "#content")
    visit(tab, site, f"/admin/accounts/user/{root.pk}/change/", "#content")
    visit(tab, site, "/admin/regions/region/", "#content")
    visit(tab, site, "/admin/core/auditentry/", "#content")
    assert tab.violations() == []
