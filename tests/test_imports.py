"""Bulk import of organizations and members: messy ledgers, exact reports, idempotence, modes,
scope, round trips, hostile files, the command's exit codes, pages and API."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from liangxin.accounts.scoping import scope_for
from liangxin.core import files
from liangxin.core.models import AuditAction, AuditEntry
from liangxin.imports import engine
from liangxin.imports.models import JobStatus
from liangxin.orgs.models import Organization
from liangxin.party.models import Member

from .conftest import client_for
from .ledgers import code_for, write_csv, write_xlsx

HEADER = ["序号", "企业名称", "统一社会信用代码", "企业类型", "行业", "成立时间", "职工人数", "是否规模以上",
          "所在街道", "地址"]  # fmt: skip


def run(actor, kind, path, **options):
    with open(path, "rb") as handle:
        job = engine.create_job(actor, kind, handle, str(path).rsplit("/", 1)[-1], **options)
    return engine.run(job.pk, scope_for(actor))


def reasons(job) -> dict[int, list[str]]:
    return {r.number: [f"{c}:{why}" for c, _, why in r.errors] for r in job.rejected_rows.all()}


def messy_rows():
    """A title row, an aliased header in its own order, and rows typed as people type them."""
    return [
        ["黄浦区两新组织台账（2026年）"],
        HEADER,
        [1, "上海测试一号科技有限公司", code_for(1), "民营企业", "I", "2023/5/1", "４５", "√", "南京东路街道",
         "南京东路1号"],
        [2, "上海测试二号科技有限公司", " " + code_for(2).lower() + " ", "私营企业", "信息传输、软件和信息技术服务业",
         "2023年5月1日", "1,200", "否", "310101002", ""],
        [],
        [3, "上海测试三号有限公司", code_for(3), "私营企业", "I", "20230501", "12", "是", "黄浦区南京东路街道", ""],
        [4, "上海测试四号有限公司", code_for(1), "私营企业", "I", "45047", "12", "是", "310101002", ""],
        [5, "坏", "12345", "火星企业", "Z", "2023-13-01", "-3", "也许", "999999999", ""],
        [6, "上海测试六号有限公司", code_for(6), "私营企业", "I", "2099-01-01", "5", "否", "310101002", ""],
        [7, "徐汇的公司有限公司", code_for(7), "私营企业", "I", "2020-01-01", "5", "否", "310104003", ""],
    ]  # fmt: skip


EXPECTED_REJECTED = {
    7: ["统一社会信用代码:与第 3 行重复（统一社会信用代码相同），本行未导入"],
    8: [
        "组织名称:组织名称至少2个字",
        "统一社会信用代码:统一社会信用代码应为18位，当前为5位",
        "组织类型:组织类型「火星企业」不在可选范围内（可选：私营企业；外商投资企业；港澳台商投资企业；个体工商户；"
        "其他非公有制经济组织；社会团体；民办非企业单位；基金会；社会中介组织；行业协会商会）",
        "所属行业:所属行业「Z」不在可选范围内（可选：农、林、牧、渔业；采矿业；制造业；电力、热力、燃气及水生产和供应业；"
        "建筑业；批发和零售业；交通运输、仓储和邮政业；住宿和餐饮业；信息传输、软件和信息技术服务业；金融业；房地产业；"
        "租赁和商务服务业等）",
        "成立日期:日期不存在：「2023-13-01」",
        "从业人员数:从业人员数不能为负数",
        "规模以上:应填写“是”或“否”，收到「也许」",
        "经营地区划代码:区划代码「999999999」不存在",
    ],
    9: ["成立日期:成立日期不能晚于今天"],
    10: ["经营地区划代码:该经营地不在您的管辖范围内，无法登记或迁往该地"],
}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_messy_csv_gives_the_exact_report(cast, tmp_path, encoding):
    path = write_csv(tmp_path / "台账.csv", messy_rows(), encoding=encoding)
    job = run(cast.district_admin, "organizations", path)
    assert job.status == JobStatus.DONE
    assert (job.created, job.updated, job.unchanged, job.rejected) == (3, 0, 0, 4)
    assert job.header_row == 2 and job.ignored_columns == ["序号"]
    assert reasons(job) == EXPECTED_REJECTED
    one = Organization.objects.get(credit_code=code_for(1))
    assert (one.employees, one.above_scale, one.founded_on) == (45, True, datetime.date(2023, 5, 1))
    two = Organization.objects.get(credit_code=code_for(2))
    assert (two.employees, two.kind, two.industry) == (1200, "private", "I")
    assert Organization.objects.get(credit_code=code_for(3)).founded_on == datetime.date(2023, 5, 1)
    assert one.operating_region == cast.nanjing and one.responsible_node == cast.nanjing_node
    assert one.pinyin_initials.startswith("SHCSYH")


def test_messy_xlsx_with_merged_title_cover_sheet_and_typed_cells(cast, tmp_path):
    rows = messy_rows()[1:]
    rows[1][5] = datetime.date(2023, 5, 1)  # a real date cell
    rows[1][6] = 45  # a number cell
    rows[2][6] = "1200"  # a number stored as text
    path = write_xlsx(tmp_path / "台账.xlsx", rows, title="黄浦区两新组织台账", merge_title_over=8,
                      sheets_before=[("说明", ["本表由街道填报"])])  # fmt: skip
    job = run(cast.district_admin, "organizations", path)
    assert (job.created, job.rejected) == (3, 4), reasons(job)
    assert job.header_row == 2
    assert set(reasons(job)) == {7, 8, 9, 10}
    one = Organization.objects.get(credit_code=code_for(1))
    assert (one.employees, one.founded_on) == (45, datetime.date(2023, 5, 1))


def test_reimport_changes_nothing_and_an_edit_is_an_audited_update(cast, tmp_path):
    path = write_csv(tmp_path / "a.csv", messy_rows())
    run(cast.district_admin, "organizations", path)
    before = (Organization.objects.count(), AuditEntry.objects.exclude(action=AuditAction.IMPORT).count())
    again = run(cast.district_admin, "organizations", path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 4)
    assert (Organization.objects.count(), AuditEntry.objects.exclude(action=AuditAction.IMPORT).count()) == before
    rows = messy_rows()
    rows[2][6] = "46"
    changed = run(cast.district_admin, "organizations", write_csv(tmp_path / "b.csv", rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    org = Organization.objects.get(credit_code=code_for(1))
    assert org.employees == 46
    entry = AuditEntry.objects.filter(object_type="orgs.organization", object_id=str(org.pk)).first()
    assert entry.action == AuditAction.UPDATE and entry.changes == {"从业人员数": [45, 46]}
    job_entry = AuditEntry.objects.filter(action=AuditAction.IMPORT).first()
    assert "b.csv" in job_entry.detail and changed.file_sha256 in job_entry.detail and "更新 1" in job_entry.detail


def test_all_or_nothing_with_a_bad_row_leaves_the_database_untouched(cast, tmp_path):
    path = write_csv(tmp_path / "a.csv", messy_rows())
    count, entries = Organization.objects.count(), AuditEntry.objects.count()
    job = run(cast.district_admin, "organizations", path, all_or_nothing=True)
    assert job.status == JobStatus.DONE and job.rejected == 4 and "未写入任何数据" in job.message
    assert Organization.objects.count() == count
    assert AuditEntry.objects.count() == entries + 1  # the job's own entry only
    good = [r for i, r in enumerate(messy_rows()) if i not in (6, 7, 8, 9)]
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "b.csv", good), all_or_nothing=True)
    assert (job.created, job.rejected) == (3, 0)
    assert Organization.objects.count() == count + 3


def test_dry_run_reports_without_writing(cast, tmp_path):
    count = Organization.objects.count()
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "a.csv", messy_rows()), dry_run=True)
    assert (job.created, job.rejected) == (3, 4)
    assert Organization.objects.count() == count
    assert not job.batches.exists()


def test_rows_outside_the_users_scope_are_rejected(cast, tmp_path):
    rows = [
        HEADER,
        [1, "外滩新公司有限公司", code_for(11), "私营企业", "I", "", "5", "否", "外滩街道", ""],
        [2, "改别人的公司", cast.xuhui_org.credit_code, "私营企业", "I", "", "5", "否", "310101002", ""],
    ]
    job = run(cast.street_admin, "organizations", write_csv(tmp_path / "a.csv", rows))
    assert job.rejected == 2 and job.created == 0
    assert reasons(job) == {
        2: ["经营地区划代码:该经营地不在您的管辖范围内，无法登记或迁往该地"],
        3: ["统一社会信用代码:该统一社会信用代码已在平台其他辖区登记，不能重复登记；如需迁入请联系上级党委"],
    }


def test_export_then_import_is_a_no_op(cast, tmp_path):
    run(cast.district_admin, "organizations", write_csv(tmp_path / "a.csv", messy_rows()))
    Organization.objects.filter(pk=cast.org.pk).update(contact_phone="+86 21 63210000", address="=1+1")
    response = client_for(cast.district_admin).get(reverse("web:org_export"))
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(b"".join(response.streaming_content))
    count = Organization.objects.count()
    job = run(cast.district_admin, "organizations", str(exported))
    assert job.status == JobStatus.DONE, job.message
    assert (job.created, job.updated, job.rejected) == (0, 0, 0)
    assert job.unchanged == count - 1  # every organization the district sees, except 天平 (徐汇)
    assert job.ignored_columns == []
    sheet = openpyxl.load_workbook(exported)["数据"]
    assert "'=1+1" in [c.value for c in sheet[2]] + [c.value for row in sheet.iter_rows(min_row=2) for c in row]


def test_the_error_file_carries_the_rows_and_reasons_and_imports_once_fixed(cast, tmp_path):
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "a.csv", messy_rows()))
    out = tmp_path / "errors.xlsx"
    from liangxin.imports import report

    assert report.write_error_file(job, str(out)) == 4
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["序号", "企业名称", "统一社会信用代码"] and header[-2:] == ["未导入原因", "原文件行号"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[-1] for r in rows] == [7, 8, 9, 10]
    assert "成立日期不能晚于今天" in rows[2][-2]
    sheet.cell(row=4, column=6).value = "2020-01-01"  # fix 六号's date in place
    book = sheet.parent
    book.save(out)
    again = run(cast.district_admin, "organizations", str(out))
    assert again.created == 1 and Organization.objects.filter(credit_code=code_for(6)).exists()
    assert again.ignored_columns == ["序号"]  # the reason columns are known: not reported


def test_blank_and_unusable_files(cast, tmp_path):
    cases = {
        "empty.csv": b"",
        "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "binary.csv": b"\x00\x01\x02\x03" * 10,
        "noheader.csv": "甲,乙,丙\n1,2,3\n".encode(),
        "missing.csv": "企业名称,经营地址\n某某公司,南京东路1号\n".encode(),
        "broken.xlsx": b"PK\x03\x04garbage",
    }
    messages = {}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        try:
            job = run(cast.city_admin, "organizations", str(path))
            assert job.status == JobStatus.FAILED
            messages[name] = job.message
        except Exception as error:  # refused before a job exists
            messages[name] = str(error)
    assert messages["empty.csv"] == "文件是空的"
    assert "旧版 Excel" in messages["old.xls"]
    assert "无法识别的文件格式" in messages["binary.csv"]
    assert messages["noheader.csv"].startswith("找不到表头")
    assert messages["missing.csv"].startswith("缺少必填列：统一社会信用代码或经营地区划代码")
    assert "已损坏" in messages["broken.xlsx"]
    assert Organization.objects.count() == 3


def _zip_with(tmp_path, name, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression) as book:
        for member, data in members.items():
            book.writestr(member, data)
    return str(path)


def test_hostile_xlsx_files_are_refused(cast, tmp_path, settings):
    base = tmp_path / "base.xlsx"
    write_xlsx(base, [["组织名称", "组织类型"], ["甲公司", "私营企业"]])
    with zipfile.ZipFile(base) as book:
        members = {n: book.read(n) for n in book.namelist()}
    bomb = dict(members)
    bomb["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"] + b" " * (50 * 1024 * 1024)
    linked = {**members, "xl/externalLinks/externalLink1.xml": b"<externalLink/>"}
    huge = dict(members)  # claims a million rows before any is read
    huge["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
        b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>'
    )
    assert huge["xl/worksheets/sheet1.xml"] != members["xl/worksheets/sheet1.xml"]
    settings.IMPORT_MAX_ROWS = 100_000
    results = {}
    for name, content in {"bomb.xlsx": bomb, "linked.xlsx": linked, "huge.xlsx": huge}.items():
        job = run(cast.city_admin, "organizations", _zip_with(tmp_path, name, content))
        results[name] = (job.status, job.message)
    assert results["bomb.xlsx"] == (JobStatus.FAILED, "文件压缩比异常（疑似压缩炸弹），已拒绝")
    assert results["linked.xlsx"][0] == JobStatus.FAILED and "外部链接" in results["linked.xlsx"][1]
    assert results["huge.xlsx"][0] == JobStatus.FAILED and "行数超过上限" in results["huge.xlsx"][1]
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(Exception, match="文件过大"):
        run(cast.city_admin, "organizations", str(base))
    settings.IMPORT_MAX_BYTES = 10**9
    settings.IMPORT_MAX_ROWS = 1
    rows = [["组织名称", "统一社会信用代码", "组织类型", "所属行业", "经营地区划代码"]]
    rows += [[f"公司{i}有限公司", code_for(i), "私营企业", "I", "310101002"] for i in range(20, 80)]
    job = run(cast.city_admin, "organizations", write_csv(tmp_path / "many.csv", rows))
    assert job.status == JobStatus.FAILED and "行数超过上限" in job.message


def test_formulas_are_never_evaluated_only_cached_values_read(cast, tmp_path):
    rows = [["组织名称", "统一社会信用代码", "组织类型", "所属行业", "经营地区划代码", "经营地址"],
            ["公式公司有限公司", code_for(30), "私营企业", "I", "310101002", '=HYPERLINK("http://x","y")']]  # fmt: skip
    job = run(cast.city_admin, "organizations", write_xlsx(tmp_path / "f.xlsx", rows))
    assert job.created == 1
    assert Organization.objects.get(credit_code=code_for(30)).address == "缓存值"


def test_the_command_exit_codes_and_error_file(cast, tmp_path, capsys):
    good = [r for i, r in enumerate(messy_rows()) if i not in (6, 7, 8, 9)]
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", "organizations", write_csv(tmp_path / "bad.csv", messy_rows()), "--as",
                     "huangpu_admin", "--errors", str(tmp_path / "out.xlsx"))  # fmt: skip
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "新增 3，更新 0，未变 0，未导入 4" in out and "第 9 行：成立日期「2099-01-01」：成立日期不能晚于今天" in out
    assert (tmp_path / "out.xlsx").exists()
    call_command("import_data", "organizations", write_csv(tmp_path / "good.csv", good), "--as", "huangpu_admin")
    assert "未变 3" in capsys.readouterr().out
    (tmp_path / "x.csv").write_text("甲,乙\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", "organizations", str(tmp_path / "x.csv"), "--as", "huangpu_admin")
    assert exit_info.value.code == 2
    assert "找不到表头" in capsys.readouterr().err
    entry = AuditEntry.objects.filter(action=AuditAction.IMPORT).first()
    assert entry.origin.startswith("命令行")


MEMBER_HEADER = ["党员姓名", "身份证号", "所在支部", "党员类别", "入党时间", "转正时间", "手机号", "文化程度",
                 "工作单位统一社会信用代码", "困难党员", "党费基数"]  # fmt: skip


def test_members_import_with_encrypted_numbers_and_exact_reasons(party_cast, tmp_path):
    c = party_cast
    branch = c.branch.node.name
    rows = [
        MEMBER_HEADER,
        ["李四", "110101199003074514", branch, "正式党员", "2015/7/1", "2016年7月1日", "13800138000", "本科",
         c.org.credit_code.lower(), "否", "8000"],
        ["赵五", "11010119900307451X", branch, "正式党员", "2015-07-01", "2016-07-01", "", "", "", "", ""],
        ["钱六", "110101199003074514", branch, "预备党员", "2025-07-01", "", "", "", "", "", ""],
        ["孙七", "110101201003070011", branch, "预备党员", "2025-07-01", "", "", "", "", "", ""],
        ["周八", "110101199003070011", "不存在的支部", "正式党员", "2015-07-01", "", "", "", "", "", "-5"],
        ["吴九", "110101********0011", branch, "正式党员", "2015-07-01", "2016-07-01", "", "", "", "", ""],
    ]  # fmt: skip
    job = run(c.street_admin, "members", write_csv(tmp_path / "m.csv", rows))
    assert (job.created, job.rejected) == (1, 5), reasons(job)
    assert reasons(job) == {
        3: ["公民身份号码:公民身份号码校验位错误，请核对后重新输入"],
        4: ["公民身份号码:与第 2 行重复（公民身份号码相同），本行未导入"],
        5: ["入党日期:入党时未满18周岁（规则：入党最低年龄 18 周岁）"],
        6: ["所在党组织:找不到名为「不存在的支部」的党组织", "党费计算基数:党费计算基数不能为负数"],
        7: ["公民身份号码:这是导出时脱敏的号码，不能用于导入：请填写完整的公民身份号码"],
    }
    member = Member.objects.get(name="李四")
    assert member.id_masked == "110101********4514" and "199003074514" not in member.id_number_enc
    assert member.employer == c.org and str(member.dues_base) == "8000.00" and member.birth_date.year == 1990
    for r in job.rejected_rows.all():  # reasons never show a whole identity number
        assert all("110101199003074514" not in value for _, value, _ in r.errors)
    again = run(c.street_admin, "members", write_csv(tmp_path / "m.csv", rows))
    assert (again.created, again.unchanged) == (0, 1)
    rows[1][6] = "13900139000"
    changed = run(c.street_admin, "members", write_csv(tmp_path / "m2.csv", rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 0)
    entry = AuditEntry.objects.filter(object_type="party.member", object_id=str(member.pk)).first()
    assert entry.changes == {"联系电话": ["13800138000", "13900139000"]}
    outsider = run(c.other_street_admin, "members", write_csv(tmp_path / "m.csv", rows[:2]))
    assert reasons(outsider) == {2: ["所在党组织:该党组织不在您的管辖范围内"]}


def test_member_export_round_trip_for_a_role_that_sees_full_numbers(party_cast, tmp_path):
    c = party_cast
    response = client_for(c.city_admin).get(reverse("web:member_export"))
    path = tmp_path / "members.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    job = run(c.city_admin, "members", str(path))
    assert (job.created, job.updated, job.rejected, job.unchanged) == (0, 0, 0, Member.objects.count())
    masked = client_for(c.auditor).get(reverse("web:member_export"))  # an auditor reads masked numbers
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(masked.streaming_content)))["数据"]
    numbers = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers and all("*" in n for n in numbers)


def test_pages_upload_progress_report_and_downloads(cast, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(cast.district_admin)
    page = client.get(reverse("web:import_list"))
    assert page.status_code == 200 and "两新组织导入模板" in page.content.decode()
    path = write_csv(tmp_path / "台账.csv", messy_rows())
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
        response = client.post(reverse("web:import_list"), {"kind": "organizations", "mode": "valid", "file": handle})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "已完成" in detail and "成立日期不能晚于今天" in detail and "下载未导入的行" in detail
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    errors = client.get(reverse("web:import_errors", args=[job_id]))
    assert errors.status_code == 200 and errors["Content-Disposition"].startswith("attachment")
    report = client.get(reverse("web:import_report", args=[job_id]))
    assert openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content))).sheetnames == [
        "导入结果", "未导入明细", "新增明细", "更新明细"
    ]  # fmt: skip
    template = client.get(reverse("web:import_template", args=["organizations"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert book.sheetnames[0] == "数据" and book["数据"]["A1"].value == "组织名称"
    assert book["数据"].data_validations.dataValidation  # dropdowns
    other = client_for(cast.xuhui_admin)
    assert other.get(reverse("web:import_detail", args=[job_id])).status_code == 404
    assert other.get(reverse("web:import_errors", args=[job_id])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        trial = client.post(reverse("web:import_detail", args=[job_id]), {"action": "rerun"})
    assert trial.status_code == 302 and "未变" in client.get(trial["Location"]).content.decode()


def test_api_upload_and_poll(cast, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(cast.district_admin)
    path = write_csv(tmp_path / "台账.csv", messy_rows())
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
        response = client.post("/api/v1/imports/", {"kind": "organizations", "file": handle, "dry_run": "true"})
    assert response.status_code == 202, response.content
    job = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (job["status"], job["created"], job["rejected"], job["dry_run"]) == ("done", 3, 4, True)
    assert job["rejected_rows"][2] == {
        "row": 9, "errors": [{"column": "成立日期", "value": "2099-01-01", "reason": "成立日期不能晚于今天"}]
    }  # fmt: skip
    assert client.get(f"/api/v1/imports/{job['id']}/errors/").status_code == 200
    reader = client_for(cast.auditor)
    with open(path, "rb") as handle:
        assert reader.post("/api/v1/imports/", {"kind": "organizations", "file": handle}).status_code == 403
    bad = client.post("/api/v1/imports/", {"kind": "organizations", "file": io.BytesIO(b"")})
    assert bad.status_code == 400


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_whole_batches_and_resumes(cast, tmp_path):
    """The worker process is killed mid-file: no partial batch, and the job resumes to the end."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from liangxin.imports.models import ImportJob

    rows = [["组织名称", "统一社会信用代码", "组织类型", "所属行业", "经营地区划代码", "从业人员数"]]
    rows += [[f"上海批量{i}号有限公司", code_for(i), "私营企业", "I", "310101002", str(i % 300)] for i in range(30_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    env = {**os.environ, "DATABASE_URL": _database_url()}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_data", "organizations", path, "--as", "huangpu_admin", "--quiet"],
        env=env,
        start_new_session=True,  # its own process group: the pool's workers die with it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = ImportJob.objects.order_by("-pk").first()
        if job is not None and job.rows_done > 0:
            break
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    job = ImportJob.objects.order_by("-pk").first()
    assert 0 < job.created < 30_000, "killed too late to prove anything"
    imported = Organization.objects.filter(name__startswith="上海批量").count()
    committed = sum(len(b.created_rows) for b in job.batches.all())
    assert imported == committed == job.created  # whole batches only, and the job knows which
    assert job.rows_done == job.batches.order_by("-last_row").first().last_row
    scratch = files.private_dir()
    assert list(scratch.glob(f"import-{job.pk}-*")), "the killed run's decrypted copy is still there"
    job = engine.run(job.pk, scope_for(job.actor))  # resume after the checkpoint
    assert job.status == JobStatus.DONE and (job.created, job.rejected) == (30_000, 0)
    assert not list(scratch.glob(f"import-{job.pk}-*"))  # the resumed job removed it
    assert Organization.objects.filter(name__startswith="上海批量").count() == 30_000
    again = run(cast.district_admin, "organizations", path)  # and a rerun changes nothing
    assert (again.created, again.unchanged) == (0, 30_000)


def test_a_large_export_runs_in_the_background_with_progress_and_csv(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EXPORT_SYNC_MAX_ROWS = 1  # the district sees two organizations: over the limit
    client = client_for(cast.district_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("web:org_export") + "?format=csv&sort=name")
    assert response.status_code == 302 and "/exports/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "下载（2 行）" in page
    job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    download = client.get(reverse("web:export_download", args=[job_id]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith('"组织名称","统一社会信用代码"') and len(lines) == 3
    assert "上海嘉信信息科技有限公司" in text and "天平软件有限公司" not in text
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).first()
    assert entry.detail.startswith("导出 2 条（csv）")
    assert client_for(cast.xuhui_admin).get(reverse("web:export_download", args=[job_id])).status_code == 404
    settings.EXPORT_SYNC_MAX_ROWS = 100
    small = client.get(reverse("web:org_export") + "?format=csv")
    assert small.status_code == 200 and small["Content-Disposition"].endswith(".csv")


@pytest.mark.parametrize(
    ("export_url", "kind", "user"),
    [
        ("web:region_export", "regions", "city_admin"),
        ("web:carrier_export", "carriers", "city_admin"),
        ("web:party_export", "party_orgs", "city_admin"),
        ("web:org_export", "organizations", "city_admin"),
        ("web:member_export", "members", "city_admin"),
    ],
)
def test_every_importable_list_exports_a_file_that_imports_back_unchanged(party_cast, tmp_path, export_url, kind, user):
    actor = getattr(party_cast, user)
    response = client_for(actor).get(reverse(export_url))
    assert response.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    entries = AuditEntry.objects.exclude(action__in=[AuditAction.IMPORT, AuditAction.EXPORT]).count()
    job = run(actor, kind, str(path))
    assert job.status == JobStatus.DONE, job.message
    assert (job.created, job.updated, job.rejected) == (0, 0, 0), reasons(job)
    assert job.unchanged > 0 and job.ignored_columns == []
    assert AuditEntry.objects.exclude(action__in=[AuditAction.IMPORT, AuditAction.EXPORT]).count() == entries


def test_an_import_moving_an_organization_rederives_its_committee_and_audits_it(cast, tmp_path):
    rows = messy_rows()
    run(cast.district_admin, "organizations", write_csv(tmp_path / "a.csv", rows))
    rows[2][8] = "外滩街道"  # 一号 moves to 外滩
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "b.csv", rows))
    assert (job.created, job.updated, job.unchanged) == (0, 1, 2)
    org = Organization.objects.get(credit_code=code_for(1))
    assert (org.operating_region, org.responsible_node) == (cast.waitan, cast.waitan_node)
    entry = AuditEntry.objects.filter(object_type="orgs.organization", object_id=str(org.pk)).first()
    assert entry.changes["经营地"] == ["南京东路街道", "外滩街道"]
    assert entry.changes["责任党委"] == ["南京东路街道综合党委", "外滩街道综合党委"]
    rows[2][8] = "天平路街道"  # the street admin of 南京东路 may not move it out of their reach
    refused = run(cast.other_street_admin, "organizations", write_csv(tmp_path / "c.csv", rows))
    assert reasons(refused)[3] == ["经营地区划代码:该经营地不在您的管辖范围内，无法登记或迁往该地"]
    assert Organization.objects.get(credit_code=code_for(1)).operating_region == cast.waitan


def test_a_job_whose_process_died_shows_as_interrupted_and_resumes_from_the_page(
    cast, tmp_path, settings, django_capture_on_commit_callbacks
):
    import datetime as dt
    import os
    import socket

    from django.utils import timezone

    from liangxin.imports.models import ImportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    path = write_csv(tmp_path / "a.csv", messy_rows())
    with open(path, "rb") as handle:
        job = engine.create_job(cast.district_admin, "organizations", handle, "a.csv")
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    host = socket.gethostname()
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=long_ago, worker=f"{host}:{os.getpid()}")
    assert engine.mark_interrupted() == 0  # its process (this one) still runs: a long write, not a death
    ImportJob.objects.filter(pk=job.pk).update(worker=f"{host}:{2**22 + 12345}")
    assert engine.mark_interrupted() == 1
    client = client_for(cast.district_admin)
    assert "从中断处继续" in client.get(reverse("web:import_detail", args=[job.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:import_detail", args=[job.pk]), {"action": "resume"})
    job.refresh_from_db()
    assert (job.status, job.created, job.rejected) == ("done", 3, 4)


@pytest.mark.parametrize("kind", ["organizations", "members", "party_orgs", "regions", "carriers", "assignments"])
def test_every_template_example_passes_its_own_column_parser(kind):
    """A user copying the example row must not be told the example is wrong."""
    from liangxin.imports.kinds import get_kind

    for column in get_kind(kind).columns:
        if column.example:
            column.parse(column.example)  # raises ValidationError with the Chinese reason if not


def test_exports_and_import_jobs_are_read_by_the_auditors_above_the_user(cast, tmp_path):
    run(cast.street_admin, "organizations", write_csv(tmp_path / "a.csv", messy_rows()[:3]))
    client_for(cast.street_admin).get(reverse("web:org_export"))
    seen = scope_for(cast.auditor).audit_entries()  # 黄浦's auditor, above 南京东路's admin
    assert seen.filter(action=AuditAction.EXPORT, actor=cast.street_admin).exists()
    assert seen.filter(action=AuditAction.IMPORT, actor=cast.street_admin).exists()
    elsewhere = scope_for(cast.xuhui_admin).audit_entries()
    assert not elsewhere.filter(actor=cast.street_admin).exists()
