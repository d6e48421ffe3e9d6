"""The two files of the year-end report (``reporting.yearend``): an Excel workbook with one sheet per
table, and a printable PDF (WeasyPrint: an HTML template with CSS paged media, A4, a cover page,
"第 N 页 共 M 页" in the footer, a signature block) with charts drawn here by matplotlib.

Both read the report's tables only — the figures are never recomputed here — and both use the
same font: Debian's Noto Sans CJK (package fonts-noto-cjk, ``make system-packages``), read from its
file for the charts (``font_manager``) and by family name through fontconfig for the PDF, which
embeds the glyphs it uses. Nothing is fetched: no URL in the template is resolved over a network.
"""

import base64
import io
from decimal import Decimal
from functools import cache
from pathlib import Path

import xlsxwriter
from django.template.loader import render_to_string
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg  # the Agg backend: no display, no GUI
from matplotlib.figure import Figure
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from liangxin.core import audit
from liangxin.core.models import AuditAction
from liangxin.core.xlsx import safe_text

from .brief import Brief
from .yearend import Table, Value, YearEnd, printed

FONT_FILES = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
]
FONT_FAMILY = "Noto Sans CJK SC"


class FontMissing(RuntimeError):
    """The CJK font is not installed: ``make system-packages`` installs fonts-noto-cjk."""


