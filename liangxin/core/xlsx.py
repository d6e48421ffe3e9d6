"""Writing list exports as .xlsx: a cover sheet saying who exported what and when, then the
rows with Chinese headers, a frozen header row, widths that fit, dates as dates and numbers
as numbers. xlsxwriter in constant-memory mode, so memory stays flat for long lists.
``write_csv`` writes the same columns as CSV for exports too large for a workbook.

Every text cell goes through ``safe_text`` (formula injection); numbers and dates are written
as typed cells, which a spreadsheet never evaluates, so they are left as they are."""

import csv
import datetime
import numbers
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.utils import timezone

# OWASP "CSV Injection": a cell starting with one of these may be read as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?", re.ASCII)
DATE_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss"}
CSV_DATE_FORMATS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S"}


@dataclass
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 14
    kind: str = "text"  # text | number | date | datetime


@dataclass
class ListExport:
    """One list's export as its builder made it: the rows and columns, and what the cover sheet
    and audit entry say about them."""

    title: str
    object_type: str
    filter_text: str
    columns: list[Column]
    rows: Iterable[Any]
    count: int | None = None  # None: not counted beforehand (an export written while the user waits)
    # set when the file holds whole identity numbers: named in the CSV's file name and first
    # line (an Excel file says it on its cover sheet)
    notice: str = ""


def safe_text(value: str) -> str:
    """``value`` made safe to put in a spreadsheet cell as text (formula/CSV injection).

    A text starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` (the
    OWASP recommendation), so that Excel or WPS never runs it as a formula — not when a CSV
    is opened, not when someone edits the cell of an .xlsx and presses Enter, not when the
    sheet is saved again as CSV. The quote stays visible, which is the point: a phone number
    like ``+86 21 6321 0000`` still reads correctly as ``'+86 21 6321 0000``.

    A plain negative number (``-12``, ``-3.5``) is left alone: Excel parses it as a constant
    and nothing else — no function, reference or DDE call can hide in a sign and digits —
    while a quote would spoil a value people sort and sum. Anything more than that after the
    minus sign (``-2+3+cmd|' /C calc'!A0``) is quoted.
    """
    if value.startswith(FORMULA_TRIGGERS) and not PLAIN_NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _local(value: datetime.date) -> datetime.datetime:
    """A naive datetime in local time: spreadsheets have no time zones, people read the city's clock."""
    if not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _typed(kind: str, value: Any) -> tuple[str, Any]:
    """How one non-empty value is written: ("number", n), ("date" | "datetime", a naive local
    datetime) or ("text", a safe string). A value that does not fit its column's kind is text."""
    if kind in DATE_FORMATS and isinstance(value, datetime.date):
        moment = _local(value)
        return kind, moment if kind == "datetime" else datetime.datetime.combine(moment.date(), datetime.time())
    if kind == "number" and isinstance(value, numbers.Number) and not isinstance(value, bool):
        return "number", value
    return "text", safe_text(str(value))


def write_workbook(
    path: str, title: str, cover: list[tuple[str, str]], columns: list[Column], rows: Iterable[Any]
) -> int:
    """Write the export to ``path``; returns the number of data rows."""
    # Text is only ever written with write_string; the two options say so for any write() as well.
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(path, options)
    bold = book.add_format({"bold": True})
    formats = {kind: book.add_format({"num_format": fmt}) for kind, fmt in DATE_FORMATS.items()}
    header_fmt = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    info = book.add_worksheet("导出说明")
    info.set_column(0, 0, 16)
    info.set_column(1, 1, 60)
    info.write_string(0, 0, safe_text(title), bold)
    for i, (label, value) in enumerate(cover, start=2):
        info.write_string(i, 0, safe_text(label), bold)
        info.write_string(i, 1, safe_text(str(value)))  # the filter text holds what the user typed
    sheet = book.add_worksheet("数据")
    for c, col in enumerate(columns):
        sheet.set_column(c, c, col.width)
        sheet.write_string(0, c, safe_text(col.header), header_fmt)
    sheet.freeze_panes(1, 0)
    count = 0
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(columns):
            value = col.value(row)
            if value is None or value == "":
                continue
            kind, cell = _typed(col.kind, value)
            if kind == "number":
                sheet.write_number(r, c, cell)
            elif kind == "text":
                sheet.write_string(r, c, cell)
            else:
                sheet.write_datetime(r, c, cell, formats[kind])
        count += 1
    book.close()
    return count


def write_csv(path: str, columns: list[Column], rows: Iterable[Any], first_line: str | None = None) -> int:
    """The same columns as CSV, for exports too large for a workbook; returns the number of rows.

    UTF-8 with a byte-order mark, without which Excel reads Chinese as GBK; dates as
    YYYY-MM-DD (times as YYYY-MM-DD HH:MM:SS, local); text escaped by ``safe_text``."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        if first_line:  # a notice above the header (the importer looks for the header below it)
            writer.writerow([safe_text(first_line)])
        writer.writerow([safe_text(col.header) for col in columns])
        count = 0
        for row in rows:
            writer.writerow([_csv_cell(col, col.value(row)) for col in columns])
            count += 1
    return count


def _csv_cell(col: Column, value: Any) -> str:
    if value is None or value == "":
        return ""
    kind, cell = _typed(col.kind, value)
    if kind in CSV_DATE_FORMATS:
        return cell.strftime(CSV_DATE_FORMATS[kind])
    return str(cell)


def export_file(title: str, cover: list[tuple[str, str]], columns: list[Column], rows) -> tuple[str, int]:
    """Write to a temporary file (deleted when the response closes it); returns (path, count)."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    handle.close()
    return handle.name, write_workbook(handle.name, title, cover, columns, rows)


def now_text() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")
