"""One message's delivery, read and reply counts per child node of a node (the message detail
page's table: 各区阅读率).

A delivery belongs to the node its recipient sat at when the message was sent,
``Delivery.recipient_node``, stored at fan-out (``facts``), the first that held:
1. the recipient is a member (``Delivery.member``, or the member the account belongs to): the
   member's party organization's node;
2. the recipient is an account holding a role: the node of its first role (by grant;
   administrators and secretaries addressed by a notice);
3. the recipient is an organization's contact: the organization's responsible node.
It then counts for the child of the asked node whose subtree holds that node; a delivery at the
node itself, outside it or with no node is counted apart (``elsewhere``), so the rows and it add
up to every delivery of the message.

The counts per node are stored and kept as deliveries change (``DeliveryTally``, ``facts``):
the table reads a message's few thousand node rows, whatever the number of its deliveries, and
folds them into children in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from liangxin.core.tree import subtree_q
from liangxin.mgmt.models import ManagementNode
from liangxin.stats.measures import percent

from .models import DeliveryTally, Message


@dataclass
class Counts:
    """投递数, 已送达 (sent, delivered, read or replied), 已读 (an SMS never), 已回复."""

    label: str
    node_id: int | None = None
    deliveries: int = 0
    received: int = 0
    read: int = 0
    replied: int = 0

    @property
    def read_percent(self) -> Decimal | None:
        """已读 ÷ 已送达."""
        return percent(self.read, self.received)

    @property
    def replied_percent(self) -> Decimal | None:
        return percent(self.replied, self.received)

    def add(self, row: dict) -> None:
        for name in ("deliveries", "received", "read", "replied"):
            setattr(self, name, getattr(self, name) + row[name])


@dataclass
class ByChild:
    node: ManagementNode
    children: list[Counts]
    elsewhere: Counts  # at the node itself, outside its subtree, or with no node
    total: Counts = field(init=False)

    def __post_init__(self) -> None:
        self.total = Counts("合计")
        for row in [*self.children, self.elsewhere]:
            self.total.add(vars(row))


def _grouped(message: Message) -> list[dict]:
    """The message's counts per recipient node (``at_node`` None: at no node)."""
    rows = DeliveryTally.objects.filter(message=message).values("node_key", "deliveries", "received", "read", "replied")
    return [{**row, "at_node": row["node_key"] or None} for row in rows]


def by_child(message: Message, node: ManagementNode) -> ByChild:
    """The message's counts per child node of ``node`` (in the tree's order)."""
    tree = dict(ManagementNode.objects.filter(subtree_q(node.path)).values_list("id", "path"))
    kids = list(ManagementNode.objects.filter(parent=node).order_by("path"))
    rows = _grouped(message)
    counts = {k.pk: Counts(k.name, k.pk) for k in kids}
    elsewhere = Counts("其他（本级或未归属下级）")
    by_path = sorted(kids, key=lambda k: -len(k.path))
    for row in rows:
        path = tree.get(row["at_node"])
        kid = next((k for k in by_path if path.startswith(k.path)), None) if path else None
        (counts[kid.pk] if kid is not None else elsewhere).add(row)
    return ByChild(node, [counts[k.pk] for k in kids], elsewhere)


def in_subtree(deliveries, node: ManagementNode):
    """The deliveries whose recipient sat in ``node``'s subtree (the drill-down from a child's row
    to its people: the same stored node as the counts)."""
    return deliveries.filter(subtree_q(node.path, "recipient_node__path"))
