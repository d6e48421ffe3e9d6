"""报送任务: the sender's pages (发起报送, the task's completion per node, 催报, 退回, 关闭, 收集汇总)
and the answering node's (待报送, the form with the platform's pre-filled figures, versions).
The rules are in ``reporting.services``; who may do what in ``accounts.scoping.reporting``."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from liangxin.core import files
from liangxin.core import params as params_
from liangxin.messaging import tasks as messaging_tasks
from liangxin.mgmt.models import NodeKind
from liangxin.reporting import exports, services, workbooks
from liangxin.reporting import template_tasks as templates
from liangxin.reporting.choices import (
    ANSWERED_STATES,
    COLUMN_KINDS,
    AddresseeRule,
    AssignmentState,
    FieldKind,
    FormKind,
    TaskState,
)
from liangxin.reporting.models import ReportAssignment, ReportSubmission

from ..base import ScopedView, deny, export_response, get_in_scope, paginate, refused

READER, SENDER, ANSWERER = "can_read_reports", "can_send_reports", "can_answer_reports"
ADDRESSEE_KINDS = [(k.value, k.label) for k in NodeKind if k != NodeKind.CITY]


def _date(raw) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _completion_counts(tasks):
    unanswered = Q(assignments__state__in=[AssignmentState.PENDING, AssignmentState.RETURNED])
    return tasks.annotate(
        n_all=Count("assignments"),
        n_done=Count("assignments", filter=Q(assignments__state__in=ANSWERED_STATES)),
        n_late=Count("assignments", filter=Q(assignments__state=AssignmentState.LATE)),
        n_returned=Count("assignments", filter=Q(assignments__state=AssignmentState.RETURNED)),
        n_waiting=Count("assignments", filter=unanswered),
    )


class TaskList(ScopedView):
    required = READER

    def get(self, request):
        tasks = _completion_counts(self.scope.report_tasks("view")).order_by("-created_at", "-pk")
        page, query = paginate(request, tasks)
        return render(request, "web/reporting/list.html", {"page": page, "query": query,
                                                             "today": timezone.localdate()})  # fmt: skip


class TaskNew(ScopedView):
    required = SENDER

    def context(self, data, errors):
        return {
            "nodes": self.scope.report_sender_nodes(), "forms": self.scope.report_forms(),
            "kinds": ADDRESSEE_KINDS, "rules": AddresseeRule.choices, "data": data, "errors": errors,
            "general": errors.get("__all__", []),
        }  # fmt: skip

    def get(self, request):
        today = timezone.localdate()
        data = {"rule": AddresseeRule.CHILDREN, "deadline": (today + datetime.timedelta(days=14)).isoformat()}
        return render(request, "web/reporting/new.html", self.context(data, {}))

    def post(self, request):
        data = request.POST
        # without a choice, the first node the user sends from (the one the page offers first)
        nodes = self.scope.report_sender_nodes()
        node_id = params_.parse_id(data, "node", "发起单位")
        node = get_in_scope(nodes, pk=node_id) if node_id is not None else nodes.first()
        if node is None:
            raise Http404
        form_id = params_.parse_id(data, "form", "报送表单")
        form = self.scope.report_forms().filter(pk=form_id).first() if form_id is not None else None
        try:
            task = services.create_task(
                request.user, node, form, title=data.get("title", ""), period_start=_date(data.get("period_start")),
                period_end=_date(data.get("period_end")), deadline=_date(data.get("deadline")),
                rule=data.get("rule", ""), kinds=data.getlist("kinds"),
            )  # fmt: skip
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
            ctx = self.context({**data.dict(), "kinds": data.getlist("kinds")}, errors)
            return render(request, "web/reporting/new.html", ctx, status=400)
        messages.success(request, f"已发起报送，报送单位 {task.assignments.count()} 个")
        return redirect("web:report_detail", pk=task.pk)


class TaskDetail(ScopedView):
    """The completion page: per node its state, late and returned highlighted, overdue marked."""

    required = READER

    def get(self, request, pk):
        task = get_in_scope(self.scope.report_tasks("view"), pk=pk)
        rows = task.assignments.select_related("node").order_by("node__path")
        state = request.GET.get("state", "")
        if state in AssignmentState.values:
            rows = rows.filter(state=state)
        page, query = paginate(request, rows, per_page=100)
        today = timezone.localdate()
        return render(request, "web/reporting/detail.html", {
            "task": task, "page": page, "query": query, "counts": services.completion(task),
            "states": AssignmentState.choices, "state": state, "may_manage": self.scope.may_manage_report(task),
            "overdue": today > task.deadline, "is_open": task.state == TaskState.OPEN,
            "answered": ANSWERED_STATES,
        })  # fmt: skip


class TaskStep(ScopedView):
    """催报 and 关闭: the sender's administrators only (a reader above: 403)."""

    required = READER
    STEPS = {"remind": "催报", "close": "关闭任务"}

    def post(self, request, pk, action):
        if action not in self.STEPS:
            raise Http404
        task = get_in_scope(self.scope.report_tasks("view"), pk=pk)
        if not self.scope.may_manage_report(task):
            deny("只有发起单位的管理员可以办理")
        try:
            if action == "remind":
                done = services.remind(request.user, task)
                if done.message is not None:  # e-mail and SMS go from the worker
                    messaging_tasks.start_sending(done.message)
                messages.success(
                    request,
                    f"已催报 {done.nodes} 个单位（站内消息，并按管理员登记的邮箱、手机发送）"
                    if done.nodes
                    else "没有需要催报的单位（已催报过的不再重复）",
                )
            else:
                services.close_task(request.user, task)
                messages.success(request, "报送任务已关闭")
        except ValidationError as e:
            refused(request, e)
        return redirect("web:report_detail", pk=pk)


