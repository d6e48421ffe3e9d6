"""Opening an uploaded ledger: .xlsx or CSV, streamed row by row, refused when hostile.

Why not python-calamine here: it parses a whole sheet into memory before the first row
(≈ 376 MB for a 200,000-row, 20-column sheet measured here; upstream python-calamine #42),
which breaks the bounded-memory rule for large ledgers. openpyxl streams but reads
≈ 2,500 rows/s. So .xlsx is read by streaming the sheet's XML out of the zip and cutting
it with regular expressions (C speed), taking only cached values: formulas are never
evaluated. Shared strings and styles are read first (they are small next to the sheet).

Every refusal raises ``UnusableFile`` with a Chinese reason; nothing has been written then.
"""

import array
import codecs
import csv
import datetime
import html
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from .cells import EXCEL_EPOCH


class UnusableFile(Exception):
    """The file cannot be used at all (wrong format, hostile, no header). Exit code 2."""


@dataclass
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int = 200
    max_unzipped_bytes: int = 4 * 1024**3
    max_zip_ratio: int = 200  # xlsx XML compresses ≈ 10–30×; a zip bomb ≈ 1000×
    # one row's XML (or one shared string): 200 columns of long text are a few MB; more is a
    # hostile or broken file, and the reader would hold it all in memory waiting for its end
    max_row_bytes: int = 16 * 1024**2
    deadline: object = None  # the job's time limit: an object whose check_time() raises once past it

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_unzipped_bytes=getattr(settings, "IMPORT_MAX_UNZIPPED_BYTES", 4 * 1024**3),
            max_row_bytes=getattr(settings, "IMPORT_MAX_ROW_BYTES", 16 * 1024**2),
        )


NOT_EXCEL = "该文件不是 Excel 文件（.xlsx）：内容无法按 Excel 格式读取，请确认文件后重新上传"


def detect_format(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnusableFile("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再导入")
    if str(path).lower().endswith((".xlsx", ".xlsm")):  # named as Excel, but not a zip: not CSV either
        raise UnusableFile(NOT_EXCEL)
    if b"\x00" in head:
        raise UnusableFile("无法识别的文件格式：请上传 .xlsx 或 CSV 文件")
    return "csv"


class Source:
    """An opened ledger. ``raw_rows`` yields (row number, raw) cheaply in this process;
    ``decode`` turns a raw row into cells (done by the workers for .xlsx, whose raw row is
    the row's XML). ``rows`` does both."""

    def __init__(self, path: str, limits: Limits | None = None, deadline=None) -> None:
        self.path = path
        self.limits = limits or Limits.from_settings()
        self.limits.deadline = deadline
        size = os.path.getsize(path)
        if size == 0:
            raise UnusableFile("文件是空的")
        if size > self.limits.max_bytes:
            raise UnusableFile(
                f"文件过大（{size / 1024**2:.1f} MB），单个文件不能超过 {self.limits.max_bytes / 1024**2:.0f} MB"
            )
        self.format = detect_format(path)
        self.estimated_rows: int | None = None
        if self.format == "xlsx":
            self._xlsx = XlsxSheet(path, self.limits)
            self.estimated_rows = self._xlsx.height
        else:
            self.estimated_rows = _count_lines(path)

    @property
    def sheet_count(self) -> int:
        return len(self._xlsx.sheets) if self.format == "xlsx" else 1

    def select_sheet(self, index: int) -> None:
        if self.format == "xlsx":
            self._xlsx.select(index)
            self.estimated_rows = self._xlsx.height

    @property
    def sheet_name(self) -> str:
        return self._xlsx.sheet_name if self.format == "xlsx" else ""

    def raw_rows(self) -> Iterator[tuple[int, object]]:
        source = self._xlsx.raw_rows() if self.format == "xlsx" else csv_rows(self.path)
        for number, raw in source:
            if number > self.limits.max_rows + 50:  # title and header rows above the data
                raise UnusableFile(f"行数超过上限（{self.limits.max_rows:,} 行），请拆分文件后分批导入")
            yield number, raw

    def decode(self, raw) -> list:
        if self.format == "xlsx":
            return self._xlsx.decode(raw)
        return raw[: self.limits.max_columns]

    def rows(self) -> Iterator[tuple[int, list]]:
        for number, raw in self.raw_rows():
            yield number, self.decode(raw)

    def close(self) -> None:
        if self.format == "xlsx":
            self._xlsx.close()


def _count_lines(path: str) -> int:
    count = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK * 4):
            count += chunk.count(b"\n")
    return count


