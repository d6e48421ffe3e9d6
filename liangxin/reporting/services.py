"""报送任务: every change of state — send a task, answer it, return, remind, close, roll up — each
validated, written in one transaction with its audit entry. Reading the answers back is
``collect`` (the completion page, the collected sheet and the API all read it).

Who may act is the face's question (``accounts.scoping.reporting``): the page or endpoint fetches
the task or assignment from the user's scope (404 outside it) and hands it here; the services
check what does not depend on the user — the task's state, the deadline, each value.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment
from liangxin.accounts.roles import PARTY_EDITORS, REGISTRY_EDITORS
from liangxin.core import attachments, audit, normalize
from liangxin.core.models import AuditAction
from liangxin.core.tree import subtree_q
from liangxin.inbox import services as inbox
from liangxin.inbox.models import Notice, NoticeKind
from liangxin.messaging import services as messaging
from liangxin.messaging.channels import Channel, Outcome
from liangxin.messaging.choices import ChannelKind, MessageSource
from liangxin.messaging.models import Delivery, Message
from liangxin.mgmt.models import ManagementNode, NodeKind

from . import measures
from .choices import ANSWERED_STATES, SUMMABLE_KINDS, AddresseeRule, AssignmentState, FieldKind, FormKind, TaskState
from .models import ReportAssignment, ReportField, ReportForm, ReportSubmission, ReportTask

BATCH = 5000  # assignments per INSERT: a task to every party organization of a city is ~80,000
FILE_FOLDER = "reporting"
NUMBER_LIMIT = Decimal("1e12")


def _raise(errors: Mapping[str, str]) -> None:
    if set(errors) == {"__all__"}:  # a refusal of the whole step, not of a field
        raise ValidationError(errors["__all__"])
    if errors:
        raise ValidationError(dict(errors))


def _actor_name(actor) -> str:
    return (getattr(actor, "display_name", None) or str(actor or "系统"))[:150]


def period_of(task: ReportTask) -> measures.Period:
    return measures.Period(task.period_start, task.period_end)


# -- sending ------------------------------------------------------------------------------------
def addressees(node: ManagementNode, rule: str, kinds: Iterable[str] = ()) -> QuerySet:
    """The nodes a task from ``node`` reaches: its active children, or every active node of the
    given kinds in its subtree (not ``node`` itself). Always inside the sender's subtree."""
    qs = ManagementNode.objects.filter(is_active=True).exclude(pk=node.pk)
    if rule == AddresseeRule.CHILDREN:
        return qs.filter(parent=node)
    return qs.filter(subtree_q(node.path), kind__in=list(kinds))


def check_task(
    form: ReportForm | None,
    title: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    deadline: datetime.date | None,
    rule: str,
    kinds: list[str],
    today: datetime.date,
) -> dict[str, str]:
    """Every reason a task cannot be sent (Chinese, per field)."""
    errors: dict[str, str] = {}
    if form is None or not form.is_active:
        errors["form"] = "请选择可用的报送表单"
    if not title:
        errors["title"] = "请填写任务名称"
    if period_start is None:
        errors["period_start"] = "请填写统计期起"
    if period_end is None:
        errors["period_end"] = "请填写统计期止"
    elif period_start is not None and period_end < period_start:
        errors["period_end"] = "统计期止不能早于统计期起"
    if deadline is None:
        errors["deadline"] = "请填写截止日期"
    elif deadline < today:
        errors["deadline"] = "截止日期不能早于今天"
    if rule not in AddresseeRule.values:
        errors["addressee_rule"] = "请选择报送对象"
    elif rule == AddresseeRule.KINDS:
        unknown = [k for k in kinds if k not in NodeKind.values or k == NodeKind.CITY]
        if not kinds or unknown:
            errors["addressee_kinds"] = "请选择报送单位类型（区级党委、街道/镇综合党委、行业党委或基层党组织）"
    return errors


