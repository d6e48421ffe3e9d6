"""Statistics units. A statistic counts every organization of its unit, so a unit is open to a
user only if every organization in it is visible to them: a region inside their territory (seen
by place), or a management node inside their subtree (seen by responsibility)."""

from django.db.models import QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.mgmt.models import ManagementNode
from liangxin.regions.models import Region

from ..roles import REGISTRY_READERS
from .base import ScopeBase


class StatsScope(ScopeBase):
    def stats_regions(self) -> QuerySet:
        if self._reads_whole_city():
            return Region.objects.all()
        return Region.objects.filter(any_subtree_q(self.territory_paths(REGISTRY_READERS)))

    def stats_nodes(self) -> QuerySet:
        if self._reads_whole_city():
            return ManagementNode.objects.all()
        return ManagementNode.objects.filter(any_subtree_q(self.node_paths(REGISTRY_READERS)))

    def stats_home(self) -> tuple[str, object] | None:
        """The unit a user's dashboard opens on: the territory of their first reading grant,
        else (an industry committee) its node."""
        readers = [g for g in self.grants if g.role in REGISTRY_READERS]
        if self._reads_whole_city():
            readers.sort(key=lambda g: g.node_kind != "city")
        for grant in readers:
            if grant.region_path:
                region = Region.objects.filter(path=grant.region_path).first()
                if region is not None:
                    return "region", region
        if readers:
            return "node", ManagementNode.objects.get(pk=readers[0].node_id)
        return None

    @property
    def can_read_stats(self) -> bool:
        return self.has_any(REGISTRY_READERS)
