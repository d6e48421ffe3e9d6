"""Reading query parameters, the one way every page and API endpoint does it.

A parameter is read by name and described by its Chinese label; anything that is not a value
of its type — a word where a number belongs, a number too large for the database, a date that
does not exist, a choice not offered — raises ``BadParameter`` with a Chinese reason naming the
label. The API answers it with 400 (``api.errors``), the pages with a 400 page
(``web.middleware``): a user's typo or a crafted link is never a server error, and never
silently an empty list. Blank means "not given" (None), like an empty filter field.

Parsers of other kinds of parameter belong here, raising the same error: ``parse_region_code``
reads a region code's syntax (``regions.queries.parse_region`` then finds it in the caller's scope).
"""

import datetime
import re
from collections.abc import Iterable, Mapping

from liangxin.core import normalize

# Ids are BigAutoField: no row has a larger one, and neither SQLite nor PostgreSQL can compare a
# column with a larger integer (SQLite raises OverflowError, PostgreSQL "out of range").
MAX_ID = 2**63 - 1
# a 32-bit integer column's range: counts, years, sizes
MAX_INT = 2**31 - 1
_INTEGER = re.compile(r"-?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
# 统计用区划代码: 6 digits (city, district), 9 (street/town), 12 (grid)
_REGION_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}")
_SHOWN = 20  # characters of a bad value echoed back in the reason


class BadParameter(ValueError):
    """A query parameter that cannot be read. ``name`` is the parameter, ``reason`` the Chinese text."""

    def __init__(self, name: str, reason: str):
        super().__init__(reason)
        self.name, self.reason = name, reason

    @property
    def field(self) -> str:  # the name life's queries used before this module existed
        return self.name


def shown(value: str) -> str:
    """The value as echoed in a reason: cut short, so a long crafted value does not fill the page."""
    return value if len(value) <= _SHOWN else value[:_SHOWN] + "…"


def raw(params: Mapping, name: str) -> str | None:
    """The parameter's text, trimmed; None when absent or blank."""
    value = params.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def parse_int(params: Mapping, name: str, label: str, *, minimum: int = -MAX_INT, maximum: int = MAX_INT) -> int | None:
    """An integer between ``minimum`` and ``maximum`` (ASCII digits, optional minus sign)."""
    text = raw(params, name)
    if text is None:
        return None
    if not _INTEGER.fullmatch(text):
        raise BadParameter(name, f"「{label}」应为整数，收到「{shown(text)}」")
    value = int(text) if len(text) <= 20 else None  # int() of a 5000-digit string is refused by Python
    if value is None or not minimum <= value <= maximum:
        raise BadParameter(name, f"「{label}」应在 {minimum} 到 {maximum} 之间，收到「{shown(text)}」")
    return value


def parse_id(params: Mapping, name: str, label: str) -> int | None:
    """An object's number (编号): a positive integer no larger than any id can be."""
    text = raw(params, name)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 19 or not 1 <= int(text) <= MAX_ID:
        raise BadParameter(name, f"「{label}」应为编号（正整数），收到「{shown(text)}」")
    return int(text)


def id_or_none(value) -> int | None:
    """Lenient: text that may be an id (a picker's "12" or "#12", a posted row's key) as an id, or
    None when it cannot be one — for inputs where "not an id" means "search by name" or "no such row"."""
    text = str(value or "").strip().lstrip("#")
    if text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= MAX_ID:
        return int(text)
    return None


def parse_date(params: Mapping, name: str, label: str) -> datetime.date | None:
    """A calendar date written YYYY-MM-DD."""
    text = raw(params, name)
    if text is None:
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        year, month, day = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day)
    except ValueError:
        raise BadParameter(name, f"「{label}」应为日期（如 2026-01-31），收到「{shown(text)}」") from None


def parse_choice(params: Mapping, name: str, label: str, choices: Iterable[str] | Mapping[str, str]) -> str | None:
    """One of ``choices`` (codes; a mapping's keys are the codes and its values their Chinese names)."""
    text = raw(params, name)
    if text is None:
        return None
    if text not in choices:
        named = "、".join(choices.values() if isinstance(choices, Mapping) else choices)
        raise BadParameter(name, f"「{label}」应为 {named} 之一，收到「{shown(text)}」")
    return text


def collect(errors: dict, parse, params: Mapping, name: str, label: str, *args, **kwargs):
    """``parse(params, name, label, …)``, with a refusal written into ``errors[name]`` (None returned):
    for filters that gather every reason before answering (the organization list, statistics)."""
    try:
        return parse(params, name, label, *args, **kwargs)
    except BadParameter as exc:
        errors[name] = exc.reason
        return None


def parse_flag(params: Mapping, name: str, label: str) -> bool | None:
    """A yes/no filter written 1 or 0."""
    text = raw(params, name)
    if text is None:
        return None
    if text not in ("1", "0"):
        raise BadParameter(name, f"「{label}」应为 1（是）或 0（否），收到「{shown(text)}」")
    return text == "1"


def parse_region_code(params: Mapping, name: str, label: str) -> str | None:
    """A region code (区划代码): 6, 9 or 12 digits, full-width digits, spaces and dashes forgiven."""
    text = raw(params, name)
    if text is None:
        return None
    code = normalize.code(text)
    if not _REGION_CODE.fullmatch(code):
        raise BadParameter(name, f"「{label}」应为 6、9 或 12 位数字的区划代码，收到「{shown(text)}」")
    return code
