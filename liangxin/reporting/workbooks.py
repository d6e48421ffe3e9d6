"""Excel 模板报送's workbooks: reading the sender's template (its header row), writing the workbook a
node downloads (pre-filled with its name and code), and reading a node's filled workbook back,
checked like an import — the header first (same columns, same order), then every cell by its
column's kind, each error a Chinese sentence naming the row, the column and the reason.

Why python-calamine here and not ``imports.reading``'s streamed reader: a template and an answer
are uploads under the attachment limit (``core.attachments.max_bytes``, 10 MB by default) of a few
thousand rows at most, which calamine reads whole in milliseconds; the import's reader exists for
files of a million rows. The sheet's size is checked before its rows are turned into Python values.
"""

import datetime
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import python_calamine
import xlsxwriter
from django.core.exceptions import ValidationError

from liangxin.core import attachments
from liangxin.core.xlsx import safe_text

from .choices import FieldKind

NAME_HEADER, CODE_HEADER = "单位名称", "单位代码"
FIXED_HEADERS = (NAME_HEADER, CODE_HEADER)
MAX_COLUMNS = 60
MAX_ROWS = 5000  # data rows in one answer: a node's list, never a city's
MAX_ERRORS = 20  # errors named on the page; the rest counted
XLSX = [t for t in attachments.OFFICE_TYPES if t.extensions == (".xlsx",)]


def node_code(node) -> str:
    """单位代码: the management tree keys its nodes by id; a branch has no other code."""
    return str(node.pk)


