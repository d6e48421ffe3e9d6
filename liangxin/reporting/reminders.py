"""What is due for a user in 报送任务 (see liangxin.inbox.reminders): each open task their own node
has not answered yet (or must answer again after a return), due on its deadline, overdue after."""

import datetime

from django.urls import reverse

from liangxin.inbox.models import NoticeKind
from liangxin.inbox.reminders import Reminder

from .choices import AssignmentState, TaskState


def due_for(user, scope, today: datetime.date) -> list[Reminder]:
    if not scope.can_answer_reports:
        return []
    waiting = scope.report_assignments().filter(
        task__state=TaskState.OPEN, state__in=[AssignmentState.PENDING, AssignmentState.RETURNED]
    )
    out = []
    for a in waiting.order_by("task__deadline", "pk"):
        what = "被退回，请修改后重新提交" if a.state == AssignmentState.RETURNED else "待报送"
        out.append(
            Reminder(
                NoticeKind.REPORT,
                f"{a.node.name}：{a.task.title}{what}（截止 {a.task.deadline:%Y-%m-%d}）",
                a.task.deadline,
                reverse("web:report_answer", args=[a.pk]),
                f"reporting:due:{a.pk}:{a.state}:{a.version}",
                overdue=today > a.task.deadline,
            )
        )
    return out
