"""What a job leaves for the user: the error file (rejected rows with a reason column, to fix
and import again) and the full report (summary, rejected, created and updated rows)."""

import xlsxwriter

from liangxin.core.xlsx import now_text

from .kinds import get_kind
from .models import ImportJob

REASON_HEADER = "未导入原因"


def _reason_text(errors: list) -> str:
    return "；".join(
        f"{column}「{value}」：{reason}" if value else f"{column}：{reason}" for column, value, reason in errors
    )


def _write_cell(sheet, r: int, c: int, value) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(r, c, "是" if value else "否")
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, str(value))


def write_error_file(job: ImportJob, path: str) -> int:
    """The rejected rows under the file's own header, plus the reason; returns the row count."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False})  # fmt: skip
    header_fmt = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    reason_fmt = book.add_format({"font_color": "#C00000"})
    sheet = book.add_worksheet("未导入的行")
    header = list(job.header_cells)
    for c, title in enumerate(header):
        sheet.write_string(0, c, str(title), header_fmt)
        sheet.set_column(c, c, 16)
    reason_col = len(header)
    sheet.write_string(0, reason_col, REASON_HEADER, header_fmt)
    sheet.write_string(0, reason_col + 1, "原文件行号", header_fmt)
    sheet.set_column(reason_col, reason_col, 60)
    sheet.freeze_panes(1, 0)
    count = 0
    for r, row in enumerate(job.rejected_rows.order_by("number").iterator(chunk_size=2000), start=1):
        for c, value in enumerate(row.cells[:reason_col]):
            _write_cell(sheet, r, c, value)
        sheet.write_string(r, reason_col, _reason_text(row.errors), reason_fmt)
        sheet.write_number(r, reason_col + 1, row.number)
        count += 1
    book.close()
    return count


def write_report(job: ImportJob, path: str) -> None:
    """Summary, then every rejected row's reasons, then the created and updated rows."""
    kind = get_kind(job.kind)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False})  # fmt: skip
    bold = book.add_format({"bold": True})
    info = book.add_worksheet("导入结果")
    info.set_column(0, 0, 16)
    info.set_column(1, 1, 70)
    lines = [
        ("导入类型", kind.label if kind else job.kind),
        ("文件", job.file_name),
        ("SHA-256", job.file_sha256),
        ("导入人", job.actor.display_name),
        ("方式", "试导入（不写入）" if job.dry_run else "全部成功才导入" if job.all_or_nothing else "导入通过校验的行"),
        ("状态", job.get_status_display()),
        ("表头所在行", str(job.header_row or "")),
        ("新增", str(job.created)),
        ("更新", str(job.updated)),
        ("未变", str(job.unchanged)),
        ("未导入", str(job.rejected)),
        ("未识别的列（已忽略）", "、".join(job.ignored_columns)),
        ("说明", job.message),
        ("报告生成时间", now_text()),
    ]
    info.write(0, 0, f"导入报告：{job.file_name}", bold)
    for i, (label, value) in enumerate(lines, start=2):
        info.write_string(i, 0, label, bold)
        info.write_string(i, 1, value or "")
    rejected = book.add_worksheet("未导入明细")
    for c, (title, width) in enumerate([("行号", 8), ("列", 18), ("填写内容", 24), ("原因", 60)]):
        rejected.write_string(0, c, title, bold)
        rejected.set_column(c, c, width)
    r = 1
    for row in job.rejected_rows.order_by("number").iterator(chunk_size=2000):
        for column, value, reason in row.errors:
            rejected.write_number(r, 0, row.number)
            rejected.write_string(r, 1, column)
            rejected.write_string(r, 2, str(value))
            rejected.write_string(r, 3, reason)
            r += 1
    for title, attr in (("新增明细", "created_rows"), ("更新明细", "updated_rows")):
        sheet = book.add_worksheet(title)
        sheet.write_string(0, 0, "行号", bold)
        sheet.write_string(0, 1, "对象编号", bold)
        r = 1
        for batch in job.batches.order_by("first_row").iterator(chunk_size=50):
            for number, object_id in getattr(batch, attr):
                sheet.write_number(r, 0, number)
                sheet.write_number(r, 1, object_id)
                r += 1
    book.close()