@transaction.atomic
def create_task(
    actor,
    node: ManagementNode,
    form: ReportForm | None,
    *,
    title: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    deadline: datetime.date | None,
    rule: str,
    kinds: list[str] | None = None,
    today: datetime.date | None = None,
) -> ReportTask:
    """发起报送 from ``node`` (a node the face has checked the actor sends from)."""
    today = today or timezone.localdate()
    title = normalize.prose(title)
    kinds = list(dict.fromkeys(kinds or []))
    _raise(check_task(form, title, period_start, period_end, deadline, rule, kinds, today))
    assert form is not None and period_start and period_end and deadline
    if form.owner_id is not None and form.owner_id not in node.ancestor_ids:
        _raise({"form": "该模板由其他单位制作，本单位不能使用"})
    nodes = addressees(node, rule, kinds)
    if not nodes.exists():
        _raise({"addressee_rule": "所选报送对象下没有可报送的单位"})
    task = ReportTask.objects.create(
        form=form, title=title, sender=actor if getattr(actor, "pk", None) else None, node=node,
        period_start=period_start, period_end=period_end, deadline=deadline, addressee_rule=rule,
        addressee_kinds=kinds if rule == AddresseeRule.KINDS else [],
    )  # fmt: skip
    # ids only, in batches: the nodes of a whole city never sit in memory as objects
    count, batch = 0, []
    for node_id in nodes.order_by("path").values_list("pk", flat=True).iterator(chunk_size=BATCH):
        batch.append(ReportAssignment(task=task, node_id=node_id))
        if len(batch) == BATCH:
            ReportAssignment.objects.bulk_create(batch)
            count, batch = count + len(batch), []
    ReportAssignment.objects.bulk_create(batch)
    count += len(batch)
    audit.record(actor, AuditAction.CREATE, task, detail=f"发起报送：{form.name}，报送单位 {count} 个")
    return task


@transaction.atomic
def close_task(actor, task: ReportTask) -> ReportTask:
    """关闭任务: no submission is accepted after it."""
    task = ReportTask.objects.select_for_update().get(pk=task.pk)
    if task.state == TaskState.CLOSED:
        _raise({"state": "该报送任务已关闭"})
    task.state, task.closed_at = TaskState.CLOSED, timezone.now()
    task.save(update_fields=["state", "closed_at"])
    audit.record(actor, AuditAction.UPDATE, task, changes={"state": ["报送中", "已截止关闭"]})
    return task


# -- answering ----------------------------------------------------------------------------------
def fields_of(form: ReportForm) -> list[ReportField]:
    return list(form.fields.order_by("order"))


def prefill(assignment: ReportAssignment) -> dict[str, str]:
    """{field key: the platform's figure for the assignment's node and the task's period}."""
    task = assignment.task
    return {
        f.key: number_text(measures.measure(f.measure, assignment.node, period_of(task)))
        for f in fields_of(task.form)
        if f.kind == FieldKind.PREFILLED
    }