# -- Excel ------------------------------------------------------------------------------------
def _excel_value(value: Value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return safe_text(value)
    return value if value is not None else ""


def write_xlsx(report: YearEnd) -> bytes:
    """One sheet per table: the report's title, the node and the date above the table, its note below."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True, "valign": "top"})
    cell = book.add_format({"border": 1})
    note = book.add_format({"italic": True, "text_wrap": True, "valign": "top"})
    for number, table in enumerate(report.tables, start=1):
        sheet = book.add_worksheet(f"{number:02d}{table.title}"[:31])
        sheet.write(0, 0, safe_text(report.title), title)
        sheet.write(1, 0, safe_text(f"表{number}  {table.title}"), title)
        sheet.write(2, 0, safe_text(f"填报单位：{report.node.name}"))
        sheet.write(3, 0, f"统计截止日期：{report.as_of.isoformat()}　制表日期：{report.made_on.isoformat()}")
        first = 5
        for col, label in enumerate(table.columns):
            sheet.write(first, col, safe_text(label), head)
            sheet.set_column(col, col, 26 if col == 0 else 14)
        for r, row in enumerate(table.rows, start=first + 1):
            for col, value in enumerate(row):
                sheet.write(r, col, _excel_value(value), cell)
        if table.note:
            end = first + len(table.rows) + 2
            sheet.merge_range(end, 0, end, max(len(table.columns) - 1, 3), safe_text("注：" + table.note), note)
            sheet.set_row(end, 15 * (1 + len(table.note) // 60))
    book.close()
    return buffer.getvalue()


# -- charts -----------------------------------------------------------------------------------
def font_file() -> Path:
    for path in FONT_FILES:
        if path.exists():
            return path
    raise FontMissing("未安装中文字体（fonts-noto-cjk），无法生成报表")


@cache
def _font_name() -> str:
    path = font_file()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()


def _number(value: Value) -> float:
    return float(value) if isinstance(value, (int, Decimal)) else 0.0


def chart_coverage(table: Table) -> bytes | None:
    """党的组织覆盖率 and 工作覆盖率 of each sub-node: grouped bars (None without sub-nodes)."""
    if not table.rows:
        return None
    labels = [str(r[0]) for r in table.rows]
    org = [_number(r[2]) for r in table.rows]
    work = [_number(r[3]) for r in table.rows]
    figure = Figure(figsize=(7.2, min(0.32 * len(labels) + 1.4, 9.0)))  # at most most of an A4 page
    ax = figure.subplots()
    font = _font_name()
    ys = range(len(labels))
    ax.barh([y + 0.2 for y in ys], org, height=0.4, color="#C00000", label="党的组织覆盖率")
    ax.barh([y - 0.2 for y in ys], work, height=0.4, color="#F4B183", label="党的工作覆盖率")
    ax.set_yticks(list(ys), labels, fontfamily=font)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("覆盖率（%）", fontfamily=font)
    ax.set_title("各下级党委覆盖率", fontfamily=font)
    ax.legend(prop={"family": font}, loc="lower right")
    return _png(figure)


def chart_members(table: Table) -> bytes:
    """Members by category: bars of each category (the total row left out)."""
    rows = [r for r in table.rows if r[0] != "合计"]
    figure = Figure(figsize=(5.4, 2.6))
    ax = figure.subplots()
    font = _font_name()
    values = [_number(r[1]) for r in rows]
    bars = ax.bar([str(r[0]) for r in rows], values, color=["#C00000", "#F4B183"][: len(rows)])
    ax.bar_label(bars, labels=[str(int(v)) for v in values])
    for label in ax.get_xticklabels():
        label.set_fontfamily(font)
    ax.set_ylabel("人数", fontfamily=font)
    ax.set_title("党员按类别", fontfamily=font)
    return _png(figure)


# -- PDF ----------------------------------------------------------------------------------------
def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _fetcher():
    """WeasyPrint's URL fetcher for the report: the template's images are inline data; every other
    scheme (http, file, …) is refused, so a crafted name can never make it read a file or the network."""
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def html(report: YearEnd) -> str:
    """The printable report as HTML (the PDF's source)."""
    font_file()  # refuse early, in Chinese, when the font is missing
    charts = {"coverage": chart_coverage(report.table("coverage_children")),
              "members": chart_members(report.table("members_category"))}  # fmt: skip
    tables = [
        {"number": i, "title": t.title, "columns": t.columns, "rows": [printed(r) for r in t.rows],
         "note": t.note, "key": t.key}
        for i, t in enumerate(report.tables, start=1)
    ]  # fmt: skip
    return render_to_string(
        "reporting/yearend_print.html",
        {"report": report, "tables": tables, "font": FONT_FAMILY,
         "charts": {k: _data_uri(v) for k, v in charts.items() if v is not None}},
    )  # fmt: skip


def write_pdf(report: YearEnd) -> bytes:
    return HTML(string=html(report), url_fetcher=_fetcher()).write_pdf()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FORMATS = {"xlsx": ("Excel", XLSX), "pdf": ("PDF", PDF)}


def download(user, report: YearEnd, file_format: str, paths: dict[str, str]) -> tuple[bytes, str, str]:
    """The report as a file (``xlsx`` or ``pdf``): its bytes, file name and content type; the
    download is written to the audit log like every export (``paths``: the user's ``home_paths``)."""
    label, content_type = FORMATS[file_format]
    data = write_xlsx(report) if file_format == "xlsx" else write_pdf(report)
    audit.record(
        user, AuditAction.EXPORT, object_type="reporting.yearend", object_repr=report.title,
        detail=f"下载{label}：{report.node.name}，统计截止日期 {report.as_of.isoformat()}", **paths,
    )  # fmt: skip
    return data, f"{report.node.name}{report.year}年度统计报表.{file_format}", content_type


def brief_html(brief: Brief) -> str:
    return render_to_string(
        "reporting/brief_print.html",
        {"brief": brief, "font": FONT_FAMILY, "columns": brief.figures.columns,
         "rows": [printed(r) for r in brief.figures.rows]},
    )  # fmt: skip


def download_brief(user, brief: Brief, paths: dict[str, str]) -> tuple[bytes, str, str]:
    """The monthly brief as a one-page PDF, audited like the report's downloads."""
    font_file()
    data = HTML(string=brief_html(brief), url_fetcher=_fetcher()).write_pdf()
    audit.record(
        user, AuditAction.EXPORT, object_type="reporting.brief", object_repr=brief.title,
        detail=f"下载月度简报：{brief.node.name}，截至 {brief.month_end.isoformat()}", **paths,
    )  # fmt: skip
    return data, f"{brief.title}.pdf", PDF