# -- CSV -----------------------------------------------------------------------------------
def sniff_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3:  # a character cut by the sample's end
            return "utf-8"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise UnusableFile("CSV 文件编码无法识别：请保存为 UTF-8 或 GB18030（GBK）编码") from None


def csv_rows(path: str) -> Iterator[tuple[int, list]]:
    with open(path, "rb") as raw:
        sample = raw.read(256 * 1024)
    encoding = sniff_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    with open(path, encoding=encoding, errors="strict", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except UnicodeDecodeError:
            raise UnusableFile(f"第 {number + 1} 行含有无法按 {encoding} 解码的字符，请检查文件编码") from None
        except csv.Error as error:
            raise UnusableFile(f"第 {number + 1} 行 CSV 格式错误：{error}") from None


# -- XLSX ----------------------------------------------------------------------------------
# An element's body is matched as "runs without '<', or a '<' that does not close it", possessively
# (Python 3.11): the same match as a lazy ``.*?`` but 8–100× faster on long bodies, and a body
# without its end fails at once instead of backtracking.
_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>((?:[^<]++|<(?!/(?:\w+:)?row>))*+)</(?:\w+:)?row>)", re.S)
_ROW_OPEN = re.compile(r"<(?:\w+:)?row\b")
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>((?:[^<]++|<(?!/(?:\w+:)?c>))*+)</(?:\w+:)?c>)", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?>((?:[^<]++|<(?!/(?:\w+:)?t>))*+)</(?:\w+:)?t>|<(?:\w+:)?t\s*/>", re.S)
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_SI = re.compile(r"<(?:\w+:)?si>((?:[^<]++|<(?!/(?:\w+:)?si>))*+)</(?:\w+:)?si>|<(?:\w+:)?si\s*/>", re.S)
_SI_OPEN = re.compile(r"<(?:\w+:)?si\b")
_CLOSERS = {_ROW_OPEN.pattern: "row>", _SI_OPEN.pattern: "si>"}  # the end of "</row>", "</x:si>"
_DIMENSION = re.compile(r'<(?:\w+:)?dimension\s+ref="([A-Z]*)(\d*):?([A-Z]*)(\d*)"')
_COLUMN = re.compile(r"[A-Z]+")
BUILTIN_DATE_FORMATS = set(range(14, 23)) | {27, 30, 36, 45, 46, 47, 50, 57}
CHUNK = 1 << 20


def _column_index(ref: str) -> int:
    letters = _COLUMN.match(ref)
    index = 0
    for ch in letters.group(0) if letters else "":
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _unescape(value: str) -> str:
    return html.unescape(value) if "&" in value else value


def _stream(book: zipfile.ZipFile, name: str, deadline=None) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with book.open(name) as member:
        while True:
            if deadline is not None:
                deadline.check_time()
            data = member.read(CHUNK)
            if not data:
                break
            yield decoder.decode(data)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


class ElementTooLarge(UnusableFile):
    """One element (a row, a shared string) is larger than ``Limits.max_row_bytes``."""