def number_text(value: Decimal) -> str:
    """A figure as stored: plain decimal text without trailing zeros ("12", "35.5")."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def parse_number(raw) -> Decimal:
    text = normalize.text(str(raw if raw is not None else "")).replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"应为数字，收到「{text}」") from None
    if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
        raise ValueError(f"数字超出范围：「{text}」")
    if value < 0:
        raise ValueError("不能为负数")
    return value


def clean_value(f: ReportField, raw) -> str:
    """One answer as stored ("" for blank), or ValueError in Chinese."""
    if f.kind == FieldKind.TEXT:
        text = normalize.prose(raw)
        if len(text) > 2000:
            raise ValueError("文字不能超过 2000 字")
        return text
    text = normalize.text(str(raw if raw is not None else ""))
    if text == "":
        return ""
    if f.kind in SUMMABLE_KINDS:
        return number_text(parse_number(text))
    if f.kind == FieldKind.DATE:
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"应为日期（如 2026-03-31），收到「{text}」") from None
    if f.kind == FieldKind.CHOICE:
        if text not in f.choices:
            raise ValueError(f"应为以下选项之一：{'、'.join(f.choices)}")
        return text
    return text


@dataclass
class Answer:
    """What a node sends: typed values per key, a note per corrected prefilled key, new files."""

    values: dict[str, object] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    files: dict[str, object] = field(default_factory=dict)


def refusal(assignment: ReportAssignment) -> str:
    """Why the node cannot answer now (Chinese), or ""."""
    if assignment.task.state == TaskState.CLOSED:
        return "该报送任务已关闭，不能再提交"
    if assignment.state in ANSWERED_STATES:
        return "本单位已提交，如需修改请联系发起单位退回后重新提交"
    return ""


def _latest(assignment: ReportAssignment) -> ReportSubmission | None:
    return assignment.submissions.order_by("-version").first()


@transaction.atomic
def submit(
    actor, assignment: ReportAssignment, answer: Answer, now: datetime.datetime | None = None
) -> ReportSubmission:
    """提交 (or 重新提交 after a return): every field checked per its kind; a prefilled value
    that differs from the platform's figure needs a note; after the deadline it is marked late."""
    now = now or timezone.now()
    assignment = ReportAssignment.objects.select_for_update().select_related("task__form", "node").get(pk=assignment.pk)
    refused = refusal(assignment)
    if refused:
        _raise({"__all__": refused})
    if assignment.task.form.kind == FormKind.TEMPLATE:
        _raise({"__all__": "该任务按 Excel 模板报送，请下载模板填写后上传"})
    measured = prefill(assignment)
    previous = _latest(assignment)
    values: dict[str, object] = {}
    corrections: dict[str, str] = {}
    errors: dict[str, str] = {}
    uploads: dict[str, tuple[Any, attachments.FileType]] = {}
    for f in fields_of(assignment.task.form):
        if f.kind == FieldKind.FILE:
            upload = answer.files.get(f.key)
            if upload is not None:
                try:
                    uploads[f.key] = (upload, attachments.check_upload(upload))
                except ValidationError as e:
                    errors[f.key] = f"{f.label}：{'；'.join(e.messages)}"
                values[f.key] = None
            else:
                values[f.key] = (previous.values.get(f.key) if previous else None) or None
                if f.required and not values[f.key]:
                    errors[f.key] = f"请上传{f.label}"
            continue
        raw = answer.values.get(f.key)
        if f.kind == FieldKind.PREFILLED and (raw is None or normalize.text(str(raw)) == ""):
            raw = measured[f.key]  # left as shown: the platform's figure
        try:
            value = clean_value(f, raw)
        except ValueError as e:
            errors[f.key] = f"{f.label}：{e}"
            continue
        if value == "" and f.required:
            errors[f.key] = f"请填写{f.label}"
        values[f.key] = value
        if f.kind == FieldKind.PREFILLED and value != measured[f.key]:
            note = normalize.prose(answer.notes.get(f.key) or "")
            if not note:
                errors[f.key] = f"{f.label}：与平台数据（{measured[f.key]}）不一致，请填写更正说明"
            corrections[f.key] = note[:500]
    unknown = sorted(set(answer.values) - {f.key for f in fields_of(assignment.task.form)})
    if unknown:
        errors["__all__"] = f"表单中没有这些栏目：{'、'.join(unknown)}"
    _raise(errors)
    written: list[str] = []
    try:
        for key, (upload, kind) in uploads.items():
            stored, _digest, size = attachments.store(upload, kind, FILE_FOLDER)
            written.append(stored)
            values[key] = {
                "name": attachments.display_name(upload.name), "stored": stored, "size": size,
                "content_type": kind.content_type,
            }  # fmt: skip
        return store_version(actor, assignment, values, measured, corrections, now)
    except BaseException:
        for stored in written:  # nothing half-stored: the files go with the failed transaction
            attachments.remove(stored, FILE_FOLDER)
        raise


