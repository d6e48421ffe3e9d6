"""What is due for a user (待办与提醒): each daily-work module offers ``due_for(user, scope, today)``
returning ``Reminder``s and adds it to ``SOURCES`` from its app's ``AppConfig.ready()`` (the
apps are above inbox: it never names them); the home page lists them all and
``send_reminders`` puts each in the inbox once (its ``key``)."""

import datetime
from dataclasses import dataclass

from liangxin.core.hooks import Registry

# ``due_for`` functions, each deciding for its own domain (party, life, develop, transfers, dues)
SOURCES = Registry("待办与提醒")


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
    for due in SOURCES:
        out.extend(due(user, scope, today))
    return sorted(out, key=lambda r: (not r.overdue, r.due_on or datetime.date.max, r.title))
