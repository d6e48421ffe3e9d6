"""信息群发 from the sender's side: write a message, have it approved (签发) where the node asks for
it, send it now or at a set time, recall it, remind who has not read it; and from the
recipient's side: read it and reply.

A message's way: 草稿 → (待签发 →) 定时发送 or 待发送 → 发送中 → 已发送; 已撤回 at any point before
everyone read it. The target is stored as a description and resolved again when the message is
released, with the sender's scope then (someone moved away is not reached; a new member is).
Every change is audited; every refusal is a ValidationError in Chinese naming the field."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.roles import PARTY_ROLES, REGISTRY_EDITORS
from liangxin.core import attachments
from liangxin.core.audit import AuditAction, record
from liangxin.core.richtext import clean_html, plain_text
from liangxin.inbox.models import Notice, NoticeKind
from liangxin.inbox.services import notify

from . import facts
from .choices import ChannelKind, DeliveryState, MessageState, ReplyKind, Urgency
from .models import Delivery, Message, MessageAttachment, MessageTemplate, MessagingPolicy
from .services import queue_message
from .targets import Resolution, SenderScope, Target, resolve

MAX_ATTACHMENTS = 10
ATTACHMENT_FOLDER = "messages"
SENDABLE_CHANNELS = (ChannelKind.INBOX, ChannelKind.EMAIL, ChannelKind.SMS, ChannelKind.LOG)
YES_NO = ("是", "否")
ACKNOWLEDGED = "已确认收到"
# what a recipient's reply may no longer change: the message was recalled, or never reached them
CLOSED_STATES = (DeliveryState.RECALLED, DeliveryState.FAILED, DeliveryState.QUEUED, DeliveryState.SENDING)


@dataclass
class Draft:
    """What the sender wrote, checked: the fields of a message before it is stored."""

    title: str
    body: str  # sanitised HTML
    target: Target
    channels: list[str] = field(default_factory=lambda: [ChannelKind.INBOX.value])
    urgency: str = Urgency.NORMAL
    reply_kind: str = ReplyKind.NONE
    scheduled_at: datetime.datetime | None = None


def check_draft(
    title: str,
    body: str,
    target: Target,
    channels: Iterable[str] = (),
    urgency: str = Urgency.NORMAL,
    reply_kind: str = ReplyKind.NONE,
    scheduled_at: datetime.datetime | None = None,
) -> Draft:
    """The draft, or ValidationError with the reasons per field (标题, 正文, 渠道, …)."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["标题：请填写"]
    elif len(title) > 200:
        errors["title"] = [f"标题：最多 200 字（现为 {len(title)} 字）"]
    cleaned = clean_html(body)
    if not plain_text(cleaned):
        errors["body"] = ["正文：请填写"]
    chosen = [c for c in dict.fromkeys(channels) if c]
    unknown = [c for c in chosen if c not in SENDABLE_CHANNELS]
    if unknown:
        errors["channels"] = [f"发送渠道：无法识别「{'、'.join(unknown)}」"]
    if urgency not in Urgency.values:
        errors["urgency"] = ["紧急程度：请选择普通或紧急"]
    if reply_kind not in ReplyKind.values:
        errors["reply_kind"] = ["回复要求：请从列表中选择"]
    if scheduled_at is not None and scheduled_at <= timezone.now():
        errors["scheduled_at"] = ["定时发送时间：应晚于当前时间"]
    if errors:
        raise ValidationError(errors)
    # the inbox always: every person with an account reads it there whatever else is chosen
    kinds = [ChannelKind.INBOX.value] + [c for c in chosen if c != ChannelKind.INBOX]
    return Draft(title, cleaned, target, kinds, urgency, reply_kind, scheduled_at)


def preview(scope: SenderScope, target: Target) -> Resolution:
    """How many the target reaches, with a sample; refused in Chinese as ``resolve`` refuses."""
    return resolve(target, scope)


def _check_node(scope, node) -> None:
    if not scope.sender_nodes().filter(pk=node.pk).exists():
        raise ValidationError({"node": ["发送单位：您不能以该单位的名义发送"]})


