"""The audit log's one writer. Services call ``record`` for every change and export."""

import datetime
import decimal
from typing import Any

from django.db import models, transaction

from . import chain
from .models import AuditAction, AuditChainHead, AuditEntry
from .origin import current_origin


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def shown(value: Any) -> str:
    """A stored before/after value as a reader sees it: 是/否 for a flag, （空） for nothing."""
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The display values of ``fields`` on ``obj`` (choices by label, relations by name)."""
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        assert isinstance(field, models.Field), f"{name}: a snapshot lists the model's own fields"
        if field.choices:
            value = getattr(obj, f"get_{name}_display")() if getattr(obj, field.attname) not in (None, "") else ""
        elif field.is_relation:
            value = getattr(obj, name)
        else:
            value = getattr(obj, name)
        result[name] = _plain(value)
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as ``{field: [before, after]}``."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def labelled(model: type[models.Model], changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Key the changes by the fields' Chinese names, as shown to auditors."""
    out = {}
    for name, pair in changes.items():
        try:
            field = model._meta.get_field(name)
            out[str(field.verbose_name) if isinstance(field, models.Field) else name] = pair
        except Exception:
            out[name] = pair
    return out


def build(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict[str, list[Any]] | None = None,
    detail: str = "",
    object_type: str = "",
    object_repr: str = "",
    mgmt_path: str = "",
    region_path: str = "",
) -> AuditEntry:
    """An unsaved entry (bulk writers save many at once). ``obj`` may define
    ``audit_paths()`` returning (mgmt, region) paths."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)[:200]
        if hasattr(obj, "audit_paths") and not (mgmt_path or region_path):
            mgmt_path, region_path = obj.audit_paths()
        if changes:
            changes = labelled(type(obj), changes)
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", None) or str(actor or "系统"))[:150],
        origin=current_origin()[:100],
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=object_repr,
        changes=changes or {},
        detail=detail,
        mgmt_path=mgmt_path or "",
        region_path=region_path or "",
    )


def _head() -> AuditChainHead:
    """The chain head, locked until the caller's transaction ends (PostgreSQL: a row lock, so a
    second writer waits here and then chains to this writer's last entry; SQLite serializes
    writers already). Missing (a fresh or flushed database), it is made from the last entry."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AuditEntry.objects.order_by("-id").values_list("id", "content_hash").first()
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=1, last_id=last[0] if last else None, last_hash=last[1] if last else chain.GENESIS)],
            ignore_conflicts=True,
        )
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def record_many(entries: list[AuditEntry], batch_size: int = 500) -> list[AuditEntry]:
    """Chain and append unsaved entries (from ``build``) in one statement per batch: the bulk
    writers' path. The chain head is read and moved inside the same transaction as the inserts."""
    if not entries:
        return entries
    # no savepoint: an entry that cannot be written fails the caller's whole change
    with transaction.atomic(savepoint=False):
        head = _head()
        previous = head.last_hash
        for entry in entries:
            entry.prev_hash = previous
            entry.content_hash = previous = chain.content_hash(previous, entry.__dict__)
        AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
        head.last_hash = previous
        # bulk_create sets ids on PostgreSQL and SQLite 3.35+; the id is informative only
        head.last_id = entries[-1].pk
        head.save(update_fields=["last_hash", "last_id"])
    return entries


def record(actor, action: str, obj: models.Model | None = None, **fields) -> AuditEntry:
    """Append one entry (see ``build`` for the fields)."""
    return record_many([build(actor, action, obj, **fields)])[0]


__all__ = ["AuditAction", "record", "record_many", "snapshot", "diff"]
