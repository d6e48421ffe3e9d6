"""Writing list exports as .xlsx: a cover sheet saying who exported what and when, then the
rows with Chinese headers, a frozen header row, widths that fit, dates as dates and numbers
as numbers. xlsxwriter in constant-memory mode, so memory stays flat for long lists."""

import datetime
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.utils import timezone


@dataclass
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 14
    kind: str = "text"  # text | number | date


def write_workbook(
    path: str, title: str, cover: list[tuple[str, str]], columns: list[Column], rows: Iterable[Any]
) -> int:
    """Write the export to ``path``; returns the number of data rows."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "remove_timezone": True})
    bold = book.add_format({"bold": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    header_fmt = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    info = book.add_worksheet("导出说明")
    info.set_column(0, 0, 16)
    info.set_column(1, 1, 60)
    info.write(0, 0, title, bold)
    for i, (label, value) in enumerate(cover, start=2):
        info.write(i, 0, label, bold)
        info.write(i, 1, value)
    sheet = book.add_worksheet("数据")
    for c, col in enumerate(columns):
        sheet.set_column(c, c, col.width)
        sheet.write(0, c, col.header, header_fmt)
    sheet.freeze_panes(1, 0)
    count = 0
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(columns):
            value = col.value(row)
            if value is None or value == "":
                continue
            if col.kind == "date" and isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
            elif col.kind == "number":
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
        count += 1
    book.close()
    return count


def export_file(title: str, cover: list[tuple[str, str]], columns: list[Column], rows) -> tuple[str, int]:
    """Write to a temporary file (deleted when the response closes it); returns (path, count)."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    handle.close()
    return handle.name, write_workbook(handle.name, title, cover, columns, rows)


def now_text() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")
