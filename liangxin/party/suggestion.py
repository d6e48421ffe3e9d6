"""Setup suggestion (组建建议) for an organization without a party organization.

单独组建 if it has enough full members; otherwise a joint branch with neighbours (same carrier,
else same street; similar industry first) naming candidate party organizations with room;
otherwise an instructor. Numbers come from the policy parameters.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from liangxin.core.tree import subtree_q
from liangxin.orgs.choices import CoverageState

from . import policy
from .choices import MemberCategory, PartyOrgType
from .models import Member, PartyOrganization


@dataclass
class Suggestion:
    mode: str
    reason: str
    candidates: list = field(default_factory=list)


def suggest(org, params: dict) -> Suggestion | None:
    if org.coverage_state in (CoverageState.OWN, CoverageState.JOINT):
        return None
    need = int(params["own_branch_full_members"])
    full = Member.objects.filter(employer=org, category=MemberCategory.FULL, is_active=True).count()
    if full >= need:
        return Suggestion(
            "单独组建",
            f"有正式党员 {full} 名，达到单独组建条件"
            f"（规则：正式党员 ≥{need} 名；依据 {policy.cite('own_branch_full_members')}）",
        )
    candidates = joint_candidates(org, int(params["joint_branch_max_orgs"]))
    if candidates:
        names = "、".join(p.name for p in candidates)
        place = "载体" if org.carrier_id else "街道/镇"
        reason = f"正式党员 {full} 名，不足 {need} 名；可就近纳入同一{place}的联合党支部：{names}"
        return Suggestion("联合组建", reason, candidates)
    return Suggestion("选派党建指导员", f"正式党员 {full} 名，附近暂无有空位的联合党支部，建议先选派党建指导员开展工作")


def joint_candidates(org, max_orgs: int, limit: int = 3) -> list[PartyOrganization]:
    """Active joint branches near ``org`` still covering fewer than ``max_orgs`` organizations."""
    street_path = "/" + "/".join(org.operating_region.ancestor_codes[:3]) + "/"
    near = (
        Q(links__organization__carrier=org.carrier)
        if org.carrier_id
        else subtree_q(street_path, "links__organization__operating_region__path")
    )
    qs = (
        PartyOrganization.objects.filter(org_type=PartyOrgType.JOINT_BRANCH, node__is_active=True)
        .filter(near, links__end_on__isnull=True)
        .annotate(
            n=Count("links", filter=Q(links__end_on__isnull=True), distinct=True),
            same_industry=Count("links", filter=Q(links__organization__industry=org.industry), distinct=True),
        )
        .filter(n__lt=max_orgs)
        .select_related("node")
        .order_by("-same_industry", "n", "pk")
    )
    return list(qs.distinct()[:limit])
