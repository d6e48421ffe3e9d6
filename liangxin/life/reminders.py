"""What is due for a user in 组织生活 (see liangxin.inbox.reminders).

- A secretary, for each of their party organizations: every kind of meeting whose current
  period has no held meeting yet (due on the period's last day; overdue when the previous
  period was missed as well), planned meetings coming up, and planned meetings whose day has
  passed without being recorded as held or cancelled.
- A member-role user: the planned meetings of their party organization from today on.
"""

import datetime

from django.urls import reverse

from liangxin.inbox.reminders import Reminder
from liangxin.party import policy
from liangxin.party.models import PartyOrganization

from . import compliance
from .choices import KIND_PARAMETER, MeetingKind, MeetingStatus
from .models import Meeting
from .periods import months_of, period_of, previous

UPCOMING_DAYS = 30  # planned meetings shown this far ahead


def due_for(user, scope, today: datetime.date) -> list:
    out = []
    if scope.is_secretary:
        party_orgs = scope.own_party_orgs()
        params = policy.values()
        for facts in compliance.org_facts(party_orgs):
            out += _periods_due(facts, today, params)
        out += _planned(Meeting.objects.filter(party_org__in=party_orgs), today, for_member=False)
    member = scope.member
    if member is not None:
        own = [member.party_org_id] + ([member.inflow_party_org_id] if member.inflow_party_org_id else [])
        out += _planned(Meeting.objects.filter(party_org_id__in=own), today, for_member=True)
    return out


def _periods_due(facts: compliance.OrgFacts, today: datetime.date, params: dict) -> list:
    out = []
    earliest = min(
        (period_of(today, months_of(params[k])) for k in KIND_PARAMETER.values() if months_of(params[k])),
        key=lambda p: p.start,
        default=None,
    )
    if earliest is None:
        return out
    start = previous(earliest).start
    held = compliance.held_index(PartyOrganization.objects.filter(pk=facts.id), start, today).get(facts.id, {})
    url = reverse("web:life_compliance", args=[facts.id]) + f"?year={today.year}"
    for kind in MeetingKind:
        if compliance.not_applicable(kind, facts, params):
            continue
        current = period_of(today, months_of(params[KIND_PARAMETER[kind]]))
        dates = held.get(kind, [])
        if compliance.cell_state(current, dates, facts.founded_on, today) != compliance.PENDING:
            continue
        last = previous(current)
        missed = compliance.cell_state(last, dates, facts.founded_on, today) == compliance.MISSING
        title = f"{facts.name}：本{current.unit}（{current.label}）尚未召开{kind.label}"
        if missed:
            title += f"，上一{last.unit}（{last.label}）也未召开"
        title += f"（{compliance.rule_text(kind, params)}）"
        key = f"life:due:{facts.id}:{kind.value}:{current.start:%Y%m%d}"
        out.append(Reminder("meeting", title, current.end, url, key, overdue=missed))
    return out


def _planned(meetings, today: datetime.date, *, for_member: bool) -> list:
    planned = meetings.filter(status=MeetingStatus.PLANNED).select_related("party_org__node")
    if for_member:
        planned = planned.filter(date__gte=today)
    planned = planned.filter(date__lte=today + datetime.timedelta(days=UPCOMING_DAYS)).order_by("date", "pk")
    out = []
    for m in planned[:50]:
        when = f"{m.date:%Y-%m-%d}" + (f" {m.start_time:%H:%M}" if m.start_time else "")
        if for_member:
            title = f"{when} 在{m.place}参加{m.party_org.name}{m.get_kind_display()}「{m.topic}」"
            url, key = reverse("web:life_my_meetings"), f"life:attend:{m.pk}:{m.date:%Y%m%d}"
        elif m.date < today:
            title = f"{m.party_org.name}：{when} 的{m.get_kind_display()}「{m.topic}」日期已过，请登记召开情况或取消"
            url, key = reverse("web:life_meeting_detail", args=[m.pk]), f"life:record:{m.pk}:{m.date:%Y%m%d}"
        else:
            title = f"{m.party_org.name}：{when} 召开{m.get_kind_display()}「{m.topic}」"
            url, key = reverse("web:life_meeting_detail", args=[m.pk]), f"life:planned:{m.pk}:{m.date:%Y%m%d}"
        out.append(Reminder("meeting", title, m.date, url, key, overdue=m.date < today))
    return out
