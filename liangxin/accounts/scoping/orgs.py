"""Organizations (两新组织): see by place, act by responsibility (DOMAIN.md)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from liangxin.core.tree import any_subtree_q
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.orgs.models import Organization
from liangxin.party.coverage import active_on
from liangxin.party.models import InstructorAssignment, PartyOrgLink
from liangxin.regions.models import Region

from ..roles import PARTY_ROLES, REGISTRY_EDITORS, REGISTRY_READERS, Role
from .base import Action, ScopeBase


class OrgScope(ScopeBase):
    def organizations(self, action: Action = "view") -> QuerySet:
        qs = Organization.objects.all()
        if action == "view":
            if self._reads_whole_city():
                return qs
            node_paths = self.node_paths(REGISTRY_READERS)
            region_paths = self.territory_paths(REGISTRY_READERS)
            return qs.filter(
                self._by_node(node_paths)
                | self._by_place(region_paths)
                | self._by_party_org(self.node_paths(PARTY_ROLES))
                | self._by_assignment()
            )
        if self.is_city_wide:
            return qs
        return qs.filter(self._by_node(self.node_paths(REGISTRY_EDITORS)))

    @staticmethod
    def _by_node(paths: list[str]) -> Q:
        if not paths:
            return Q(pk__in=[])
        # Responsible nodes are always committees: a short literal list lets the planner combine
        # this with the place filter as a bitmap OR over two indexes (a subquery would not).
        committees = ManagementNode.objects.filter(any_subtree_q(paths), kind__in=COMMITTEE_KINDS)
        return Q(responsible_node_id__in=list(committees.values_list("id", flat=True)))

    def _by_assignment(self) -> Q:
        """An instructor sees the organizations they are assigned to now: the assignment has
        begun and has not ended (an end date still ahead keeps it in force until that day)."""
        if Role.INSTRUCTOR not in self.roles or self.user_id is None:
            return Q(pk__in=[])
        today = timezone.localdate()
        assigned = InstructorAssignment.objects.filter(active_on(today), instructor__user_id=self.user_id)
        return Q(pk__in=assigned.values("organization_id"))

    @staticmethod
    def _by_party_org(paths: list[str]) -> Q:
        """A secretary sees the organizations their party organization covers today: the link has
        begun and has not ended (the in-force rule coverage uses)."""
        if not paths:
            return Q(pk__in=[])
        today = timezone.localdate()
        links = PartyOrgLink.objects.filter(active_on(today), any_subtree_q(paths, "party_org__node__path"))
        return Q(pk__in=links.values("organization_id"))

    @staticmethod
    def _by_place(paths: list[str]) -> Q:
        if not paths:
            return Q(pk__in=[])
        return Q(operating_region_id__in=list(Region.objects.filter(any_subtree_q(paths)).values_list("id", flat=True)))

    @property
    def can_read_orgs(self) -> bool:
        """Registry readers, secretaries (what their branch covers), instructors (their assignments)."""
        return self.has_any(REGISTRY_READERS | PARTY_ROLES | {Role.INSTRUCTOR})
