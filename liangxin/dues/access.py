"""Which members and nodes a user reaches in 党费, composed from the scope's querysets only
(``accounts.scoping`` decides; this picks the right queryset per role)."""

from django.db.models import QuerySet

from liangxin.accounts.roles import PARTY_ROLES, REGISTRY_READERS
from liangxin.party.models import Member


def members(scope, action: str = "view") -> QuerySet:
    """Party readers and editors: the scope's members; a member-role user: their own record, read only."""
    if scope.can_read_party:
        return scope.members(action)
    own = scope.member
    if own is not None and action == "view":
        return Member.objects.select_related("party_org__node").filter(pk=own.pk)
    return Member.objects.none()


def home_node(scope):
    """The node a user's dues overview opens on: the highest node of their reading grants."""
    from liangxin.mgmt.models import ManagementNode

    grants = sorted(
        (g for g in scope.grants if g.role in REGISTRY_READERS | PARTY_ROLES),
        key=lambda g: (len(g.node_path), g.node_path),
    )
    if scope.is_city_wide:
        city = ManagementNode.objects.filter(kind="city").order_by("path").first()
        if city is not None:
            return city
    for grant in grants:
        node = ManagementNode.objects.filter(pk=grant.node_id).first()
        if node is not None:
            return node
    return None


def own_party_orgs(scope) -> QuerySet:
    """The party organizations a secretary holds (for reminders and the overview's shortcut)."""
    from liangxin.party.models import PartyOrganization

    nodes = [g.node_id for g in scope.grants if g.role in PARTY_ROLES]
    return PartyOrganization.objects.filter(node_id__in=nodes, node__is_active=True).select_related("node")