class AssignmentView(ScopedView):
    """One node's answer as the sender sees it: every version, and 退回 with a reason."""

    required = READER

    def assignment(self, pk):
        from_tasks = self.scope.report_tasks("view")
        return get_in_scope(ReportAssignment.objects.filter(task__in=from_tasks).select_related("task__form", "node"),
                            pk=pk)  # fmt: skip

    def get(self, request, pk):
        a = self.assignment(pk)
        return render(request, "web/reporting/assignment.html", {
            "a": a, "task": a.task, "versions": _versions(a), "may_manage": self.scope.may_manage_report(a.task),
            "answered": a.state in ANSWERED_STATES, "is_open": a.task.state == TaskState.OPEN,
        })  # fmt: skip

    def post(self, request, pk):
        a = self.assignment(pk)
        if not self.scope.may_manage_report(a.task):
            deny("只有发起单位的管理员可以退回")
        try:
            services.return_submission(request.user, a, request.POST.get("reason", ""))
            messages.success(request, f"已退回{a.node.name}的报送")
        except ValidationError as e:
            refused(request, e)
        return redirect("web:report_assignment", pk=pk)


SHOWN_ROWS = 200  # a template answer's rows on the page; the collected sheet has them all


def _versions(assignment) -> list[dict]:
    """Every version of an answer with its fields in order: label, value, measured, note (a form),
    or its rows (a template: the first ``SHOWN_ROWS``)."""
    fields = services.fields_of(assignment.task.form)
    out = []
    if assignment.task.form.kind == FormKind.TEMPLATE:
        for s in assignment.submissions.order_by("-version"):
            out.append({"s": s, "rows": s.rows[:SHOWN_ROWS], "row_count": len(s.rows),
                        "headers": [*workbooks.FIXED_HEADERS, *(f.label for f in fields)]})  # fmt: skip
        return out
    for s in assignment.submissions.order_by("-version"):
        out.append({"s": s, "fields": [
            {"label": f.label, "value": _shown(f, s.values.get(f.key)), "measured": s.prefilled.get(f.key),
             "note": s.corrections.get(f.key, ""), "prefilled": f.kind == FieldKind.PREFILLED,
             "file_key": f.key if f.kind == FieldKind.FILE and s.values.get(f.key) else ""}
            for f in fields
        ]})  # fmt: skip
    return out


def _shown(f, value) -> str:
    if f.kind == FieldKind.FILE:
        return value["name"] if isinstance(value, dict) else ""
    return "" if value is None else str(value)


class Mine(ScopedView):
    """待报送: the tasks the user's own node answers, open ones first."""

    required = ANSWERER

    def get(self, request):
        rows = self.scope.report_assignments().order_by("-task__state", "task__deadline", "pk")
        page, query = paginate(request, rows)
        return render(request, "web/reporting/mine.html", {"page": page, "query": query,
                                                             "today": timezone.localdate()})  # fmt: skip


