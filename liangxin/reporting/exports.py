"""收集汇总: the collected sheet — one row per answering node (its latest version), a subtotal
row after each level of the tree, the total last, and who submitted when."""

import datetime
from decimal import Decimal

from liangxin.core.xlsx import Column, ListExport

from . import template_tasks as tt
from .choices import SUMMABLE_KINDS, FieldKind
from .models import ReportTask
from .services import Collected, Row, Subtotal, fields_of


def _value(kind: str, key: str):
    def value(item: Row | Subtotal):
        if isinstance(item, Subtotal):
            return item.sums.get(key) if kind in SUMMABLE_KINDS else None
        if not item.answered:
            return None
        raw = item.values.get(key)
        if raw in (None, ""):
            return None
        if kind in SUMMABLE_KINDS:
            return Decimal(str(raw))
        if kind == FieldKind.FILE:
            return raw.get("name", "") if isinstance(raw, dict) else ""
        return str(raw)

    return value


def _row_only(fn):
    return lambda item: fn(item) if isinstance(item, Row) else None


def collected(c: Collected) -> ListExport:
    columns = [
        Column("报送单位", lambda i: i.node_name if isinstance(i, Row) else i.label, 28),
        Column("状态", _row_only(lambda r: r.state_label), 10),
        Column("已报/应报", lambda i: f"{i.answered}/{i.expected}" if isinstance(i, Subtotal) else None, 10),
        *[Column(f.label, _value(f.kind, f.key), 14, "number" if f.kind in SUMMABLE_KINDS else "text")
          for f in c.fields],
        Column("版本", _row_only(lambda r: r.version or None), 6, "number"),
        Column("提交人", _row_only(lambda r: r.submitted_by), 12),
        Column("提交时间", _row_only(lambda r: r.submitted_at), 18, "datetime"),
        Column("逾期提交", _row_only(lambda r: "是" if r.late else ""), 8),
        Column("含更正", _row_only(lambda r: "是" if r.corrected else ""), 8),
    ]  # fmt: skip
    task = c.task
    return ListExport(
        title=f"{task.title}_汇总", object_type="reporting.reporttask",
        filter_text=f"{task.form.name}；统计期 {task.period_start:%Y-%m-%d} 至 {task.period_end:%Y-%m-%d}",
        columns=columns, rows=c.sheet(), count=len(c.rows),
    )  # fmt: skip


# -- Excel 模板报送 -------------------------------------------------------------------------------------
def _cell(kind: str, i: int, numeric: list[int]):
    def value(item: tt.Row | tt.Subtotal):
        if isinstance(item, tt.Subtotal):
            return item.sums[numeric.index(i)] if i in numeric else None
        raw = item.cells[i] if item.answered else ""
        if raw in (None, ""):
            return None
        if kind == FieldKind.NUMBER:
            return Decimal(raw)
        if kind == FieldKind.DATE:
            return datetime.date.fromisoformat(raw)
        return raw

    return value


def _tt_row(fn):
    return lambda item: fn(item) if isinstance(item, tt.Row) else None


def template_collected(task: ReportTask) -> ListExport:
    """The template task's sheet: every row each node gave, with the node's name and code, a 小计
    row per level for the number columns, 合计 last, and who submitted when — rows streamed from
    ``template_tasks.collect`` into a constant-memory workbook."""
    fields = fields_of(task.form)
    numeric = [i for i, f in enumerate(fields) if f.kind == FieldKind.NUMBER]
    kinds = {FieldKind.NUMBER: "number", FieldKind.DATE: "date"}
    columns = [
        Column("报送单位", lambda i: i.node_name if isinstance(i, tt.Row) else i.label, 28),
        Column("单位名称", _tt_row(lambda r: r.unit_name), 28),
        Column("单位代码", _tt_row(lambda r: r.unit_code), 10),
        Column("状态", _tt_row(lambda r: r.state_label), 10),
        Column("已报/应报", lambda i: f"{i.answered}/{i.expected}" if isinstance(i, tt.Subtotal) else None, 10),
        *[Column(f.label, _cell(f.kind, i, numeric), 14, kinds.get(f.kind, "text")) for i, f in enumerate(fields)],
        Column("版本", _tt_row(lambda r: r.version or None), 6, "number"),
        Column("提交人", _tt_row(lambda r: r.submitted_by), 12),
        Column("提交时间", _tt_row(lambda r: r.submitted_at), 18, "datetime"),
        Column("逾期提交", _tt_row(lambda r: "是" if r.late else ""), 8),
    ]  # fmt: skip
    return ListExport(
        title=f"{task.title}_汇总", object_type="reporting.reporttask",
        filter_text=f"{task.form.name}；统计期 {task.period_start:%Y-%m-%d} 至 {task.period_end:%Y-%m-%d}",
        columns=columns, rows=tt.collect(task),
    )  # fmt: skip
