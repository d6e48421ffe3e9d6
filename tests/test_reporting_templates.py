"""Excel 模板报送: the sender's template and its columns, a node's filled workbook checked like an
import (every bad header or cell a Chinese sentence naming row, column and reason, nothing stored),
versions and returns, the collected sheet row for row with its subtotals recounted, 汇总上报 of rows."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liangxin.core.models import AuditEntry
from liangxin.reporting import exports, services, workbooks
from liangxin.reporting import template_tasks as tt
from liangxin.reporting.choices import AssignmentState
from liangxin.reporting.models import ReportField, ReportForm, ReportSubmission

TODAY = datetime.date(2026, 4, 2)
DEADLINE = datetime.date(2026, 4, 15)
ON_TIME = timezone.make_aware(datetime.datetime(2026, 4, 10, 9, 0))
LATE = timezone.make_aware(datetime.datetime(2026, 4, 20, 9, 0))
HEADERS = ["项目名称", "参与党员数", "开展日期", "类别", "备注"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list], name: str = "填报.xlsx", sheet: str = "填报") -> SimpleUploadedFile:
    """An .xlsx in memory: each row's cells written as typed (a date as a date cell)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return SimpleUploadedFile(name, buffer.getvalue(), XLSX)


def make_template(c, node=None, actor=None, name="党建项目清单") -> ReportForm:
    form = tt.create_template(
        actor or c.district_admin, node or c.huangpu_node, name=name, description="",
        upload=workbook([HEADERS, ["示例项目", 12, datetime.date(2026, 3, 1), "学习", ""]], name="项目模板.xlsx"),
    )  # fmt: skip
    specs = {
        "c1": tt.ColumnSpec("text", True), "c2": tt.ColumnSpec("number", True), "c3": tt.ColumnSpec("date", True),
        "c4": tt.ColumnSpec("choice", True, ["学习", "服务", "其他"]), "c5": tt.ColumnSpec("text", False),
    }  # fmt: skip
    return tt.set_columns(actor or c.district_admin, form, specs)


def send(c, form, node=None, actor=None, rule="children"):
    return services.create_task(
        actor or c.district_admin, node or c.huangpu_node, form, title="一季度党建项目",
        period_start=TODAY.replace(day=1), period_end=TODAY, deadline=DEADLINE, rule=rule, kinds=[], today=TODAY,
    )  # fmt: skip


def answer_rows(node, *rows) -> list[list]:
    code = int(workbooks.node_code(node))  # as a person types it: a number cell
    return [["单位名称", "单位代码", *HEADERS], *([node.name, code, *r] for r in rows)]


def assignment_of(task, node):
    return task.assignments.select_related("task__form", "node").get(node=node)


@pytest.fixture
def t(cast):
    cast.form = make_template(cast)
    cast.task = send(cast, cast.form)
    cast.nanjing = assignment_of(cast.task, cast.nanjing_node)
    cast.waitan = assignment_of(cast.task, cast.waitan_node)
    return cast


# -- the template ----------------------------------------------------------------------------------------------
def test_the_uploaded_header_becomes_the_columns_with_kinds_guessed_and_offered_once_confirmed(cast):
    form = tt.create_template(
        cast.district_admin, cast.huangpu_node, name="清单", description="",
        upload=workbook([HEADERS, ["示例", 3, datetime.date(2026, 3, 1), "学习"]]),
    )  # fmt: skip
    fields = list(form.fields.order_by("order").values_list("label", "kind", "required"))
    assert fields == [("项目名称", "text", False), ("参与党员数", "number", False), ("开展日期", "date", False),
                      ("类别", "text", False), ("备注", "text", False)]  # fmt: skip
    assert not form.is_active  # not offered for tasks before the sender confirms the columns
    with pytest.raises(ValidationError) as e:
        tt.set_columns(cast.district_admin, form, {f: tt.ColumnSpec("choice", True) for f in ("c1", "c2", "c3", "c4")})
    assert "「项目名称」：选择列请填写选项，用顿号分隔" in e.value.message_dict["c1"]
    assert "「备注」：请选择类型（文本、数字、日期或选择）" in e.value.message_dict["c5"]
    assert AuditEntry.objects.filter(object_type="reporting.reportform", detail__contains="5 列").exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["名称", "名称"]], "第2列「名称」与前面的列重名"),
        ([["单位代码", "人数"]], "第1列「单位代码」由平台自动添加，请从模板中删去该列"),
        ([[None, None]], "第一行没有表头"),
        ([["名称", None, "人数"]], "第2列的表头为空"),
    ],
)
def test_a_template_that_cannot_be_one_is_refused_and_nothing_is_stored(cast, rows, message):
    with pytest.raises(ValidationError) as e:
        tt.create_template(cast.district_admin, cast.huangpu_node, name="坏模板", description="", upload=workbook(rows))
    assert any(message in m for m in e.value.messages)
    assert not ReportForm.objects.filter(name="坏模板").exists() and not ReportField.objects.filter(label="人数")


