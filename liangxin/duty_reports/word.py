"""述职报告 as a Word file (A4, the shared ``core.word`` helpers): title, the figures table, the three
text sections and a signature block."""

from liangxin.core import word
from liangxin.core.richtext import plain_text

from .figures import rows
from .models import DutyReport

SECTIONS = (("practice", "一、主要做法和成效"), ("problems", "二、存在的问题"), ("plans", "三、下一步打算"))


def report_docx(report: DutyReport) -> bytes:
    document = word.a4_document(line_spacing=1.25)
    word.title(document, f"{report.node.name}")
    word.title(document, f"{report.year}年度书记抓党建工作述职报告", size=16)
    word.paragraph(
        document, f"平台数据截止 {report.as_of.isoformat()}（{report.get_status_display()}）", align="center"
    )
    word.paragraph(document, "平台数据", font=word.HEI, size=14, space_after=4)
    table_rows = [["类别", "项目", "数据"], *[list(r) for r in rows(report.figures)]]
    word.bordered_table(document, table_rows, [30, 55, 85], size=10.5, header=True)
    for name, heading in SECTIONS:
        word.paragraph(document, heading, font=word.HEI, size=14, space_after=4)
        for line in plain_text(getattr(report, name)).splitlines() or [""]:
            word.paragraph(document, line, size=14, indent_chars=2, align="justify")
    word.paragraph(document, "")
    word.paragraph(document, f"述职党委（盖章）：{report.node.name}", size=14, align="right")
    word.paragraph(document, f"党委书记（签字）：{word.BLANK}", size=14, align="right")
    word.paragraph(document, f"日期：{word.BLANK}", size=14, align="right")
    return word.to_bytes(document)


def file_name(report: DutyReport) -> str:
    return word.file_part(f"{report.node.name}{report.year}年度述职报告") + ".docx"
