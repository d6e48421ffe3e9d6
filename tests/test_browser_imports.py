"""End to end: a district admin uploads a ledger in the browser, watches the background job's
progress bar (the real django-tasks database worker runs in another process), and downloads
the file of rejected rows."""

import os
import signal
import subprocess
import sys

import openpyxl
import pytest

from liangxin.orgs.models import Organization

from .ledgers import code_for, write_csv
from .test_browser import browser, expect, log_in, page  # noqa: F401 (fixtures)
from .test_imports import _database_url

pytestmark = [
    pytest.mark.browser,
]


@pytest.fixture
def site(transactional_db, live_server, cast):
    cast.url = lambda path: live_server.url + path
    return cast


@pytest.fixture
def worker(site):
    env = {**os.environ, "DATABASE_URL": _database_url()}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def test_upload_watch_progress_and_download_rejected_rows(site, page, worker, tmp_path):  # noqa: F811
    rows = [["企业名称", "统一社会信用代码", "企业类型", "行业", "所在街道", "职工人数"]]
    rows += [[f"上海浏览器{i}号有限公司", code_for(i), "私营企业", "I", "310101002", str(i % 90)] for i in range(6000)]
    rows[100][5] = "-1"  # two bad rows among six thousand
    rows[200][2] = "火星企业"
    path = write_csv(tmp_path / "街道台账.csv", rows)

    log_in(page, site, site.district_admin)
    page.get_by_role("link", name="批量导入").click()
    page.locator("select[name=kind]").select_option("organizations")
    page.locator("input[name=file]").set_input_files(path)
    page.get_by_role("button", name="开始导入").click()

    expect(page.locator("h1")).to_contain_text("街道台账.csv")
    expect(page.locator("#job-bar")).to_be_visible()  # the job runs in the background worker
    expect(page.locator("#job-status")).to_have_text("已完成", timeout=120_000)
    counts = page.locator("#job-counts td").all_inner_texts()
    assert counts == ["5998", "0", "0", "2"]
    expect(page.locator("#rejected-rows")).to_contain_text("从业人员数不能为负数")
    expect(page.locator("#rejected-rows")).to_contain_text("组织类型「火星企业」不在可选范围内")

    with page.expect_download() as download_info:
        page.locator("#download-errors").click()
    saved = tmp_path / "errors.xlsx"
    download_info.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[-1] for row in data] == [101, 201]
    assert "从业人员数不能为负数" in data[0][-2]
    assert Organization.objects.filter(name__startswith="上海浏览器").count() == 5998
