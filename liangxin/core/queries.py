"""The audit log's list: one filter for its page and its export."""

import datetime

from django.db.models import QuerySet

from . import audit, normalize
from .models import AuditAction

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


def filtered_entries(entries: QuerySet, g) -> tuple[QuerySet, list[tuple[str, str]]]:
    """The audit entries (already narrowed to the user's scope) for these parameters, and the
    filters applied as (label, value)."""
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
