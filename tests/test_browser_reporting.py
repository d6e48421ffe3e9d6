"""报送任务 end to end (Playwright on Debian chromium): 黄浦's committee uploads an Excel template
and confirms its columns, then asks its two streets for two reports — a monthly form and the
template. 南京东路 answers the form on the page; 外滩 downloads the template pre-filled with its
name and code, fills two rows and uploads it; the district returns 外滩's answer with a reason,
外滩 uploads a corrected workbook (第2版), and the district collects both sheets — the downloaded
workbooks hold exactly the rows given, with the subtotal recounted here."""

import datetime
import importlib

import openpyxl
import pytest
import xlsxwriter

from .test_browser import browser, expect, log_in, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]

HEADERS = ["项目名称", "参与党员数", "开展日期"]


@pytest.fixture
def site(transactional_db, live_server, cast):
    # a browser test before this one on the same worker flushed the tables, the forms the platform
    # ships (a data migration) with them: ship them again, as the migration does
    from django.apps import apps

    importlib.import_module("liangxin.reporting.migrations.0002_shipped_forms").ship(apps, None)
    cast.url = lambda path: live_server.url + path
    return cast


def log_out(tab) -> None:
    tab.context.clear_cookies()  # the next user logs in on the same browser


def template_file(path) -> str:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("项目")
    sheet.write_row(0, 0, HEADERS)
    sheet.write_row(1, 0, ["示例项目", 10])
    book.close()
    return str(path)


def filled(downloaded: str, rows: list[list], out) -> str:
    """The downloaded workbook with ``rows`` written under the pre-filled name and code."""
    book = openpyxl.load_workbook(downloaded)
    sheet = book.worksheets[0]
    name, code = sheet.cell(2, 1).value, sheet.cell(2, 2).value
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate([name, code, *row], start=1):
            sheet.cell(r, c).value = value
    book.save(str(out))
    return str(out)


def sheet_rows(path: str) -> list[list]:
    sheet = openpyxl.load_workbook(path)["数据"]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def send(tab, site, form: str, title: str) -> None:
    tab.goto(site.url("/reporting/new/"))
    tab.get_by_label("报送表单").select_option(label=form)
    tab.get_by_label("任务名称").fill(title)
    today = datetime.date.today()
    tab.get_by_label("统计期起").fill(today.replace(day=1).isoformat())
    tab.get_by_label("统计期止").fill(today.isoformat())
    tab.get_by_label("直接下级").check()
    tab.get_by_role("button", name="发起报送").click()
    expect(tab.locator(".msg-success")).to_contain_text("已发起报送，报送单位 2 个")


def open_task(tab, site, title: str) -> None:
    tab.goto(site.url("/reporting/mine/"))
    tab.get_by_role("link", name=title).click()


