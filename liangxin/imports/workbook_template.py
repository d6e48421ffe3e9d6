"""The downloadable import template of a kind: the data sheet first (Chinese headers, required
ones marked, dropdowns for enumerations), then instructions and an example row."""

import xlsxwriter

from .spec import Kind

DATA_ROWS = 5000  # rows the dropdowns cover


def write_template(kind: Kind, path: str) -> None:
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    required_fmt = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    optional_fmt = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    text_fmt = book.add_format({"num_format": "@"})

    sheet = book.add_worksheet("数据")  # first: the sheet that is imported
    info = book.add_worksheet("填写说明")
    example = book.add_worksheet("示例")
    info.set_column(0, 0, 26)
    info.set_column(1, 1, 18)
    info.set_column(2, 2, 80)
    info.write(0, 0, f"{kind.label}导入模板 — 填写说明", bold)
    notes = [
        "1. 在“数据”工作表中填写（“示例”工作表有填写示范，不会被导入），每行一条；红色表头为必填列。"
        "列的顺序可以调整，也可以使用常见别名（见下表）。",
        f"2. 已在平台登记的记录按“{kind.key_label}”更新，未登记的新增；同一文件中重复的记录会被报告，不会合并。",
        "3. 日期可写 2023-05-01、2023/5/1、2023年5月1日 或 20230501；是否类填“是/否”（也可用 √/×）。",
        "4. 导入后可下载“未导入的行”文件：改正其中的内容后直接再次导入该文件即可。",
        "5. 从平台导出的 Excel 可以直接作为导入文件使用。",
    ]
    for i, line in enumerate(notes, start=2):
        info.write(i, 0, line)
    start = len(notes) + 3
    for c, title in enumerate(["列名", "是否必填", "说明（可用的别名、可选值、格式）"]):
        info.write(start, c, title, bold)
    for r, column in enumerate(kind.columns, start=start + 1):
        parts = [column.note] if column.note else []
        if column.choices:
            parts.append("可选：" + "；".join(column.choices))
        if column.aliases:
            parts.append("也可写作：" + "、".join(column.aliases))
        info.write(r, 0, column.header)
        info.write(r, 1, "必填" if column.required else "")
        info.write(r, 2, "\n".join(parts), wrap)

    lists = book.add_worksheet("可选值")
    lists.hide()
    for c, column in enumerate(kind.columns):
        sheet.write_string(0, c, column.header, required_fmt if column.required else optional_fmt)
        width = max(12, min(36, len(column.header) * 2 + 4, len(column.example) + 6 if column.example else 12))
        sheet.set_column(c, c, width, text_fmt if column.kind == "text" else None)
        if column.choices:
            for r, choice in enumerate(column.choices):
                lists.write_string(r, c, choice)
            col = xlsxwriter.utility.xl_col_to_name(c)
            sheet.data_validation(
                1,
                c,
                DATA_ROWS,
                c,
                {
                    "validate": "list",
                    "source": f"=可选值!${col}$1:${col}${len(column.choices)}",
                    "error_title": column.header,
                    "error_message": "请从下拉列表中选择",
                    "error_type": "warning",
                },
            )
        example.write_string(0, c, column.header, required_fmt if column.required else optional_fmt)
        example.set_column(c, c, width)
        if column.example:
            example.write_string(1, c, column.example)
    sheet.freeze_panes(1, 0)
    sheet.activate()
    book.close()
