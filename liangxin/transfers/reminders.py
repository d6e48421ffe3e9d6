"""What is due for a user in 组织关系转接与流动党员 (see liangxin.inbox.reminders)."""

import datetime


def due_for(user, scope, today: datetime.date) -> list:
    return []
