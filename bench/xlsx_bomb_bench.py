"""A small upload that unpacks large (issue 11 §3): a ≈ 3.7 MB .xlsx whose sheet unpacks to
≈ 629 MB (≈ 170×, under the zip-bomb ratio cap), read by the importer's reader.

Cases, each in its own process (peak memory is that process's max RSS):
- ``one-row``: the header and one data row holding all the bulk (one inline-string cell). The
  reader used to wait for the row's end, re-scanning a growing buffer: minutes and > 600 MB.
  Now it stops at ``IMPORT_MAX_ROW_BYTES`` (16 MB) with a Chinese reason;
- ``many-rows``: the same bulk spread over rows of ≈ 100 kB (each under the row bound): read to
  the end, linearly, in bounded memory;
- ``old-one-row``: the previous reader's algorithm (kept here only for the comparison) on the
  one-row file cut to ``--old-mb`` unpacked, to show the square growth without waiting minutes.

Usage:
    .venv/bin/python bench/xlsx_bomb_bench.py                 # 629 MB unpacked
    .venv/bin/python bench/xlsx_bomb_bench.py --mb 200 --old-mb 32,64

Not a test: prints figures, never fails on them.
"""

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>组织名称</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>统一社会信用代码</t></is></c></row>'
)
WORKBOOK = '<workbook><sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
RELS = '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'
STEP = 700  # one letter every ≈ 700 spaces: ≈ 170× smaller zipped, as the file of the issue


def padding(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    pad = bytearray(b" " * size)
    for i in range(0, size - STEP, STEP):
        pad[i + rng.randrange(STEP)] = rng.choice(b"abcdefghijklmnopqrstuvwxyz")
    return bytes(pad)


def make(path: Path, megabytes: int, rows: int) -> tuple[int, int]:
    """Write the workbook; returns (zipped bytes, unpacked sheet bytes)."""
    block = padding(1 << 20)
    per_row = max(1, (megabytes << 20) // rows)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f"<worksheet><sheetData>{HEADER}".encode())
            for r in range(rows):
                sheet.write(f'<row r="{r + 2}"><c r="A{r + 2}" t="inlineStr"><is><t>'.encode())
                left = per_row
                while left > 0:
                    piece = block[: min(left, len(block))]
                    sheet.write(piece)
                    left -= len(piece)
                sheet.write(b"</t></is></c></row>")
            sheet.write(b"</sheetData></worksheet>")
    with zipfile.ZipFile(path) as book:
        unpacked = book.getinfo("xl/worksheets/sheet1.xml").file_size
    return path.stat().st_size, unpacked


# -- the reader used before (one long element cost the square of its length) -----------------
OLD_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)


def old_elements(book: zipfile.ZipFile, name: str, pattern: re.Pattern):
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    buffer = ""
    with book.open(name) as member:
        while data := member.read(1 << 20):
            buffer += decoder.decode(data)
            end = 0
            for match in pattern.finditer(buffer):
                if match.end() == len(buffer):
                    break
                yield match
                end = match.end()
            buffer = buffer[end:]
    yield from pattern.finditer(buffer)


def child(case: str, path: str, seconds: float) -> None:
    """Run one case in this process and print one line: outcome, seconds, peak MB."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    import django

    django.setup()
    from liangxin.imports import reading

    started = time.monotonic()
    rows, outcome = 0, "读完"
    if case == "old-one-row":
        import signal

        signal.alarm(int(seconds))  # the old reader is stopped after a while: its time is then "≥"
        try:
            with zipfile.ZipFile(path) as book:
                for _ in old_elements(book, "xl/worksheets/sheet1.xml", OLD_ROW):
                    rows += 1
        except Exception as error:  # noqa: BLE001
            outcome = f"中止：{type(error).__name__}"
    else:
        try:
            source = reading.Source(path)
            for _ in source.rows():
                rows += 1
            source.close()
        except reading.UnusableFile as error:
            outcome = f"拒绝：{error}"
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{elapsed:.2f}\t{peak:.0f}\t{rows}\t{outcome}")


def run_case(case: str, path: Path, seconds: float = 120) -> tuple[float, float, int, str]:
    def on_timeout() -> tuple[float, float, int, str]:
        return (seconds, float("nan"), 0, "超时")

    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", case, str(path), str(seconds)],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return on_timeout()
    line = (done.stdout.strip().splitlines() or [""])[-1]
    if "\t" not in line:
        if case == "old-one-row":  # SIGALRM ends it without a line
            return (seconds, float("nan"), 0, f"≥ {seconds:.0f} 秒仍未读完，被中止")
        return (float("nan"), float("nan"), 0, done.stderr.strip()[-300:])
    elapsed, peak, rows, outcome = line.split("\t", 3)
    return float(elapsed), float(peak), int(rows), outcome


def line(case: str, zipped: int, unpacked: int, elapsed: float, peak: float, rows: int, outcome: str) -> str:
    sizes = f"{zipped / 1e6:>8.1f}MB{unpacked / 1e6:>8.0f}MB"
    return f"{case:<14}{sizes}{elapsed:>9.2f}{peak:>9.0f}{rows:>7}  {outcome}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=629, help="unpacked size of the sheet, MB")
    parser.add_argument("--old-mb", default="16,32,64", help="sizes for the previous reader (comma-separated)")
    parser.add_argument("--old-seconds", type=float, default=60)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], float(args.child[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f"{'情形':<14}{'压缩后':>10}{'解压后':>10}{'用时 s':>9}{'峰值 MB':>9}{'行':>7}  结果")
        for case, rows in (("one-row", 1), ("many-rows", max(1, args.mb * 10))):
            path = tmp / f"{case}.xlsx"
            zipped, unpacked = make(path, args.mb, rows)
            elapsed, peak, n, outcome = run_case(case, path)
            print(line(case, zipped, unpacked, elapsed, peak, n, outcome))
            path.unlink()
        for mb in (int(x) for x in args.old_mb.split(",") if x):
            path = tmp / f"old-{mb}.xlsx"
            zipped, unpacked = make(path, mb, 1)
            elapsed, peak, n, outcome = run_case("old-one-row", path, args.old_seconds)
            print(line("old-one-row", zipped, unpacked, elapsed, peak, n, f"{outcome}（旧读取方式）"))
            path.unlink()


if __name__ == "__main__":
    main()
