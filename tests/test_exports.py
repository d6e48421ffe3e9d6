"""List exports (.xlsx, and the CSV writer) and their escaping of formula-like text."""

import csv
import datetime
import io
import re
import tempfile

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from liangxin.core.models import AuditEntry
from liangxin.core.xlsx import FORMULA_TRIGGERS, PLAIN_NEGATIVE_NUMBER, Column, safe_text, write_csv, write_workbook
from liangxin.party import services as party_services
from liangxin.party.models import Instructor

from .conftest import client_for

ALL = "无（权限范围内全部）"


def export(user, url, params=None):
    response = client_for(user).get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def cover(book) -> dict:
    return {row[0]: row[1] for row in book["导出说明"].iter_rows(min_row=3, values_only=True)}


def data(book) -> list[tuple]:
    assert book["数据"].freeze_panes == "A2"
    return list(book["数据"].iter_rows(values_only=True))


def column(rows, header) -> list:
    i = rows[0].index(header)
    return [row[i] for row in rows[1:]]


def assert_cover(book, user, filter_text):
    info = cover(book)
    assert info["导出人"] == user.username
    assert info["筛选条件"] == filter_text
    exported_at = datetime.datetime.strptime(info["导出时间"], "%Y-%m-%d %H:%M")
    assert abs(exported_at - timezone.localtime().replace(tzinfo=None)) < datetime.timedelta(minutes=2)


def export_entry(object_type) -> AuditEntry:
    return AuditEntry.objects.get(action="export", object_type=object_type)


# -- 管理节点 -------------------------------------------------------------------------


def test_node_export_has_the_committees_in_scope(party_cast):
    cast = party_cast
    book = export(cast.district_admin, "/nodes/export.xlsx")
    assert_cover(book, cast.district_admin, ALL)
    rows = data(book)
    assert rows[0] == ("名称", "类型", "层级", "上级", "辖区", "辖区代码", "状态")
    # the grassroots branch under 南京东路 is not a committee: the list page leaves it out too
    assert rows[1:] == [
        ("黄浦区社会工作党委", "区级党委", 2, "上海市社会工作党委", "黄浦区", "310101", "有效"),
        ("南京东路街道综合党委", "街道/镇综合党委", 3, "黄浦区社会工作党委", "南京东路街道", "310101002", "有效"),
        ("外滩街道综合党委", "街道/镇综合党委", 3, "黄浦区社会工作党委", "外滩街道", "310101013", "有效"),
    ]
    entry = export_entry("mgmt.managementnode")
    assert entry.actor == cast.district_admin and entry.detail == f"导出 3 条；{ALL}"


def test_node_export_of_another_district_has_none_of_these(cast):
    rows = data(export(cast.xuhui_admin, "/nodes/export.xlsx"))
    assert column(rows, "名称") == ["徐汇区社会工作党委", "天平路街道综合党委"]


# -- 账号 -----------------------------------------------------------------------------


def test_account_export_keeps_the_search_and_has_dates(cast):
    client_for(cast.street_admin)  # force_login sets last_login
    book = export(cast.district_admin, "/accounts/export.xlsx", {"q": "nanjing"})
    assert_cover(book, cast.district_admin, "搜索：nanjing")
    rows = data(book)
    assert rows[0] == ("用户名", "姓名", "联系电话", "角色", "状态", "锁定至", "最近登录", "创建日期")
    assert column(rows, "用户名") == ["nanjing_admin"]
    assert column(rows, "角色") == ["街道/镇管理员（南京东路街道综合党委）"]
    cast.street_admin.refresh_from_db()
    joined = timezone.localtime(cast.street_admin.date_joined)
    assert column(rows, "创建日期") == [datetime.datetime.combine(joined.date(), datetime.time())]
    last_login = column(rows, "最近登录")[0]
    local_login = timezone.localtime(cast.street_admin.last_login).replace(tzinfo=None)
    assert isinstance(last_login, datetime.datetime) and abs(last_login - local_login) < datetime.timedelta(seconds=1)
    assert export_entry("accounts.user").detail == "导出 1 条；搜索：nanjing"


