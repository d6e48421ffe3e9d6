"""通知下达: sending a notice down the management tree, opening it, signing for it (签收),
forwarding it with the node's own additions (转发), reminding those who have not signed (催办),
and the originator's figures level by level.

Every change is one transaction with its audit entry; every refusal is a ValidationError in
Chinese naming the field. Who may act is decided by the face (``Scope``); the services receive
the plain facts they need (the nodes the actor may send from) and check that the actor is an
administrator of the node they act for, so no face can skip it.

A notice reaches people as a 群发信息 of source 通知下达: one inbox delivery per administrator of
each addressed node (``messaging.services``), so the platform's reach and read figures count
notices, and opening the notice marks the opener's delivery read. The receipts are made in the
sender's transaction; the deliveries too for a notice to at most ``INLINE_NODES`` nodes, else by
the background worker once it commits: every face that sends or forwards calls
``tasks.start_delivery``, which queues what is not yet delivered."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.roles import PARTY_ROLES, REGISTRY_EDITORS
from liangxin.core import attachments
from liangxin.core.audit import AuditAction, record
from liangxin.core.richtext import clean_html, plain_text
from liangxin.core.tree import subtree_q
from liangxin.inbox.models import Notice, NoticeKind
from liangxin.inbox.services import notify
from liangxin.messaging import compose as messaging_compose
from liangxin.messaging import services as messaging
from liangxin.messaging.choices import ChannelKind, MessageSource
from liangxin.messaging.models import Delivery, Message
from liangxin.mgmt.models import ManagementNode, NodeKind

from .choices import SIGNED_STATES, AddressMode, ReceiptState
from .models import Circular, CircularAttachment, CircularReceipt

# the roles whose holders administer a node: they receive its notices, sign and forward them
NODE_ADMIN_ROLES = REGISTRY_EDITORS | PARTY_ROLES
MAX_ATTACHMENTS = 10
ATTACHMENT_FOLDER = "circulars"
MAX_ADDITIONS = 2000


@dataclass(frozen=True)
class Addressees:
    """收文单位 as the sender names them, relative to the sending node: its direct children,
    every node of some kinds in its subtree, or nodes chosen one by one (all below it)."""

    mode: str = AddressMode.CHILDREN
    kinds: tuple[str, ...] = ()
    node_ids: tuple[int, ...] = ()


@dataclass
class CircularValues:
    """A notice's fields, checked."""

    title: str
    number: str
    issuer: str
    body: str  # sanitised HTML
    deadline: datetime.date | None = None


# -- checks ------------------------------------------------------------------------------------
def check_values(values: dict, *, default_issuer: str = "") -> CircularValues:
    """The fields (标题, 文号, 发文单位, 正文, 签收期限) or ValidationError with the reasons per field."""
    errors: dict[str, list[str]] = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = ["标题：请填写"]
    elif len(title) > 200:
        errors["title"] = [f"标题：最多 200 字（现为 {len(title)} 字）"]
    number = (values.get("number") or "").strip()
    if len(number) > 60:
        errors["number"] = [f"文号：最多 60 字（现为 {len(number)} 字）"]
    issuer = (values.get("issuer") or "").strip() or default_issuer
    if not issuer:
        errors["issuer"] = ["发文单位：请填写"]
    elif len(issuer) > 100:
        errors["issuer"] = [f"发文单位：最多 100 字（现为 {len(issuer)} 字）"]
    body = clean_html(values.get("body") or "")
    if not plain_text(body):
        errors["body"] = ["正文：请填写"]
    deadline = values.get("deadline")
    if deadline is not None and not isinstance(deadline, datetime.date):
        errors["deadline"] = ["签收期限：格式应为 年-月-日"]
    elif deadline is not None and deadline < timezone.localdate():
        errors["deadline"] = ["签收期限：不能早于今天"]
    if errors:
        raise ValidationError(errors)
    return CircularValues(title, number, issuer, body, deadline)


