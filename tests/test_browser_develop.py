"""A secretary records 确定为发展对象 too early, reads the refusal (the rule, its parameter, the days
left), corrects the date and sees the applicant move on (Playwright on Debian chromium)."""

import datetime

import pytest
from django.utils import timezone

from liangxin.accounts.scoping import scope_for
from liangxin.core.dates import add_months
from liangxin.develop import services

from .party_helpers import id_number, make_member, make_party_org
from .test_browser import browser, expect, log_in, page  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
]


@pytest.fixture
def site(transactional_db, live_server, cast):
    from .conftest import _user

    today = timezone.localdate()
    cast.branch = make_party_org(cast, name="上海嘉信信息科技有限公司党支部", covered=[cast.org])
    cast.secretary = _user("jiaxin_secretary", "secretary", cast.branch.node)
    contact = make_member(cast, cast.branch, name="张伟")
    scope = scope_for(cast.secretary)
    values = {"name": "刘洋", "party_org": cast.branch, "applied_on": today - datetime.timedelta(days=420)}
    applicant = services.register(cast.secretary, scope, values, id_number("19980315"))
    services.record_step(cast.secretary, scope, applicant, "talk", {"on": today - datetime.timedelta(days=410)})
    cast.activist_on = today - datetime.timedelta(days=400)
    services.record_step(
        cast.secretary, scope, applicant, "activist", {"on": cast.activist_on, "contacts": [contact.pk]}
    )
    cast.applicant = applicant
    cast.url = lambda path: live_server.url + path
    return cast


def test_secretary_records_a_step_too_early_reads_why_and_fixes_it(site, page):  # noqa: F811
    log_in(page, site, site.secretary)
    page.goto(site.url("/develop/"))
    page.get_by_role("link", name="刘洋").click()
    expect(page.locator("#stage")).to_have_text("入党积极分子")
    ready = add_months(site.activist_on, 12)
    form = page.locator("#step-candidate")
    form.locator("input[name=on]").fill(f"{ready - datetime.timedelta(days=5):%Y-%m-%d}")
    form.get_by_role("button", name="登记「确定为发展对象」").click()
    expect(page.locator("#refusal")).to_contain_text(
        "培养教育考察不足 12 个月（规则：「积极分子培养教育考察至少」12 个月"
        "（《中国共产党发展党员工作细则》）），还差 5 天"
    )
    form = page.locator("#step-candidate")
    expect(form.locator("input[name=on]")).to_have_value(f"{ready - datetime.timedelta(days=5):%Y-%m-%d}")
    expect(form.locator(".field.has-error .error")).to_contain_text("还差 5 天")
    form.locator("input[name=on]").fill(f"{ready:%Y-%m-%d}")
    form.get_by_role("button", name="登记「确定为发展对象」").click()
    expect(page.locator(".msg-success")).to_contain_text("已登记「确定为发展对象」：刘洋")
    expect(page.locator("#stage")).to_have_text("发展对象")
    expect(page.locator("#history")).to_contain_text("确定为发展对象")
    expect(page.locator("#step-introducers")).to_be_visible()
