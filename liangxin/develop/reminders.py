"""What is due for a user in 发展党员 (see liangxin.inbox.reminders).

- the secretary of the applicant's party organization: the talk due within
  ``applicant_talk_within_months`` of the application, the upper committee's approval due within
  ``approval_within_months`` of the vote, and probation ending (转正);
- the admins of the nearest committee above the branch: approvals due.
Each is listed from ``step_remind_days`` before its day; past it, it is flagged overdue.
"""

import datetime

from django.db.models import Q
from django.urls import reverse

from liangxin.core.dates import add_months
from liangxin.core.tree import any_subtree_q
from liangxin.inbox.reminders import Reminder
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.party import policy

from . import rules
from .models import Applicant, Stage


def due_for(user, scope, today: datetime.date) -> list:
    params = policy.values()
    horizon = today + datetime.timedelta(days=rules.num(params, "step_remind_days"))
    out = []
    secretary_paths = scope.secretary_paths()
    if secretary_paths:
        mine = Applicant.objects.filter(any_subtree_q(secretary_paths, "party_org__node__path"))
        out += _talks(mine, params, today, horizon)
        out += _approvals(mine, params, today, horizon)
        out += _probations(mine, today, horizon)
    committees = scope.committee_ids()
    if committees:
        theirs = Applicant.objects.filter(any_subtree_q(scope.committee_paths(), "party_org__node__path"))
        pairs = _approvals(theirs, params, today, horizon, pairs=True)
        upper = _nearest_committees([a for _, a in pairs])
        out += [r for r, a in pairs if upper.get(a.pk) in committees]
    return out


def _reminder(a: Applicant, what: str, due: datetime.date, today: datetime.date, key: str):
    late = due < today
    title = f"{a.party_org.name}：{a.name}{what}" + (f"（已逾期 {(today - due).days} 天）" if late else "")
    url = reverse("web:develop_applicant_detail", args=[a.pk])
    return Reminder("applicant", title, due, url, f"develop:{key}:{a.pk}:{due:%Y%m%d}", overdue=late)


def _talks(qs, params: dict, today: datetime.date, horizon: datetime.date) -> list:
    months = rules.num(params, "applicant_talk_within_months")
    # due = applied + months <= horizon  <=>  applied <= horizon - months (add_months clamps: check again below)
    pending = qs.filter(stage=Stage.APPLICANT, talked_on__isnull=True, applied_on__lte=add_months(horizon, -months))
    out = []
    for a in pending.select_related("party_org__node"):
        due = rules.talk_deadline(a.applied_on, params)
        if due <= horizon:
            rule = rules.rule(params, "applicant_talk_within_months")
            out.append(_reminder(a, f" 应在 {rules.day(due)} 前入党谈话（规则：{rule}）", due, today, "talk"))
    return out


def _approvals(qs, params: dict, today: datetime.date, horizon: datetime.date, pairs: bool = False) -> list:
    months = rules.num(params, "approval_within_months")
    pending = qs.filter(stage=Stage.CANDIDATE, voted_on__isnull=False, voted_on__lte=add_months(horizon, -months))
    out = []
    for a in pending.select_related("party_org__node"):
        due = rules.approval_deadline(a.voted_on, params)
        if due <= horizon:
            rule = rules.rule(params, "approval_within_months")
            what = f" 待上级党委审批，应在 {rules.day(due)} 前审批（规则：{rule}）"
            reminder = _reminder(a, what, due, today, "approval")
            out.append((reminder, a) if pairs else reminder)
    return out


def _probations(qs, today: datetime.date, horizon: datetime.date) -> list:
    ending = qs.filter(Q(stage=Stage.PROBATIONARY) & Q(probation_end__lte=horizon))
    return [
        _reminder(a, f" 预备期 {rules.day(a.probation_end)} 期满，请及时讨论转正", a.probation_end, today, "probation")
        for a in ending.select_related("party_org__node")
    ]


def _nearest_committees(applicants: list[Applicant]) -> dict[int, int | None]:
    """Applicant id → the nearest committee above its party organization (the one that approves)."""
    ancestors = {a.pk: a.party_org.node.ancestor_ids[:-1] for a in applicants}
    wanted = {i for ids in ancestors.values() for i in ids}
    committees = set(
        ManagementNode.objects.filter(pk__in=wanted, kind__in=COMMITTEE_KINDS).values_list("pk", flat=True)
    )
    return {pk: next((i for i in reversed(ids) if i in committees), None) for pk, ids in ancestors.items()}
