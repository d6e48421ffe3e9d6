"""到达事实: what a delivery reached, stored when it is made, so that the 到达率 and the per-sub-node
rates count stored columns instead of joining every delivery back through people.

Two facts, both fixed at fan-out from who the recipient was *then* (the rule "at delivery time"):

- ``Delivery.recipient_node``, the node the recipient sat at: a member's party organization's node
  (the member the delivery names, else the one its account belongs to); else the node of the
  account's first role (by grant); else the responsible node of the organization whose contact
  received it. ``rates.by_child`` groups one message's deliveries by it.
- ``ReachFact`` rows, the organizations the recipient reached: the organization of a contact; else
  the employer of the member it names; else the employer of the member its account belongs to —
  one delivery is one person; and every organization that a party organization covered on the day
  of the fan-out (its ``PartyOrgLink`` in force that day) when the recipient held the ``secretary``
  role at its node.

A member who changes employer after the message keeps the organization they were reached at; a
link that starts after the fan-out does not make the secretary's earlier message reach the new
organization. ``sync`` copies the delivery's state into its facts after each change (sent, failed,
read, replied, recalled): ``received_at`` is the delivery's ``sent_at`` while it is received
(已发出/已送达/已读/已回复), ``read_at`` its ``read_at`` while received and not an SMS.

Every statement is set-based SQL over a message's new deliveries (those above an id), so a fan-out
of 500,000 writes its facts in a few statements, in each batch's transaction: a fan-out killed
between batches leaves whole batches with their facts, and the rerun adds only what is missing.
``backfill`` writes the facts of deliveries made before they existed (migration 0007, and
``manage.py refresh_reach_facts``); for those "then" is the best the rows still tell — today's
employers, and the links in force on the message's sending day.

The same statements keep ``DeliveryTally``, one message's counts per recipient node (what
``rates.by_child`` shows): the fan-out adds each batch, ``sync`` moves a node's received, read
and replied counts by the difference between what a delivery counts for now and what it was
counted for (``Delivery.tallied``), and ``retally`` recounts a message from its rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment
from liangxin.accounts.roles import Role
from liangxin.orgs.models import Organization
from liangxin.party.models import Member, PartyOrganization, PartyOrgLink

from .choices import ChannelKind, DeliveryState
from .models import Delivery, DeliveryTally, Message, ReachFact

RECEIVED = (DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.READ, DeliveryState.REPLIED)
# what a delivery counts for in its node's DeliveryTally, bit by bit (``Delivery.tallied``)
RECEIVED_BIT, READ_BIT, REPLIED_BIT = 1, 2, 4
BITS = (RECEIVED_BIT, READ_BIT, REPLIED_BIT)
_OPENED = Q(state__in=RECEIVED, read_at__isnull=False) & ~Q(channel=ChannelKind.SMS)
MASK = (
    Case(When(state__in=RECEIVED, then=Value(RECEIVED_BIT)), default=Value(0))
    + Case(When(_OPENED, then=Value(READ_BIT)), default=Value(0))
    + Case(When(state__in=RECEIVED, replied_at__isnull=False, then=Value(REPLIED_BIT)), default=Value(0))
)


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _received_sql(d: str) -> tuple[str, str, list]:
    """The SQL of a fact's ``received_at`` and ``read_at`` from delivery alias ``d``, and its params."""
    marks = ", ".join(["%s"] * len(RECEIVED))
    received = f"CASE WHEN {d}.state IN ({marks}) THEN {d}.sent_at END"
    read = f"CASE WHEN {d}.state IN ({marks}) AND {d}.channel <> %s THEN {d}.read_at END"
    return received, read, [*RECEIVED, *RECEIVED, ChannelKind.SMS]


def _bits_sql(d: str) -> tuple[list[str], list]:
    """``MASK``'s three bits as SQL over delivery alias (or table) ``d``, each 0 or 1, and their params."""
    marks = ", ".join(["%s"] * len(RECEIVED))
    got = f"{d}.state IN ({marks})"
    bits = [
        f"CASE WHEN {got} THEN 1 ELSE 0 END",
        f"CASE WHEN {got} AND {d}.read_at IS NOT NULL AND {d}.channel <> %s THEN 1 ELSE 0 END",
        f"CASE WHEN {got} AND {d}.replied_at IS NOT NULL THEN 1 ELSE 0 END",
    ]
    return bits, [*RECEIVED, *RECEIVED, ChannelKind.SMS, *RECEIVED]


def _mask_sql(d: str) -> tuple[str, list]:
    bits, params = _bits_sql(d)
    return " + ".join(f"{bit} * ({sql})" for bit, sql in zip(BITS, bits, strict=True)), params


