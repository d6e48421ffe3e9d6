"""The management tree as its list page and export show it."""

from django.db.models import QuerySet

from .models import NodeKind


def committee_nodes(nodes: QuerySet) -> QuerySet:
    """Committees of ``nodes`` (already narrowed to the user's scope), in tree order
    (grassroots party organizations have their own list)."""
    return nodes.exclude(kind=NodeKind.GRASSROOTS).order_by("path")


def node_depth(node) -> int:
    """1 for the city committee, 2 for a district committee, and so on."""
    return node.path.count("/") - 1
