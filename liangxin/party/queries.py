"""Read-side helpers of the party app."""

from django.utils import timezone

from .choices import LinkKind
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
