"""Coverage state (覆盖状态) of organizations, derived — never typed — from links and assignments.

DOMAIN.md: an organization's state is its strongest active link (own > joint > attached),
the link's kind coming from its party organization's setup mode through the city-editable
table; with no link, ``instructor`` if an instructor assignment is active; else ``none``.
``refresh`` is called by every service that changes a link, an assignment, a party
organization's mode or status, or the table, so the stored state is always current.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from liangxin.orgs.choices import CoverageState
from liangxin.orgs.models import Organization

from .choices import LINK_STRENGTH
from .models import InstructorAssignment, PartyOrgLink, SetupModeLinkKind

BATCH = 2000


def active_on(day: datetime.date, prefix: str = "") -> Q:
    """Dated facts in force on ``day``: started on or before it (a blank start: always) and not
    ended by it."""
    return (Q(**{f"{prefix}start_on__isnull": True}) | Q(**{f"{prefix}start_on__lte": day})) & (
        Q(**{f"{prefix}end_on__isnull": True}) | Q(**{f"{prefix}end_on__gt": day})
    )


def link_kinds() -> dict[str, str]:
    return {row.mode: row.link_kind for row in SetupModeLinkKind.objects.all()}


def state_from(kinds: Iterable[str], has_instructor: bool) -> str:
    """The rule itself, on plain values (tests use it with hand-written tables)."""
    kinds = [k for k in kinds if k]
    if kinds:
        return max(kinds, key=LINK_STRENGTH.__getitem__)
    return CoverageState.INSTRUCTOR if has_instructor else CoverageState.NONE


def compute(org_ids: list[int], day: datetime.date | None = None) -> dict[int, str]:
    """The coverage state of each organization in ``org_ids`` on ``day`` (default today)."""
    day = day or timezone.localdate()
    table = link_kinds()
    kinds: dict[int, list[str]] = {i: [] for i in org_ids}
    links = PartyOrgLink.objects.filter(active_on(day), organization_id__in=org_ids, party_org__node__is_active=True)
    for org_id, mode in links.values_list("organization_id", "party_org__setup_mode"):
        kinds[org_id].append(table.get(mode, ""))
    instructed = set(
        InstructorAssignment.objects.filter(
            active_on(day), organization_id__in=org_ids, instructor__is_active=True
        ).values_list("organization_id", flat=True)
    )
    return {i: state_from(kinds[i], i in instructed) for i in org_ids}


def refresh(org_ids: Iterable[int]) -> int:
    """Store the current state of these organizations; returns how many changed."""
    ids = sorted(set(org_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        states = compute(chunk)
        stored = dict(Organization.objects.filter(pk__in=chunk).values_list("pk", "coverage_state"))
        by_state: dict[str, list[int]] = {}
        for org_id, state in states.items():
            if stored.get(org_id) != state:
                by_state.setdefault(state, []).append(org_id)
        for state, pks in by_state.items():
            changed += Organization.objects.filter(pk__in=pks).update(coverage_state=state)
    return changed


def refresh_party_org(party_org_id: int) -> int:
    """After a party organization changed (mode, status): its organizations."""
    return refresh(PartyOrgLink.objects.filter(party_org_id=party_org_id).values_list("organization_id", flat=True))


def refresh_all() -> int:
    """Every organization with a link or an assignment, and every one not stored as none
    (used after the mode table changes and by the daily job that ends dated facts)."""
    ids = set(PartyOrgLink.objects.values_list("organization_id", flat=True))
    ids |= set(InstructorAssignment.objects.values_list("organization_id", flat=True))
    ids |= set(Organization.objects.exclude(coverage_state=CoverageState.NONE).values_list("pk", flat=True))
    return refresh(ids)
