"""互动网 — 政策文件库: who publishes policy documents, and whose documents a user reads.

Committee administrators (``REGISTRY_EDITORS``) publish, at the nodes of their grants, and edit or
delete the documents of their subtree (a district may correct a street's). Every signed-in user
reads the documents addressed to everyone, and those published by a node above or at one of
their own nodes: a street's documents reach the street's party organizations' secretaries and
members (their nodes lie under the street), never another street's. Committee readers (the
administrators and the auditor) also read what was published in their subtree, as they read the
rest of its work."""

from django.db.models import Q, QuerySet

from liangxin.core.tree import any_subtree_q
from liangxin.mgmt.models import ManagementNode
from liangxin.portal.models import PolicyDocument

from ..roles import REGISTRY_EDITORS, REGISTRY_READERS
from .base import Action, ScopeBase


class PortalScope(ScopeBase):
    @property
    def can_publish_policies(self) -> bool:
        return self.has_any(REGISTRY_EDITORS)

    def policy_publish_nodes(self) -> QuerySet:
        """The nodes this user publishes at (one per administrator grant), in tree order."""
        ids = [g.node_id for g in self.grants if g.role in REGISTRY_EDITORS]
        return ManagementNode.objects.filter(pk__in=ids, is_active=True).order_by("path")

    def _ancestor_node_ids(self) -> set[int]:
        # a grant's path names its node and every node above it ("/1/5/9/")
        return {int(p) for g in self.grants for p in g.node_path.split("/") if p}

    def policy_documents(self, action: Action = "view") -> QuerySet:
        qs = PolicyDocument.objects.select_related("node", "publisher")
        if self.user_id is None:
            return qs.none()
        if action == "change":
            if self.is_city_wide:
                return qs
            return qs.filter(any_subtree_q(self.node_paths(REGISTRY_EDITORS), "node__path"))
        if self._reads_whole_city():
            return qs
        below = any_subtree_q(self.node_paths(REGISTRY_READERS), "node__path")
        return qs.filter(Q(to_everyone=True) | Q(node_id__in=self._ancestor_node_ids()) | below)
