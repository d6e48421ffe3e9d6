"""Excel 模板报送: the sender's template (upload, then a kind per column), a node's answer (a filled
workbook, or rows over the API), 汇总上报 of a template task (the streets' rows passed up), and
the collection — every row each node gave, with the node's name and code, 小计 of the number
columns per level of the tree, streamed in tree order so that 80,000 nodes never sit in memory.

A template is a ``ReportForm`` of kind TEMPLATE whose ``ReportField``s are its columns (keys c1,
c2 …, the header as label, a kind of 文本/数字/日期/选择 and 必填 chosen by the sender after upload):
so tasks, assignments, versions, returns, late marking and 催报 are the form kind's own.
"""

import datetime
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liangxin.core import attachments, audit, normalize
from liangxin.core.models import AuditAction
from liangxin.mgmt.models import ManagementNode

from . import services, workbooks
from .choices import ANSWERED_STATES, COLUMN_KINDS, AssignmentState, FieldKind, FormKind
from .models import ReportAssignment, ReportField, ReportForm, ReportSubmission, ReportTask

CHUNK = 2000  # assignments read at a time by the collection
MAX_CHOICES = 50
MAX_ROLLED_UP_ROWS = 200_000


def is_template(form: ReportForm) -> bool:
    return form.kind == FormKind.TEMPLATE


# -- the sender's template ------------------------------------------------------------------------
@transaction.atomic
def create_template(actor, node: ManagementNode, *, name: str, description: str, upload) -> ReportForm:
    """上传模板: the header row of the workbook's first sheet becomes the columns (kind guessed from
    the first data row, none required); the template is not offered for tasks until the sender has
    confirmed the columns (``set_columns``)."""
    name, errors = normalize.prose(name), {}
    if not name:
        errors["name"] = "请填写模板名称"
    elif len(name) > 100:
        errors["name"] = "模板名称不能超过 100 字"
    elif ReportForm.objects.filter(name=name).exists():
        errors["name"] = "已有同名的报送表单或模板，请换一个名称"
    template = None
    if upload is None:
        errors["file"] = "请选择 Excel 模板文件（.xlsx）"
    else:
        try:
            template = workbooks.read_template(upload)
        except ValidationError as e:
            errors["file"] = "；".join(e.messages)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    assert template is not None
    form = ReportForm.objects.create(
        name=name, kind=FormKind.TEMPLATE, description=normalize.prose(description)[:2000], is_active=False,
        owner=node, template_name=_display(upload.name), sheet_name=template.sheet_name[:100],
    )  # fmt: skip
    ReportField.objects.bulk_create(
        ReportField(form=form, order=i, key=f"c{i}", label=h, kind=kind, required=False)
        for i, (h, kind) in enumerate(zip(template.headers, template.guesses, strict=True), start=1)
    )
    audit.record(actor, AuditAction.CREATE, form, detail=f"上传报送模板：{len(template.headers)} 列")
    return form


def _display(raw: str) -> str:
    return attachments.display_name(raw)[:200]


@dataclass
class ColumnSpec:
    kind: str
    required: bool
    choices: list[str] = field(default_factory=list)


def parse_choices(text: str) -> list[str]:
    """选项 as typed: separated by 、，, ; or new lines, blanks dropped, each once."""
    for sep in "，,;；\n\r":
        text = text.replace(sep, "、")
    return list(dict.fromkeys(c.strip() for c in text.split("、") if c.strip()))


@transaction.atomic
def set_columns(actor, form: ReportForm, specs: Mapping[str, ColumnSpec]) -> ReportForm:
    """确认列: each column's kind (文本/数字/日期/选择) and 必填; a choice column needs its options.
    The template is offered for tasks from then on; once a task uses it, its columns are fixed."""
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    if not is_template(form):
        raise ValidationError("这不是 Excel 模板")
    if form.tasks.exists():
        raise ValidationError("该模板已用于报送任务，列的设置不能再修改")
    fields = services.fields_of(form)
    errors: dict[str, list[str]] = {}
    for f in fields:
        spec = specs.get(f.key)
        if spec is None or spec.kind not in COLUMN_KINDS:
            errors[f.key] = [f"「{f.label}」：请选择类型（文本、数字、日期或选择）"]
        elif spec.kind == FieldKind.CHOICE and not spec.choices:
            errors[f.key] = [f"「{f.label}」：选择列请填写选项，用顿号分隔"]
        elif len(spec.choices) > MAX_CHOICES or any(len(c) > 50 for c in spec.choices):
            errors[f.key] = [f"「{f.label}」：最多 {MAX_CHOICES} 个选项，每个不超过 50 字"]
    if errors:
        raise ValidationError(errors)
    changes = {}
    for f in fields:
        spec = specs[f.key]
        before = (f.get_kind_display(), "必填" if f.required else "选填")
        f.kind, f.required = spec.kind, spec.required
        f.choices = spec.choices if spec.kind == FieldKind.CHOICE else []
        after = (f.get_kind_display(), "必填" if f.required else "选填")
        if before != after:
            changes[f.label] = ["、".join(before), "、".join(after)]
    ReportField.objects.bulk_update(fields, ["kind", "required", "choices"])
    was_active, form.is_active = form.is_active, True
    form.save(update_fields=["is_active"])
    audit.record(actor, AuditAction.UPDATE, form, changes=changes, detail="确认模板的列" if not was_active else "")
    return form


