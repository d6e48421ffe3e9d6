"""Calendar periods of the organization-life rules (DOMAIN.md: "meeting compliance periods:
calendar month / quarter / year").

A rule "at least once every ``months`` months" is read over calendar periods counted from
1 January: 1 → each calendar month, 3 → each quarter, 6 → each half year, 12 → each calendar
year. A value that does not divide 12 splits the year the same way and the last period ends
on 31 December (5 → Jan–May, Jun–Oct, Nov–Dec). Above 12, whole calendar years are counted
(24 → 2024–2025, 2026–2027: periods start in years divisible by the number of years; a
remainder of months is ignored). 0 means the rule asks nothing.

A period includes both its first and its last day, and it has ended only the day after its
last day: a meeting held on 31 March counts for the first quarter, and the first quarter is
missed only from 1 April.
"""

import calendar
import datetime
from dataclasses import dataclass

QUARTERS = "一二三四"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # the last day, included
    months: int  # the rule's length, as applied (above 12: whole years)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def has_ended(self, today: datetime.date) -> bool:
        """Over: the last day is behind us (on the last day a meeting may still be held)."""
        return self.end < today

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if self.months > 12:
            return f"{s.year}–{e.year}年"
        if self.months == 12:
            return f"{s.year}年度"
        if self.months == 1:
            return f"{s.year}年{s.month}月"
        if self.months == 3 and s.month % 3 == 1 and e.month == s.month + 2:
            return f"{s.year}年第{QUARTERS[s.month // 3]}季度"
        if self.months == 6 and (s.month, e.month) in ((1, 6), (7, 12)):
            return f"{s.year}年{'上' if s.month == 1 else '下'}半年"
        return f"{s.year}年{s.month}–{e.month}月"

    @property
    def unit(self) -> str:
        """本月 / 本季度 / 本年度 …: how a reminder names the current period."""
        return {1: "月", 3: "季度", 6: "半年", 12: "年度"}.get(self.months, "周期")


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: datetime.date, months: int) -> Period:
    """The calendar period of a ``months``-month rule that contains ``day`` (months ≥ 1)."""
    if months < 1:
        raise ValueError("months must be at least 1")
    if months > 12:
        years = months // 12
        first = day.year - day.year % years
        return Period(datetime.date(first, 1, 1), datetime.date(first + years - 1, 12, 31), 12 * years)
    first = (day.month - 1) // months * months + 1
    last = min(first + months - 1, 12)
    return Period(datetime.date(day.year, first, 1), _month_end(day.year, last), months)


def periods_in_year(year: int, months: int) -> list[Period]:
    """The periods that overlap calendar year ``year``, in order."""
    out: list[Period] = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        period = period_of(day, months)
        out.append(period)
        day = period.end + datetime.timedelta(days=1)
    return out


def previous(period: Period) -> Period:
    return period_of(period.start - datetime.timedelta(days=1), period.months)


def months_of(raw) -> int:
    """A policy value (Decimal) as a whole number of months; negative reads as 0 (no rule)."""
    return max(int(raw), 0)


def window(year: int, key: str) -> tuple[datetime.date, datetime.date, str]:
    """The roll-up's time window: the whole year (key ""), a quarter ("q1"–"q4") or a month
    ("m1"–"m12"), with its label. ValueError with a Chinese reason for anything else."""
    key = (key or "").strip().lower()
    if not key:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年全年"
    if key[0] in "qm" and key[1:].isdigit():
        n = int(key[1:])
        size = 3 if key[0] == "q" else 1
        if 1 <= n <= 12 // size:
            period = period_of(datetime.date(year, (n - 1) * size + 1, 1), size)
            return period.start, period.end, period.label
    raise ValueError(f"统计期间「{key}」无效，应为空（全年）、q1–q4（季度）或 m1–m12（月份）")
