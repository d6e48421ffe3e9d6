"""通知下达: who sends notices down the tree, whose notices a user reads and tracks, and which
addressed copies (收文) a user signs for.

Committees (city, district, street, industry administrators) send notices from their node to
nodes below it. Every administrator of a node — a committee's administrators, a party
organization's secretary — receives the notices addressed to it and signs for or forwards them.
A notice is tracked by the administrators of the node it was sent from and of the nodes above
(its figures roll up); nobody else sees it, and someone else's receipt answers 404."""

from django.db.models import QuerySet

from liangxin.circulars.models import Circular, CircularReceipt
from liangxin.core.tree import any_subtree_q
from liangxin.mgmt.models import ManagementNode

from ..roles import PARTY_ROLES, REGISTRY_EDITORS
from .base import Action, ScopeBase

# the roles that send notices (from their committee node)
CIRCULAR_SENDERS = REGISTRY_EDITORS
# the roles that administer a node: receive, sign and forward its notices
CIRCULAR_RECEIVERS = REGISTRY_EDITORS | PARTY_ROLES


class CircularScope(ScopeBase):
    @property
    def can_send_circulars(self) -> bool:
        return self.has_any(CIRCULAR_SENDERS)

    @property
    def can_receive_circulars(self) -> bool:
        return self.has_any(CIRCULAR_RECEIVERS)

    def circular_sender_nodes(self) -> QuerySet:
        """The nodes this user sends notices from (one per committee grant), in tree order."""
        ids = [g.node_id for g in self.grants if g.role in CIRCULAR_SENDERS]
        return ManagementNode.objects.filter(pk__in=ids, is_active=True).order_by("path")

    def circular_admin_node_ids(self) -> set[int]:
        return {g.node_id for g in self.grants if g.role in CIRCULAR_RECEIVERS}

    def circulars_sent(self, action: Action = "view") -> QuerySet:
        """Notices (and forwards) sent from the user's nodes and below them, for reading and
        tracking; with "change", from the user's own nodes only (催办)."""
        qs = Circular.objects.select_related("node", "sender", "parent")
        if action == "change":
            return qs.filter(node_id__in=self.circular_admin_node_ids())
        paths = self.node_paths(CIRCULAR_RECEIVERS)
        return qs.filter(any_subtree_q(paths, "node__path")) if paths else qs.none()

    def receipts(self) -> QuerySet:
        """收文: the copies addressed to nodes the user administers."""
        return CircularReceipt.objects.filter(node_id__in=self.circular_admin_node_ids()).select_related(
            "node", "circular__node", "circular__sender"
        )

    def may_sign(self, receipt: CircularReceipt) -> bool:
        """签收 and 转发: any administrator of the addressed node."""
        return receipt.node_id in self.circular_admin_node_ids()
