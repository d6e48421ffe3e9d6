"""群发信息: writing a message, fanning it out into deliveries, and sending them.

Exactly once, whatever dies when:

- ``create_deliveries`` inserts in batches skipping what collides with the unique keys
  (``core.bulk.insert`` with ``ignore_conflicts``: ``INSERT … ON CONFLICT DO NOTHING``, on
  PostgreSQL through ``COPY``), so a rerun of the fan-out finds what exists and adds only what is
  missing; each batch writes its deliveries' 到达事实 (``facts.write_new``) in its transaction;
- ``send_pending`` marks a delivery 发送中 and commits *before* calling its channel, and records
  the outcome after. A run that died in between leaves it 发送中: the next run (which may claim
  the message only when the dead run's lease ran out) turns it into 结果未知, never resends it;
  ``resend_unknown`` is the sender's explicit, audited decision to try those again.
- a local channel (the inbox, the log) sends and records in one transaction: never unknown.
"""

import datetime
import hashlib
import logging
import os
import socket
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from liangxin.core import bulk
from liangxin.core.audit import AuditAction, record

from . import facts
from .channels import Channel, Outcome, channel_for
from .choices import ChannelKind, DeliveryState, MessageState, ReplyKind, Urgency
from .models import Delivery, Message

log = logging.getLogger("liangxin.messaging")

BATCH = 5000  # deliveries a fan-out insert (one transaction with their facts)
# deliveries read at a time by a sending run; the lease is renewed between batches, so a batch of
# SMS all timing out (20 × 10 s) stays well inside MESSAGING_LEASE_SECONDS. Should a run outlive its
# lease all the same, no delivery goes twice: each is claimed by a conditional 待发送 → 发送中 update
SEND_BATCH = 20
# what the fan-out gives of each delivery, in its rows' order (the rest are defaults)
DELIVERY_FIELDS = ("message_id", "recipient_key", "recipient_name", "user_id", "member_id", "organization_id",
                   "channel", "address", "idempotency_key", "recipient_node_id")  # fmt: skip


@dataclass(slots=True)
class Recipient:
    """One recipient as the target resolution hands it over: a stable key and an address per channel.
    Read-only by use; not ``frozen``: a frozen dataclass sets each field through
    ``object.__setattr__``, twice the cost of making one, and a fan-out makes 500,000."""

    key: str  # user:12, member:34, org-contact:56
    name: str = ""
    user_id: int | None = None
    member_id: int | None = None
    organization_id: int | None = None
    addresses: Mapping[str, str] = field(default_factory=dict)  # channel → e-mail / phone
    # the node of the member it names, when the resolution read it with the member (the first choice
    # of facts.recipient_node_sql, so the insert need not look it up); else the insert works it out
    node_id: int | None = None

    def address_for(self, channel: str) -> str | None:
        """The address on ``channel``, or None when the recipient cannot be reached there."""
        if channel == ChannelKind.INBOX:
            return "" if self.user_id else None
        if channel == ChannelKind.LOG:  # the stand-in for a gateway: it records where the SMS would go
            return self.addresses.get(channel) or self.addresses.get(ChannelKind.SMS) or ""
        return self.addresses.get(channel) or None


def idempotency_key(message_id: int, recipient_key: str, channel: str) -> str:
    """The same three always give the same key: what a rerun inserts collides with what exists."""
    digest = hashlib.sha256(f"{message_id}|{recipient_key}|{channel}".encode()).hexdigest()[:32]
    return f"lx-{message_id}-{digest}"


def create_message(
    actor,
    node,
    title: str,
    body: str,
    *,
    urgency: str = Urgency.NORMAL,
    reply_kind: str = ReplyKind.NONE,
) -> Message:
    with transaction.atomic():
        message = Message.objects.create(
            title=title, body=body, sender=actor, node=node, urgency=urgency, reply_kind=reply_kind
        )
        record(actor, AuditAction.CREATE, message)
    return message


