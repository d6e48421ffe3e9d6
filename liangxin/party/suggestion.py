"""Setup suggestion (组建建议) for an organization without a party organization.

单独组建 if it has enough full members; otherwise a joint branch with neighbours (same carrier,
else same street; similar industry first) naming candidate party organizations with room;
otherwise an instructor. Numbers come from the policy parameters.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q

from liangxin.core.tree import any_subtree_q
from liangxin.orgs.choices import CoverageState

from . import policy
from .choices import MemberCategory, PartyOrgType
from .models import Member, PartyOrganization, PartyOrgLink


@dataclass
class Suggestion:
    mode: str
    reason: str
    candidates: list = field(default_factory=list)


def suggest(org, params: dict) -> Suggestion | None:
    """The suggestion for one organization (its page); lists ask ``suggest_many``."""
    return suggest_many([org], params)[org.pk]


def suggest_many(orgs: Iterable, params: dict) -> dict[int, Suggestion | None]:
    """``{pk: suggestion}`` for many organizations in three queries however many there are
    (a list of 50 asked two per row and took most of the blank-spot page's time).
    ``orgs`` need ``operating_region`` loaded (its path places an organization in its street)."""
    orgs = list(orgs)
    out: dict[int, Suggestion | None] = {org.pk: None for org in orgs}
    pending = [org for org in orgs if org.coverage_state not in (CoverageState.OWN, CoverageState.JOINT)]
    if not pending:
        return out
    need = int(params["own_branch_full_members"])
    full = dict(
        Member.objects.filter(employer_id__in=[o.pk for o in pending], category=MemberCategory.FULL, is_active=True)
        .values_list("employer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    short = [org for org in pending if full.get(org.pk, 0) < need]
    nearby = joint_candidates_many(short, int(params["joint_branch_max_orgs"]))
    for org in pending:
        n = full.get(org.pk, 0)
        if n >= need:
            out[org.pk] = Suggestion(
                "单独组建",
                f"有正式党员 {n} 名，达到单独组建条件"
                f"（规则：正式党员 ≥{need} 名；依据 {policy.cite('own_branch_full_members')}）",
            )
        elif candidates := nearby[org.pk]:
            names = "、".join(p.name for p in candidates)
            place = "载体" if org.carrier_id else "街道/镇"
            reason = f"正式党员 {n} 名，不足 {need} 名；可就近纳入同一{place}的联合党支部：{names}"
            out[org.pk] = Suggestion("联合组建", reason, candidates)
        else:
            out[org.pk] = Suggestion(
                "选派党建指导员", f"正式党员 {n} 名，附近暂无有空位的联合党支部，建议先选派党建指导员开展工作"
            )
    return out


def _street_path(region_path: str) -> str:
    """The street's path above a street or grid path (``/city/district/street/``)."""
    return "/" + "/".join([c for c in region_path.split("/") if c][:3]) + "/"


def joint_candidates(org, max_orgs: int, limit: int = 3) -> list[PartyOrganization]:
    """Active joint branches near ``org`` still covering fewer than ``max_orgs`` organizations."""
    return joint_candidates_many([org], max_orgs, limit)[org.pk]


def joint_candidates_many(orgs: list, max_orgs: int, limit: int = 3) -> dict[int, list[PartyOrganization]]:
    """Per organization, up to ``limit`` active joint branches near it (a link to a unit in the same
    carrier, else in the same street) covering fewer than ``max_orgs`` organizations, those with
    more units of its industry first, then the emptier. Two queries for any number of them."""
    out: dict[int, list[PartyOrganization]] = {org.pk: [] for org in orgs}
    if not orgs:
        return out
    carriers = {org.carrier_id for org in orgs if org.carrier_id}
    streets = {_street_path(org.operating_region.path) for org in orgs if not org.carrier_id}
    in_streets = any_subtree_q(sorted(streets), "organization__operating_region__path")
    near = Q(organization__carrier_id__in=carriers) | in_streets
    active = PartyOrgLink.objects.filter(end_on__isnull=True)
    joint = active.filter(near, party_org__org_type=PartyOrgType.JOINT_BRANCH, party_org__node__is_active=True)
    rows = active.filter(party_org_id__in=joint.values("party_org_id")).values_list(
        "party_org_id", "organization_id", "organization__carrier_id", "organization__operating_region__path",
        "organization__industry",
    )  # fmt: skip
    covered: dict[int, set[int]] = defaultdict(set)
    places: dict[int, set] = defaultdict(set)  # branch → carriers and street paths of its units
    industries: dict[int, Counter] = defaultdict(Counter)
    for branch, organization, carrier, path, industry in rows:
        if organization in covered[branch]:
            continue
        covered[branch].add(organization)
        places[branch] |= {("carrier", carrier), ("street", _street_path(path))}
        industries[branch][industry] += 1
    roomy = [b for b in covered if len(covered[b]) < max_orgs]
    chosen: dict[int, list[int]] = {}
    for org in orgs:
        place = ("carrier", org.carrier_id) if org.carrier_id else ("street", _street_path(org.operating_region.path))
        near_ones = [b for b in roomy if place in places[b]]
        near_ones.sort(key=lambda b: (-industries[b][org.industry], len(covered[b]), b))
        chosen[org.pk] = near_ones[:limit]
    wanted = {b for bs in chosen.values() for b in bs}
    by_pk = PartyOrganization.objects.select_related("node").in_bulk(wanted) if wanted else {}
    for pk, branches in chosen.items():
        out[pk] = [by_pk[b] for b in branches]
    return out
