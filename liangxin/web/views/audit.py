"""The audit log, read within scope, filtered by who, what, which object and when; and its export."""

import datetime

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render

from liangxin.core import audit, normalize
from liangxin.core.models import AuditAction
from liangxin.core.xlsx import Column

from ..base import ScopedView, export_response

OBJECT_TYPES = {
    "orgs.organization": "两新组织",
    "regions.region": "行政区划",
    "regions.carrier": "载体",
    "mgmt.managementnode": "管理节点",
    "accounts.user": "用户账号",
    "party.partyorganization": "党组织",
    "party.member": "党员",
    "party.instructor": "党建指导员",
    "party.policyparameter": "政策参数",
    "party.setupmodelinkkind": "组建方式对照",
    "party.finding": "问题清单",
    "core.auditentry": "操作日志",
}


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def filtered_entries(scope, g) -> tuple[QuerySet, list[tuple[str, str]]]:
    """The entries of the list page and its export, and the filters applied as (label, value)."""
    entries = scope.audit_entries()
    applied = []
    actor = normalize.text(g.get("actor"))
    if actor:
        entries = entries.filter(actor_name__contains=actor)
        applied.append(("操作人", actor))
    if g.get("action") in AuditAction.values:
        entries = entries.filter(action=g["action"])
        applied.append(("操作", AuditAction(g["action"]).label))
    if g.get("object_type") in OBJECT_TYPES:
        entries = entries.filter(object_type=g["object_type"])
        applied.append(("对象类型", OBJECT_TYPES[g["object_type"]]))
    if g.get("object_id", "").isdigit():
        entries = entries.filter(object_id=g["object_id"])
        applied.append(("对象编号", g["object_id"]))
    start, end = _date(g.get("start")), _date(g.get("end"))
    if start:
        entries = entries.filter(at__date__gte=start)
        applied.append(("从", start.isoformat()))
    if end:
        entries = entries.filter(at__date__lte=end)
        applied.append(("至", end.isoformat()))
    return entries, applied


def changes_text(entry) -> str:
    """The changed fields one per line, as the list page shows them."""
    changes = (entry.changes or {}).items()
    return "\n".join(f"{field}：{audit.shown(before)} → {audit.shown(after)}" for field, (before, after) in changes)


class AuditList(ScopedView):
    required = "can_read_audit"

    def get(self, request):
        entries, _ = filtered_entries(self.scope, request.GET)
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        return render(
            request,
            "web/audit/list.html",
            {
                "page": page,
                "actions": AuditAction.choices,
                "object_types": OBJECT_TYPES.items(),
                "g": request.GET,
                "query": params.urlencode(),
            },
        )


class AuditExport(ScopedView):
    required = AuditList.required

    COLUMNS = [
        Column("时间", lambda e: e.at, 20, "datetime"),
        Column("操作人", lambda e: e.actor_name, 14),
        Column("来源", lambda e: e.origin, 20),
        Column("操作", lambda e: e.get_action_display(), 10),
        Column("对象类型", lambda e: OBJECT_TYPES.get(e.object_type, e.object_type), 14),
        Column("对象编号", lambda e: e.object_id, 10),
        Column("对象", lambda e: e.object_repr, 30),
        Column("变更内容", changes_text, 50),
        Column("说明", lambda e: e.detail, 40),
    ]

    def get(self, request):
        entries, applied = filtered_entries(self.scope, request.GET)
        return export_response(
            request,
            title="操作日志",
            object_type="core.auditentry",
            filter_text="；".join(f"{label}：{value}" for label, value in applied) or "无（权限范围内全部）",
            columns=self.COLUMNS,
            rows=entries.iterator(chunk_size=2000),
        )