def test_a_renamed_file_is_not_a_workbook(cast):
    fake = SimpleUploadedFile("模板.xlsx", b"PK\x03\x04" + b"\x00" * 40, XLSX)
    with pytest.raises(ValidationError) as e:
        tt.create_template(cast.district_admin, cast.huangpu_node, name="假", description="", upload=fake)
    assert "不是有效的 xlsx 文件" in str(e.value)


def test_the_nodes_workbook_is_prefilled_with_its_name_and_code_and_reads_back(t, tmp_path):
    path = str(tmp_path / "t.xlsx")
    workbooks.write_for_node(path, services.fields_of(t.form), t.nanjing_node, "任务", DEADLINE)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[1]] == ["单位名称", "单位代码", *HEADERS]
    assert [c.value for c in sheet[2]][:2] == [t.nanjing_node.name, str(t.nanjing_node.pk)]
    # the downloaded file, filled and uploaded unchanged otherwise, is accepted
    sheet.append([t.nanjing_node.name, str(t.nanjing_node.pk), "志愿服务", 5, datetime.datetime(2026, 3, 5), "服务"])
    sheet.cell(2, 3).value, sheet.cell(2, 4).value = "学习小组", 3
    sheet.cell(2, 5).value, sheet.cell(2, 6).value = datetime.datetime(2026, 3, 1), "学习"
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    s = tt.submit_workbook(t.street_admin, t.nanjing, SimpleUploadedFile("x.xlsx", buffer.getvalue(), XLSX), ON_TIME)
    code = str(t.nanjing_node.pk)
    assert s.rows == [[t.nanjing_node.name, code, "学习小组", "3", "2026-03-01", "学习", ""],
                      [t.nanjing_node.name, code, "志愿服务", "5", "2026-03-05", "服务", ""]]  # fmt: skip


# -- bad answers: a Chinese message naming row, column and reason; nothing stored ------------------------------------
def _refused(t, rows, *expected: str, assignment=None, actor=None, now=ON_TIME):
    a = assignment or t.nanjing
    with pytest.raises(ValidationError) as e:
        tt.submit_workbook(actor or t.street_admin, a, workbook(rows), now)
    for text in expected:
        assert text in e.value.messages, e.value.messages
    a.refresh_from_db()
    assert (a.state, a.version) == (AssignmentState.PENDING, 0)
    assert not ReportSubmission.objects.filter(assignment=a).exists()
    return e.value.messages


def test_a_wrong_header_names_the_column(t):
    rows = answer_rows(t.nanjing_node, ["项目", 1, datetime.date(2026, 3, 1), "学习", ""])
    rows[0][3] = "党员数"
    _refused(t, rows, "表头第4列应为「参与党员数」，实为「党员数」")


def test_columns_in_another_order_are_refused(t):
    rows = answer_rows(t.nanjing_node)
    rows[0][2], rows[0][3] = rows[0][3], rows[0][2]
    rows.append([t.nanjing_node.name, t.nanjing_node.pk, 1, "项目", datetime.date(2026, 3, 1), "学习"])
    _refused(t, rows, "表头第3列应为「项目名称」，实为「参与党员数」（列的顺序与模板不同）")