def save_draft(actor, scope, node, draft: Draft, files: Sequence = (), message: Message | None = None) -> Message:
    """Store the draft (new, or an existing 草稿 rewritten) with its attachments. The target must
    resolve within the sender's scope now (it is resolved again when the message goes)."""
    _check_node(scope, node)
    if message is not None and message.state != MessageState.DRAFT:
        raise ValidationError("只有草稿可以修改")
    try:
        resolve(draft.target, scope)
    except ValidationError as error:
        raise ValidationError({"target": [f"发送范围：{m}" for m in error.messages]}) from None
    already = message.attachments.count() if message is not None else 0
    kinds = attachments.check_uploads(
        list(files), limit=MAX_ATTACHMENTS, label="附件", per="每条信息", already=already,
        types=attachments.DOCUMENT_TYPES,
    )  # fmt: skip
    fields = {
        "title": draft.title,
        "body": draft.body,
        "target": draft.target.to_json(),
        "channels": draft.channels,
        "urgency": draft.urgency,
        "reply_kind": draft.reply_kind,
        "scheduled_at": draft.scheduled_at,
    }
    with transaction.atomic():
        if message is None:
            message = Message.objects.create(sender=actor, node=node, **fields)
            record(actor, AuditAction.CREATE, message)
        else:
            for name, value in fields.items():
                setattr(message, name, value)
            message.node = node
            message.save()
            record(actor, AuditAction.UPDATE, message, detail="修改草稿")
        if files:
            owner = {"message": message}
            attachments.store_all(MessageAttachment, owner, actor, list(files), kinds, ATTACHMENT_FOLDER)
    return message


def add_attachments(actor, message: Message, files: Sequence) -> list[MessageAttachment]:
    """Attach files to a 草稿 (the API's upload; the page attaches them as it saves the draft)."""
    if message.state != MessageState.DRAFT:
        raise ValidationError("只有草稿可以添加附件")
    if not files:
        raise ValidationError({"attachments": ["附件：请选择要上传的文件"]})
    kinds = attachments.check_uploads(
        list(files), limit=MAX_ATTACHMENTS, label="附件", per="每条信息", already=message.attachments.count(),
        types=attachments.DOCUMENT_TYPES,
    )  # fmt: skip
    with transaction.atomic():
        stored = attachments.store_all(
            MessageAttachment, {"message": message}, actor, list(files), kinds, ATTACHMENT_FOLDER
        )
        record(actor, AuditAction.UPDATE, message, detail="添加附件：" + "、".join(f.name for f in stored))
    return stored


def remove_attachment(actor, message: Message, attachment_id: int) -> None:
    if message.state != MessageState.DRAFT:
        raise ValidationError("只有草稿可以删除附件")
    found = message.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise ValidationError("附件不存在")
    with transaction.atomic():
        found.delete()
        record(actor, AuditAction.UPDATE, message, detail=f"删除附件：{found.name}")
    transaction.on_commit(lambda: attachments.remove(found.stored_name, ATTACHMENT_FOLDER))


def needs_approval(node) -> bool:
    return MessagingPolicy.objects.filter(node=node, require_approval=True).exists()


def set_policy(actor, node, require_approval: bool) -> bool:
    """The node's 签发 setting; returns whether it changed."""
    with transaction.atomic():
        policy, _ = MessagingPolicy.objects.get_or_create(node=node)
        if policy.require_approval == require_approval:
            return False
        policy.require_approval = require_approval
        policy.save(update_fields=["require_approval"])
        record(actor, AuditAction.UPDATE, policy, detail="群发需审核签发" if require_approval else "群发无需签发")
    return True


def _approvers(message: Message) -> list:
    """The node's other senders: the users who may 签发 (administrators or the secretary of it)."""
    senders = RoleAssignment.objects.filter(node=message.node, role__in=REGISTRY_EDITORS | PARTY_ROLES)
    ids = senders.exclude(user=message.sender).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def submit(actor, scope, message: Message, *, start) -> str:
    """发送 (or 提交签发 where the node asks for it). ``start(message)`` hands a released message to
    the background worker (``tasks.release``). Returns what to tell the sender."""
    if message.state != MessageState.DRAFT:
        raise ValidationError(f"该信息当前状态为「{message.get_state_display()}」，不能再次发送")
    resolve(Target.from_json(message.target), scope)  # still reaches someone, within scope
    if needs_approval(message.node):
        approvers = _approvers(message)
        if not approvers:
            raise ValidationError("本单位要求群发信息经另一名管理员签发，但本单位没有其他管理员账号")
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(state=MessageState.PENDING, submitted_at=timezone.now())
            record(actor, AuditAction.UPDATE, message, detail="提交签发")
            notify(approvers, NoticeKind.MESSAGE, f"待签发：{message.title}", "", _sender_url(message))
        return "已提交签发，签发后发送"
    return _release(actor, message, start, "发送")


def approve(actor, scope, message: Message, *, start) -> str:
    if message.state != MessageState.PENDING:
        raise ValidationError("该信息不在待签发状态")
    if not scope.may_approve(message):
        raise ValidationError("签发须由本单位另一名管理员办理")
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(approved_by=actor, approved_at=timezone.now())
        message.refresh_from_db()
        return _release(actor, message, start, "签发")