class Answer(ScopedView):
    """The form: pre-filled figures shown beside each field; a changed one needs 更正说明."""

    required = ANSWERER

    def context(self, a, data, errors):
        measured = services.prefill(a) if a.task.state == TaskState.OPEN else {}
        latest = a.submissions.order_by("-version").first()
        fields = []
        for f in services.fields_of(a.task.form):
            if f.key in data:
                value = data[f.key]
            elif latest is not None and f.kind != FieldKind.FILE:
                value = latest.values.get(f.key) or ""
            else:
                value = measured.get(f.key, "")
            fields.append({
                "f": f, "value": value, "measured": measured.get(f.key),
                # a correction kept from the last version stays with its value unless retyped
                "note": data.get(f"note_{f.key}", latest.corrections.get(f.key, "") if latest is not None else ""),
                "error": "；".join(errors.get(f.key, [])),
                "file": latest.values.get(f.key) if latest is not None and f.kind == FieldKind.FILE else None,
            })  # fmt: skip
        returned = latest.returned_reason if latest is not None and a.state == AssignmentState.RETURNED else ""
        return {
            "template": a.task.form.kind == FormKind.TEMPLATE, "code": workbooks.node_code(a.node),
            "a": a, "task": a.task, "fields": fields, "errors": errors.get("__all__", []), "versions": _versions(a),
            "refusal": services.refusal(a), "returned": returned, "overdue": timezone.localdate() > a.task.deadline,
            "sources": _rollup_sources(self.scope, a),
        }  # fmt: skip

    def get(self, request, pk):
        a = get_in_scope(self.scope.report_assignments(), pk=pk)
        return render(request, "web/reporting/answer.html", self.context(a, {}, {}))

    def post(self, request, pk):
        a = get_in_scope(self.scope.report_assignments(), pk=pk)
        if a.task.form.kind == FormKind.TEMPLATE:
            return self.upload(request, a)
        keys = [f.key for f in services.fields_of(a.task.form)]
        answer = services.Answer(
            values={k: request.POST.get(k, "") for k in keys if k in request.POST},
            notes={k: request.POST.get(f"note_{k}", "") for k in keys},
            files={k: request.FILES[k] for k in keys if k in request.FILES},
        )
        try:
            s = services.submit(request.user, a, answer)
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
            return render(request, "web/reporting/answer.html", self.context(a, request.POST, errors), status=400)
        messages.success(request, f"已提交第{s.version}版" + ("（逾期提交）" if s.late else ""))
        return redirect("web:report_answer", pk=pk)

    def upload(self, request, a):
        """A filled template: the header and every cell checked; any error, nothing stored."""
        try:
            s = templates.submit_workbook(request.user, a, request.FILES.get("workbook"))
        except ValidationError as e:
            return render(request, "web/reporting/answer.html", self.context(a, {}, {"__all__": e.messages}),
                          status=400)  # fmt: skip
        late = "（逾期提交）" if s.late else ""
        messages.success(request, f"已提交第{s.version}版，共 {len(s.rows)} 行{late}")
        return redirect("web:report_answer", pk=a.pk)


class TemplateDownload(ScopedView):
    """下载模板: the task's template pre-filled with the answering node's name and code."""

    required = ANSWERER

    def get(self, request, pk):
        a = get_in_scope(self.scope.report_assignments(), pk=pk)
        if a.task.form.kind != FormKind.TEMPLATE:
            raise Http404
        name, handle = templates.node_workbook(a)
        return FileResponse(handle, as_attachment=True, filename=name)


def _rollup_sources(scope, a):
    """The user's own tasks of the same form, sent from the answering node (汇总上报's sources)."""
    return services.rollup_sources(a).filter(pk__in=scope.report_tasks("change").values("pk"))


class Rollup(ScopedView):
    """汇总上报: answer with the sums of what the node's own task of the same form collected below."""

    required = ANSWERER

    def post(self, request, pk):
        a = get_in_scope(self.scope.report_assignments(), pk=pk)
        source_id = params_.parse_id(request.POST, "source", "汇总的报送任务")
        source = _rollup_sources(self.scope, a).filter(pk=source_id).first() if source_id else None
        try:
            if source is None:
                raise ValidationError("请选择本单位发起的同一表单的报送任务")
            rollup = templates.rollup if a.task.form.kind == FormKind.TEMPLATE else services.rollup
            s = rollup(request.user, a, source)
            messages.success(request, f"已汇总上报第{s.version}版" + ("（逾期提交）" if s.late else ""))
        except ValidationError as e:
            refused(request, e)
        return redirect("web:report_answer", pk=pk)


class SubmissionFile(ScopedView):
    """An answer's file (附件): for the node that answered and for those who read the task."""

    required = "can_use_reports"

    def get(self, request, pk, key):
        mine = Q(assignment__in=self.scope.report_assignments().values("pk"))
        read = Q(assignment__task__in=self.scope.report_tasks("view").values("pk"))
        submission = get_in_scope(ReportSubmission.objects.filter(mine | read), pk=pk)
        found = services.file_of(submission, key)
        if found is None:
            raise Http404
        return files.download(*found)


