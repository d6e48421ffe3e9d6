"""Read-side helpers of the party app: the party organization and member lists (one filter per
list, used by its page and its export) and the search by identity number."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from liangxin.core import crypto, normalize
from liangxin.core.params import parse_id

from .choices import LinkKind, MemberCategory, PartyOrgType, SetupMode
from .coverage import active_on, link_kinds
from .models import PartyOrgLink


def covering_party_nodes(org_id: int) -> list:
    """Nodes of active party organizations with an own or joint link to the organization today."""
    table = link_kinds()
    links = PartyOrgLink.objects.filter(
        active_on(timezone.localdate()), organization_id=org_id, party_org__node__is_active=True
    ).select_related("party_org__node")
    strongest = sorted(
        (link for link in links if table.get(link.party_org.setup_mode) in (LinkKind.OWN, LinkKind.JOINT)),
        key=lambda link: (table[link.party_org.setup_mode] != LinkKind.OWN, link.pk),
    )
    return [link.party_org.node for link in strongest]


def search_people(qs: QuerySet, q: str, otherwise: Q | None = None, said: str = "姓名含") -> tuple[QuerySet, str]:
    """People (members, applicants, floating members) searched by ``q``: a full identity number
    (or its search token) matches exactly, through its keyed hash; any other text matches
    ``otherwise`` (by default the name). Returns (queryset, the search in words)."""
    digest = crypto.id_search_hash(q)
    if digest:
        return qs.filter(id_hash=digest), "按身份号码精确查找"
    return qs.filter(otherwise if otherwise is not None else Q(name__contains=q)), f"{said}：{q}"


def filtered_party_orgs(scope, g) -> tuple[QuerySet, str, str]:
    """The party organization list for these parameters: (queryset, search, filter in words)."""
    qs = scope.party_orgs("view").filter(node__is_active=True).select_related("node__parent", "secretary")
    said = []
    if g.get("type") in PartyOrgType.values:
        qs = qs.filter(org_type=g["type"])
        said.append(f"类型：{PartyOrgType(g['type']).label}")
    if g.get("mode") in SetupMode.values:
        qs = qs.filter(setup_mode=g["mode"])
        said.append(f"组建方式：{SetupMode(g['mode']).label}")
    q = normalize.text(g.get("q"))
    if q:
        qs = qs.filter(node__name__contains=q)
        said.append(f"名称含：{q}")
    return qs, q, "；".join(said) or "权限范围内全部"


def filtered_members(scope, g) -> tuple[QuerySet, str, str]:
    """The member list for these parameters: (queryset, search text, filter in words)."""
    qs = scope.members("view").filter(is_active=True).select_related("employer", "party_org__node")
    said = []
    if g.get("category") in MemberCategory.values:
        qs = qs.filter(category=g["category"])
        said.append(f"类别：{MemberCategory(g['category']).label}")
    if g.get("floating") in ("outflow", "inflow"):
        qs = qs.filter(floating=g["floating"])
        said.append(f"流动：{'流出' if g['floating'] == 'outflow' else '流入'}")
    party_org = parse_id(g, "party_org", "党组织")
    if party_org is not None:
        qs = qs.filter(party_org_id=party_org)
        said.append(f"党组织编号：{party_org}")
    q = normalize.text(g.get("q"))
    if q:
        qs, searched = search_people(qs, q)
        said.append(searched)
    return qs, q, "；".join(said) or "无（权限范围内全部在册党员）"
