"""党费: which members and which node a user's dues pages reach."""

from django.db.models import QuerySet

from liangxin.mgmt.models import ManagementNode
from liangxin.party.models import Member

from ..roles import PARTY_ROLES, REGISTRY_READERS
from .base import Action
from .party import PartyScope


class DuesScope(PartyScope):
    def dues_members(self, action: Action = "view") -> QuerySet:
        """Party readers and editors: the scope's members; a member-role user: their own record, read only."""
        if self.can_read_party:
            return self.members(action)
        own = self.member
        if own is not None and action == "view":
            return Member.objects.select_related("party_org__node").filter(pk=own.pk)
        return Member.objects.none()

    def dues_home(self):
        """The node a user's dues overview opens on: the highest node of their reading grants."""
        if self.is_city_wide:
            city = ManagementNode.objects.filter(kind="city").order_by("path").first()
            if city is not None:
                return city
        grants = sorted(
            (g for g in self.grants if g.role in REGISTRY_READERS | PARTY_ROLES),
            key=lambda g: (len(g.node_path), g.node_path),
        )
        for grant in grants:
            node = ManagementNode.objects.filter(pk=grant.node_id).first()
            if node is not None:
                return node
        return None