def test_list_pages_link_their_export_with_the_current_filters(cast):
    client = client_for(cast.district_admin)
    assert 'href="/accounts/export.xlsx?q=nanjing"' in client.get("/accounts/", {"q": "nanjing", "page": 1}).text
    assert 'href="/audit/export.xlsx?action=create"' in client.get("/audit/", {"action": "create"}).text
    assert 'href="/nodes/export.xlsx"' in client.get("/nodes/").text
    assert 'href="/instructors/export.xlsx"' in client.get("/instructors/").text


def test_account_export_is_limited_to_the_managers_subtree(cast):
    huangpu = column(data(export(cast.district_admin, "/accounts/export.xlsx")), "用户名")
    xuhui = column(data(export(cast.xuhui_admin, "/accounts/export.xlsx")), "用户名")
    assert huangpu == ["huangpu_admin", "huangpu_auditor", "nanjing_admin", "waitan_admin"]
    assert xuhui == ["xuhui_admin"]


# -- 操作日志 ---------------------------------------------------------------------------


def test_audit_export_keeps_the_filters_and_has_local_times(cast):
    book = export(cast.district_admin, "/audit/export.xlsx", {"action": "create", "object_type": "orgs.organization"})
    assert_cover(book, cast.district_admin, "操作：新增；对象类型：两新组织")
    rows = data(book)
    assert rows[0] == ("时间", "操作人", "来源", "操作", "对象类型", "对象编号", "对象", "变更内容", "说明")
    assert sorted(column(rows, "对象")) == ["上海嘉信信息科技有限公司", "外滩餐饮管理有限公司"]
    assert set(column(rows, "操作")) == {"新增"} and set(column(rows, "对象类型")) == {"两新组织"}
    entry = AuditEntry.objects.get(object_repr="上海嘉信信息科技有限公司", action="create")
    at = column(rows, "时间")[column(rows, "对象").index("上海嘉信信息科技有限公司")]
    assert abs(at - timezone.localtime(entry.at).replace(tzinfo=None)) < datetime.timedelta(seconds=1)
    assert export_entry("core.auditentry").detail == "导出 2 条；操作：新增；对象类型：两新组织"
    again = data(export(cast.city_admin, "/audit/export.xlsx", {"action": "export"}))
    assert column(again, "对象类型") == ["操作日志"]


def test_audit_export_shows_changes_as_the_page_does(cast):
    from liangxin.orgs import services

    services.update_organization(cast.city_admin, cast.org, {"employees": 130})
    rows = data(export(cast.district_admin, "/audit/export.xlsx", {"action": "update", "object_id": cast.org.pk}))
    assert column(rows, "变更内容") == ["从业人员数：120 → 130"]


def test_audit_export_of_another_district_has_none_of_these(cast):
    rows = data(export(cast.xuhui_admin, "/audit/export.xlsx"))
    assert column(rows, "对象") == ["天平软件有限公司"]


# -- 党建指导员 -------------------------------------------------------------------------


def instructors(cast):
    nanjing = Instructor.objects.create(name="李指导", phone="+86 21 6321 0000", node=cast.nanjing_node)
    party_services.assign_instructor(cast.city_admin, nanjing, cast.org, datetime.date(2024, 3, 1))
    party_services.assign_instructor(cast.city_admin, nanjing, cast.waitan_org, datetime.date(2024, 5, 1))
    Instructor.objects.create(name="徐指导", node=cast.tianping_node)


def test_instructor_export_has_current_organizations_and_dates(cast):
    instructors(cast)
    book = export(cast.district_admin, "/instructors/export.xlsx")
    assert_cover(book, cast.district_admin, ALL)
    rows = data(book)
    assert rows[0] == (
        "姓名", "联系电话", "工作单位", "选派党委", "登录账号", "在岗", "首次选派日期", "正在联系的组织数",
        "正在联系的组织",
    )  # fmt: skip
    assert rows[1:] == [
        (
            "李指导", "'+86 21 6321 0000", None, "南京东路街道综合党委", None, "是", datetime.datetime(2024, 3, 1), 2,
            "上海嘉信信息科技有限公司、外滩餐饮管理有限公司",
        ),
    ]  # fmt: skip
    assert export_entry("party.instructor").detail == f"导出 1 条；{ALL}"


def test_instructor_export_of_another_district_has_none_of_these(cast):
    instructors(cast)
    rows = data(export(cast.xuhui_admin, "/instructors/export.xlsx"))
    assert column(rows, "姓名") == ["徐指导"]