def _tally_insert_sql(where: str) -> tuple[str, list]:
    """Add the deliveries ``where`` selects (alias ``d``) to their nodes' tallies."""
    d, t = _t(Delivery), _t(DeliveryTally)
    bits, params = _bits_sql("d")
    names = ["deliveries", "received", "read", "replied"]
    cols = ", ".join(connection.ops.quote_name(n) for n in names)
    added = ", ".join(
        f"{connection.ops.quote_name(n)} = {t}.{connection.ops.quote_name(n)} + EXCLUDED.{connection.ops.quote_name(n)}"
        for n in names
    )
    sql = (
        f"INSERT INTO {t} (message_id, node_key, {cols}) "
        f"SELECT d.message_id, COALESCE(d.recipient_node_id, 0), COUNT(*), {', '.join(f'SUM({b})' for b in bits)} "
        f"FROM {d} d WHERE {where} GROUP BY d.message_id, COALESCE(d.recipient_node_id, 0) "
        f"ON CONFLICT (message_id, node_key) DO UPDATE SET {added}"
    )
    return sql, params


def recipient_node_sql(d: str) -> str:
    """``Delivery.recipient_node`` as SQL over a delivery row named ``d`` (a table or an alias):
    the fan-out computes it as it inserts (``bulk.insert``'s ``computed``), ``write_facts`` fills
    it for rows made otherwise."""
    m, p, r, o = _t(Member), _t(PartyOrganization), _t(RoleAssignment), _t(Organization)
    return (
        "COALESCE("
        f"(SELECT p.node_id FROM {m} m JOIN {p} p ON p.id = m.party_org_id WHERE m.id = {d}.member_id), "
        f"(SELECT p.node_id FROM {m} m JOIN {p} p ON p.id = m.party_org_id WHERE m.user_id = {d}.user_id), "
        f"(SELECT r.node_id FROM {r} r WHERE r.user_id = {d}.user_id ORDER BY r.id LIMIT 1), "
        f"(SELECT o.responsible_node_id FROM {o} o WHERE o.id = {d}.organization_id))"
    )


def _person_sql() -> tuple[str, list]:
    """Contact's organization, else the named member's employer, else the account's member's."""
    d, m, f = _t(Delivery), _t(Member), _t(ReachFact)
    received, read, params = _received_sql("d")
    sql = (
        f"INSERT INTO {f} (delivery_id, organization_id, channel, received_at, read_at) "
        f"SELECT d.id, COALESCE(d.organization_id, m.employer_id, um.employer_id), d.channel, {received}, {read} "
        f"FROM {d} d LEFT JOIN {m} m ON m.id = d.member_id LEFT JOIN {m} um ON um.user_id = d.user_id "
        "WHERE COALESCE(d.organization_id, m.employer_id, um.employer_id) IS NOT NULL AND "
    )
    return sql, params


def _secretary_sql() -> tuple[str, list]:
    """Every organization covered on the day by a party organization whose secretary received."""
    d, r, p, link, f = _t(Delivery), _t(RoleAssignment), _t(PartyOrganization), _t(PartyOrgLink), _t(ReachFact)
    received, read, params = _received_sql("d")
    sql = (
        f"INSERT INTO {f} (delivery_id, organization_id, channel, received_at, read_at) "
        f"SELECT DISTINCT d.id, l.organization_id, d.channel, {received}, {read} "
        f"FROM {d} d JOIN {r} r ON r.user_id = d.user_id AND r.role = %s "
        f"JOIN {p} p ON p.node_id = r.node_id JOIN {link} l ON l.party_org_id = p.id "
        "AND l.start_on <= %s AND (l.end_on IS NULL OR l.end_on > %s) WHERE "
    )
    return sql, [*params, Role.SECRETARY]


