"""Real ledgers (issue 11, §1 and §3): a ledger that lacks optional columns is imported with
the missing values derived or stored as unknown; totals rows, formulas, files that are not
Excel; a sheet that unpacks large fails its job quickly with a reason."""

import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.imports import engine, report
from liangxin.imports.models import JobStatus
from liangxin.orgs.choices import Industry, OrgKind
from liangxin.orgs.models import Organization
from liangxin.party.models import Member

from .ledgers import code_for, write_csv, write_xlsx
from .test_imports import reasons, run

# a street's ledger as it came: no industry column
STREET_HEADER = ["单位名称", "统一社会信用代码", "所在街道", "从业人员数", "企业类型", "成立日期", "是否规模以上"]


def street_rows():
    return [
        STREET_HEADER,
        ["上海甲一有限公司", code_for(101), "南京东路街道", "60", "私营企业", "2019-01-01", "否"],
        ["上海甲二有限公司", code_for(102), "南京东路街道", "", "私营企业", "2019-01-01", "是"],
        ["上海甲三有限公司", code_for(103), "310101002", "8", "私营企业", "2019-01-01", "否"],
    ]


def test_a_ledger_without_an_industry_column_is_imported_with_industry_unknown(cast, tmp_path):
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "街道台账.csv", street_rows()))
    assert job.status == JobStatus.DONE, job.message
    assert (job.created, job.rejected) == (3, 0), reasons(job)
    assert "本文件无『所属行业』列，3 行该项为未填" in job.message
    orgs = {o.name: o for o in Organization.objects.filter(name__startswith="上海甲")}
    assert {o.industry for o in orgs.values()} == {Industry.UNKNOWN}
    # a blank employee count is unknown, not 0
    assert (orgs["上海甲一有限公司"].employees, orgs["上海甲二有限公司"].employees) == (60, None)
    assert "『从业人员数』有 1 行为空，该项为未填" in job.message


def test_a_ledger_of_name_code_and_street_only_is_imported(cast, tmp_path):
    rows = [["组织名称", "统一社会信用代码", "经营地"], ["上海乙一有限公司", code_for(111), "310101002"],
            ["张记小吃店", "", "南京东路街道"]]  # fmt: skip
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "a.csv", rows))
    assert (job.created, job.rejected) == (2, 0), reasons(job)
    one = Organization.objects.get(credit_code=code_for(111))
    assert (one.kind, one.industry, one.employees) == (OrgKind.UNKNOWN, Industry.UNKNOWN, None)
    assert Organization.objects.get(name="张记小吃店").kind == OrgKind.INDIVIDUAL  # no code: 个体工商户
    assert "本文件无『组织类型』列" in job.message and "本文件无『从业人员数』列，2 行该项为未填" in job.message


def test_a_file_of_the_key_and_one_column_completes_only_that_column(cast, tmp_path):
    org = cast.org
    org.address, org.contact_name, org.carrier, org.employees = "南京东路1号", "王五", cast.building, 120
    org.save()
    before = Organization.objects.values().get(pk=org.pk)
    rows = [["统一社会信用代码", "所属行业"], [org.credit_code, "金融业"]]
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "k.csv", rows))
    assert (job.updated, job.rejected) == (1, 0), reasons(job)
    after = Organization.objects.values().get(pk=org.pk)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"industry", "updated_at"}
    assert after["industry"] == "J"
    rows = [["统一社会信用代码", "从业人员数"], [org.credit_code, "88"]]
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "e.csv", rows))
    assert job.updated == 1
    again = Organization.objects.values().get(pk=org.pk)
    assert {k for k in again if again[k] != after[k]} == {"employees", "updated_at"}


def test_a_new_organization_without_a_street_is_rejected_with_a_reason(cast, tmp_path):
    rows = [["组织名称", "统一社会信用代码"], ["上海丙一有限公司", code_for(121)]]
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "s.csv", rows))
    assert reasons(job) == {2: ["经营地区划代码:新登记的组织须填写经营地区划代码"]}


def test_a_totals_row_is_skipped_with_a_note(cast, tmp_path):
    rows = street_rows() + [["合计", "", "", "68", "", "", ""], [], ["总 计：3户", "", "", "", "", "", ""]]
    job = run(cast.district_admin, "organizations", write_xlsx(tmp_path / "t.xlsx", rows))
    assert (job.created, job.rejected) == (3, 0), reasons(job)
    assert "第 5、7 行为合计行，已跳过" in job.message


