"""What is due for a user (待办与提醒): each daily-work module offers ``due_for(user, scope, today)``
returning ``Reminder``s; the home page lists them all and ``send_reminders`` puts each in the
inbox once (its ``key``)."""

import datetime
import importlib
from dataclasses import dataclass

# modules with a ``due_for`` function; each decides for its own domain
SOURCES = [
    "liangxin.life.reminders",
    "liangxin.develop.reminders",
    "liangxin.transfers.reminders",
    "liangxin.dues.reminders",
    "liangxin.party.reminders",
]


@dataclass(frozen=True)
class Reminder:
    kind: str  # a NoticeKind value
    title: str  # what is due, in Chinese, naming the rule where one applies
    due_on: datetime.date | None
    url: str
    key: str  # stable: the same fact gives the same key every day
    overdue: bool = False


def due_for(user, scope, today: datetime.date) -> list[Reminder]:
    out: list[Reminder] = []
    for name in SOURCES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        out.extend(module.due_for(user, scope, today))
    return sorted(out, key=lambda r: (not r.overdue, r.due_on or datetime.date.max, r.title))