def _elements(
    book: zipfile.ZipFile, name: str, pattern: re.Pattern, opener: re.Pattern, max_bytes: int, deadline=None
) -> Iterator[re.Match]:
    """Complete matches of ``pattern`` in a streamed member, never holding the whole text.

    Linear in the member's size: text before the next possible element start (``opener``) is
    dropped at once, and an unfinished element is scanned again only when a chunk may end it
    (it brings a closing tag, or the element so far is short) — not once per chunk, which made
    one long row cost the square of its length. An element longer than ``max_bytes`` stops the
    reading (``ElementTooLarge``): memory stays bounded whatever the file holds."""
    closer = _CLOSERS[opener.pattern]
    pending: list[str] = []  # the unfinished element, in pieces (joined only when it may end)
    size = 0
    previous = ""
    for piece in _stream(book, name, deadline):
        short = size < _RESCAN_BELOW
        pending.append(piece)
        size += len(piece)
        if not short and closer not in previous[-len(closer) :] + piece:
            if size > max_bytes:
                raise ElementTooLarge(max_bytes)
            previous = piece
            continue
        previous = piece
        buffer = "".join(pending)
        end = 0
        for match in pattern.finditer(buffer):
            if match.end() == len(buffer):
                break  # may be cut; wait for more
            yield match
            end = match.end()
        start = opener.search(buffer, end)
        # keep from the next element's start; with none, only a tail that may hold a cut opener
        rest = buffer[start.start() :] if start else buffer[max(end, len(buffer) - 16) :]
        pending, size = [rest], len(rest)
        if size > max_bytes:
            raise ElementTooLarge(max_bytes)
    for match in pattern.finditer("".join(pending)):
        yield match


_RESCAN_BELOW = 64 * 1024  # an unfinished element this short is simply scanned again


def _check_zip(book: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in book.infolist():
        total += info.file_size
        if (
            info.compress_size
            and info.file_size / info.compress_size > limits.max_zip_ratio
            and info.file_size > 1 << 20
        ):
            raise UnusableFile("文件压缩比异常（疑似压缩炸弹），已拒绝")
        if info.filename.startswith("xl/externalLinks/"):
            raise UnusableFile(
                "文件含有外部链接（引用其他工作簿），出于安全原因已拒绝；请复制后“选择性粘贴为数值”再导入"
            )
    if total > limits.max_unzipped_bytes:
        raise UnusableFile(
            f"文件解压后体积过大（约 {total / 1024**2:.0f} MB，上限 {limits.max_unzipped_bytes / 1024**2:.0f} MB），"
            "已拒绝；请删除多余的工作表、空白行列和格式后再导入"
        )


def _sheets(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, member path) of the worksheets, in the workbook's order."""
    names = set(book.namelist())
    if "xl/workbook.xml" not in names:
        raise UnusableFile("不是有效的 .xlsx 文件（缺少工作簿）")
    workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = book.read(rels_name).decode("utf-8", "replace") if rels_name in names else ""
    targets = {}
    for rel in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)/?>", rels):
        attrs = dict(_ATTR.findall(rel.group(1)))
        target = attrs.get("Target", "").lstrip("/")
        targets[attrs.get("Id")] = target if target.startswith("xl/") else "xl/" + target
    sheets = []
    for match in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = dict(_ATTR.findall(match.group(1)))
        rel_id = re.search(r'\br:id="([^"]+)"', match.group(1)) or re.search(r'\bid="([^"]+)"', match.group(1))
        target = targets.get(rel_id.group(1)) if rel_id else None
        if target in names and attrs.get("state", "visible") == "visible":
            sheets.append((_unescape(attrs.get("name", "")), target))
    if not sheets:
        found = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        sheets = [(n.rsplit("/", 1)[-1], n) for n in found]
    if not sheets:
        raise UnusableFile("不是有效的 .xlsx 文件（没有工作表）")
    return sheets


