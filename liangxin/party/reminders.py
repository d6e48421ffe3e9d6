"""换届 reminders for a party organization's secretary (6 and 1 months ahead, then overdue),
from the same rule the findings use (``rules.term_finding``)."""

import datetime

from django.urls import reverse

from liangxin.inbox.reminders import Reminder

from . import policy, rules


def due_for(user, scope, today: datetime.date) -> list:
    if not scope.is_secretary:
        return []
    params, out = policy.values(), []
    for po in scope.own_party_orgs():
        finding = rules.term_finding(po, params, today)
        if finding is None:
            continue
        stage = finding.values.get("remind_months", "overdue")
        out.append(
            Reminder(
                "term",
                f"{po.name}：{finding.text}",
                po.term_end,
                reverse("web:party_detail", args=[po.pk]),
                f"term:{po.pk}:{po.term_end}:{stage}",
                overdue=po.term_end < today,
            )  # fmt: skip
        )
    return out