def store_version(
    actor,
    assignment: ReportAssignment,
    values: dict,
    measured: dict[str, str],
    corrections: dict[str, str],
    now: datetime.datetime,
    rolled_up_from: ReportTask | None = None,
    rows: list | None = None,
) -> ReportSubmission:
    """One new version (a form's values, or a template's rows) and the assignment's state after it."""
    late = timezone.localdate(now) > assignment.task.deadline
    version = assignment.version + 1
    submission = ReportSubmission.objects.create(
        assignment=assignment, version=version, values=values, prefilled=measured, corrections=corrections,
        submitted_by=actor if getattr(actor, "pk", None) else None, submitted_by_name=_actor_name(actor),
        submitted_at=now, late=late, rolled_up_from=rolled_up_from, rows=rows or [],
    )  # fmt: skip
    before = assignment.get_state_display()
    assignment.state = AssignmentState.LATE if late else AssignmentState.SUBMITTED
    assignment.version, assignment.submitted_at = version, now
    assignment.save(update_fields=["state", "version", "submitted_at"])
    what = "汇总上报" if rolled_up_from else ("重新提交" if version > 1 else "提交")
    audit.record(
        actor, AuditAction.UPDATE, assignment,
        changes={"state": [before, assignment.get_state_display()]},
        detail=f"{what}第{version}版" + (f"（{len(rows)} 行）" if rows else "") + ("（逾期）" if late else "")
        + ("（含更正）" if corrections else ""),
    )  # fmt: skip
    return submission


@transaction.atomic
def return_submission(actor, assignment: ReportAssignment, reason: str) -> ReportSubmission:
    """退回: the latest version goes back to the node with a reason; it answers again (a new version)."""
    assignment = ReportAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
    reason = normalize.prose(reason)
    errors = {}
    if assignment.task.state == TaskState.CLOSED:
        errors["__all__"] = "该报送任务已关闭，不能退回"
    elif assignment.state not in ANSWERED_STATES:
        errors["__all__"] = "该单位尚未提交，无需退回"
    if not reason:
        errors["reason"] = "请填写退回原因"
    _raise(errors)
    latest = _latest(assignment)
    assert latest is not None, "an answered assignment has a submission"
    latest.returned_reason, latest.returned_at = reason[:500], timezone.now()
    latest.save(update_fields=["returned_reason", "returned_at"])
    before = assignment.get_state_display()
    assignment.state = AssignmentState.RETURNED
    assignment.save(update_fields=["state"])
    audit.record(
        actor, AuditAction.UPDATE, assignment,
        changes={"state": [before, assignment.get_state_display()]}, detail=f"退回第{latest.version}版：{reason}",
    )  # fmt: skip
    inbox.notify(
        node_admins(assignment.node), NoticeKind.REPORT, f"报送被退回：{assignment.task.title}", f"退回原因：{reason}",
        url=_answer_url(assignment), key=f"reporting-return:{latest.pk}",
    )  # fmt: skip
    return latest


def _answer_url(assignment: ReportAssignment) -> str:
    return reverse("web:report_answer", args=[assignment.pk])


# -- reminding ----------------------------------------------------------------------------------
def node_admins(node: ManagementNode) -> list:
    """Who answers for a node: its committee administrators, or a party organization's secretary."""
    roles = PARTY_EDITORS if node.kind == NodeKind.GRASSROOTS else REGISTRY_EDITORS
    return [
        ra.user
        for ra in RoleAssignment.objects.filter(node=node, role__in=list(roles), user__is_active=True).select_related(
            "user"
        )
    ]


def admins_of(nodes: Iterable[ManagementNode]) -> dict[int, list]:
    """``node_admins`` for many nodes in one query: {node id: its active administrators}."""
    by_id = {n.pk: n for n in nodes}
    found: dict[int, list] = {pk: [] for pk in by_id}
    grants = RoleAssignment.objects.filter(node_id__in=list(by_id), user__is_active=True).select_related("user")
    for g in grants.order_by("node_id", "user_id"):
        roles = PARTY_EDITORS if by_id[g.node_id].kind == NodeKind.GRASSROOTS else REGISTRY_EDITORS
        if g.role in roles and g.user not in found[g.node_id]:
            found[g.node_id].append(g.user)
    return found


