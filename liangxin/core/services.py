"""Saving a simple record with its audit entry (regions, carriers, nodes, accounts)."""

from django.db import models, transaction

from . import audit
from .models import AuditAction


@transaction.atomic
def save_audited(actor, obj: models.Model, fields: list[str]) -> models.Model:
    """Save ``obj``; audit a create, or an update with the before/after of changed ``fields``."""
    if obj.pk is None:
        obj.save()
        audit.record(actor, AuditAction.CREATE, obj, changes=audit.diff({}, audit.snapshot(obj, fields)))
        return obj
    stored = type(obj)._default_manager.get(pk=obj.pk)
    changes = audit.diff(audit.snapshot(stored, fields), audit.snapshot(obj, fields))
    if changes:
        obj.save()
        audit.record(actor, AuditAction.UPDATE, obj, changes=changes)
    return obj