def test_two_streets_answer_by_form_and_by_template_one_is_returned_and_the_district_collects(site, page, tmp_path):  # noqa: F811
    # the district uploads its template and says what each column holds
    log_in(page, site, site.district_admin)
    page.goto(site.url("/reporting/"))
    page.get_by_role("link", name="报送模板").first.click()
    page.get_by_label("模板名称").fill("党建项目清单")
    page.get_by_label("Excel 模板文件").set_input_files(template_file(tmp_path / "模板.xlsx"))
    page.get_by_role("button", name="上传并设置各列").click()
    expect(page.locator(".msg-success")).to_contain_text("共 3 列")
    expect(page.get_by_label("参与党员数的类型")).to_have_value("number")  # guessed from the example row
    page.get_by_label("开展日期的类型").select_option(label="日期")
    page.get_by_label("项目名称必填").check()
    page.get_by_label("参与党员数必填").check()
    page.get_by_role("button", name="确认各列").click()
    expect(page.locator(".msg-success")).to_contain_text("已可用于发起报送")
    send(page, site, "两新组织覆盖情况月报", "十二月覆盖月报")
    send(page, site, "党建项目清单（Excel 模板）", "十二月党建项目")
    log_out(page)

    # 南京东路 answers the form on the page
    log_in(page, site, site.street_admin)
    open_task(page, site, "十二月覆盖月报")
    page.get_by_label("本月新建党组织（个）").fill("2")
    page.get_by_label("空白点消除进展").select_option("按计划推进")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".msg-success")).to_contain_text("已提交第1版")
    log_out(page)

    # 外滩 downloads its template, fills it — first with a mistake the platform names
    log_in(page, site, site.other_street_admin)
    open_task(page, site, "十二月党建项目")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载本单位的模板").click()
    downloaded = str(tmp_path / "下载的模板.xlsx")
    info.value.save_as(downloaded)
    bad = filled(downloaded, [["学习小组", "五"]], tmp_path / "错误.xlsx")
    page.get_by_label("填好的 Excel 文件").set_input_files(bad)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#answer-errors")).to_contain_text("第2行「参与党员数」：应为数字，收到「五」")
    first = filled(downloaded, [["学习小组", 5, datetime.datetime(2026, 12, 1)], ["志愿服务", 8, None]],
                   tmp_path / "第一版.xlsx")  # fmt: skip
    page.get_by_label("填好的 Excel 文件").set_input_files(first)
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".msg-success")).to_contain_text("已提交第1版，共 2 行")
    log_out(page)

    # the district returns 外滩's answer with a reason
    log_in(page, site, site.district_admin)
    page.goto(site.url("/reporting/"))
    page.get_by_role("link", name="十二月党建项目").click()
    page.locator("#assignments tr", has_text="外滩街道综合党委").get_by_role("link").click()
    page.get_by_label("退回原因").fill("志愿服务的参与人数有误")
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator(".msg-success")).to_contain_text("已退回")
    log_out(page)

    # 外滩 sees why and uploads a corrected workbook: 第2版
    log_in(page, site, site.other_street_admin)
    open_task(page, site, "十二月党建项目")
    expect(page.locator(".msg-error")).to_contain_text("志愿服务的参与人数有误")
    second = filled(downloaded, [["学习小组", 5, datetime.datetime(2026, 12, 1)], ["志愿服务", 6, None]],
                    tmp_path / "第二版.xlsx")  # fmt: skip
    page.get_by_label("填好的 Excel 文件").set_input_files(second)
    page.get_by_role("button", name="重新提交").click()
    expect(page.locator(".msg-success")).to_contain_text("已提交第2版，共 2 行")
    log_out(page)

    # the district collects both sheets
    log_in(page, site, site.district_admin)
    page.goto(site.url("/reporting/"))
    page.get_by_role("link", name="十二月党建项目").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="收集汇总（Excel）").click()
    info.value.save_as(tmp_path / "模板汇总.xlsx")
    rows = sheet_rows(str(tmp_path / "模板汇总.xlsx"))
    header = rows[0]
    assert header[:5] == ["报送单位", "单位名称", "单位代码", "状态", "已报/应报"] and header[5:8] == HEADERS
    by_unit = [r[1:8] for r in rows[1:] if r[1]]
    waitan, nanjing = site.waitan_node, site.nanjing_node
    assert by_unit == [
        [nanjing.name, str(nanjing.pk), "未提交", None, None, None, None],
        [waitan.name, str(waitan.pk), "已提交", None, "学习小组", 5, datetime.datetime(2026, 12, 1)],
        [waitan.name, str(waitan.pk), "已提交", None, "志愿服务", 6, None],
    ]
    total = rows[-1]
    assert (total[0], total[4], total[6]) == ("合计", "1/2", 5 + 6)
    assert [r[8] for r in rows[1:] if r[1] == waitan.name] == [2, 2]  # the corrected version

    page.goto(site.url("/reporting/"))
    page.get_by_role("link", name="十二月覆盖月报").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="收集汇总（Excel）").click()
    info.value.save_as(tmp_path / "表单汇总.xlsx")
    rows = sheet_rows(str(tmp_path / "表单汇总.xlsx"))
    header = rows[0]
    col = header.index("本月新建党组织（个）")
    by_node = {r[0]: r for r in rows[1:]}
    assert by_node[nanjing.name][col] == 2 and by_node[nanjing.name][1] == "已提交"
    assert by_node[waitan.name][1] == "未提交" and by_node["合计"][col] == 2