class CollectExport(ScopedView):
    """收集汇总: every answer in one sheet, one row per node, subtotals per level, who submitted when."""

    required = READER

    def get(self, request, pk):
        task = get_in_scope(self.scope.report_tasks("view"), pk=pk)
        if not self.scope.may_manage_report(task):
            deny("只有发起单位的管理员可以收集汇总")
        if task.form.kind == FormKind.TEMPLATE:
            export = exports.template_collected(task)  # streamed: every row of every node
        else:
            export = exports.collected(services.collect(task))
        return export_response(request, title=export.title, object_type=export.object_type,
                               filter_text=export.filter_text, columns=export.columns, rows=export.rows)  # fmt: skip


class Templates(ScopedView):
    """Excel 模板: the templates made at the user's nodes, and 上传模板 (then the columns page)."""

    required = SENDER

    def context(self, data, errors):
        return {
            "templates": self.scope.report_templates().order_by("-pk"), "nodes": self.scope.report_sender_nodes(),
            "data": data, "errors": errors,
        }  # fmt: skip

    def get(self, request):
        return render(request, "web/reporting/templates.html", self.context({}, {}))

    def post(self, request):
        nodes = self.scope.report_sender_nodes()
        node_id = params_.parse_id(request.POST, "node", "制作单位")
        node = get_in_scope(nodes, pk=node_id) if node_id is not None else nodes.first()
        if node is None:
            raise Http404
        try:
            form = templates.create_template(
                request.user, node, name=request.POST.get("name", ""), description=request.POST.get("description", ""),
                upload=request.FILES.get("file"),
            )  # fmt: skip
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"file": e.messages}
            return render(request, "web/reporting/templates.html", self.context(request.POST, errors), status=400)
        messages.success(request, f"模板已上传，共 {form.fields.count()} 列：请确认每列的类型和是否必填")
        return redirect("web:report_template", pk=form.pk)


class TemplateColumns(ScopedView):
    """确认列: each column's kind (文本/数字/日期/选择), 必填, and a choice column's options."""

    required = SENDER
    KINDS = [(k.value, k.label) for k in COLUMN_KINDS]

    def context(self, form, data, errors):
        rows = []
        for f in services.fields_of(form):
            rows.append({
                "f": f, "kind": data.get(f"kind_{f.key}", f.kind),
                "required": data.get(f"required_{f.key}") == "1" if data else f.required,
                "choices": data.get(f"choices_{f.key}", "、".join(f.choices)),
                "error": "；".join(errors.get(f.key, [])),
            })  # fmt: skip
        return {"form": form, "rows": rows, "kinds": self.KINDS, "locked": form.tasks.exists(),
                "errors": errors.get("__all__", [])}  # fmt: skip

    def get(self, request, pk):
        form = get_in_scope(self.scope.report_templates(), pk=pk)
        return render(request, "web/reporting/template.html", self.context(form, {}, {}))

    def post(self, request, pk):
        form = get_in_scope(self.scope.report_templates(), pk=pk)
        specs = {
            f.key: templates.ColumnSpec(
                request.POST.get(f"kind_{f.key}", ""), request.POST.get(f"required_{f.key}") == "1",
                templates.parse_choices(request.POST.get(f"choices_{f.key}", "")),
            )
            for f in services.fields_of(form)
        }  # fmt: skip
        try:
            templates.set_columns(request.user, form, specs)
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
            return render(request, "web/reporting/template.html", self.context(form, request.POST, errors), status=400)
        messages.success(request, f"模板“{form.name}”已可用于发起报送")
        return redirect("web:report_templates")


NAV = [
    ("报送任务", "web:report_list", READER),
    ("发起报送", "web:report_new", SENDER),
    ("待报送", "web:report_mine", ANSWERER),
    ("报送模板", "web:report_templates", SENDER),
]

urlpatterns = [
    path("reporting/", TaskList.as_view(), name="report_list"),
    path("reporting/new/", TaskNew.as_view(), name="report_new"),
    path("reporting/mine/", Mine.as_view(), name="report_mine"),
    path("reporting/mine/<int:pk>/", Answer.as_view(), name="report_answer"),
    path("reporting/mine/<int:pk>/rollup/", Rollup.as_view(), name="report_rollup"),
    path("reporting/mine/<int:pk>/template.xlsx", TemplateDownload.as_view(), name="report_template_download"),
    path("reporting/templates/", Templates.as_view(), name="report_templates"),
    path("reporting/templates/<int:pk>/", TemplateColumns.as_view(), name="report_template"),
    path("reporting/<int:pk>/", TaskDetail.as_view(), name="report_detail"),
    path("reporting/<int:pk>/collect.xlsx", CollectExport.as_view(), name="report_collect"),
    path("reporting/<int:pk>/<slug:action>/", TaskStep.as_view(), name="report_step"),
    path("reporting/assignments/<int:pk>/", AssignmentView.as_view(), name="report_assignment"),
    path("reporting/submissions/<int:pk>/files/<slug:key>/", SubmissionFile.as_view(), name="report_file"),
]
