"""Word (.docx) forms printed on A4: the page, the Chinese fonts, a bordered table, a cut line.

The official forms the platform fills (组织关系介绍信, 流动党员活动证) are built with python-docx
from these few pieces, so every form has the same page and the same type. Chinese text needs its
font named on the run's east-Asian slot (``w:eastAsia``): Word picks the font of a CJK character
from there, not from ``font.name`` alone, so a run set only by name prints in the default CJK face.
"""

import io
import re

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

A4_WIDTH_MM, A4_HEIGHT_MM = 210, 297
# GB/T 9704 (党政机关公文格式): top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; forms with three
# parts on one page need more room, so they use these narrower margins (still printable anywhere)
MARGIN_MM = {"top": 15, "bottom": 15, "left": 20, "right": 20}
SONG = "宋体"  # titles and table text
FANGSONG = "仿宋_GB2312"  # body text, as official letters are set
HEI = "黑体"  # titles of the parts
LATIN = "Times New Roman"
CUT_LINE_TEXT = "（此处裁开）"
BLANK = "＿＿＿＿＿＿"  # a place to write by hand


class Refused(Exception):
    """A record has no form to print (a transfer not yet reviewed, a member not floating …); the
    message says why, in Chinese, for the page or the API to show."""


def a4_document(margins: dict[str, int] | None = None, line_spacing: float = 1.0) -> DocumentObject:
    """A new document: one portrait A4 section with the given margins (mm), 仿宋 as the body font and
    ``line_spacing`` (multiple of single) for every paragraph."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(A4_WIDTH_MM), Mm(A4_HEIGHT_MM)
    m = {**MARGIN_MM, **(margins or {})}
    section.top_margin, section.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
    section.left_margin, section.right_margin = Mm(m["left"]), Mm(m["right"])
    normal = document.styles["Normal"]
    normal.font.name = LATIN  # type: ignore[attr-defined]
    normal.font.size = Pt(12)  # type: ignore[attr-defined]
    _east_asian(normal.element.get_or_add_rPr(), FANGSONG)  # type: ignore[attr-defined]
    normal.paragraph_format.line_spacing = line_spacing  # type: ignore[attr-defined]
    return document


def _east_asian(rpr, font: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")


def style_run(run: Run, font: str = FANGSONG, size: float = 12, bold: bool = False) -> Run:
    """A run in ``font`` (set on the east-Asian slot, Latin in Times New Roman), ``size`` points."""
    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    _east_asian(run._element.get_or_add_rPr(), font)
    return run


def paragraph(
    container,
    text: str = "",
    *,
    font: str = FANGSONG,
    size: float = 12,
    bold: bool = False,
    align: str = "left",
    indent_chars: int = 0,
    space_after: float = 2,
) -> Paragraph:
    """A paragraph of one run; ``align`` left / center / right / justify; ``indent_chars`` first-line
    indent in characters of ``size`` (公文 indent their paragraphs by two)."""
    p = container.add_paragraph()
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    if text:
        style_run(p.add_run(text), font, size, bold)
    return p


def title(container, text: str, size: float = 18) -> Paragraph:
    """A form's title: centred, 宋体 bold."""
    return paragraph(container, text, font=SONG, size=size, bold=True, align="center", space_after=4)


def _borders(table: Table, style: str = "single", size: int = 4) -> None:
    """Every edge and inner line of ``table`` drawn (``size`` in eighths of a point)."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), style)
        line.set(qn("w:sz"), str(size))
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    # the schema fixes the order of a table's properties: the borders go before these
    tbl_pr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"
    )


def bordered_table(
    container,
    rows: list[list[str]],
    widths_mm: list[float],
    *,
    size: float = 11,
    header: bool = False,
    font: str = SONG,
) -> Table:
    """A table with every line drawn, one row per item of ``rows`` (cells as text; an empty string
    is a cell to fill by hand), columns ``widths_mm`` wide; ``header``: the first row bold."""
    table = container.add_table(rows=len(rows), cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice reads; Word reads each cell's
    for r, (values, row) in enumerate(zip(rows, table.rows, strict=True)):
        padded = [*values, *[""] * (len(widths_mm) - len(values))]  # a short row: the rest left blank
        for value, cell, width in zip(padded, row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
            style_run(cell.paragraphs[0].add_run(str(value)), font, size, bold=header and r == 0)
    return table


def merge_across(table: Table, row: int, first: int, last: int) -> None:
    """Cells ``first``..``last`` of ``row`` as one cell holding the first cell's text."""
    cells = table.rows[row].cells
    merged = cells[first].merge(cells[last])
    for extra in merged.paragraphs[1:]:
        if not extra.text:
            extra._p.getparent().remove(extra._p)


def row_height(table: Table, mm: float) -> None:
    """Every row at least ``mm`` high (room to write by hand)."""
    for row in table.rows:
        row.height = Mm(mm)


# what follows ``w:pBdr`` in a paragraph's properties (the schema's order)
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def cut_line(container, space: float = 6) -> Paragraph:
    """A dashed line across the page with （此处裁开） under it, ``space`` points above and below:
    where the parts are cut apart."""
    p = paragraph(container, CUT_LINE_TEXT, font=SONG, size=9, align="center", space_after=space)
    p.paragraph_format.space_before = Pt(space)
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("val", "dashed"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        top.set(qn(f"w:{key}"), value)
    border.append(top)
    p._p.get_or_add_pPr().insert_element_before(border, *_AFTER_PBDR)
    return p


def page_break(container) -> None:
    container.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def file_part(text: str) -> str:
    """A record's number as part of a download's file name: what no file system takes becomes "_"."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "未编号"


def to_bytes(document: DocumentObject) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