def test_formula_cells_keep_their_cached_value_in_the_error_file(cast, tmp_path):
    rows = [["组织名称", "统一社会信用代码", "组织类型", "经营地区划代码", "从业人员数", "经营地址"],
            ["公式公司有限公司", code_for(131), "火星企业", "310101002", "=1+2",
             '=HYPERLINK("http://x","y")']]  # fmt: skip
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    # as Excel writes a numeric formula (no type, the cached number) and as some tools write
    # every element with a namespace prefix
    with zipfile.ZipFile(path) as book:
        members = {n: book.read(n) for n in book.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace('<c r="E2" t="str"><f>1+2</f><v>缓存值</v></c>', '<c r="E2"><f>1+2</f><v>3</v></c>')
    prefixed = sheet.replace("<worksheet ", "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/"
                             "spreadsheetml/2006/main\" ").replace("</worksheet>", "</x:worksheet>")  # fmt: skip
    for tag in ("sheetData", "row", "c", "v", "f"):
        prefixed = prefixed.replace(f"<{tag}>", f"<x:{tag}>").replace(f"<{tag} ", f"<x:{tag} ")
        prefixed = prefixed.replace(f"</{tag}>", f"</x:{tag}>")
    for name, body in (("plain.xlsx", sheet), ("prefixed.xlsx", prefixed)):
        out = tmp_path / name
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
            for member, data in members.items():
                book.writestr(member, body.encode() if member == "xl/worksheets/sheet1.xml" else data)
        job = run(cast.city_admin, "organizations", str(out))
        assert job.rejected == 1, (name, job.message)
        report.write_error_file(job, str(tmp_path / f"err-{name}"))
        values = list(openpyxl.load_workbook(tmp_path / f"err-{name}").active.values)
        assert values[1][4:6] == (3, "缓存值"), name


def test_random_bytes_named_xlsx_are_told_it_is_not_an_excel_file(cast, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(bytes(range(1, 256)) * 40)
    job = run(cast.city_admin, "organizations", str(path))
    assert job.status == JobStatus.FAILED
    assert job.message == "该文件不是 Excel 文件（.xlsx）：内容无法按 Excel 格式读取，请确认文件后重新上传"


def test_a_member_roll_without_a_category_column_derives_it(party_cast, tmp_path):
    from .party_helpers import id_number

    c = party_cast
    rows = [["姓名", "身份证号", "所在支部", "入党时间", "转正时间"],
            ["李四", id_number(), c.branch.node.name, "2015-07-01", "2016-07-01"],
            ["赵六", id_number(), c.branch.node.name, "2025-07-01", ""]]  # fmt: skip
    job = run(c.city_admin, "members", write_csv(tmp_path / "m.csv", rows))
    assert (job.created, job.rejected) == (2, 0), reasons(job)
    assert "本文件无『党员类别』列，已按转正时间推定" in job.message
    categories = dict(Member.objects.filter(name__in=["李四", "赵六"]).values_list("name", "category"))
    assert categories == {"李四": "full", "赵六": "probationary"}


def test_import_data_requires_as(cast, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", street_rows())
    with pytest.raises(CommandError, match="--as"):
        call_command("import_data", "organizations", path)
    from liangxin.imports.management.commands.import_data import Command

    parser = Command().create_parser("manage.py", "import_data")
    assert "必填" in parser.format_help()
    assert Organization.objects.filter(name__startswith="上海甲").count() == 0


# -- §3: a small upload that unpacks large -----------------------------------------------------
def _wide_sheet_xlsx(path, megabytes: int) -> str:
    """A header and one data row whose cells carry ``megabytes`` of padding: small zipped."""
    header = ("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>组织名称</t></is></c>"
              "<c r=\"B1\" t=\"inlineStr\"><is><t>统一社会信用代码</t></is></c></row>")  # fmt: skip
    import random

    rng = random.Random(1)
    pad = bytearray(b" " * (1 << 20))  # a letter every ≈ 300 spaces: ≈ 85× smaller zipped, under the bomb cap
    for i in range(0, len(pad) - 300, 300):
        pad[i + rng.randrange(300)] = rng.choice(b"abcdefghijklmnopqrstuvwxyz")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr(
            "xl/workbook.xml", '<workbook><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        rels = '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'
        book.writestr("xl/_rels/workbook.xml.rels", rels)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet><sheetData>{header}<row r="2">'.encode())
            for _ in range(megabytes):
                sheet.write(bytes(pad))
            sheet.write(b"</row></sheetData></worksheet>")
    return str(path)


def test_an_overlong_row_fails_the_job_with_a_reason(cast, tmp_path, settings):
    # how fast it stops is bench/ matter (never a timed assertion): here, that it stops at the bound
    settings.IMPORT_MAX_ROW_BYTES = 4 * 1024 * 1024
    path = _wide_sheet_xlsx(tmp_path / "wide.xlsx", 24)
    job = run(cast.city_admin, "organizations", path)
    assert job.status == JobStatus.FAILED
    assert job.message == "第 2 行内容异常庞大（超过 4 MB），已停止读取；请检查文件是否损坏或含有大量空白"


def test_the_reader_is_linear_in_a_long_pending_element(settings):
    """The buffer is scanned once: 64 MB of one unfinished element cost about what 8 MB does."""
    import time

    from liangxin.imports import reading

    def cost(megabytes: int) -> float:
        data = b'<row r="1">' + b" " * (megabytes << 20) + b'</row><row r="2"></row>'
        book = _memory_zip(data)
        started = time.monotonic()
        got = [m.group(0)[:12] for m in reading._elements(book, "s.xml", reading._ROW, reading._ROW_OPEN, 1 << 30)]
        assert len(got) == 2
        return time.monotonic() - started

    # a ratio, not a time: 8× the data may cost up to 24× (a quadratic scan costs 64×); the least of
    # three runs each, so a busy machine's pauses do not decide it
    small, large = min(cost(8) for _ in range(3)), min(cost(64) for _ in range(3))
    assert large < small * 8 * 3, (small, large)


def _memory_zip(data: bytes) -> zipfile.ZipFile:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("s.xml", data)
    return zipfile.ZipFile(buffer)


def test_a_sheet_unpacking_beyond_the_limit_is_refused(cast, tmp_path, settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 8 * 1024 * 1024
    path = _wide_sheet_xlsx(tmp_path / "big.xlsx", 12)
    job = run(cast.city_admin, "organizations", path)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("文件解压后体积过大（约 12 MB，上限 8 MB）")


def test_a_job_over_its_time_limit_fails_visibly(cast, tmp_path, settings):
    settings.IMPORT_JOB_SECONDS = 0
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "a.csv", street_rows()))
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("导入用时超过上限（0 秒），已停止")


@pytest.mark.django_db(transaction=True)
def test_a_job_over_its_memory_limit_fails_and_the_worker_goes_on(cast, tmp_path, settings):
    """The job runs in a child process with an address-space limit; the worker survives it."""
    from liangxin.imports import tasks

    settings.IMPORT_JOB_MEMORY_MB = 1  # far below a Python process: the child fails at once
    path = write_csv(tmp_path / "a.csv", street_rows())
    with open(path, "rb") as handle:
        job = engine.create_job(cast.district_admin, "organizations", handle, "a.csv")
    tasks.run_import_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("导入占用内存超过上限（1 MB），已停止")
    settings.IMPORT_JOB_MEMORY_MB = 4096
    with open(path, "rb") as handle:
        job = engine.create_job(cast.district_admin, "organizations", handle, "a.csv")
    tasks.run_import_job.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == (JobStatus.DONE, 3)


def test_a_party_org_list_without_a_type_column_takes_the_type_from_the_name(cast, tmp_path):
    from liangxin.party.models import PartyOrganization

    rows = [["党组织名称", "上级党组织", "组建方式"],
            ["上海甲一有限公司党支部", "南京东路街道综合党委", "单独组建"],
            ["南京东路第二联合党支部", "南京东路街道综合党委", "联合组建"],
            ["上海甲三有限公司党总支", "南京东路街道综合党委", "单独组建"],
            ["南京东路楼宇党建工作站", "南京东路街道综合党委", "单独组建"]]  # fmt: skip
    job = run(cast.district_admin, "party_orgs", write_csv(tmp_path / "p.csv", rows))
    assert job.created == 3, reasons(job)
    reason = "党组织类型未填，也无法从名称推定（如“……党支部”“……党总支”“……党委”），请填写"
    assert reasons(job) == {5: [f"党组织类型:{reason}"]}
    types = dict(PartyOrganization.objects.values_list("node__name", "org_type"))
    assert (types["上海甲一有限公司党支部"], types["南京东路第二联合党支部"], types["上海甲三有限公司党总支"]) == (
        "branch", "joint_branch", "general_branch")  # fmt: skip
    assert "本文件无『党组织类型』列，3 行已按党组织名称推定" in job.message


def test_a_blank_member_category_is_derived_or_said_to_be_missing(party_cast, tmp_path):
    from .party_helpers import id_number

    c = party_cast
    rows = [["姓名", "身份证号", "所在支部", "党员类别", "入党时间", "转正时间"],
            ["钱七", id_number(), c.branch.node.name, "", "2025-07-01", ""]]  # fmt: skip
    job = run(c.city_admin, "members", write_csv(tmp_path / "m.csv", rows))
    assert job.created == 1 and "『党员类别』有 1 行为空，已按转正时间推定" in job.message
    assert Member.objects.get(name="钱七").category == "probationary"
    rows = [["姓名", "身份证号", "所在支部", "党员类别", "入党时间"],
            ["孙八", id_number(), c.branch.node.name, "", "2025-07-01"]]  # fmt: skip
    job = run(c.city_admin, "members", write_csv(tmp_path / "n.csv", rows))
    assert reasons(job) == {2: ["党员类别:党员类别不能为空（本文件无转正日期列，无法推定）"]}


def test_blank_name_or_street_cells_leave_an_existing_organization_as_it_is(cast, tmp_path):
    org = cast.org
    rows = [["组织名称", "统一社会信用代码", "经营地区划代码", "所属行业"], ["", org.credit_code, "", "金融业"]]
    job = run(cast.district_admin, "organizations", write_csv(tmp_path / "b.csv", rows))
    assert (job.updated, job.rejected) == (1, 0), reasons(job)
    org.refresh_from_db()
    assert (org.name, org.operating_region, org.industry) == ("上海嘉信信息科技有限公司", cast.nanjing, "J")