def test_formula_in_exported_data_comes_back_as_text(cast):
    formula = '=HYPERLINK("http://x","y")'
    Instructor.objects.create(name=formula, node=cast.nanjing_node)
    sheet = export(cast.district_admin, "/instructors/export.xlsx")["数据"]
    cell = sheet["A2"]
    assert (cell.value, cell.data_type, cell.hyperlink) == ("'" + formula, "s", None)


# -- the escaping -----------------------------------------------------------------------


def test_safe_text_quotes_formula_starts_but_not_plain_negative_numbers():
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("+86 21 6321 0000") == "'+86 21 6321 0000"
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("\t=1") == "'\t=1"
    assert safe_text("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert [safe_text(v) for v in ("-12", "-3.50", "12", "上海", "a=b")] == ["-12", "-3.50", "12", "上海", "a=b"]
    assert [safe_text(v) for v in ("-1e5", "-12\n", "-١٢", "-")] == ["'-1e5", "'-12\n", "'-١٢", "'-"]


def as_excel_reads(value: str) -> str:
    """Excel decodes the OOXML escapes ``_xHHHH_`` (xlsxwriter writes control characters so); openpyxl does not."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), value)


# any character a database can hold (lone surrogates cannot be stored as UTF-8)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)
FORMULA_LIKE = st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_TRIGGERS), TEXT).filter(
    lambda v: not PLAIN_NEGATIVE_NUMBER.fullmatch(v)
)
OTHER = TEXT.filter(lambda v: not v.startswith(FORMULA_TRIGGERS))


def written_and_read(values: list[str]) -> list:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        write_workbook(handle.name, "测试", [], [Column("值", lambda v: v)], values)
        sheet = load_workbook(handle.name)["数据"]
        return [row[0] for row in sheet.iter_rows(min_row=2, max_col=1)]


@settings(deadline=None)  # each example writes and unzips a workbook: slow on a busy machine
@given(st.lists(FORMULA_LIKE, min_size=1, max_size=10))
def test_formula_like_text_is_written_as_quoted_text(values):
    cells = written_and_read(values)
    assert [c.data_type for c in cells] == ["s"] * len(values)
    assert [as_excel_reads(c.value) for c in cells] == ["'" + v for v in values]


@settings(deadline=None)  # each example writes and unzips a workbook: slow on a busy machine
@given(st.lists(OTHER, min_size=1, max_size=10))
def test_other_text_round_trips_unchanged(values):
    cells = written_and_read(values)
    assert [c.data_type for c in cells] == ["s"] * len(values)
    assert [as_excel_reads(c.value) for c in cells] == values


def test_numbers_and_dates_are_typed_and_never_quoted():
    columns = [Column("数", lambda r: r[0], kind="number"), Column("日期", lambda r: r[1], kind="date")]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        write_workbook(handle.name, "测试", [], columns, [(-12, datetime.date(2024, 3, 1)), (3.5, None)])
        rows = list(load_workbook(handle.name)["数据"].iter_rows(min_row=2, values_only=True))
    assert rows == [(-12, datetime.datetime(2024, 3, 1)), (3.5, None)]


def test_csv_has_bom_headers_escaping_and_iso_dates():
    columns = [
        Column("名称", lambda r: r[0]),
        Column("人数", lambda r: r[1], kind="number"),
        Column("成立日期", lambda r: r[2], kind="date"),
        Column("时间", lambda r: r[3], kind="datetime"),
    ]
    utc_noon = datetime.datetime(2024, 3, 1, 4, 0, tzinfo=datetime.UTC)
    rows = [
        ('=HYPERLINK("http://x","y")', -12, datetime.date(2024, 3, 1), utc_noon),
        ("-12", None, None, None),
        ("上海嘉信", 5, "未知", None),
    ]
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        assert write_csv(handle.name, columns, rows) == 3
        raw = open(handle.name, "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == [
        ["名称", "人数", "成立日期", "时间"],
        ['\'=HYPERLINK("http://x","y")', "-12", "2024-03-01", "2024-03-01 12:00:00"],
        ["-12", "", "", ""],
        ["上海嘉信", "5", "未知", ""],
    ]