# -- a node's answer ------------------------------------------------------------------------------
def check_rows(fields: list[ReportField], rows: Iterable[tuple[str, list[str]]], node) -> list[list[str]]:
    """Each row as stored ([name, code, *values]); or one ValidationError naming, for each wrong
    cell, the row, the column and the reason. ``rows``: (where, cells) with where like "第3行"."""
    code, width = workbooks.node_code(node), len(workbooks.FIXED_HEADERS) + len(fields)
    cleaned: list[list[str]] = []
    errors: list[str] = []
    count = 0
    for where, cells in rows:
        count += 1
        if count > workbooks.MAX_ROWS:
            raise ValidationError(f"数据行过多：一次最多 {workbooks.MAX_ROWS} 行")
        row_errors = []
        if len(cells) > width:
            row_errors.append(f"{where}：第{width + 1}列起在表头之外还有内容，请删去")
        if cells[1] != code:
            got = f"「{cells[1]}」" if cells[1] else "为空"
            row_errors.append(f"{where}「{workbooks.CODE_HEADER}」：{got}不是本单位（{node.name}，代码 {code}），"
                              f"只能填报本单位的数据")  # fmt: skip
        values = [node.name, code]
        for f, raw in zip(fields, cells[len(workbooks.FIXED_HEADERS) : width], strict=True):
            try:
                value = services.clean_value(f, raw)
            except ValueError as e:
                row_errors.append(f"{where}「{f.label}」：{e}")
                continue
            if value == "" and f.required:
                row_errors.append(f"{where}「{f.label}」：必填，未填写")
            values.append(value)
        errors += row_errors
        cleaned.append(values)
    if errors:
        shown = errors[: workbooks.MAX_ERRORS]
        more = len(errors) - len(shown)
        raise ValidationError(shown + ([f"另有 {more} 处错误未列出"] if more else []))
    if not cleaned:
        raise ValidationError("没有填写任何数据行：请在表头下方逐行填写后再上传")
    return cleaned


def _refuse(assignment: ReportAssignment) -> None:
    if not is_template(assignment.task.form):
        raise ValidationError("该任务是在线表单，请在页面上填写")
    refused = services.refusal(assignment)
    if refused:
        raise ValidationError(refused)


def _locked(assignment: ReportAssignment) -> ReportAssignment:
    return ReportAssignment.objects.select_for_update().select_related("task__form", "node").get(pk=assignment.pk)


def node_workbook(assignment: ReportAssignment) -> tuple[str, BinaryIO]:
    """下载模板: the task's template written for the answering node (its name and code pre-filled):
    the file name and an open handle (the file itself is already unlinked: it lives until closed)."""
    if not is_template(assignment.task.form):
        raise ValidationError("该任务是在线表单，没有 Excel 模板")
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    handle.close()
    task = assignment.task
    workbooks.write_for_node(handle.name, services.fields_of(task.form), assignment.node, task.title, task.deadline)
    opened = open(handle.name, "rb")  # noqa: SIM115 — the response closes it once sent
    os.unlink(handle.name)
    return f"{task.title}_{assignment.node.name}.xlsx", opened


@transaction.atomic
def submit_workbook(actor, assignment: ReportAssignment, upload, now: datetime.datetime | None = None):
    """上传填好的模板: the header and every cell checked as an import; any error refuses the whole
    file in Chinese and nothing is stored. After the deadline the version is marked late."""
    assignment = _locked(assignment)
    _refuse(assignment)
    if upload is None:
        raise ValidationError("请选择填好的 Excel 文件")
    fields = services.fields_of(assignment.task.form)
    rows = check_rows(
        fields, ((f"第{n}行", cells) for n, cells in workbooks.read_answer(upload, fields)), assignment.node
    )
    return services.store_version(actor, assignment, {}, {}, {}, now or timezone.now(), rows=rows)


@transaction.atomic
def submit_rows(actor, assignment: ReportAssignment, rows: list[Mapping[str, object]], now=None):
    """The API's answer: rows keyed by column key (c1, c2 …), checked as the workbook's are."""
    assignment = _locked(assignment)
    _refuse(assignment)
    fields = services.fields_of(assignment.task.form)
    keys = {f.key for f in fields}
    unknown = sorted({k for r in rows for k in r} - keys)
    if unknown:
        raise ValidationError(f"模板中没有这些列：{'、'.join(unknown)}")
    code = workbooks.node_code(assignment.node)

    def cells(r: Mapping[str, object]) -> list[str]:
        return [assignment.node.name, code, *(workbooks.cell_text(r.get(f.key, "")) for f in fields)]

    numbered = ((f"第{i}条", cells(r)) for i, r in enumerate(rows, start=1))
    cleaned = check_rows(fields, numbered, assignment.node)
    return services.store_version(actor, assignment, {}, {}, {}, now or timezone.now(), rows=cleaned)


