"""Messy ledgers (台账) for the import tests, written the ways real ones are."""

import csv
import datetime

import xlsxwriter
from stdnum.cn import uscc


def credit_code(body: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters."""
    return body + uscc.calc_check_digit(body)


def code_for(i: int) -> str:
    return credit_code(f"91310101MA1X{i:05d}")


def write_csv(path, rows: list[list], encoding: str = "utf-8-sig", delimiter: str = ",") -> str:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return str(path)


def write_xlsx(path, rows: list[list], *, title: str | None = None, merge_title_over: int = 0, sheets_before=()) -> str:
    """Rows as typed cells: str as text, int/float as numbers, date as a date-formatted serial."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    date_fmt = book.add_format({"num_format": "yyyy/m/d"})
    for name, lines in sheets_before:
        extra = book.add_worksheet(name)
        for r, line in enumerate(lines):
            extra.write_string(r, 0, line)
    sheet = book.add_worksheet("台账")
    offset = 0
    if title:
        if merge_title_over:
            sheet.merge_range(0, 0, 0, merge_title_over, title)
        else:
            sheet.write_string(0, 0, title)
        offset = 1
    for r, row in enumerate(rows, start=offset):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            elif isinstance(value, str) and value.startswith("="):
                sheet.write_formula(r, c, value, None, "缓存值")
            else:
                sheet.write_string(r, c, value)
    book.close()
    return str(path)
