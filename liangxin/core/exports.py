"""The audit log's export."""

from .queries import OBJECT_TYPES, changes_text, filtered_entries
from .xlsx import Column, ListExport

AUDIT_COLUMNS = [
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


def audit_export(scope, params) -> ListExport:
    entries, applied = filtered_entries(scope.audit_entries(), params)
    return ListExport(title="操作日志", object_type="core.auditentry",
                      filter_text="；".join(f"{label}：{value}" for label, value in applied) or "无（权限范围内全部）",
                      columns=AUDIT_COLUMNS, rows=entries.iterator(chunk_size=2000))  # fmt: skip