def test_a_missing_or_extra_column_is_named(t):
    rows = answer_rows(t.nanjing_node)
    _refused(t, [rows[0][:-1]], "表头缺少第7列「备注」")
    _refused(t, [rows[0] + ["多余"]], "表头第8列「多余」是模板中没有的列")


def test_text_in_a_number_column_a_bad_date_and_an_empty_required_cell_are_each_named(t):
    rows = answer_rows(
        t.nanjing_node,
        ["学习小组", "十二", datetime.date(2026, 3, 1), "学习", ""],
        ["志愿服务", 3, "2026-02-30", "服务", ""],
        ["", 4, datetime.date(2026, 3, 1), "其他", ""],
        ["读书会", 4, datetime.date(2026, 3, 1), "联谊", ""],
    )
    _refused(
        t, rows,
        "第2行「参与党员数」：应为数字，收到「十二」",
        "第3行「开展日期」：应为日期（如 2026-03-31），收到「2026-02-30」",
        "第4行「项目名称」：必填，未填写",
        "第5行「类别」：应为以下选项之一：学习、服务、其他",
    )  # fmt: skip


def test_a_row_for_another_nodes_code_is_refused(t):
    rows = answer_rows(t.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", ""])
    rows.append([t.waitan_node.name, t.waitan_node.pk, "外滩的项目", 2, datetime.date(2026, 3, 2), "学习", ""])
    code = workbooks.node_code(t.nanjing_node)
    _refused(t, rows, f"第3行「单位代码」：「{t.waitan_node.pk}」不是本单位（{t.nanjing_node.name}，代码 {code}），"
                      "只能填报本单位的数据")  # fmt: skip


def test_a_value_beyond_the_last_column_and_an_empty_file_are_refused(t):
    rows = answer_rows(t.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", "", "", "多写的"])
    _refused(t, rows, "第2行：第8列起在表头之外还有内容，请删去")
    # the pre-filled row left as downloaded is no answer
    _refused(t, [answer_rows(t.nanjing_node)[0], [t.nanjing_node.name, t.nanjing_node.pk]],
             "没有填写任何数据行：请在表头下方逐行填写后再上传")  # fmt: skip


def test_a_submission_after_the_task_was_closed_is_refused(t):
    services.close_task(t.district_admin, t.task)
    t.nanjing.refresh_from_db()
    _refused(t, answer_rows(t.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", ""]),
             "该报送任务已关闭，不能再提交")  # fmt: skip


def test_an_answer_outside_the_nodes_scope_is_404_and_nothing_is_stored(t):
    from .conftest import client_for

    client = client_for(t.other_street_admin)  # 外滩 uploads to 南京东路's assignment
    rows = answer_rows(t.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", ""])
    response = client.post(f"/reporting/mine/{t.nanjing.pk}/", {"workbook": workbook(rows)})
    assert response.status_code == 404
    assert client.get(f"/reporting/mine/{t.nanjing.pk}/template.xlsx").status_code == 404
    assert not ReportSubmission.objects.exists()


def test_the_form_kind_refuses_rows_and_the_template_kind_refuses_form_values(t):
    with pytest.raises(ValidationError) as e:
        services.submit(t.street_admin, t.nanjing, services.Answer(values={"c1": "x"}))
    assert "请下载模板填写后上传" in str(e.value)


# -- versions, returns, late ---------------------------------------------------------------------------------------
def test_a_returned_template_answer_is_corrected_as_a_new_version_and_late_after_the_deadline(t):
    first = answer_rows(t.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", ""])
    tt.submit_workbook(t.street_admin, t.nanjing, workbook(first), ON_TIME)
    services.return_submission(t.district_admin, t.nanjing, "参与人数有误")
    t.nanjing.refresh_from_db()
    assert t.nanjing.state == AssignmentState.RETURNED
    second = answer_rows(t.nanjing_node, ["学习小组", 5, datetime.date(2026, 3, 1), "学习", "已更正"])
    s = tt.submit_workbook(t.street_admin, t.nanjing, workbook(second), LATE)
    assert (s.version, s.late, s.rows[0][3]) == (2, True, "5")
    versions = list(t.nanjing.submissions.order_by("version").values_list("version", "returned_reason", "late"))
    assert versions == [(1, "参与人数有误", False), (2, "", True)]
    assert AuditEntry.objects.filter(object_type="reporting.reportassignment", detail="重新提交第2版（1 行）（逾期）")


# -- collecting ----------------------------------------------------------------------------------------------------
def test_the_collected_sheet_equals_the_uploaded_rows_row_for_row_with_subtotals_recounted(t, tmp_path):
    nanjing = answer_rows(t.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", ""],
                          ["志愿服务", 7.5, datetime.date(2026, 3, 5), "服务", "周末"])  # fmt: skip
    tt.submit_workbook(t.street_admin, t.nanjing, workbook(nanjing), ON_TIME)
    export = exports.template_collected(t.task)
    path = str(tmp_path / "c.xlsx")
    from liangxin.core.xlsx import write_workbook

    write_workbook(path, export.title, [], export.columns, export.rows)
    sheet = openpyxl.load_workbook(path)["数据"]
    got = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["报送单位", "单位名称", "单位代码", "状态", "已报/应报"] and header[5:10] == HEADERS
    data = [r for r in got if r[1]]  # the rows a node gave (or its empty row)
    assert [r[1:4] + r[5:10] for r in data] == [
        [t.nanjing_node.name, str(t.nanjing_node.pk), "已提交", "学习小组", 3, datetime.datetime(2026, 3, 1), "学习",
         None],
        [t.nanjing_node.name, str(t.nanjing_node.pk), "已提交", "志愿服务", 7.5, datetime.datetime(2026, 3, 5), "服务",
         "周末"],
        [t.waitan_node.name, str(t.waitan_node.pk), "未提交", None, None, None, None, None],
    ]  # fmt: skip
    assert data[0][11:13] == ["nanjing_admin", datetime.datetime(2026, 4, 10, 9, 0)]  # who submitted, and when
    total = got[-1]
    # recounted over the uploaded rows: the number column only, and answered / asked
    assert (total[0], total[4], total[6]) == ("合计", "1/2", 3 + 7.5)
    assert total[5] is None and total[7] is None


def test_subtotals_per_level_stream_in_tree_order(party_cast):
    c = party_cast
    from .party_helpers import make_party_org

    c.nj1 = make_party_org(c, name="嘉信党支部2", parent=c.nanjing_node)
    form = make_template(c, node=c.city_node, actor=c.city_admin)
    task = services.create_task(c.city_admin, c.city_node, form, title="全市", period_start=TODAY, period_end=TODAY,
                                deadline=DEADLINE, rule="kinds", kinds=["grassroots"], today=TODAY)  # fmt: skip
    for a in task.assignments.select_related("task__form", "node"):
        rows = answer_rows(a.node, ["项目", a.node.pk, datetime.date(2026, 3, 1), "学习", ""])
        tt.submit_workbook(c.city_admin, a, workbook(rows), ON_TIME)
    items = list(tt.collect(task))
    labels = [i.label if isinstance(i, tt.Subtotal) else i.unit_name for i in items]
    # each subtotal follows its subtree's rows; 合计 last
    assert labels[-1] == "合计"
    for i, item in enumerate(items):
        if isinstance(item, tt.Subtotal) and item.label != "合计":
            below = [r for r in items[:i] if isinstance(r, tt.Row)]
            node_rows = [r for r in below if f"/{item.node_id}/" in _path_of(r)]
            assert item.sums == [sum((Decimal(r.cells[1]) for r in node_rows), Decimal(0))]
    assert items[-1].sums == [sum((Decimal(a.node_id) for a in task.assignments.all()), Decimal(0))]


def _path_of(row: tt.Row) -> str:
    from liangxin.mgmt.models import ManagementNode

    return ManagementNode.objects.get(pk=int(row.unit_code)).path


# -- 汇总上报 -------------------------------------------------------------------------------------------------------
def test_a_district_passes_its_streets_rows_up_as_its_own_answer(cast):
    form = make_template(cast, node=cast.city_node, actor=cast.city_admin)
    city_task = send(cast, form, node=cast.city_node, actor=cast.city_admin)
    district_task = send(cast, form)  # 黄浦 sends the city's template on to its streets
    nj = assignment_of(district_task, cast.nanjing_node)
    tt.submit_workbook(cast.street_admin, nj, workbook(answer_rows(
        cast.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", ""],
        ["志愿服务", 4, datetime.date(2026, 3, 2), "服务", ""])), ON_TIME)  # fmt: skip
    wt = assignment_of(district_task, cast.waitan_node)
    tt.submit_workbook(cast.other_street_admin, wt, workbook(answer_rows(
        cast.waitan_node, ["读书会", 6, datetime.date(2026, 3, 3), "其他", ""])), ON_TIME)  # fmt: skip
    mine = assignment_of(city_task, cast.huangpu_node)
    s = tt.rollup(cast.district_admin, mine, district_task, ON_TIME)
    assert [r[:3] for r in s.rows] == [[cast.nanjing_node.name, str(cast.nanjing_node.pk), "学习小组"],
                                        [cast.nanjing_node.name, str(cast.nanjing_node.pk), "志愿服务"],
                                        [cast.waitan_node.name, str(cast.waitan_node.pk), "读书会"]]  # fmt: skip
    assert s.rolled_up_from == district_task
    # the city's sheet shows them under 黄浦, each with its street's name and code
    rows = [i for i in tt.collect(city_task) if isinstance(i, tt.Row) and i.answered]
    assert [(r.node_name, r.unit_name) for r in rows] == [(cast.huangpu_node.name, cast.nanjing_node.name)] * 2 + [
        (cast.huangpu_node.name, cast.waitan_node.name)
    ]


def test_a_template_of_another_node_cannot_be_sent(cast):
    form = make_template(cast, node=cast.xuhui_node, actor=cast.xuhui_admin)
    with pytest.raises(ValidationError) as e:
        send(cast, form)
    assert "该模板由其他单位制作，本单位不能使用" in str(e.value)
    assert form not in cast_scope(cast.district_admin).report_forms()


def cast_scope(user):
    from liangxin.accounts.scoping import scope_for

    return scope_for(user)


# -- the API and the pages -----------------------------------------------------------------------------------------
def test_the_api_answers_a_template_task_with_rows_checked_and_audited_and_collects_them_as_figures(t):
    from .test_api_writes import api

    street = api(t.street_admin)
    url = f"/api/v1/report-assignments/{t.nanjing.pk}/submit/"
    bad = street.post(url, {"rows": [{"c1": "学习小组", "c2": "很多", "c3": "2026-03-01", "c4": "学习"}]},
                      format="json")  # fmt: skip
    assert bad.status_code == 400 and "第1条「参与党员数」：应为数字，收到「很多」" in str(bad.json())
    assert not ReportSubmission.objects.exists()
    rows = [{"c1": "学习小组", "c2": "3", "c3": "2026-03-01", "c4": "学习"},
            {"c1": "志愿服务", "c2": "4", "c3": "2026-03-02", "c4": "服务", "c5": "周末"}]  # fmt: skip
    assert street.post(url, {"rows": rows}, format="json").status_code == 200
    entries = AuditEntry.objects.filter(object_type="reporting.reportassignment")
    assert entries.filter(detail__startswith="提交第1版（2 行）").exists()
    other = api(t.other_street_admin).post(url, {"rows": rows}, format="json")
    assert other.status_code == 404
    figures = api(t.district_admin).get(f"/api/v1/report-tasks/{t.task.pk}/collected/").json()
    given = [r["values"] for r in figures["rows"] if r["values"]]
    assert [(v["c1"], v["c2"]) for v in given] == [("学习小组", 3), ("志愿服务", 4)]
    assert figures["total"]["sums"] == {"c2": 7} and figures["total"]["answered"] == 1


def test_a_sender_uploads_a_template_and_confirms_its_columns_through_the_pages(cast):
    from .conftest import client_for

    client = client_for(cast.district_admin)
    upload = workbook([HEADERS, ["示例", 3, datetime.date(2026, 3, 1), "学习", ""]], name="项目.xlsx")
    response = client.post("/reporting/templates/", {"name": "项目清单", "description": "", "file": upload})
    form = ReportForm.objects.get(name="项目清单")
    assert response.status_code == 302 and response["Location"] == f"/reporting/templates/{form.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "参与党员数" in page and "确认各列" in page
    # a choice column without options: named, nothing changed
    body = {f"kind_c{i}": k for i, k in enumerate(["text", "number", "date", "choice", "text"], start=1)}
    assert client.post(response["Location"], body).status_code == 400
    assert not ReportForm.objects.get(pk=form.pk).is_active
    body.update(choices_c4="学习、服务", required_c1="1")
    assert client.post(response["Location"], body).status_code == 302
    form.refresh_from_db()
    assert form.is_active and form.fields.get(key="c4").choices == ["学习", "服务"]
    assert "项目清单（Excel 模板）" in client.get("/reporting/new/").content.decode()
    # a bad file: the page names it, nothing stored
    bad = client.post("/reporting/templates/", {"name": "坏的", "file": SimpleUploadedFile("a.xlsx", b"x", XLSX)})
    assert bad.status_code == 400 and "不是允许的类型" in bad.content.decode()
    assert not ReportForm.objects.filter(name="坏的").exists()


def test_a_node_downloads_its_template_and_uploads_it_through_the_answer_page(t):
    from .conftest import client_for

    client = client_for(t.street_admin)
    page = f"/reporting/mine/{t.nanjing.pk}/"
    assert "下载本单位的模板" in client.get(page).content.decode()
    downloaded = client.get(f"{page}template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(downloaded.streaming_content))).worksheets[0]
    assert [c.value for c in sheet[2]][:2] == [t.nanjing_node.name, str(t.nanjing_node.pk)]
    rows = answer_rows(t.nanjing_node, ["学习小组", "三", datetime.date(2026, 3, 1), "学习", ""])
    refused = client.post(page, {"workbook": workbook(rows)})
    assert refused.status_code == 400 and "第2行「参与党员数」：应为数字，收到「三」" in refused.content.decode()
    rows = answer_rows(t.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", ""])
    assert client.post(page, {"workbook": workbook(rows)}).status_code == 302
    assert "学习小组" in client_for(t.district_admin).get(f"/reporting/assignments/{t.nanjing.pk}/").content.decode()


def test_over_the_api_a_sender_uploads_and_confirms_a_template_and_sends_a_task_with_it(cast):
    from .test_api_writes import api

    district = api(cast.district_admin)
    upload = workbook([HEADERS, ["示例", 3, datetime.date(2026, 3, 1), "学习", ""]], name="项目.xlsx")
    bad = district.post("/api/v1/report-templates/", {"name": "", "file": upload}, format="multipart")
    assert bad.status_code == 400 and bad.json()["errors"] == {"name": ["请填写模板名称"]}
    upload.seek(0)
    body = {"node": cast.huangpu_node.pk, "name": "项目清单", "file": upload}
    created = district.post("/api/v1/report-templates/", body, format="multipart")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["owner_name"], data["is_active"], data["template_name"]) == ("黄浦区社会工作党委", False, "项目.xlsx")
    guessed = [(c["key"], c["label"], c["kind"]) for c in data["columns"]][:2]
    assert guessed == [("c1", "项目名称", "text"), ("c2", "参与党员数", "number")]
    # another street's sender does not see it; a choice column without options is named, nothing changes
    url = f"/api/v1/report-templates/{data['id']}/"
    assert api(cast.other_street_admin).get(url).status_code == 404
    columns = {f"c{i}": {"kind": k} for i, k in enumerate(["text", "number", "date", "choice", "text"], start=1)}
    refused = district.post(f"{url}columns/", {"columns": columns}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"] == {"c4": ["「类别」：选择列请填写选项，用顿号分隔"]}
    columns["c4"] = {"kind": "choice", "required": True, "choices": ["学习", "服务"]}
    confirmed = district.post(f"{url}columns/", {"columns": columns}, format="json").json()
    assert confirmed["is_active"] is True and confirmed["columns"][3]["choices"] == ["学习", "服务"]
    # the template is sent like any form: the streets get their assignments
    task = district.post("/api/v1/report-tasks/", {
        "form": data["id"], "title": "一季度党建项目", "addressee_rule": "children", "period_start": "2026-01-01",
        "period_end": "2026-03-31", "deadline": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    }, format="json")  # fmt: skip
    assert task.status_code == 201, task.json()
    assert task.json()["completion"]["all"] == 2
    assert district.post(f"{url}columns/", {"columns": columns}, format="json").status_code == 400  # in use: fixed
    assert api(cast.street_admin).post("/api/v1/report-tasks/", {}, format="json").status_code == 400


def test_over_the_api_a_node_downloads_its_workbook_and_uploads_it_filled(t):
    from .test_api_writes import api

    street = api(t.street_admin)
    url = f"/api/v1/report-assignments/{t.nanjing.pk}/"
    downloaded = street.get(f"{url}template/")
    assert downloaded.status_code == 200 and downloaded["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(downloaded.streaming_content))).worksheets[0]
    assert [c.value for c in sheet[1]] == ["单位名称", "单位代码", *HEADERS]
    assert [c.value for c in sheet[2]][:2] == [t.nanjing_node.name, str(t.nanjing_node.pk)]
    assert api(t.other_street_admin).get(f"{url}template/").status_code == 404
    # a row of another node and a word in a number column: both named, nothing stored
    rows = answer_rows(t.nanjing_node, ["学习小组", "三", datetime.date(2026, 3, 1), "学习", ""])
    rows.append([t.waitan_node.name, int(t.waitan_node.pk), "外滩项目", 2, datetime.date(2026, 3, 2), "服务", ""])
    refused = street.post(f"{url}workbook/", {"workbook": workbook(rows)}, format="multipart")
    assert refused.status_code == 400
    errors = refused.json()["errors"]["non_field_errors"]
    assert "第2行「参与党员数」：应为数字，收到「三」" in errors and any(
        e.startswith("第3行「单位代码」") for e in errors
    )
    assert street.post(f"{url}workbook/", {}, format="multipart").json()["errors"] == {
        "non_field_errors": ["请选择填好的 Excel 文件"]
    }
    assert not ReportSubmission.objects.exists()
    rows = answer_rows(t.nanjing_node, ["学习小组", 3, datetime.date(2026, 3, 1), "学习", ""])
    assert api(t.other_street_admin).post(f"{url}workbook/", {"workbook": workbook(rows)}).status_code == 404
    done = street.post(f"{url}workbook/", {"workbook": workbook(rows)}, format="multipart")
    assert done.status_code == 200 and done.json()["detail"].startswith("已提交第1版，共 1 行")
    assert done.json()["assignment"]["state"] in ("submitted", "late")
    submission = ReportSubmission.objects.get()
    assert submission.rows == [[t.nanjing_node.name, str(t.nanjing_node.pk), "学习小组", "3", "2026-03-01", "学习", ""]]
    assert AuditEntry.objects.filter(object_type="reporting.reportassignment", detail__startswith="提交第1版").exists()


def test_an_online_form_assignment_has_no_workbook_over_the_api(party_cast):
    from .matrix_reporting import nanjing_assignment
    from .test_api_writes import api

    pk = nanjing_assignment(party_cast)["pk"]
    street = api(party_cast.street_admin)
    assert street.get(f"/api/v1/report-assignments/{pk}/template/").status_code == 404
    refused = street.post(f"/api/v1/report-assignments/{pk}/workbook/", {"workbook": workbook([["a"]])})
    assert refused.status_code == 400 and "在线表单" in str(refused.json())
