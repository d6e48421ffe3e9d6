"""报送任务: the sender's pages (发起报送, the task's completion per node, 催报, 退回, 关闭, 收集汇总)
and the answering node's (待报送, the form with the platform's pre-filled figures, versions).
The rules are in ``reporting.services``; who may do what in ``accounts.scoping.reporting``."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from liangxin.core import files
from liangxin.core import params as params_
from liangxin.messaging import tasks as messaging_tasks
from liangxin.mgmt.models import NodeKind
from liangxin.reporting import exports, services
from liangxin.reporting.choices import ANSWERED_STATES, AddresseeRule, AssignmentState, FieldKind, TaskState
from liangxin.reporting.models import ReportAssignment, ReportForm, ReportSubmission

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
            "nodes": self.scope.report_sender_nodes(), "forms": ReportForm.objects.filter(is_active=True),
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
        form = ReportForm.objects.filter(pk=form_id).first() if form_id is not None else None
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


def _versions(assignment) -> list[dict]:
    """Every version of an answer with its fields in order: label, value, measured, note."""
    fields = services.fields_of(assignment.task.form)
    out = []
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
            "a": a, "task": a.task, "fields": fields, "errors": errors.get("__all__", []), "versions": _versions(a),
            "refusal": services.refusal(a), "returned": returned, "overdue": timezone.localdate() > a.task.deadline,
            "sources": _rollup_sources(self.scope, a),
        }  # fmt: skip

    def get(self, request, pk):
        a = get_in_scope(self.scope.report_assignments(), pk=pk)
        return render(request, "web/reporting/answer.html", self.context(a, {}, {}))

    def post(self, request, pk):
        a = get_in_scope(self.scope.report_assignments(), pk=pk)
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
            s = services.rollup(request.user, a, source)
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
        export = exports.collected(services.collect(task))
        return export_response(request, title=export.title, object_type=export.object_type,
                               filter_text=export.filter_text, columns=export.columns, rows=export.rows)  # fmt: skip


NAV = [
    ("报送任务", "web:report_list", READER),
    ("发起报送", "web:report_new", SENDER),
    ("待报送", "web:report_mine", ANSWERER),
]

urlpatterns = [
    path("reporting/", TaskList.as_view(), name="report_list"),
    path("reporting/new/", TaskNew.as_view(), name="report_new"),
    path("reporting/mine/", Mine.as_view(), name="report_mine"),
    path("reporting/mine/<int:pk>/", Answer.as_view(), name="report_answer"),
    path("reporting/mine/<int:pk>/rollup/", Rollup.as_view(), name="report_rollup"),
    path("reporting/<int:pk>/", TaskDetail.as_view(), name="report_detail"),
    path("reporting/<int:pk>/collect.xlsx", CollectExport.as_view(), name="report_collect"),
    path("reporting/<int:pk>/<slug:action>/", TaskStep.as_view(), name="report_step"),
    path("reporting/assignments/<int:pk>/", AssignmentView.as_view(), name="report_assignment"),
    path("reporting/submissions/<int:pk>/files/<slug:key>/", SubmissionFile.as_view(), name="report_file"),
]
