"""Regions (行政区划), carriers (载体) and the management tree."""

from django.db.models import QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.mgmt.models import ManagementNode
from liangxin.regions.models import Carrier, Region

from ..roles import CARRIER_EDITORS, REGISTRY_EDITORS, REGISTRY_READERS, TREE_EDITORS
from .base import Action, ScopeBase


class TreeScope(ScopeBase):
    def regions(self, action: Action = "view") -> QuerySet:
        qs = Region.objects.all()
        if action == "change":
            return qs if self.has_any(TREE_EDITORS) else qs.none()
        if self._sees_whole_map():
            return qs
        return qs.filter(any_subtree_q(self.territory_paths(REGISTRY_READERS)))

    def territory_regions(self, roles=REGISTRY_EDITORS) -> QuerySet:
        """Regions where a user with ``roles`` may place an organization."""
        if self.is_city_wide or (self._sees_whole_map() and self.has_any(roles)):
            return Region.objects.all()
        return Region.objects.filter(any_subtree_q(self.territory_paths(roles)))

    def carriers(self, action: Action = "view") -> QuerySet:
        qs = Carrier.objects.select_related("street")
        if self.is_city_wide:
            return qs
        if action == "view":
            if self._sees_whole_map():
                return qs
            return qs.filter(any_subtree_q(self.territory_paths(REGISTRY_READERS), "street__path"))
        # not city-wide here, so carrier_territory() is a list
        return qs.filter(any_subtree_q(self.territory_paths(CARRIER_EDITORS), "street__path"))

    def carrier_territory(self) -> list[str] | None:
        """Region paths under which the user maintains carriers (None: the whole city)."""
        return None if self.is_city_wide else self.territory_paths(CARRIER_EDITORS)

    def nodes(self, action: Action = "view") -> QuerySet:
        qs = ManagementNode.objects.select_related("region", "parent")
        if self.is_city_wide:
            return qs
        if action == "change":
            return qs.none()
        return qs.filter(any_subtree_q(self.node_paths(self.roles)))
