"""Bulk imports and background exports: which kinds a user may import, and their own jobs."""

from django.db.models import QuerySet

from liangxin.imports.kinds import KINDS
from liangxin.imports.models import ExportJob, ImportJob

from .base import ScopeBase


class ImportScope(ScopeBase):
    def import_kinds(self) -> list:
        """The kinds of ledger this user may import (each kind names the capability it needs)."""
        return [kind for kind in KINDS.values() if getattr(self, kind.required)]

    def import_jobs(self) -> QuerySet:
        """A user's own import jobs (the platform operator sees all)."""
        qs = ImportJob.objects.select_related("actor")
        return qs if self.is_superuser else qs.filter(actor_id=self.user_id)

    def export_jobs(self) -> QuerySet:
        """A user's own background exports (the file holds what their scope saw)."""
        qs = ExportJob.objects.select_related("actor")
        return qs if self.is_superuser else qs.filter(actor_id=self.user_id)

    @property
    def can_import(self) -> bool:
        return bool(self.import_kinds())