def reject(actor, scope, message: Message, reason: str) -> str:
    reason = (reason or "").strip()
    if message.state != MessageState.PENDING:
        raise ValidationError("该信息不在待签发状态")
    if not scope.may_approve(message):
        raise ValidationError("签发须由本单位另一名管理员办理")
    if not reason:
        raise ValidationError({"reason": ["退回理由：请填写"]})
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(state=MessageState.DRAFT, submitted_at=None)
        record(actor, AuditAction.UPDATE, message, detail=f"退回：{reason[:200]}")
        notify([message.sender], NoticeKind.MESSAGE, f"群发信息被退回：{message.title}", reason, _sender_url(message))
    return "已退回起草人"


def _sender_url(message: Message) -> str:
    return reverse("web:message_detail", args=[message.pk])


def _release(actor, message: Message, start, verb: str) -> str:
    later = message.scheduled_at is not None and message.scheduled_at > timezone.now()
    with transaction.atomic():
        state = MessageState.SCHEDULED if later else MessageState.QUEUED
        Message.objects.filter(pk=message.pk).update(state=state)
        message.state = state
        record(actor, AuditAction.UPDATE, message, detail=f"{verb}（{'定时发送' if later else '立即发送'}）")
        start(message)
    if later:
        return f"已{verb}，将于 {timezone.localtime(message.scheduled_at):%Y-%m-%d %H:%M} 发送"
    return f"已{verb}，正在后台发送"


def fan_out(message: Message, scope) -> int | None:
    """The worker's part of a released message: resolve the target again with the sender's scope
    and make the deliveries (a rerun adds only what is missing). None when it is not time yet
    or the message was recalled. A target that now reaches nobody ends the message with a record."""
    message.refresh_from_db()
    if message.fanned_out_at is not None:
        return 0  # done before: a rerun adds nobody (and finds no one new since)
    if message.state == MessageState.SCHEDULED:
        if message.scheduled_at and message.scheduled_at > timezone.now():
            return None
    elif message.state not in (MessageState.QUEUED, MessageState.SENDING):
        return None
    try:
        resolution = resolve(Target.from_json(message.target), scope)
    except ValidationError as error:
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(state=MessageState.DONE, sent_at=timezone.now())
            record(message.sender, AuditAction.UPDATE, message, detail=f"未发送：{'；'.join(error.messages)}")
        return 0
    Message.objects.filter(pk=message.pk, state=MessageState.SCHEDULED).update(state=MessageState.QUEUED)
    return queue_message(message.sender, message, resolution.recipients(), message.channels or [ChannelKind.INBOX])


def recall(actor, message: Message) -> int:
    """撤回: every delivery not yet read is withdrawn (an inbox notice not yet opened disappears;
    what was not yet sent is not sent); what was read stays read. Returns how many withdrawn."""
    if message.state in (MessageState.RECALLED, MessageState.DRAFT, MessageState.PENDING):
        raise ValidationError(f"该信息当前状态为「{message.get_state_display()}」，不能撤回")
    now = timezone.now()
    unread = Delivery.objects.filter(message=message, read_at__isnull=True, replied_at__isnull=True).exclude(
        state__in=[DeliveryState.RECALLED, DeliveryState.SENDING]
    )
    with transaction.atomic():
        keys = list(unread.filter(channel=ChannelKind.INBOX).values_list("idempotency_key", flat=True))
        count = unread.update(state=DeliveryState.RECALLED, reason="已撤回", next_attempt_at=None)
        # a recalled delivery reaches no one: its facts lose their received time
        facts.sync(Delivery.objects.filter(message=message, state=DeliveryState.RECALLED))
        for i in range(0, len(keys), 500):
            Notice.objects.filter(key__in=keys[i : i + 500], read_at__isnull=True).delete()
        Message.objects.filter(pk=message.pk).update(state=MessageState.RECALLED, recalled_at=now)
        record(actor, AuditAction.UPDATE, message, detail=f"撤回：{count} 条未读投递")
    return count


def remind_unread(actor, message: Message) -> int:
    """提醒未读, once per message: a new inbox notice to each person with an account who has not
    read it. Returns how many were reminded."""
    if message.reminded_at is not None:
        raise ValidationError(f"已于 {timezone.localtime(message.reminded_at):%Y-%m-%d %H:%M} 提醒过一次")
    if message.state not in (MessageState.SENDING, MessageState.DONE):
        raise ValidationError("信息发出后才能提醒未读人员")
    unread = Delivery.objects.filter(
        message=message,
        channel=ChannelKind.INBOX,
        read_at__isnull=True,
        state__in=[DeliveryState.SENT, DeliveryState.DELIVERED],
    ).select_related("user")
    now = timezone.now()
    with transaction.atomic():
        if not Message.objects.filter(pk=message.pk, reminded_at__isnull=True).update(reminded_at=now):
            raise ValidationError("已提醒过一次")
        count = 0
        for delivery in unread.iterator(chunk_size=1000):
            url = reverse("web:message_received", args=[delivery.pk])
            count += notify(
                [delivery.user], NoticeKind.MESSAGE, f"提醒：请阅读「{message.title}」", "", url,
                key=f"remind-{delivery.idempotency_key}",
            )  # fmt: skip
        unread.update(reminded_at=now)
        record(actor, AuditAction.UPDATE, message, detail=f"提醒未读：{count} 人")
    return count


