"""Timing rules of transfers and floating members, as plain functions.

Each rule has a per-object check (a date in, a Chinese text naming the parameter out) and a
threshold for SQL filters; both come from the same ``add_months`` so a list and a page never
disagree, even at month ends (a letter issued on 30 November, valid 3 months, is valid through
28 February: the threshold is found by the same arithmetic, not by subtracting months from today).
Numbers come from ``policy.values()``: ``transfer_letter_valid_months`` (介绍信有效期) and
``floating_census_months`` (排摸周期).
"""

import datetime
from collections.abc import Iterable

from liangxin.core.dates import add_months
from liangxin.party import policy
from liangxin.party.choices import LinkKind
from liangxin.party.coverage import active_on, link_kinds
from liangxin.party.models import PartyOrgLink

LETTER_KEY = "transfer_letter_valid_months"
CENSUS_KEY = "floating_census_months"
ONE_DAY = datetime.timedelta(days=1)


def months(params: dict, key: str) -> int:
    return int(params[key])


def _earliest_still_valid(today: datetime.date, n: int) -> datetime.date:
    """The earliest start date ``d`` with ``add_months(d, n) >= today`` (``add_months`` never
    decreases as ``d`` grows, so every later start is valid too and every earlier one is not)."""
    day = add_months(today, -n)
    while add_months(day - ONE_DAY, n) >= today:
        day -= ONE_DAY
    while add_months(day, n) < today:
        day += ONE_DAY
    return day


# -- 介绍信有效期 / 超期 -------------------------------------------------------------------
def letter_valid_until(issued_on: datetime.date, params: dict) -> datetime.date:
    """The last day the letter is valid: ``transfer_letter_valid_months`` after it was issued."""
    return add_months(issued_on, months(params, LETTER_KEY))


def letter_expired(issued_on: datetime.date, params: dict, today: datetime.date) -> bool:
    return letter_valid_until(issued_on, params) < today


def overdue_issued_before(params: dict, today: datetime.date) -> datetime.date:
    """SQL face of ``letter_expired``: an open transfer is 超期 when ``issued_on`` is before this."""
    return _earliest_still_valid(today, months(params, LETTER_KEY))


def is_overdue(transfer, params: dict, today: datetime.date) -> bool:
    """超期: still open (not accepted nor returned) after the letter's validity."""
    return transfer.is_open and letter_expired(transfer.issued_on, params, today)


def overdue_text(transfer, params: dict) -> str:
    n = months(params, LETTER_KEY)
    return (
        f"介绍信已于 {letter_valid_until(transfer.issued_on, params)} 过期，尚未办结"
        f"（规则：组织关系介绍信有效期 {n} 个月；依据 {policy.cite('transfer_letter_valid_months')}）"
    )


# -- 流动党员排摸 -------------------------------------------------------------------------
def census_due_on(last_confirmed: datetime.date | None, params: dict) -> datetime.date | None:
    """The last day the latest census still counts (``floating_census_months`` after it)."""
    if last_confirmed is None:
        return None
    return add_months(last_confirmed, months(params, CENSUS_KEY))


def census_overdue(last_confirmed: datetime.date | None, params: dict, today: datetime.date) -> bool:
    """Not confirmed within the census period (never confirmed counts as not confirmed)."""
    due = census_due_on(last_confirmed, params)
    return due is None or due < today


def census_confirmed_since(params: dict, today: datetime.date) -> datetime.date:
    """SQL face of ``census_overdue``: confirmed in the period means confirmed on or after this day."""
    return _earliest_still_valid(today, months(params, CENSUS_KEY))


def census_text(last_confirmed: datetime.date | None, params: dict) -> str:
    n = months(params, CENSUS_KEY)
    if last_confirmed is None:
        return f"尚无排摸记录（规则：流动党员排摸周期 {n} 个月；依据 {policy.cite('floating_census_months')}）"
    return (
        f"最近一次排摸于 {last_confirmed}，已超过 {n} 个月"
        f"（规则：流动党员排摸周期 {n} 个月；依据 {policy.cite('floating_census_months')}）"
    )


# -- 工作满 6 个月应转接：转入党组织的建议 -----------------------------------------------------
def suggested_targets(employer_ids: Iterable[int], today: datetime.date) -> dict[int, object]:
    """For each employer, the active party organization covering it by an own or joint link
    (own first): where the membership of a member working there belongs (the party rule
    ``member_transfer``, parameter ``transfer_after_months``). One query for a page of members."""
    ids = {i for i in employer_ids if i}
    if not ids:
        return {}
    table = link_kinds()
    links = PartyOrgLink.objects.filter(
        active_on(today), organization_id__in=ids, party_org__node__is_active=True
    ).select_related("party_org__node__parent")
    best: dict[int, tuple] = {}
    for link in links:
        kind = table.get(link.party_org.setup_mode)
        if kind not in (LinkKind.OWN, LinkKind.JOINT):
            continue
        rank = (kind != LinkKind.OWN, link.pk)
        if link.organization_id not in best or rank < best[link.organization_id][0]:
            best[link.organization_id] = (rank, link.party_org)
    return {org_id: party_org for org_id, (_, party_org) in best.items()}