class _Later:
    """A channel that is not sent in this run: ``send_pending`` leaves its deliveries waiting
    (the quiet-hours path, no attempt spent) for the worker. 催报 sends the inbox at once (a local
    write) and leaves e-mail and SMS — requests to outside servers — to the worker."""

    kind: ClassVar[str] = "later"
    atomic: ClassVar[bool] = True

    def wait_until(self, now: datetime.datetime) -> datetime.datetime | None:
        return now

    def send(self, delivery: Delivery) -> Outcome:  # never called: wait_until always defers
        raise AssertionError(delivery)


REMIND_CHANNELS = (ChannelKind.INBOX, ChannelKind.EMAIL, ChannelKind.SMS)


@dataclass
class Reminded:
    nodes: int
    message: Message | None


def _recipient(user) -> messaging.Recipient:
    addresses: dict[str, str] = {}
    if user.email:
        addresses[ChannelKind.EMAIL] = user.email
    if user.phone:
        addresses[ChannelKind.SMS] = user.phone
    return messaging.Recipient(key=f"user:{user.pk}", name=user.display_name, user_id=user.pk, addresses=addresses)


@transaction.atomic
def remind(actor, task: ReportTask, today: datetime.date | None = None) -> Reminded:
    """催报: a 信息群发 of source 报送任务 to the administrators of each node that has not answered
    (not yet, or returned) — inbox, and e-mail and SMS where they have an address — once per
    assignment (a conditional update). The inbox goes now, linked to the node's answer page; the
    face hands the message to the worker for the rest (``messaging.tasks.start_sending``)."""
    today = today or timezone.localdate()
    if task.state == TaskState.CLOSED:
        _raise({"__all__": "该报送任务已关闭，无需催报"})
    now = timezone.now()
    ReportTask.objects.select_for_update().filter(pk=task.pk).first()  # two 催报 at once: the second waits, finds none
    waiting = task.assignments.filter(
        state__in=[AssignmentState.PENDING, AssignmentState.RETURNED], reminded_at__isnull=True
    ).select_related("node")
    assignments = list(waiting)
    ReportAssignment.objects.filter(pk__in=[a.pk for a in assignments]).update(reminded_at=now)
    message = None
    if assignments:
        message = _remind_message(actor, task, assignments, today)
    audit.record(actor, AuditAction.UPDATE, task, detail=f"催报 {len(assignments)} 个单位")
    return Reminded(len(assignments), message)


def _remind_message(actor, task: ReportTask, assignments: list[ReportAssignment], today: datetime.date) -> Message:
    overdue = today > task.deadline
    title = f"{'已逾期' if overdue else '请按时报送'}：{task.title}"
    body = f"<p>截止日期 {task.deadline:%Y-%m-%d}，发起单位：{task.node.name}。请登录平台在“待报送”中填报。</p>"
    message = Message.objects.create(
        title=title[:200], body=body, sender=actor, node=task.node,
        source=MessageSource.REPORT, channels=[c.value for c in REMIND_CHANNELS],
        # no 发送范围: the recipients are the waiting nodes' administrators, chosen here
        target={},
    )  # fmt: skip
    audit.record(actor, AuditAction.CREATE, message, detail=f"催报：{task.title}")
    admins = admins_of(a.node for a in assignments)
    first: dict[int, ReportAssignment] = {}  # a user administering two waiting nodes: one delivery
    for a in assignments:
        for user in admins[a.node_id]:
            first.setdefault(user.pk, a)
    users = {u.pk: u for us in admins.values() for u in us}
    messaging.queue_message(actor, message, [_recipient(u) for u in users.values()], REMIND_CHANNELS)
    later: dict[str, Channel] = {ChannelKind.EMAIL: _Later(), ChannelKind.SMS: _Later()}
    messaging.send_pending(message.pk, channels=later)
    # the inbox notice opens the node's answer page (where the task is filled), not the message's
    for user_id, a in first.items():
        key = messaging.idempotency_key(message.pk, f"user:{user_id}", ChannelKind.INBOX)
        Notice.objects.filter(recipient_id=user_id, key=key).update(url=_answer_url(a))
    return message