def _date_styles(book: zipfile.ZipFile) -> set[int]:
    """Indexes of cell styles whose number format is a date."""
    if "xl/styles.xml" not in book.namelist():
        return set()
    styles = book.read("xl/styles.xml").decode("utf-8", "replace")
    custom = {}
    for m in re.finditer(r"<(?:\w+:)?numFmt\b([^>]*)/?>", styles):
        attrs = dict(_ATTR.findall(m.group(1)))
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", _unescape(attrs.get("formatCode", ""))).lower()
        if any(ch in code for ch in "ymd") or "年" in code:
            custom[int(attrs.get("numFmtId", -1))] = True
    xfs = re.search(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", styles, re.S)
    result = set()
    if xfs:
        for index, m in enumerate(re.finditer(r"<(?:\w+:)?xf\b([^>]*?)/?>", xfs.group(1))):
            fmt = int(dict(_ATTR.findall(m.group(1))).get("numFmtId", 0))
            if fmt in BUILTIN_DATE_FORMATS or fmt in custom:
                result.add(index)
    return result


class SharedStrings:
    """The workbook's shared strings packed in one buffer (UTF-8, with offsets): a million
    distinct names cost their bytes, not a million Python objects (≈ 3× less memory)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array.array("Q")

    def append(self, text: str) -> None:
        self.data += text.encode("utf-8")
        self.ends.append(len(self.data))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:
        start = self.ends[index - 1] if index > 0 else 0
        return self.data[start : self.ends[index]].decode("utf-8")


def _shared_strings(book: zipfile.ZipFile, limits: Limits) -> SharedStrings:
    strings = SharedStrings()
    name = next((n for n in book.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return strings
    try:
        for m in _elements(book, name, _SI, _SI_OPEN, limits.max_row_bytes, limits.deadline):
            body = m.group(1) or ""
            if "<rPh" in body:
                body = _PHONETIC.sub("", body)
            strings.append(_unescape("".join(t or "" for t in _TEXT.findall(body))))
    except ElementTooLarge:
        raise UnusableFile(
            f"文件中有一段文字异常庞大（超过 {limits.max_row_bytes / 1024**2:.0f} MB），已停止读取；请检查文件是否损坏"
        ) from None
    return strings


def _serial_to_datetime(number: float):
    if not 0 < number < 2958466:
        return number
    moment = datetime.datetime.combine(EXCEL_EPOCH, datetime.time()) + datetime.timedelta(days=number)
    moment = moment.replace(microsecond=0)
    return moment.date() if moment.time() == datetime.time() else moment


class XlsxSheet:
    """A worksheet of an .xlsx (the first until ``select``), checked against hostile content on opening."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.limits = limits
        try:
            self.book = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise UnusableFile("文件已损坏或不是有效的 .xlsx 文件") from None
        try:
            _check_zip(self.book, limits)
            self.sheets = _sheets(self.book)
            self.strings = _shared_strings(self.book, limits)
            self.date_styles = _date_styles(self.book)
            self.select(0)
        except (KeyError, zipfile.BadZipFile, ValueError):
            self.book.close()
            raise UnusableFile("文件已损坏或不是有效的 .xlsx 文件") from None
        except UnusableFile:
            self.book.close()
            raise

    def select(self, index: int) -> None:
        """Read worksheet ``index`` (visible sheets, in order) from now on."""
        self.sheet_name, self.sheet = self.sheets[index]
        with self.book.open(self.sheet) as member:
            head = member.read(4096).decode("utf-8", "ignore")
        self.height = None
        dim = _DIMENSION.search(head)
        if dim and dim.group(3):
            width = _column_index(dim.group(3)) + 1
            self.height = int(dim.group(4) or 0)
            if width > 16384 or self.height > 1048576:
                raise UnusableFile("工作表尺寸异常，已拒绝")
            if self.height > self.limits.max_rows + 50:
                raise UnusableFile(f"行数超过上限（{self.limits.max_rows:,} 行），请拆分文件后分批导入")

    def raw_rows(self) -> Iterator[tuple[int, str]]:
        number = 0
        limits = self.limits
        try:
            for row in _elements(self.book, self.sheet, _ROW, _ROW_OPEN, limits.max_row_bytes, limits.deadline):
                r = _ROW_NUMBER.search(row.group(1))
                number = int(r.group(1)) if r else number + 1
                yield number, row.group(2) or ""
        except ElementTooLarge:
            raise UnusableFile(
                f"第 {number + 1} 行内容异常庞大（超过 {limits.max_row_bytes / 1024**2:.0f} MB），已停止读取；"
                "请检查文件是否损坏或含有大量空白"
            ) from None

    def decode(self, body: str) -> list:
        return _row_cells(body, self.strings, self.date_styles, self.limits.max_columns)

    def close(self) -> None:
        self.book.close()


_FAST_CELL = re.compile(
    r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?: [^>]*)?'
    r"(?:/>|>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?(?:<v>([^<]*)</v>|<is>((?:[^<]++|<(?!/is>))*+)</is>)?</c>)",
    re.S,
)
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_COLUMNS: dict[str, int] = {}