def cell_text(value) -> str:
    """A cell as people read it: a date as 2026-03-31, 3.0 as 3, text trimmed."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value if value is not None else "").replace("\u3000", " ").strip()


def _open(upload) -> "python_calamine.CalamineSheet":
    """The first sheet (the data sheet) of a checked .xlsx upload."""
    attachments.check_upload(upload, XLSX)
    upload.seek(0)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(upload)
        sheet = book.get_sheet_by_index(0)
    except Exception:  # calamine's own errors: a damaged or encrypted workbook
        raise ValidationError("无法读取该 Excel 文件（文件已损坏或设置了密码），请另存为 .xlsx 后重新上传") from None
    finally:
        upload.seek(0)
    if sheet.total_height > MAX_ROWS + 1 or sheet.total_width > MAX_COLUMNS + len(FIXED_HEADERS):
        raise ValidationError(f"工作表「{sheet.name}」过大：最多 {MAX_ROWS} 行数据、{MAX_COLUMNS} 列")
    return sheet


def _header(sheet) -> list[str]:
    rows = sheet.iter_rows()
    first = next(rows, None)
    headers = [cell_text(v) for v in (first or [])]
    while headers and not headers[-1]:
        headers.pop()
    return headers


@dataclass
class Template:
    """What the sender's workbook says: its data sheet's name, the headers, a guessed kind per column
    (from the first data row's cells, when there is one)."""

    sheet_name: str
    headers: list[str]
    guesses: list[str]


def read_template(upload) -> Template:
    """The header row of the sender's workbook's first sheet, refused in Chinese when it cannot be a
    template: no header, a blank or repeated header, the two columns the platform adds."""
    sheet = _open(upload)
    headers = _header(sheet)
    if not headers:
        raise ValidationError(f"工作表「{sheet.name}」的第一行没有表头：请在第一行写好各列的名称")
    errors = []
    for i, h in enumerate(headers, start=1):
        if not h:
            errors.append(f"第{i}列的表头为空")
        elif h in FIXED_HEADERS:
            errors.append(f"第{i}列「{h}」由平台自动添加，请从模板中删去该列")
        elif len(h) > 100:
            errors.append(f"第{i}列的表头超过 100 字")
        elif h in headers[: i - 1]:
            errors.append(f"第{i}列「{h}」与前面的列重名")
    if errors:
        raise ValidationError(errors)
    rows = sheet.iter_rows()
    next(rows, None)
    example = next(rows, [])
    return Template(sheet.name, headers, [_guess(example[i] if i < len(example) else "") for i in range(len(headers))])


def _guess(value) -> str:
    if isinstance(value, datetime.date):
        return FieldKind.DATE
    if isinstance(value, int | float) and not isinstance(value, bool):
        return FieldKind.NUMBER
    return FieldKind.TEXT


# -- the node's workbook ---------------------------------------------------------------------------
def write_for_node(path: str, fields: Sequence, node, title: str, deadline: datetime.date) -> None:
    """The workbook a node downloads: the data sheet first — 单位名称 and 单位代码 then the
    template's columns, the first row pre-filled with the node's name and code, dropdowns for
    choice columns — then the instructions."""
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    required_head = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    text_fmt = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("填报")
    info = book.add_worksheet("填写说明")
    headers = [*FIXED_HEADERS, *(f.label for f in fields)]
    for c, h in enumerate(headers):
        required = c < len(FIXED_HEADERS) or fields[c - len(FIXED_HEADERS)].required
        sheet.write_string(0, c, safe_text(h), required_head if required else head)
        sheet.set_column(c, c, max(12, min(40, len(h) * 2 + 4)))
    for c, f in enumerate(fields, start=len(FIXED_HEADERS)):
        if f.kind == FieldKind.CHOICE and f.choices:
            sheet.data_validation(1, c, MAX_ROWS, c, {"validate": "list", "source": list(f.choices)[:50]})
        elif f.kind == FieldKind.DATE:
            sheet.set_column(c, c, 14, date_fmt)
        elif f.kind == FieldKind.TEXT:
            sheet.set_column(c, c, 20, text_fmt)
    sheet.write_string(1, 0, safe_text(node.name))
    sheet.write_string(1, 1, node_code(node))
    sheet.freeze_panes(1, 2)
    info.set_column(0, 0, 90)
    lines = [
        f"{title}（截止 {deadline:%Y-%m-%d}）",
        "1. 在“填报”工作表中填写，每行一条；第一行是表头，请勿修改、增删或调换列。红色表头为必填列。",
        f"2. 每一行的“单位名称”“单位代码”都填本单位：{node.name}，代码 {node_code(node)}"
        "（已预填第一行，新增行请照抄）。",
        "3. 数字列只填数字；日期列填 2026-03-31 这样的日期；选择列从下拉列表中选。",
        "4. 填好后在平台的报送页面上传本文件；有错误时平台会指出第几行、哪一列、什么原因，改正后重新上传即可。",
    ]
    for r, line in enumerate(lines):
        info.write_string(r, 0, line)
    book.close()


# -- the node's answer -------------------------------------------------------------------------------
def _rows(sheet) -> Iterator[tuple[int, list]]:
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > 1:
            yield number, row


def check_header(headers: list[str], fields: Sequence) -> None:
    """Same columns, same order as the template: else every difference, in Chinese."""
    expected = [*FIXED_HEADERS, *(f.label for f in fields)]
    if headers == expected:
        return
    errors = []
    for i in range(max(len(headers), len(expected))):
        got = headers[i] if i < len(headers) else ""
        want = expected[i] if i < len(expected) else ""
        if got == want:
            continue
        if not want:
            errors.append(f"表头第{i + 1}列「{got}」是模板中没有的列")
        elif not got:
            errors.append(f"表头缺少第{i + 1}列「{want}」")
        elif got in expected:
            errors.append(f"表头第{i + 1}列应为「{want}」，实为「{got}」（列的顺序与模板不同）")
        else:
            errors.append(f"表头第{i + 1}列应为「{want}」，实为「{got}」")
        if len(errors) >= MAX_ERRORS:
            break
    raise ValidationError(["表头与报送模板不一致，请下载模板重新填写：", *errors])


def read_answer(upload, fields: Sequence) -> Iterator[tuple[int, list[str]]]:
    """The header checked, then (row number, cells) of every row with something in the template's
    columns — the pre-filled row left empty is no answer. A row with a value to the right of the
    last column keeps it (the row is longer than the header): the checker names it."""
    sheet = _open(upload)
    check_header(_header(sheet), fields)
    width = len(FIXED_HEADERS) + len(fields)
    for number, row in _rows(sheet):
        cells = [cell_text(v) for v in row]
        while len(cells) > width and not cells[-1]:
            cells.pop()
        cells += [""] * (width - len(cells))
        if len(cells) > width or any(cells[len(FIXED_HEADERS) :]):
            yield number, cells