# -- collecting ---------------------------------------------------------------------------------
@dataclass
class Row:
    """One answering node in the collected sheet."""

    node_id: int
    node_name: str
    path: str
    state: str
    state_label: str
    version: int = 0
    values: dict = field(default_factory=dict)
    submitted_at: datetime.datetime | None = None
    submitted_by: str = ""
    late: bool = False
    corrected: bool = False

    @property
    def answered(self) -> bool:
        return self.state in ANSWERED_STATES


@dataclass
class Subtotal:
    """小计 of one node of the tree over the answered rows beneath it (合计 for the sender)."""

    node_id: int
    label: str
    path: str
    depth: int
    sums: dict[str, Decimal]
    answered: int = 0
    expected: int = 0


@dataclass
class Collected:
    task: ReportTask
    fields: list[ReportField]
    rows: list[Row]
    subtotals: list[Subtotal]
    total: Subtotal

    @property
    def summable(self) -> list[str]:
        return [f.key for f in self.fields if f.kind in SUMMABLE_KINDS]

    def sheet(self) -> list[Row | Subtotal]:
        """Rows and subtotals interleaved in tree order: each subtotal after its subtree's rows."""
        keyed: list[tuple[str, int, Row | Subtotal]] = [(r.path, 0, r) for r in self.rows]
        keyed += [(s.path + "~", 1, s) for s in self.subtotals]  # "~" sorts after "/" and digits
        return [item for _, _, item in sorted(keyed, key=lambda k: (k[0], k[1]))] + [self.total]


def add_values(sums: dict[str, Decimal], values: Mapping, keys: Iterable[str]) -> None:
    for key in keys:
        raw = values.get(key)
        if raw not in (None, ""):
            sums[key] += Decimal(str(raw))


def collect(task: ReportTask) -> Collected:
    """收集汇总: one row per answering node (its latest version), and subtotals per level of the
    tree between the sender and the answering nodes, summing the answered rows' number fields."""
    fields = fields_of(task.form)
    keys = [f.key for f in fields if f.kind in SUMMABLE_KINDS]
    latest = {
        s.assignment_id: s
        for s in ReportSubmission.objects.filter(assignment__task=task, version=F("assignment__version")).only(
            "assignment_id", "version", "values", "submitted_at", "submitted_by_name", "late", "corrections"
        )
    }
    labels = dict(AssignmentState.choices)
    rows = []
    for a in task.assignments.order_by("node__path").values("pk", "node_id", "node__name", "node__path", "state"):
        row = Row(a["node_id"], a["node__name"], a["node__path"], a["state"], labels[a["state"]])
        s = latest.get(a["pk"])
        if s is not None:
            row.version, row.values, row.submitted_at = s.version, s.values, s.submitted_at
            row.submitted_by, row.late, row.corrected = s.submitted_by_name, s.late, bool(s.corrections)
        rows.append(row)
    depth0 = len(task.node.ancestor_ids)  # the ids in the sender's path: what lies below starts there
    groups: dict[int, Subtotal] = {}
    ancestor_ids = {int(p) for r in rows for p in r.path.split("/")[depth0 + 1 : -2] if p}
    names = dict(ManagementNode.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
    total = Subtotal(task.node_id, "合计", task.node.path, depth0, dict.fromkeys(keys, Decimal(0)))
    for row in rows:
        ids = [int(p) for p in row.path.split("/") if p]
        for depth, node_id in enumerate(ids[depth0:-1], start=depth0):
            if node_id not in groups:
                path = "/" + "/".join(str(i) for i in ids[: depth + 1]) + "/"
                label = f"{names.get(node_id, '')}小计"
                groups[node_id] = Subtotal(node_id, label, path, depth, dict.fromkeys(keys, Decimal(0)))
        for target in [total, *(groups[i] for i in ids[depth0:-1])]:
            target.expected += 1
            if row.answered:
                target.answered += 1
                add_values(target.sums, row.values, keys)
    subtotals = sorted(groups.values(), key=lambda s: s.path)
    return Collected(task, fields, rows, subtotals, total)


def completion(task: ReportTask) -> dict[str, int]:
    """How many assignments are in each state, plus 应报 (all) and 逾期未报 (past the deadline, unanswered)."""
    counts = dict.fromkeys(AssignmentState.values, 0)
    for state, n in task.assignments.order_by().values_list("state").annotate(n=Count("pk")):
        counts[state] = n
    counts["all"] = sum(counts[s] for s in AssignmentState.values)
    unanswered = counts[AssignmentState.PENDING] + counts[AssignmentState.RETURNED]
    counts["overdue"] = unanswered if timezone.localdate() > task.deadline else 0
    return counts


# -- 汇总上报 -----------------------------------------------------------------------------------------
def rollup_sources(assignment: ReportAssignment) -> QuerySet:
    """The tasks whose answers can make this assignment's answer: sent from its node with the same form."""
    return ReportTask.objects.filter(node_id=assignment.node_id, form_id=assignment.task.form_id).order_by(
        "-created_at"
    )


def _most_common(values: list[str]) -> str:
    counts: dict[str, int] = {}
    for v in values:
        if v:
            counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: counts[v]) if counts else ""


