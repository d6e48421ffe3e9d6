"""考核轮次 end to end (Playwright on Debian chromium): the city starts a round; the branch's secretary
scores the sheet with a note and a photo as evidence and submits; the city starts review; 南京东路 adjusts
one score with a reason and passes the sheet; 黄浦 confirms; the city publishes (the total on the round's
page is recounted here); the secretary objects within the period and 黄浦 answers from its tasks."""

import datetime

import pytest

from liangxin.life.models import Meeting

from .conftest import _user
from .party_helpers import make_party_org
from .test_assessment_rounds import PNG, make_version, recount
from .test_browser import browser, expect, log_in, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(transactional_db, live_server, cast):
    cast.url = lambda path: live_server.url + path
    cast.branch = make_party_org(cast, name="上海嘉信信息科技有限公司党支部", covered=[cast.org])
    cast.secretary = _user("jiaxin_secretary", "secretary", cast.branch.node)
    cast.version = make_version(cast)
    for day in (datetime.date(2025, 3, 1), datetime.date(2025, 6, 1)):
        Meeting.objects.create(party_org=cast.branch, kind="general", date=day, status="held", topic="学习", place="室")
    return cast


def log_out(tab) -> None:
    tab.context.clear_cookies()


def open_sheet(tab, site, user, heading: str) -> None:
    log_in(tab, site, user)
    tab.goto(site.url("/assessment/tasks/"))
    tab.locator(heading).get_by_role("link").first.click()


def stage(tab, site, button: str, done: str) -> None:
    log_in(tab, site, site.city_admin)
    tab.goto(site.url("/assessment/rounds/"))
    tab.get_by_role("link", name="2025年度测试考核").click()
    tab.get_by_role("button", name=button).click()
    expect(tab.locator(".msg-success")).to_contain_text(done)
    log_out(tab)


def test_a_round_through_the_levels_with_an_objection(site, page, tmp_path):  # noqa: F811
    # the city starts the round
    log_in(page, site, site.city_admin)
    page.goto(site.url("/assessment/rounds/new/"))
    page.get_by_label("轮次名称").fill("2025年度测试考核")
    page.get_by_label("指标体系版本").select_option(label=str(site.version))
    page.get_by_label("考核期起").fill("2025-01-01")
    page.get_by_label("考核期止").fill("2025-12-31")
    page.get_by_role("button", name="发起").click()
    expect(page.locator(".msg-success")).to_contain_text("共 1 个评估对象")
    log_out(page)

    # the secretary scores, with a note and a photo, and submits
    open_sheet(page, site, site.secretary, "#tasks-self")
    photo = tmp_path / "会议照片.png"
    photo.write_bytes(PNG)
    board = page.locator("form", has=page.get_by_label("班子履职自评分"))
    board.get_by_label("班子履职自评分").fill("8")
    board.get_by_label("班子履职自评说明").fill("班子团结，按期换届")
    board.get_by_label("班子履职佐证材料").set_input_files(str(photo))
    board.get_by_role("button", name="保存").click()
    expect(page.locator(".msg-success")).to_contain_text("已保存「班子履职」的自评")
    expect(page.get_by_role("link", name="会议照片.png")).to_be_visible()
    people = page.locator("form", has=page.get_by_label("群众满意自评分"))
    people.get_by_label("群众满意自评分").fill("90")
    people.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交自评").click()
    expect(page.locator(".msg-success")).to_contain_text("已提交自评")
    log_out(page)

    stage(page, site, "开始审核", "审核中")

    # 南京东路 adjusts one score with its reason and passes the sheet
    open_sheet(page, site, site.street_admin, "#tasks-review")
    adjust = page.locator("form", has=page.get_by_label("班子履职调整值"))
    adjust.get_by_label("班子履职调整值").fill("6")
    adjust.get_by_label("班子履职调整理由").fill("会议记录不全")
    adjust.get_by_role("button", name="调整").click()
    expect(page.locator("#sheet")).to_contain_text("理由：会议记录不全")
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".msg-success")).to_contain_text("已审核通过")
    log_out(page)

    stage(page, site, "进入确认", "确认中")

    open_sheet(page, site, site.district_admin, "#tasks-confirm")
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".msg-success")).to_contain_text("已确认")
    log_out(page)

    stage(page, site, "发布结果并锁定", "已发布")

    # the published total, recounted: 60 × (½ × 2/4 + ½ × 6/10) + 40 × 90/100
    log_in(page, site, site.secretary)
    page.goto(site.url("/assessment/rounds/"))
    page.get_by_role("link", name="2025年度测试考核").click()
    expect(page.locator("#results")).to_contain_text(f"{recount(2, 6, 90):.2f}")
    page.get_by_role("link", name="上海嘉信信息科技有限公司党支部").click()
    expect(page.get_by_label("班子履职自评分")).to_have_count(0)  # locked: no form any more
    page.get_by_label("异议内容").fill("会议次数漏计一次")
    page.get_by_role("button", name="提出异议").click()
    expect(page.locator(".msg-success")).to_contain_text("已提出异议")
    log_out(page)

    # 黄浦 answers from its tasks
    open_sheet(page, site, site.district_admin, "#tasks-answer")
    page.get_by_label("答复").fill("经核，台账无第三次会议记录，维持原结果")
    page.get_by_role("button", name="答复").click()
    expect(page.locator(".msg-success")).to_contain_text("已答复异议")
    expect(page.locator("#objections")).to_contain_text("维持原结果")
