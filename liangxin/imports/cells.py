"""Reading one cell of a user's ledger (台账): what Excel or a CSV holds, however it was typed.

Each parser takes the raw cell (a ``str`` from CSV; ``str``, ``float``, ``int``, ``bool``,
``datetime`` from .xlsx) and returns the clean value or raises ``ValidationError`` with a
Chinese reason. They are pure functions: imports run them in worker processes.
"""

import datetime
import re
import time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core import normalize

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0 (after its 1900 leap-year bug)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
TRUE_WORDS = {"是", "√", "✓", "✔", "y", "yes", "true", "1", "有", "已建", "已建立", "t", "对"}
FALSE_WORDS = {"否", "×", "✗", "✘", "n", "no", "false", "0", "无", "未建", "没有", "f", "-", "/", "不是"}


def text(value) -> str:
    """Any cell as trimmed half-width text; a whole number stored as a float loses its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    clean = normalize.text(value)
    if clean[:1] == "'" and clean[1:2] in ESCAPED:  # written by core.xlsx.safe_text on export
        return clean[1:]
    return clean


ESCAPED = ("=", "+", "-", "@")


def today() -> datetime.date:
    """Today, asked once a minute rather than per cell (the time zone lookup is not free)."""
    minute = int(time.time() // 60)
    if _TODAY[0] != minute:
        _TODAY[:] = [minute, timezone.localdate()]
    return _TODAY[1]


_TODAY: list = [None, None]


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def date(value) -> datetime.date | None:
    """2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 20230501, an Excel serial, or a real date."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value)
    raw = text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise ValidationError(f"日期不存在：「{raw}」") from None
    if raw.isdigit() and 4 <= len(raw) <= 5:  # an Excel serial saved as text
        return _serial(int(raw))
    raise ValidationError(f"日期格式无法识别：「{raw}」，请填写如 2023-05-01")


def _serial(number: float) -> datetime.date:
    if not 1 <= number < 2958466:
        raise ValidationError(f"日期格式无法识别：「{number}」")
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def flag(value) -> bool:
    """是/否, √/×, Y/N, 1/0, true/false, 有/无; blank is 否."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(f"应填写“是”或“否”，收到「{text(value)}」")


def integer(value, *, label: str = "数值") -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
        raise ValidationError(f"{label}应为整数，收到「{value}」")
    raw = text(value).replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"{label}应为整数，收到「{raw}」") from None
    if number != number.to_integral_value():
        raise ValidationError(f"{label}应为整数，收到「{raw}」")
    return int(number)


def decimal(value, *, label: str = "数值", places: int = 2) -> Decimal | None:
    if is_blank(value):
        return None
    raw = text(value).replace(",", "").replace("元", "").strip()
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"{label}应为数字，收到「{raw}」") from None
    if not number.is_finite():
        raise ValidationError(f"{label}应为数字，收到「{raw}」")
    return number.quantize(Decimal(1).scaleb(-places))


class Choice:
    """A value from an enumeration, given by its Chinese label, its code or an alias."""

    def __init__(self, choices, label: str, aliases: dict[str, str] | None = None) -> None:
        self.label = label
        # 未填 (unknown) is accepted but not offered: it is what a blank says, not a choice to make
        self.labels = [str(lbl) for value, lbl in choices if value not in ("", "unknown")]
        self.table: dict[str, str] = {}
        for value, lbl in choices:
            self.table[_key(str(lbl))] = value
            if value:
                self.table[_key(str(value))] = value
        for alias, value in (aliases or {}).items():
            self.table[_key(alias)] = value

    def __call__(self, value) -> str:
        if is_blank(value):
            return self.table.get("", "")
        found = self.table.get(_key(text(value)))
        if found is None:
            shown = "；".join(self.labels[:12]) + ("等" if len(self.labels) > 12 else "")
            raise ValidationError(f"{self.label}「{text(value)}」不在可选范围内（可选：{shown}）")
        return found


def _key(word: str) -> str:
    return normalize.text(word).replace(" ", "").lower()


def header_key(header) -> str:
    """A header as compared with the known ones: no spaces, no 必填 star, no unit in brackets."""
    word = text(header).replace(" ", "").replace("*", "").replace("＊", "")
    word = re.sub(r"[（(【\[][^）)】\]]*[）)】\]]$", "", word)
    return word.lower()