def check_additions(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_ADDITIONS:
        raise ValidationError({"additions": [f"转发意见：最多 {MAX_ADDITIONS} 字（现为 {len(text)} 字）"]})
    return text


def below(node: ManagementNode) -> QuerySet:
    """The active nodes strictly below ``node``: where its notices may go."""
    return ManagementNode.objects.filter(subtree_q(node.path), is_active=True).exclude(pk=node.pk)


def resolve_addressees(node: ManagementNode, addressees: Addressees) -> list[ManagementNode]:
    """The nodes ``addressees`` names, all strictly below ``node``, in tree order; refused
    (收文单位) when it names none, or names a node that is not below ``node`` — without naming
    it, since it may lie outside the sender's scope."""
    mode = addressees.mode
    if mode == AddressMode.CHILDREN:
        found = below(node).filter(parent=node)
    elif mode == AddressMode.KINDS:
        kinds = [k for k in addressees.kinds if k in NodeKind.values]
        if not kinds:
            raise ValidationError({"addressees": ["收文单位：请选择单位类型"]})
        found = below(node).filter(kind__in=kinds)
    elif mode == AddressMode.NODES:
        ids = set(addressees.node_ids)
        if not ids:
            raise ValidationError({"addressees": ["收文单位：请选择至少一个单位"]})
        found = below(node).filter(pk__in=ids)
        outside = len(ids) - found.count()
        if outside:
            raise ValidationError({"addressees": [f"收文单位：所选单位中有 {outside} 个不是本单位的下级单位"]})
    else:
        raise ValidationError({"addressees": ["收文单位：请选择下发方式"]})
    nodes = list(found.order_by("path"))
    if not nodes:
        raise ValidationError({"addressees": ["收文单位：本单位没有符合条件的下级单位"]})
    return nodes


def node_admins(node_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active users administering each node (registry editors, a party organization's secretary)."""
    found: dict[int, list[User]] = defaultdict(list)
    grants = RoleAssignment.objects.filter(node_id__in=list(node_ids), role__in=NODE_ADMIN_ROLES, user__is_active=True)
    for grant in grants.select_related("user").order_by("node_id", "user_id"):
        if grant.user not in found[grant.node_id]:
            found[grant.node_id].append(grant.user)
    return found


def is_admin(user, node_id: int) -> bool:
    return RoleAssignment.objects.filter(user=user, node_id=node_id, role__in=NODE_ADMIN_ROLES).exists()


def _all_checked(*checks: Callable[[], Any]) -> list[Any]:
    """Each check's result; or, when any refuses, one ValidationError with every field's reasons."""
    results, errors = [], ValidationError({})
    for check in checks:
        try:
            results.append(check())
        except ValidationError as error:
            errors = ValidationError({**errors.message_dict, **error.message_dict})
    if errors.message_dict:
        raise errors
    return results


def _check_files(files: Sequence) -> list:
    return attachments.check_uploads(
        list(files), limit=MAX_ATTACHMENTS, label="附件", per="每份通知", types=attachments.DOCUMENT_TYPES
    )


# -- sending -----------------------------------------------------------------------------------
def receipt_url(receipt: CircularReceipt) -> str:
    return reverse("web:circular_receipt", args=[receipt.pk])


# a notice to more nodes than this is delivered by the background worker (the receipts, which the
# tracking page counts, are made at once either way): a city's notice to every party organization
# means tens of thousands of inbox deliveries, not a request's work
INLINE_NODES = 300


def _carrier(actor, circular: Circular) -> Message:
    """The 群发信息 of source 通知下达 that carries the notice to the addressed nodes' administrators."""
    text = f"<p>{circular.issuer}{'（' + circular.number + '）' if circular.number else ''}</p>{circular.body}"
    message = Message.objects.create(
        title=f"通知：{circular.title}"[:200], body=text, sender=actor, node=circular.node,
        source=MessageSource.NOTICE, channels=[ChannelKind.INBOX.value],
        # no 发送范围: the recipients are the addressed nodes' administrators, chosen here; a target
        # would let a later fan-out of 信息群发 reach everyone below those nodes
        target={},
    )  # fmt: skip
    record(actor, AuditAction.CREATE, message, detail=f"通知下达：{circular.title}")
    return message


def delivered(circular: Circular) -> bool:
    """Whether the notice's deliveries are made (at once, or by the worker): asked of the database,
    since the fan-out marks the message by an UPDATE, not on the object in hand."""
    if circular.message_id is None:
        return False
    return Message.objects.filter(pk=circular.message_id, fanned_out_at__isnull=False).exists()


def deliver(circular: Circular) -> int:
    """One inbox delivery per administrator of each addressed node, sent (the inbox is a local
    write); the inbox notice opens the node's receipt. Safe to run again: the fan-out adds only
    what is missing and sends nobody twice. Returns the deliveries added."""
    message = circular.message
    if message is None:  # made with the notice, in its transaction: only a hand-made row lacks it
        raise ValueError(f"通知 {circular.pk} 没有承载的群发信息")
    receipts = list(CircularReceipt.objects.filter(circular=circular).order_by("pk"))
    admins = node_admins(r.node_id for r in receipts)
    first_receipt: dict[int, CircularReceipt] = {}  # a user who administers two addressed nodes: one delivery
    for receipt in receipts:
        for user in admins.get(receipt.node_id, []):
            first_receipt.setdefault(user.pk, receipt)
    users = {u.pk: u for us in admins.values() for u in us}
    recipients = [messaging.Recipient(key=f"user:{pk}", name=u.display_name, user_id=pk) for pk, u in users.items()]
    added = messaging.queue_message(circular.sender, message, recipients, [ChannelKind.INBOX])
    messaging.send_pending(message.pk)
    # the inbox channel links its notice to the message's page; a notice is signed on its own page
    for user_id, receipt in first_receipt.items():
        key = messaging.idempotency_key(message.pk, f"user:{user_id}", ChannelKind.INBOX)
        Notice.objects.filter(recipient_id=user_id, key=key).update(url=receipt_url(receipt))
    return added


def _create(actor, node, values: CircularValues, nodes: list[ManagementNode], files, kinds, **extra) -> Circular:
    now = timezone.now()
    circular = Circular.objects.create(
        title=values.title, number=values.number, issuer=values.issuer, body=values.body, deadline=values.deadline,
        sender=actor, node=node, sent_at=now, **extra,
    )  # fmt: skip
    CircularReceipt.objects.bulk_create([CircularReceipt(circular=circular, node=n) for n in nodes])
    if files:
        attachments.store_all(CircularAttachment, {"circular": circular}, actor, list(files), kinds, ATTACHMENT_FOLDER)
    circular.message = _carrier(actor, circular)
    circular.save(update_fields=["message"])
    if len(nodes) <= INLINE_NODES:
        deliver(circular)  # else the face queues it: tasks.start_delivery
    return circular


def send_circular(
    actor,
    sender_nodes: QuerySet,
    node: ManagementNode,
    values: dict,
    files: Sequence,
    addressees: Addressees,
) -> Circular:
    """发文: a new notice from ``node`` (one of ``sender_nodes``, the nodes the actor may send
    from) to the nodes ``addressees`` names below it; each gets a receipt, each of their
    administrators an inbox delivery."""
    if node is None or not sender_nodes.filter(pk=node.pk).exists():
        raise ValidationError({"node": ["发送单位：您不能以该单位的名义发文"]})
    # every field's reason at once, so the form shows them together
    checked, nodes, kinds = _all_checked(
        lambda: check_values(values, default_issuer=node.name),
        lambda: resolve_addressees(node, addressees),
        lambda: _check_files(files),
    )
    with transaction.atomic():
        circular = _create(actor, node, checked, nodes, files, kinds)
        record(actor, AuditAction.CREATE, circular, detail=f"下发至 {len(nodes)} 个单位")
    return circular


def forward(actor, receipt: CircularReceipt, additions: str, files: Sequence, addressees: Addressees) -> Circular:
    """转发: the addressed node passes the notice on to nodes below it with its own additions;
    a new notice (parent: the one received, same title, number, issuer, body and deadline), and
    the receipt becomes 已转发, which counts as signed."""
    if not is_admin(actor, receipt.node_id):
        raise ValidationError("只有收文单位的管理员可以转发")
    if receipt.state == ReceiptState.FORWARDED:
        raise ValidationError("该通知已转发过")
    text, nodes, kinds = _all_checked(
        lambda: check_additions(additions),
        lambda: resolve_addressees(receipt.node, addressees),
        lambda: _check_files(files),
    )
    parent = receipt.circular
    values = CircularValues(parent.title, parent.number, parent.issuer, parent.body, parent.deadline)
    now = timezone.now()
    with transaction.atomic():
        locked = CircularReceipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.state == ReceiptState.FORWARDED:
            raise ValidationError("该通知已转发过")
        circular = _create(
            actor, receipt.node, values, nodes, files, kinds,
            parent=parent, root_id=parent.root_id or parent.pk, additions=text,
        )  # fmt: skip
        CircularReceipt.objects.filter(pk=receipt.pk).update(
            state=ReceiptState.FORWARDED, forwarded_at=now, forward=circular,
            opened_at=locked.opened_at or now, opened_by=locked.opened_by or actor,
            signed_at=locked.signed_at or now, signed_by=locked.signed_by or actor,
        )  # fmt: skip
        record(actor, AuditAction.CREATE, circular, detail=f"转发至 {len(nodes)} 个单位")
        record(actor, AuditAction.UPDATE, receipt, changes={"state": [locked.get_state_display(), "已转发"]})
    _open_delivery(actor, parent)
    receipt.refresh_from_db()
    return circular


# -- the receiving side ------------------------------------------------------------------------
def _open_delivery(user, circular: Circular) -> None:
    """Mark the user's delivery of the notice read (the read figures of 信息群发 count it)."""
    if circular.message_id is None:
        return
    delivery = Delivery.objects.filter(message_id=circular.message_id, user=user, channel=ChannelKind.INBOX).first()
    if delivery is not None:
        messaging_compose.open_delivery(delivery)


def open_receipt(actor, receipt: CircularReceipt) -> bool:
    """An administrator of the addressed node opens the notice: the receipt is 已读 from the first
    opening (who and when are kept), and the opener's own delivery is read. Returns whether this
    was the node's first opening."""
    first = False
    if receipt.opened_at is None:
        now = timezone.now()
        with transaction.atomic():
            first = bool(
                CircularReceipt.objects.filter(pk=receipt.pk, opened_at__isnull=True).update(
                    opened_at=now, opened_by=actor
                )
            )
            if first:
                CircularReceipt.objects.filter(pk=receipt.pk, state=ReceiptState.UNREAD).update(state=ReceiptState.READ)
                record(actor, AuditAction.UPDATE, receipt, detail="阅读通知")
        receipt.refresh_from_db()
    _open_delivery(actor, receipt.circular)
    return first


def sign(actor, receipt: CircularReceipt) -> None:
    """签收, by any administrator of the addressed node; once."""
    if not is_admin(actor, receipt.node_id):
        raise ValidationError("只有收文单位的管理员可以签收")
    now = timezone.now()
    with transaction.atomic():
        done = CircularReceipt.objects.filter(pk=receipt.pk, state__in=[ReceiptState.UNREAD, ReceiptState.READ])
        if not done.update(state=ReceiptState.SIGNED, signed_at=now, signed_by=actor):
            raise ValidationError("该通知已签收")
        CircularReceipt.objects.filter(pk=receipt.pk, opened_at__isnull=True).update(opened_at=now, opened_by=actor)
        record(actor, AuditAction.UPDATE, receipt, changes={"state": [receipt.get_state_display(), "已签收"]})
    _open_delivery(actor, receipt.circular)
    receipt.refresh_from_db()


# -- the forwarding tree and its figures -------------------------------------------------------
def tree_ids(circular: Circular) -> list[int]:
    """The notice and every forward below it (forwards of forwards too)."""
    family = Circular.objects.filter(Q(pk=circular.root_id_or_self) | Q(root_id=circular.root_id_or_self))
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in family.values_list("pk", "parent_id"):
        if parent_id:
            children[parent_id].append(pk)
    ids, todo = [], [circular.pk]
    while todo:
        pk = todo.pop()
        ids.append(pk)
        todo.extend(children.get(pk, []))
    return ids


def chain(circular: Circular) -> list[Circular]:
    """The notice and the ones it forwards, from the original down to it: what a receiver reads."""
    found = [circular]
    while found[-1].parent_id:
        found.append(Circular.objects.select_related("node", "sender").get(pk=found[-1].parent_id))
    return list(reversed(found))


def is_overdue(receipt: CircularReceipt, deadline: datetime.date | None, today: datetime.date) -> bool:
    """Not signed and the notice's signing deadline has passed."""
    return deadline is not None and deadline < today and receipt.state not in SIGNED_STATES


# the order in which one node's several receipts (a node addressed by the original and by a forward)
# speak for it: the furthest along
_RANK = {ReceiptState.UNREAD: 0, ReceiptState.READ: 1, ReceiptState.SIGNED: 2, ReceiptState.FORWARDED: 3}


@dataclass
class NodeRow:
    """One addressed node of the forwarding tree, by its furthest receipt."""

    receipt: CircularReceipt
    depth: int
    overdue: bool
    sent_by: str  # the node that addressed it


@dataclass
class LevelRow:
    depth: int
    label: str  # the kinds of node at this level, e.g. 街道/镇综合党委
    addressed: int = 0
    opened: int = 0
    signed: int = 0
    forwarded: int = 0
    not_opened: int = 0
    overdue: int = 0


@dataclass
class Progress:
    levels: list[LevelRow] = field(default_factory=list)
    nodes: list[NodeRow] = field(default_factory=list)


def progress_by_level(circular: Circular, today: datetime.date | None = None) -> Progress:
    """For the notice and every forward below it: per level of the management tree, how many
    distinct nodes were addressed, opened, signed (incl. forwarded), forwarded, not opened, and
    overdue (not signed after the deadline); plus one row per node for the drill-down. A node
    addressed twice (by the original and by a forward) counts once, by its furthest receipt."""
    today = today or timezone.localdate()
    receipts = (
        CircularReceipt.objects.filter(circular_id__in=tree_ids(circular))
        .select_related("node", "circular__node", "signed_by", "opened_by")
        .order_by("node__path", "id")
    )
    best: dict[int, CircularReceipt] = {}
    for receipt in receipts:
        held = best.get(receipt.node_id)
        if held is None or _RANK[ReceiptState(receipt.state)] > _RANK[ReceiptState(held.state)]:
            best[receipt.node_id] = receipt
    kinds = dict(NodeKind.choices)
    levels: dict[int, LevelRow] = {}
    labels: dict[int, list[str]] = defaultdict(list)
    rows = []
    for receipt in best.values():
        depth = receipt.node.path.count("/") - 1
        overdue = is_overdue(receipt, receipt.circular.deadline, today)
        rows.append(NodeRow(receipt, depth, overdue, receipt.circular.node.name))
        level = levels.setdefault(depth, LevelRow(depth, ""))
        label = kinds.get(receipt.node.kind, receipt.node.kind)
        if label not in labels[depth]:
            labels[depth].append(label)
        level.addressed += 1
        level.opened += receipt.opened_at is not None
        level.not_opened += receipt.opened_at is None
        level.signed += receipt.state in SIGNED_STATES
        level.forwarded += receipt.state == ReceiptState.FORWARDED
        level.overdue += overdue
    for depth, level in levels.items():
        level.label = "、".join(labels[depth])
    ordered = [levels[d] for d in sorted(levels)]
    rows.sort(key=lambda r: (r.depth, r.receipt.node.path))
    return Progress(ordered, rows)


def remind_overdue(actor, circular: Circular) -> int:
    """催办: the administrators of every node of the forwarding tree that has not signed yet get
    one inbox notice; a node is reminded once. Returns how many nodes were reminded."""
    now = timezone.now()
    waiting = CircularReceipt.objects.filter(
        circular_id__in=tree_ids(circular), reminded_at__isnull=True, state__in=[ReceiptState.UNREAD, ReceiptState.READ]
    ).select_related("circular")
    count = 0
    with transaction.atomic():
        receipts = list(waiting)
        admins = node_admins(r.node_id for r in receipts)
        for receipt in receipts:
            # the conditional update is the once: a second 催办 (or a concurrent one) finds it taken
            if not CircularReceipt.objects.filter(pk=receipt.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            deadline = receipt.circular.deadline
            due = f"（签收期限 {deadline:%Y-%m-%d}）" if deadline else ""
            notify(
                admins.get(receipt.node_id, []), NoticeKind.MESSAGE, f"催办：请签收「{receipt.circular.title}」{due}",
                "", receipt_url(receipt), key=f"circular-remind-{receipt.pk}",
            )  # fmt: skip
            count += 1
        if count:
            record(actor, AuditAction.UPDATE, circular, detail=f"催办：{count} 个单位")
    if not count:
        raise ValidationError("没有需要催办的单位（未签收的单位都已催办过一次）")
    return count