@transaction.atomic
def rollup(actor, assignment: ReportAssignment, source: ReportTask, now: datetime.datetime | None = None):
    """汇总上报: a committee answers its upper committee's task with the answers its own task of the
    same form collected below it — each number field the sum of the answered rows (a district's
    row is the sum of its streets'). Pre-filled fields keep the platform's figure beside the sum; a
    sum that differs carries the note that it was rolled up. Other fields: a required text says
    what was summed, a required choice the answer most rows gave, a required date today."""
    now = now or timezone.now()
    assignment = ReportAssignment.objects.select_for_update().select_related("task__form", "node").get(pk=assignment.pk)
    refused = refusal(assignment)
    if not refused and assignment.task.form.kind == FormKind.TEMPLATE:
        refused = "该任务按 Excel 模板报送，汇总上报时合并下级各单位的数据行"
    if not refused and source.node_id != assignment.node_id:
        refused = "只能汇总本单位发起的报送任务"
    elif not refused and source.form_id != assignment.task.form_id:
        refused = "两个任务的报送表单不同，不能汇总上报"
    collected = collect(source) if not refused else None
    if collected is not None and collected.total.answered == 0:
        refused = "本单位发起的任务还没有下级单位提交，无可汇总"
    if refused:
        _raise({"__all__": refused})
    assert collected is not None
    total = collected.total
    measured = prefill(assignment)
    summary = f"汇总「{source.title}」下级 {total.answered}/{total.expected} 个单位的报送"
    values: dict[str, object] = {}
    corrections: dict[str, str] = {}
    for f in collected.fields:
        if f.kind in SUMMABLE_KINDS:
            values[f.key] = number_text(total.sums[f.key])
            if f.kind == FieldKind.PREFILLED and values[f.key] != measured[f.key]:
                corrections[f.key] = f"汇总下级报送（平台数据 {measured[f.key]}）"
        elif f.kind == FieldKind.TEXT:
            values[f.key] = summary if f.required else ""
        elif f.kind == FieldKind.CHOICE:
            values[f.key] = _most_common([str(r.values.get(f.key) or "") for r in collected.rows if r.answered])
        elif f.kind == FieldKind.DATE:
            values[f.key] = timezone.localdate(now).isoformat() if f.required else ""
        else:
            values[f.key] = None
    return store_version(actor, assignment, values, measured, corrections, now, rolled_up_from=source)


def file_of(submission: ReportSubmission, key: str) -> tuple[str, str, str] | None:
    """(path, name, content type) of a file field's answer in ``submission``, or None."""
    value = submission.values.get(key)
    if not isinstance(value, dict) or not value.get("stored"):
        return None
    path = str(attachments.path_of(value["stored"], FILE_FOLDER))
    return path, value.get("name", "附件"), value.get("content_type", "")