def _row_cells(body: str, strings: SharedStrings, date_styles: set[int], max_columns: int) -> list:
    """The cells of one row. The fast expression fits what Excel, WPS and xlsxwriter write
    (attributes r, s, t in that order); anything else takes the general path."""
    found = _FAST_CELL.findall(body)
    plain = body.count("<c ") + body.count("<c>")
    if len(found) != plain or (not plain and ":c " in body):  # other writers, or <x:c> with a prefix
        return _row_cells_general(body, strings, date_styles, max_columns)
    cells: list = []
    for letters, style, kind, value, inline in found:
        index = _COLUMNS.get(letters)
        if index is None:
            index = _COLUMNS[letters] = _column_index(letters)
        if index >= max_columns:
            continue
        if kind == "s":
            cell = strings[int(value)] if value else None
        elif kind == "inlineStr":
            cell = _unescape("".join(t or "" for t in _TEXT.findall(inline)))
        elif not kind or kind == "n":
            if not value:
                cell = None
            else:
                number = float(value)
                if style and int(style) in date_styles:
                    cell = _serial_to_datetime(number)
                else:
                    cell = int(number) if number.is_integer() and abs(number) < 1e15 else number
        else:
            cell = _cell_value({"t": kind, "s": style}, f"<v>{value}</v>" if value else "", strings, date_styles)
        if index >= len(cells):
            cells.extend([None] * (index - len(cells) + 1))
        cells[index] = cell
    return cells


def _row_cells_general(body: str, strings: SharedStrings, date_styles: set[int], max_columns: int) -> list:
    cells: list = []
    for cell in _CELL.finditer(body):
        cell_attrs = dict(_ATTR.findall(cell.group(1)))
        ref = cell_attrs.get("r")
        index = _column_index(ref) if ref else len(cells)
        if index >= max_columns:
            continue
        value = _cell_value(cell_attrs, cell.group(2) or "", strings, date_styles)
        if index >= len(cells):
            cells.extend([None] * (index - len(cells) + 1))
        cells[index] = value
    return cells


def _cell_value(attrs: dict, body: str, strings: SharedStrings, date_styles: set[int]):
    kind = attrs.get("t", "n")
    if kind == "inlineStr":
        return _unescape("".join(t or "" for t in _TEXT.findall(body)))
    v = _VALUE.search(body)
    if v is None:
        return None
    raw = v.group(1)
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            return None
    if kind in ("str", "e"):
        return _unescape(raw)
    if kind == "b":
        return raw.strip() == "1"
    if kind == "d":
        return _unescape(raw)
    try:
        number = float(raw)
    except ValueError:
        return _unescape(raw)
    if int(attrs.get("s", 0) or 0) in date_styles:
        return _serial_to_datetime(number)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


__all__ = ["UnusableFile", "Limits", "Source"]
