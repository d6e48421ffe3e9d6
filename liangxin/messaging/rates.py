"""One message's delivery, read and reply counts per child node of a node (the message detail
page's table: 各区阅读率).

A delivery belongs to the node its recipient sits at, the first that holds:
1. the recipient is a member (``Delivery.member``, or the member the account belongs to): the
   member's party organization's node;
2. the recipient is an account holding a role: the node of its role, the first inside the node
   asked about (administrators and secretaries addressed by a notice);
3. the recipient is an organization's contact: the organization's responsible node.
It then counts for the child of the asked node whose subtree holds that node; a delivery at the
node itself, outside it or with no node is counted apart (``elsewhere``), so the rows and it add
up to every delivery of the message.

A GROUP BY over the message's deliveries by that node (a few thousand groups at most: one per
party organization), in two steps (``_grouped``), folded into children in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from liangxin.accounts.models import RoleAssignment
from liangxin.core.tree import subtree_q
from liangxin.mgmt.models import ManagementNode
from liangxin.stats.measures import percent

from .choices import ChannelKind, DeliveryState
from .models import Delivery, Message

RECEIVED = (DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.READ, DeliveryState.REPLIED)


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


def _role_node(node: ManagementNode) -> Subquery:
    """The node of the recipient account's first role inside ``node``'s subtree (an account may
    hold roles in several places)."""
    roles = RoleAssignment.objects.filter(subtree_q(node.path, "node__path"), user_id=OuterRef("user_id"))
    return Subquery(roles.order_by("pk").values("node_id")[:1])


def _grouped(message: Message, node: ManagementNode) -> list[dict]:
    """The message's counts per recipient node. First every delivery by its member's party
    organization (nearly all of a message to members: one join each); then, only when some
    delivery names no member, those again by account, role or organization — the lookups they
    alone need."""
    counts = {
        "deliveries": Count("pk"),
        "received": Count("pk", filter=Q(state__in=RECEIVED)),
        "read": Count("pk", filter=Q(state__in=RECEIVED, read_at__isnull=False) & ~Q(channel=ChannelKind.SMS)),
        "replied": Count("pk", filter=Q(state__in=RECEIVED, replied_at__isnull=False)),
    }
    deliveries = Delivery.objects.filter(message=message)
    by_member = deliveries.annotate(at_node=F("member__party_org__node_id")).values("at_node").annotate(**counts)
    rows = [row for row in by_member.order_by() if row["at_node"] is not None]
    if sum(row["deliveries"] for row in rows) == Delivery.objects.filter(message=message).count():
        return rows
    others = deliveries.filter(member__isnull=True).annotate(
        at_node=Coalesce(
            "user__member__party_org__node_id",
            _role_node(node),
            "organization__responsible_node_id",
            output_field=BigIntegerField(),
        )
    )
    return rows + list(others.values("at_node").annotate(**counts).order_by())


def by_child(message: Message, node: ManagementNode) -> ByChild:
    """The message's counts per child node of ``node`` (in the tree's order)."""
    tree = dict(ManagementNode.objects.filter(subtree_q(node.path)).values_list("id", "path"))
    kids = list(ManagementNode.objects.filter(parent=node).order_by("path"))
    rows = _grouped(message, node)
    counts = {k.pk: Counts(k.name, k.pk) for k in kids}
    elsewhere = Counts("其他（本级或未归属下级）")
    by_path = sorted(kids, key=lambda k: -len(k.path))
    for row in rows:
        path = tree.get(row["at_node"])
        kid = next((k for k in by_path if path.startswith(k.path)), None) if path else None
        (counts[kid.pk] if kid is not None else elsewhere).add(row)
    return ByChild(node, [counts[k.pk] for k in kids], elsewhere)


def in_subtree(deliveries, node: ManagementNode):
    """The deliveries whose recipient sits in ``node``'s subtree by any of the rules above (the
    drill-down from a child's row to its people)."""
    where = (
        subtree_q(node.path, "member__party_org__node__path")
        | subtree_q(node.path, "user__member__party_org__node__path")
        | subtree_q(node.path, "organization__responsible_node__path")
        | Q(user__in=RoleAssignment.objects.filter(subtree_q(node.path, "node__path")).values("user_id"))
    )
    return deliveries.filter(where)
