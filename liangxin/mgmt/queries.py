"""The management tree: its list page and export, and the management-node parameter (one
parser: id → a node whose subtree the caller reads whole; one subtree filter over responsible
nodes)."""

from collections.abc import Mapping

from django.db.models import Q, QuerySet

from liangxin.core.params import BadParameter, parse_id
from liangxin.core.tree import subtree_q

from .models import COMMITTEE_KINDS, ManagementNode, NodeKind


def committee_nodes(nodes: QuerySet) -> QuerySet:
    """Committees of ``nodes`` (already narrowed to the user's scope), in tree order
    (grassroots party organizations have their own list)."""
    return nodes.exclude(kind=NodeKind.GRASSROOTS).order_by("path")


def node_depth(node) -> int:
    """1 for the city committee, 2 for a district committee, and so on."""
    return node.path.count("/") - 1


def parse_node(params: Mapping, name: str = "node", label: str = "管理节点", *, scope) -> ManagementNode | None:
    """The node named by ``params[name]``, inside the caller's management subtree
    (``Scope.stats_nodes``: every organization it is responsible for is theirs to read).
    Blank: None. Not an id, unknown or out of reach: ``BadParameter``."""
    pk = parse_id(params, name, label)
    if pk is None:
        return None
    node = scope.stats_nodes().filter(pk=pk).first()
    if node is None:
        raise BadParameter(name, f"{label}「{pk}」不存在或不在您的权限范围内")
    return node


def in_node_subtree(node: ManagementNode, field: str = "responsible_node_id") -> Q:
    """Rows whose ``field`` (a responsible node) is ``node`` or a committee under it. Responsible
    nodes are always committees: a short literal list even for a big subtree, which lets the
    planner use the index on ``field`` (a subquery would not)."""
    committees = ManagementNode.objects.filter(subtree_q(node.path), kind__in=COMMITTEE_KINDS)
    return Q(**{f"{field}__in": list(committees.values_list("id", flat=True))})
