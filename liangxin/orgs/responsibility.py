"""The responsible node (责任党委) of an organization: DOMAIN.md's rule, in order.

1. a party organization covers it (own or joint link): the nearest committee above it;
2. an attachment override (属业, 属资, 属条, 归口, 指定): that committee;
3. the committee of the street of its operating place (属地管理);
4. the committee of the street of its registered place;
5. none (a finding: 无责任主体).
"""

from collections.abc import Callable, Iterable

from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode, NodeKind

from .choices import ResponsibleBasis

StreetCommittee = Callable[[str], ManagementNode | None]


def nearest_committee(node: ManagementNode, by_id: dict[int, ManagementNode] | None = None) -> ManagementNode | None:
    """The node itself if a committee, else the closest committee above it."""
    ids = list(reversed(node.ancestor_ids))
    by_id = by_id or ManagementNode.objects.in_bulk(ids)
    for node_id in ids:
        candidate = by_id.get(node_id)
        if candidate is not None and candidate.kind in COMMITTEE_KINDS:
            return candidate
    return None


def responsible_node_for(
    org,
    street_committee: StreetCommittee,
    covering_nodes: Iterable[ManagementNode] = (),
) -> tuple[ManagementNode | None, str]:
    """(node, basis) for ``org``.

    ``covering_nodes`` are the party organizations with an own or joint link to ``org``
    (supplied by the party app once it exists); ``street_committee`` maps a street code to
    its street committee.
    """
    for node in covering_nodes:
        committee = nearest_committee(node)
        if committee is not None:
            return committee, ResponsibleBasis.PARTY_ORG
    if org.attachment_kind and org.attachment_node_id:
        return org.attachment_node, ResponsibleBasis.OVERRIDE
    for region, basis in (
        (org.operating_region, ResponsibleBasis.OPERATING),
        (org.registered_region, ResponsibleBasis.REGISTERED),
    ):
        if region is not None and region.street_code:
            committee = street_committee(region.street_code)
            if committee is not None:
                return committee, basis
    return None, ResponsibleBasis.NONE


def street_committee_lookup() -> StreetCommittee:
    """A lookup from street code to its active street committee, loaded once (for bulk work)."""
    table = {
        n.region.code: n
        for n in ManagementNode.objects.filter(kind=NodeKind.STREET, is_active=True).select_related("region")
    }
    return table.get


def find_street_committee(street_code: str) -> ManagementNode | None:
    return (
        ManagementNode.objects.filter(kind=NodeKind.STREET, is_active=True, region__code=street_code)
        .select_related("region")
        .first()
    )
