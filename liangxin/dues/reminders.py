"""What is due for a user in 党费 (see liangxin.inbox.reminders).

- A secretary: the current month not yet recorded for their party organization; members whose
  run of months with nothing paid is one month short of lapse_months (approaching), or has
  reached it (overdue: the 自行脱党 check).
- A member-role user: their own unpaid months and the amount.
"""

import calendar
import datetime

from django.urls import reverse

from liangxin.core.dates import add_months
from liangxin.inbox.reminders import Reminder
from liangxin.party import policy

from . import ledger, rules
from .models import DuesPayment


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def due_for(user, scope, today: datetime.date) -> list:
    out: list[Reminder] = []
    party_orgs = list(scope.own_party_orgs())
    member = scope.member
    if not party_orgs and member is None:
        return out
    params = policy.values()
    limit = int(params["lapse_months"])
    month = rules.month_start(today)
    closed = rules.closed_through(today)
    for po in party_orgs:
        url = reverse("web:dues_branch", args=[po.pk])
        members = po.members.filter(is_active=True)
        if members.exists() and not DuesPayment.objects.filter(month=month, member__in=members.values("pk")).exists():
            out.append(
                Reminder(
                    "dues",
                    f"{po.name}：{rules.month_label(month)}党费尚未登记",
                    _month_end(month),
                    f"{url}?month={month:%Y-%m}",
                    f"dues:month:{po.pk}:{month:%Y-%m}",
                )
            )
        for o in ledger.arrears(ledger.load(scope.members("view").filter(party_org=po), params), today, params):
            run = o.arrears.run
            if run < limit - 1:
                continue
            run_start = add_months(closed, 1 - run)
            name = f"{po.name} {o.line.name}"
            member_url = reverse("web:dues_member", args=[o.line.member_id])
            if run >= limit:
                out.append(
                    Reminder(
                        "dues",
                        f"{name}：{rules.lapse_text(run, params)}",
                        _month_end(add_months(run_start, limit - 1)),
                        member_url,
                        f"dues:lapse:{o.line.member_id}:{run_start:%Y-%m}:lapsed",
                        overdue=True,
                    )
                )
            else:
                out.append(
                    Reminder(
                        "dues",
                        f"{name}：已连续 {run} 个月未交纳党费，本月仍不交纳即满 {limit} 个月"
                        f"（依据 {policy.cite('lapse_months')}），须核查",
                        _month_end(month),
                        member_url,
                        f"dues:lapse:{o.line.member_id}:{run_start:%Y-%m}:approaching",
                    )
                )
    if member is not None:
        lines = ledger.load(scope.dues_members().filter(pk=member.pk), params)
        owing = ledger.arrears(lines, today, params)
        if owing:
            a = owing[0].arrears
            months = "、".join(rules.month_label(m) for m in a.months[:6]) + ("等" if a.count > 6 else "")
            amount = f"合计 {a.owed} 元" + (f"（另有 {a.unknown} 个月金额待核定）" if a.unknown else "")
            out.append(
                Reminder(
                    "dues",
                    f"您有 {a.count} 个月党费未交，{amount}：{months}",
                    None,
                    reverse("web:dues_mine"),
                    f"dues:mine:{member.pk}:{a.months[0]:%Y-%m}:{a.count}",
                    overdue=rules.is_lapsed(a.run, params),
                )
            )
    return out
