"""The audit log, read within scope, filtered by who, what, which object and when."""

import datetime

from django.core.paginator import Paginator
from django.shortcuts import render

from liangxin.core import normalize
from liangxin.core.models import AuditAction

from ..base import ScopedView

OBJECT_TYPES = {
    "orgs.organization": "两新组织",
    "regions.region": "行政区划",
    "regions.carrier": "载体",
    "mgmt.managementnode": "管理节点",
    "accounts.user": "用户账号",
}


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


class AuditList(ScopedView):
    required = "can_read_audit"

    def get(self, request):
        entries = self.scope.audit_entries()
        g = request.GET
        actor = normalize.text(g.get("actor"))
        if actor:
            entries = entries.filter(actor_name__contains=actor)
        if g.get("action") in AuditAction.values:
            entries = entries.filter(action=g["action"])
        if g.get("object_type") in OBJECT_TYPES:
            entries = entries.filter(object_type=g["object_type"])
        if g.get("object_id", "").isdigit():
            entries = entries.filter(object_id=g["object_id"])
        start, end = _date(g.get("start")), _date(g.get("end"))
        if start:
            entries = entries.filter(at__date__gte=start)
        if end:
            entries = entries.filter(at__date__lte=end)
        page = Paginator(entries, 50).get_page(g.get("page"))
        params = g.copy()
        params.pop("page", None)
        return render(
            request,
            "web/audit/list.html",
            {
                "page": page,
                "actions": AuditAction.choices,
                "object_types": OBJECT_TYPES.items(),
                "g": g,
                "query": params.urlencode(),
            },
        )
