"""The lists behind the dues figures: one function per list, used by its page and its export.
Each takes the members already narrowed to the user's scope and the node already found in it."""

import datetime

from liangxin.party import policy

from . import ledger, rules


def month_entries(members, node, g, today: datetime.date) -> tuple:
    """The month entries behind a totals figure: (period, status, entries, title words).
    ``own=1`` keeps only members held by the node itself (the 本级 row); a period that cannot
    be read raises ValueError with the reason."""
    period = ledger.period_for(g, today)
    status = g.get("status") if g.get("status") in ledger.STATUSES else "all"
    members = ledger.under(members, node)
    if g.get("own") == "1":
        members = members.filter(party_org__node=node)
    lines = ledger.load(members, policy.values(), period.first, period.last)
    found = ledger.entries(lines, period, status)
    words = f"{node.name}{'（本级）' if g.get('own') == '1' else ''}；{period.label}；{ledger.STATUSES[status]}"
    return period, status, found, words


def arrears_list(members, node, g, today: datetime.date) -> tuple:
    """Members under ``node`` owing dues: (owing, lapsed only, title words, policy values)."""
    params = policy.values()
    owing = ledger.arrears(ledger.load(ledger.under(members, node), params), today, params)
    lapsed_only = g.get("lapsed") == "1"
    if lapsed_only:
        owing = [o for o in owing if o.lapsed]
    words = f"{node.name}；截至{rules.month_label(rules.closed_through(today))}" + (
        f"；仅连续 {int(params['lapse_months'])} 个月及以上未交" if lapsed_only else ""
    )
    return owing, lapsed_only, words, params