def last_id() -> int:
    """The highest delivery id so far: a batch's new deliveries lie above the value read before it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_t(Delivery)}")
        return cursor.fetchone()[0] or 0


def write_new(message_id: int, after_id: int, upto_id: int, day: datetime.date | None = None) -> None:
    """The facts of the message's deliveries with ``after_id < id <= upto_id`` (a batch just
    inserted, never counted before), with the party organizations' links in force on ``day``
    (today), and the batch added to its nodes' tallies. Call it once per batch, in the batch's
    transaction: the facts are idempotent, the tally is not (``retally`` recounts)."""
    write_facts(message_id, after_id, upto_id, day)
    range_ = "d.id > %s AND d.id <= %s AND d.message_id + 0 = %s"
    args = [after_id, upto_id, message_id]
    tally, tally_args = _tally_insert_sql(range_)
    mask, mask_args = _mask_sql(_t(Delivery))
    with connection.cursor() as cursor:
        cursor.execute(tally, [*tally_args, *args])
        # a batch made already sent or read (a test's or the demo's rows; the fan-out's are queued)
        cursor.execute(
            f"UPDATE {_t(Delivery)} SET tallied = {mask} WHERE id > %s AND id <= %s AND message_id + 0 = %s "
            f"AND {mask} <> 0",
            [*mask_args, *args, *mask_args],
        )


def write_facts(message_id: int, after_id: int, upto_id: int, day: datetime.date | None = None) -> None:
    """``write_new``'s facts alone: nodes and reach rows, idempotent (a node once set is not
    recomputed, a fact row is not written twice). Migration 0007 writes these."""
    day, d = day or timezone.localdate(), _t(Delivery)
    # "+ 0": the id range drives the scan, not the message's index (which would read all its
    # deliveries again for every batch of a large fan-out)
    where, args = "d.id > %s AND d.id <= %s AND d.message_id + 0 = %s", [after_id, upto_id, message_id]
    person, person_args = _person_sql()
    secretary, secretary_args = _secretary_sql()
    conflict = " ON CONFLICT DO NOTHING"  # a contact who is also a covering secretary: one row
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {d} SET recipient_node_id = {recipient_node_sql(d)} "
            "WHERE id > %s AND id <= %s AND message_id + 0 = %s AND recipient_node_id IS NULL",
            args,
        )
        cursor.execute(person + where + conflict, [*person_args, *args])
        cursor.execute(secretary + where + conflict, [*secretary_args, day, day, *args])


def sync(deliveries: QuerySet) -> int:
    """Copy the state of ``deliveries`` (a queryset of ``Delivery``) into their facts and their
    nodes' tallies; returns how many facts were written. Call after any change of state, sending
    time or reading time, in the transaction that made it (whose row locks keep a second change of
    the same delivery from counting it twice)."""
    source = Delivery.objects.filter(pk=OuterRef("delivery_id"))
    received = Case(When(state__in=RECEIVED, then=F("sent_at")))
    read = Case(When(state__in=RECEIVED, read_at__isnull=False, then=F("read_at")))
    with transaction.atomic():
        written = ReachFact.objects.filter(delivery_id__in=deliveries.values("pk")).update(
            received_at=Subquery(source.annotate(v=received).values("v")[:1]),
            read_at=Subquery(source.exclude(channel=ChannelKind.SMS).annotate(v=read).values("v")[:1]),
        )
        _move_tallies(deliveries)
    return written


def _move_tallies(deliveries: QuerySet) -> None:
    """Move the tallies by the difference between what each delivery counts for now (``MASK``) and
    what it was counted for (``tallied``): one GROUP BY over the changed rows."""
    changed = deliveries.annotate(now=MASK).exclude(tallied=F("now"))
    groups = changed.values("message_id", "recipient_node_id", "tallied", "now").annotate(n=Count("pk")).order_by()
    moves: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for g in groups:
        move = moves[(g["message_id"], g["recipient_node_id"] or 0)]
        for i, bit in enumerate(BITS):
            move[i] += g["n"] * (bool(g["now"] & bit) - bool(g["tallied"] & bit))
    if not moves:
        return
    Delivery.objects.filter(pk__in=changed.values("pk")).update(tallied=MASK)
    untallied = set()
    for (message_id, node_key), (received, read, replied) in moves.items():
        if not DeliveryTally.objects.filter(message_id=message_id, node_key=node_key).update(
            received=F("received") + received, read=F("read") + read, replied=F("replied") + replied
        ):
            untallied.add(message_id)  # rows made around the fan-out: count the message afresh
    retally(untallied)


def retally(message_ids: Iterable[int]) -> None:
    """Count the messages' tallies afresh from their delivery rows (rows loaded around the
    services, ``refresh_reach_facts``, migration 0008)."""
    d = _t(Delivery)
    mask, mask_args = _mask_sql(d)
    tally, tally_args = _tally_insert_sql("d.message_id = %s")
    with transaction.atomic(), connection.cursor() as cursor:
        for message_id in message_ids:
            cursor.execute(
                f"UPDATE {d} SET tallied = {mask} WHERE message_id = %s AND tallied <> {mask}",
                [*mask_args, message_id, *mask_args],
            )
            cursor.execute(f"DELETE FROM {_t(DeliveryTally)} WHERE message_id = %s", [message_id])
            cursor.execute(tally, [*tally_args, message_id])


def sync_one(delivery_id: int) -> int:
    """``sync`` for one delivery (the sending loop, an opened message, a reply)."""
    return sync(Delivery.objects.filter(pk=delivery_id))


def backfill(messages: QuerySet | None = None) -> int:
    """Facts for the deliveries of ``messages`` (all by default) that have none — nodes and
    organizations as of today, the secretaries' links as of the day each message was sent (or
    made) — then every fact brought up to its delivery's state. Returns the facts written."""
    before = ReachFact.objects.count()
    qs = (messages if messages is not None else Message.objects.all()).order_by("pk")
    for message_id, sent_at, created_at in qs.values_list("pk", "sent_at", "created_at"):
        ids = Delivery.objects.filter(message_id=message_id).order_by("pk").values_list("pk", flat=True)
        first, last = ids.first(), ids.last()
        if first is not None and last is not None:
            write_facts(message_id, first - 1, last, timezone.localdate(sent_at or created_at))
    sync(Delivery.objects.filter(message__in=qs.values("pk")))
    retally(qs.values_list("pk", flat=True))
    return ReachFact.objects.count() - before