@transaction.atomic
def rollup(actor, assignment: ReportAssignment, source: ReportTask, now: datetime.datetime | None = None):
    """汇总上报 of a template task: the answer's rows are every row the node's own task of the same
    template collected below it (their units' names and codes kept), concatenated in tree order."""
    assignment = _locked(assignment)
    _refuse(assignment)
    if source.node_id != assignment.node_id:
        raise ValidationError("只能汇总本单位发起的报送任务")
    if source.form_id != assignment.task.form_id:
        raise ValidationError("两个任务的报送模板不同，不能汇总上报")
    rows: list[list[str]] = []
    for item in collect(source):
        if isinstance(item, Row) and item.answered:
            rows.append([item.unit_name, item.unit_code, *item.cells])
            if len(rows) > MAX_ROLLED_UP_ROWS:
                raise ValidationError(f"下级报送的数据行超过 {MAX_ROLLED_UP_ROWS} 行，不能汇总上报")
    if not rows:
        raise ValidationError("本单位发起的任务还没有下级单位提交，无可汇总")
    now = now or timezone.now()
    return services.store_version(actor, assignment, {}, {}, {}, now, rolled_up_from=source, rows=rows)


# -- collecting -----------------------------------------------------------------------------------
@dataclass
class Row:
    """One row of the collected sheet: a row a node gave (or, for a node with no answer, its one
    empty row), with the node that answered and the unit the row is about."""

    node_name: str
    unit_name: str
    unit_code: str
    state: str
    state_label: str
    cells: list[str]
    version: int = 0
    submitted_by: str = ""
    submitted_at: datetime.datetime | None = None
    late: bool = False

    @property
    def answered(self) -> bool:
        return self.state in ANSWERED_STATES


@dataclass
class Subtotal:
    """小计 of one node over the rows beneath it (合计 for the sender): the number columns' sums,
    and how many nodes beneath answered of how many were asked."""

    node_id: int
    label: str
    sums: list[Decimal]
    answered: int = 0
    expected: int = 0


def _chunks(it: Iterable, size: int) -> Iterator[list]:
    it = iter(it)
    while chunk := list(islice(it, size)):
        yield chunk


def collect(task: ReportTask) -> Iterator[Row | Subtotal]:
    """Every answering node's rows in tree order, a 小计 after each level's subtree, 合计 last.
    Reads ``CHUNK`` assignments (and their latest versions) at a time and holds only the open
    subtotals — one per level — so memory does not grow with the number of nodes."""
    fields = services.fields_of(task.form)
    numeric = [i for i, f in enumerate(fields) if f.kind == FieldKind.NUMBER]
    depth0 = len(task.node.ancestor_ids)
    labels = dict(AssignmentState.choices)
    names: dict[int, str] = {}
    total = Subtotal(task.node_id, "合计", [Decimal(0)] * len(numeric))
    stack: list[Subtotal] = []
    rows = task.assignments.order_by("node__path").values_list("pk", "node_id", "node__name", "node__path", "state")
    for chunk in _chunks(rows.iterator(chunk_size=CHUNK), CHUNK):
        latest = {
            s.assignment_id: s
            for s in ReportSubmission.objects.filter(
                assignment_id__in=[a[0] for a in chunk], version=F("assignment__version")
            ).only("assignment_id", "version", "rows", "submitted_at", "submitted_by_name", "late")
        }
        wanted = {int(p) for a in chunk for p in a[3].split("/")[depth0 + 1 : -2] if p} - names.keys()
        names.update(ManagementNode.objects.filter(pk__in=wanted).values_list("pk", "name"))
        for pk, node_id, node_name, path, state in chunk:
            ancestors = [int(p) for p in path.split("/") if p][depth0:-1]
            common = 0
            while common < min(len(stack), len(ancestors)) and stack[common].node_id == ancestors[common]:
                common += 1
            while len(stack) > common:
                yield stack.pop()
            stack += [Subtotal(i, f"{names.get(i, '')}小计", [Decimal(0)] * len(numeric)) for i in ancestors[common:]]
            yield from _node_rows(latest.get(pk), node_id, node_name, state, labels[state], fields, numeric,
                                  [total, *stack])  # fmt: skip
    while stack:
        yield stack.pop()
    yield total


def _node_rows(s, node_id, node_name, state, label, fields, numeric, groups) -> Iterator[Row]:
    answered = state in ANSWERED_STATES and s is not None
    for g in groups:
        g.expected += 1
        g.answered += answered
    if not answered:
        yield Row(node_name, node_name, str(node_id), state, label, [""] * len(fields))
        return
    for r in s.rows:
        cells = list(r[len(workbooks.FIXED_HEADERS) :])
        for g in groups:
            for j, i in enumerate(numeric):
                if cells[i] not in (None, ""):
                    g.sums[j] += Decimal(cells[i])
        yield Row(node_name, r[0], r[1], state, label, cells, s.version, s.submitted_by_name, s.submitted_at, s.late)
