"""The audit log, read within scope, filtered by who, what, which object and when; and its export."""

from django.shortcuts import render

from liangxin.core.exports import audit_export
from liangxin.core.models import AuditAction
from liangxin.core.queries import OBJECT_TYPES, filtered_entries

from ..base import ExportView, ScopedView, paginate


class AuditList(ScopedView):
    required = "can_read_audit"

    def get(self, request):
        entries, _ = filtered_entries(self.scope.audit_entries(), request.GET)
        page, query = paginate(request, entries)
        return render(
            request,
            "web/audit/list.html",
            {
                "page": page,
                "actions": AuditAction.choices,
                "object_types": OBJECT_TYPES.items(),
                "g": request.GET,
                "query": query,
            },
        )


class AuditExport(ExportView):
    required = AuditList.required

    def build(self, request):
        return audit_export(self.scope, request.GET)