def _batches(items: Iterable[Recipient], size: int) -> Iterator[list[Recipient]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def create_deliveries(message: Message, recipients: Iterable[Recipient], channels: Iterable[str]) -> int:
    """One delivery per recipient and channel the recipient has an address on, inserted in batches
    with their 到达事实 (who they were today: ``facts``); what exists already is kept as it is.
    Returns how many were added."""
    kinds = [ChannelKind(c) for c in channels]
    before = Delivery.objects.filter(message=message).count()
    today = timezone.localdate()
    # the node as each row is written: the one read with the member, else looked up
    node = {"recipient_node_id": f"COALESCE(staged.recipient_node_id, {facts.recipient_node_sql('staged')})"}
    for chunk in _batches(recipients, BATCH):
        rows = [
            (message.pk, r.key, r.name[:100], r.user_id, r.member_id, r.organization_id, kind, address,
             idempotency_key(message.pk, r.key, kind), r.node_id)
            for r in chunk
            for kind in kinds
            if (address := r.address_for(kind)) is not None
        ]  # fmt: skip
        with transaction.atomic():
            after = facts.last_id()
            bulk.insert(Delivery, rows, fields=DELIVERY_FIELDS, ignore_conflicts=True, computed=node)
            facts.write_new(message.pk, after, facts.last_id(), today)
    return Delivery.objects.filter(message=message).count() - before


def queue_message(actor, message: Message, recipients: Iterable[Recipient], channels: Iterable[str]) -> int:
    """The sender's 发送: the deliveries are made and the message waits for the worker."""
    added = create_deliveries(message, recipients, channels)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, state=MessageState.DRAFT).update(state=MessageState.QUEUED)
        Message.objects.filter(pk=message.pk).update(fanned_out_at=timezone.now())
        record(actor, AuditAction.UPDATE, message, detail=f"发送：{added} 条投递")
    return added


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead(worker: str) -> bool:
    """Whether the process named ``host:pid`` is known to be gone (only this host's can be asked)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _claim(message_id: int, now: datetime.datetime) -> bool:
    """Take the message's lease for ``MESSAGING_LEASE_SECONDS``: when free, run out, or held by a
    process of this host that is gone (a killed worker)."""
    until = now + datetime.timedelta(seconds=settings.MESSAGING_LEASE_SECONDS)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    holder = Message.objects.filter(pk=message_id).values_list("worker", flat=True).first()
    if holder and _dead(holder):
        free |= Q(worker=holder)
    return bool(Message.objects.filter(free, pk=message_id).update(lease_until=until, worker=_this_process()))


def _renew(message_id: int) -> None:
    until = timezone.now() + datetime.timedelta(seconds=settings.MESSAGING_LEASE_SECONDS)
    Message.objects.filter(pk=message_id).update(lease_until=until)


def recover_interrupted(message_id: int) -> int:
    """Deliveries a dead run left 发送中 (sent or not: nobody knows) become 结果未知."""
    return Delivery.objects.filter(message_id=message_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.UNKNOWN, reason="发送过程中断，结果未知", next_attempt_at=None
    )


def _due(message_id: int, now: datetime.datetime, after: int) -> list[Delivery]:
    waiting = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    queued = Delivery.objects.filter(waiting, message_id=message_id, state=DeliveryState.QUEUED, pk__gt=after)
    return list(queued.select_related("message", "user").order_by("pk")[:SEND_BATCH])


def _backoff(attempts: int) -> datetime.timedelta | None:
    """The wait before the next try after ``attempts`` tries, or None when they are used up."""
    delays = settings.MESSAGING_RETRY_SECONDS
    return datetime.timedelta(seconds=delays[attempts - 1]) if attempts <= len(delays) else None


def _outcome_fields(delivery: Delivery, outcome: Outcome, now: datetime.datetime) -> dict:
    if outcome.retry:
        wait = _backoff(delivery.attempts)
        if wait is not None:
            return {"state": DeliveryState.QUEUED, "last_error": outcome.reason[:300], "next_attempt_at": now + wait}
    done = outcome.state in (DeliveryState.SENT, DeliveryState.DELIVERED)
    return {
        "state": outcome.state,
        "reason": "" if done else outcome.reason[:300],
        "last_error": outcome.reason[:300],
        "provider_id": outcome.provider_id,
        "sent_at": now if done else None,
        "next_attempt_at": None,
    }


def _claim_delivery(delivery: Delivery, now: datetime.datetime) -> bool:
    claimed = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.QUEUED).update(
        state=DeliveryState.SENDING, attempts=F("attempts") + 1, sending_at=now
    )
    delivery.attempts += 1
    return bool(claimed)


def _send_one(delivery: Delivery, channel: Channel) -> None:
    now = timezone.now()
    opens = channel.wait_until(now)
    if opens is not None:  # quiet hours: wait for the window, no attempt spent
        Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.QUEUED).update(next_attempt_at=opens)
        return
    if channel.atomic:  # a local write: the mark, the send and the outcome stand or fall together
        with transaction.atomic():
            if _claim_delivery(delivery, now):
                _record(delivery, channel.send(delivery))
        return
    with transaction.atomic():
        claimed = _claim_delivery(delivery, now)
    if not claimed:
        return
    try:
        outcome = channel.send(delivery)  # the 发送中 mark is committed before this call
    except Exception as error:  # a fault of ours after the request may have left: nobody knows
        log.exception("群发投递 %s 出错", delivery.pk)
        outcome = Outcome(DeliveryState.UNKNOWN, f"发送出错：{type(error).__name__}")
    _record(delivery, outcome)


def _record(delivery: Delivery, outcome: Outcome) -> None:
    fields = _outcome_fields(delivery, outcome, timezone.now())
    with transaction.atomic():
        if Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(**fields):
            facts.sync_one(delivery.pk)


def send_pending(message_id: int, channels: Mapping[str, Channel] | None = None) -> dict[str, int] | None:
    """Send the message's due deliveries, batch by batch. Returns the progress counts, or None
    when another run holds the message. Safe to call again at any time."""
    now = timezone.now()
    if not _claim(message_id, now):
        return None
    chosen = dict(channels or {})
    try:
        recover_interrupted(message_id)
        Message.objects.filter(pk=message_id, state__in=[MessageState.DRAFT, MessageState.QUEUED]).update(
            state=MessageState.SENDING, sent_at=now
        )
        after = 0
        while batch := _due(message_id, timezone.now(), after):
            for delivery in batch:
                channel = chosen.get(delivery.channel) or chosen.setdefault(
                    delivery.channel, channel_for(delivery.channel)
                )
                _send_one(delivery, channel)
            after = batch[-1].pk
            _renew(message_id)
        counts = progress(message_id)
        if not counts[DeliveryState.QUEUED] and not counts[DeliveryState.SENDING]:
            # not before the fan-out finished: a killed one is redone and its new deliveries sent
            Message.objects.filter(pk=message_id, fanned_out_at__isnull=False).exclude(
                state=MessageState.RECALLED
            ).update(state=MessageState.DONE)
        return counts
    finally:
        Message.objects.filter(pk=message_id).update(lease_until=None, worker="")


def next_due(message_id: int) -> datetime.datetime | None:
    """When the earliest waiting delivery (a retry, quiet hours) may go; None when none waits."""
    waiting = Delivery.objects.filter(message_id=message_id, state=DeliveryState.QUEUED)
    if not waiting.exists():
        return None
    first = waiting.order_by(F("next_attempt_at").asc(nulls_first=True)).values_list("next_attempt_at", flat=True)[0]
    return first or timezone.now()


def progress(message_id: int) -> dict[str, int]:
    """Deliveries per state (every state, zeros included) and ``total``: the progress bar."""
    rows = Delivery.objects.filter(message_id=message_id).values_list("state").annotate(n=Count("pk"))
    counts = {state.value: 0 for state in DeliveryState}
    counts.update(dict(rows))
    counts["total"] = sum(counts.values())
    return counts


def resend_unknown(message: Message, actor) -> int:
    """The sender's decision: deliveries 结果未知 go back to the queue (same idempotency key, so a
    gateway that deduplicates still sends once). Returns how many."""
    with transaction.atomic():
        count = Delivery.objects.filter(message=message, state=DeliveryState.UNKNOWN).update(
            state=DeliveryState.QUEUED, next_attempt_at=None, reason=""
        )
        if count:
            Message.objects.filter(pk=message.pk).update(state=MessageState.QUEUED)
            record(actor, AuditAction.UPDATE, message, detail=f"重新发送结果未知的投递：{count} 条")
    return count
