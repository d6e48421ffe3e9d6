"""What is due for a user in 通知下达 (see liangxin.inbox.reminders): the notices addressed to a node
they administer that the node has not signed yet, listed from ``circular_remind_days`` before the
signing deadline; past it, flagged overdue. A notice without a deadline is in 收文, not due."""

import datetime

from liangxin.inbox.models import NoticeKind
from liangxin.inbox.reminders import Reminder
from liangxin.party import policy

from .choices import ReceiptState
from .services import receipt_url


def due_for(user, scope, today: datetime.date) -> list[Reminder]:
    if not scope.can_receive_circulars:
        return []
    horizon = today + datetime.timedelta(days=int(policy.values()["circular_remind_days"]))
    waiting = scope.receipts().filter(
        state__in=[ReceiptState.UNREAD, ReceiptState.READ], circular__deadline__lte=horizon
    )
    out = []
    for receipt in waiting:
        deadline = receipt.circular.deadline
        late = deadline < today
        title = f"{receipt.node.name}：通知「{receipt.circular.title}」待签收（期限 {deadline:%Y-%m-%d}）" + (
            f"，已逾期 {(today - deadline).days} 天" if late else ""
        )
        key = f"circulars:sign:{receipt.pk}:{deadline:%Y%m%d}"
        out.append(Reminder(NoticeKind.MESSAGE, title, deadline, receipt_url(receipt), key, overdue=late))
    return out