def open_delivery(delivery: Delivery) -> bool:
    """The recipient opened the message (the inbox page, or the e-mail's link): read from now.
    Returns whether this was the first time."""
    if delivery.state in CLOSED_STATES or delivery.read_at is not None:
        return False
    now = timezone.now()
    done = Delivery.objects.filter(pk=delivery.pk, read_at__isnull=True).exclude(state__in=CLOSED_STATES)
    with transaction.atomic():
        changed = bool(done.filter(~Q(state=DeliveryState.REPLIED)).update(read_at=now, state=DeliveryState.READ))
        if changed:
            facts.sync_one(delivery.pk)  # read-reached from now (never an SMS: sync leaves it empty)
    if changed:
        delivery.read_at, delivery.state = now, DeliveryState.READ
        if delivery.user_id and delivery.channel == ChannelKind.INBOX:
            Notice.objects.filter(recipient_id=delivery.user_id, key=delivery.idempotency_key).update(read_at=now)
    return changed


def reply(delivery: Delivery, answer: str) -> None:
    """The recipient's reply, as the message asks (确认收到, 是/否, or a short text ≤ 200 字). A
    recalled message takes no reply; a second reply replaces the first."""
    message = delivery.message
    kind = message.reply_kind
    answer = (answer or "").strip()
    if message.state == MessageState.RECALLED or delivery.state == DeliveryState.RECALLED:
        raise ValidationError("该信息已被发送单位撤回，不能回复")
    if kind == ReplyKind.NONE:
        raise ValidationError("该信息无需回复")
    if delivery.state in CLOSED_STATES:
        raise ValidationError("该信息尚未送达，不能回复")
    if kind == ReplyKind.ACK:
        answer = ACKNOWLEDGED
    elif kind == ReplyKind.YES_NO and answer not in YES_NO:
        raise ValidationError({"reply": ["回复：请选择“是”或“否”"]})
    elif kind == ReplyKind.TEXT and not answer:
        raise ValidationError({"reply": ["回复：请填写"]})
    elif len(answer) > 200:
        raise ValidationError({"reply": [f"回复：最多 200 字（现为 {len(answer)} 字）"]})
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            reply=answer, replied_at=now, read_at=delivery.read_at or now, state=DeliveryState.REPLIED
        )
        facts.sync_one(delivery.pk)
        if delivery.user_id:
            Notice.objects.filter(recipient_id=delivery.user_id, key=delivery.idempotency_key).update(
                read_at=delivery.read_at or now
            )
    delivery.refresh_from_db()


# -- templates ------------------------------------------------------------------------------
def save_template(actor, scope, node, name: str, title: str, body: str, reply_kind: str = ReplyKind.NONE,
                  template: MessageTemplate | None = None) -> MessageTemplate:  # fmt: skip
    _check_node(scope, node)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["模板名称：请填写"]
    elif MessageTemplate.objects.filter(node=node, name=name).exclude(pk=getattr(template, "pk", None)).exists():
        errors["name"] = [f"模板名称：本单位已有名为「{name}」的模板"]
    if not (title or "").strip():
        errors["title"] = ["标题：请填写"]
    cleaned = clean_html(body)
    if not plain_text(cleaned):
        errors["body"] = ["正文：请填写"]
    if reply_kind not in ReplyKind.values:
        errors["reply_kind"] = ["回复要求：请从列表中选择"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if template is None:
            template = MessageTemplate.objects.create(
                node=node, name=name, title=title.strip()[:200], body=cleaned, reply_kind=reply_kind, created_by=actor
            )
            record(actor, AuditAction.CREATE, template)
        else:
            template.name, template.title, template.body, template.reply_kind = (
                name,
                title.strip()[:200],
                cleaned,
                reply_kind,
            )
            template.node = node
            template.save()
            record(actor, AuditAction.UPDATE, template)
    return template


def delete_template(actor, template: MessageTemplate) -> None:
    with transaction.atomic():
        record(actor, AuditAction.UPDATE, template, detail=f"删除模板：{template.name}")
        template.delete()
