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
one statement sums a message's node rows per child subtree (a path range each), whatever the
number of its deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from liangxin.core.tree import subtree_bounds, subtree_q
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


def _by_kid(message: Message, kids: list[ManagementNode]) -> dict[int | None, dict]:
    """The message's stored counts summed per child (``None``: at no child's subtree), in the
    database: the tally's node rows joined to their paths and grouped by the child whose range
    holds them — one statement, whatever the number of nodes (88,000 for a message to every member
    of the 1M city)."""
    quote = connection.ops.quote_name
    t, n = quote(DeliveryTally._meta.db_table), quote(ManagementNode._meta.db_table)
    whens, params = [], []
    for kid in kids:
        low, high = subtree_bounds(kid.path)
        whens.append("WHEN n.path >= %s AND n.path < %s THEN %s")
        params += [low, high, kid.pk]
    kid_sql = f"CASE {' '.join(whens)} END" if whens else "NULL"
    names = ("deliveries", "received", "read", "replied")
    sums = ", ".join(f"SUM(t.{quote(c)})" for c in names)
    sql = (
        f"SELECT {kid_sql} AS kid, {sums} FROM {t} t LEFT JOIN {n} n ON n.id = t.node_key "
        f"WHERE t.message_id = %s GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, message.pk])
        return {kid: dict(zip(names, (int(v or 0) for v in values), strict=True)) for kid, *values in cursor.fetchall()}


def by_child(message: Message, node: ManagementNode) -> ByChild:
    """The message's counts per child node of ``node`` (in the tree's order)."""
    kids = list(ManagementNode.objects.filter(parent=node).order_by("path"))
    summed = _by_kid(message, kids)
    counts = {k.pk: Counts(k.name, k.pk) for k in kids}
    elsewhere = Counts("其他（本级或未归属下级）")
    for kid, row in summed.items():
        (counts[kid] if kid in counts else elsewhere).add(row)
    return ByChild(node, [counts[k.pk] for k in kids], elsewhere)


def in_subtree(deliveries, node: ManagementNode):
    """The deliveries whose recipient sat in ``node``'s subtree (the drill-down from a child's row
    to its people: the same stored node as the counts)."""
    return deliveries.filter(subtree_q(node.path, "recipient_node__path"))
