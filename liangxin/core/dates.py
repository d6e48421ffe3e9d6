"""Calendar arithmetic for policy periods ("6 months", "1 month ahead")."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier), clamped to the month's end: Aug 31 + 6 → Feb 28/29."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def chinese_date(day: datetime.date) -> str:
    """A date as Chinese documents write it: 2026年3月5日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month(day: datetime.date) -> str:
    """A month as Chinese documents write it: 2026年3月."""
    return f"{day.year}年{day.month}月"
