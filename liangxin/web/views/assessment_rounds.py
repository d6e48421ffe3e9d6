"""考核评估 — 考核轮次 pages: the rounds, starting one (the city), a round's page (stage, progress per
reviewing committee, the grade distribution per child node, the results with drill-down), a subject's
scoring sheet (the tree with the platform's figures, the self scores with notes and evidence, the
reviewer's adjustments, objections and the history) with each side's steps, 我的考核任务, and the
round's scores as a workbook. Rules and changes live in ``liangxin.assessment.rounds``/``results``;
who may do what is ``Scope``'s."""

from collections import Counter, defaultdict

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from liangxin.assessment import exports, queries, results, rounds
from liangxin.assessment.choices import EntryState, Grade, Method
from liangxin.assessment.models import IndicatorVersion, ScoreEvidence
from liangxin.core import attachments, files
from liangxin.core.models import AuditEntry
from liangxin.core.params import parse_id
from liangxin.mgmt.models import ManagementNode

from ..base import ScopedView, deny, export_response, get_in_scope, paginate, refused
from ..forms import errors_to_form

NAV: list[tuple[str, str, str | None]] = [
    ("考核轮次", "web:assessment_rounds", "can_read_rounds"),
    ("我的考核任务", "web:assessment_tasks", "can_read_rounds"),
]


class RoundForm(forms.Form):
    """The shape of the form only: every rule is ``rounds.clean_round``'s."""

    name = forms.CharField(label="轮次名称", required=False, widget=forms.TextInput(attrs={"maxlength": 60}))
    version = forms.ChoiceField(label="指标体系版本", required=False, help_text="只能选已发布的版本")
    period_start = forms.CharField(label="考核期起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.CharField(label="考核期止", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    excellent_from = forms.CharField(label="优秀分数线", required=False, initial="90", help_text="总分达到即为优秀")
    good_from = forms.CharField(label="良好分数线", required=False, initial="80")
    fair_from = forms.CharField(label="一般分数线", required=False, initial="60", help_text="低于此线为较差")
    thresholds_source = forms.CharField(label="分数线出处", required=False, initial="市级设定")
    objection_days = forms.CharField(
        label="异议期（天）", required=False, initial="7", help_text="发布后多少天内可提出异议"
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", "（请选择）")] + [(str(v.pk), str(v)) for v in versions]


def _versions(scope):
    return IndicatorVersion.objects.filter(indicator_set__in=scope.indicator_sets(), status="published").select_related(
        "indicator_set"
    )


class RoundList(ScopedView):
    required = "can_read_rounds"

    def get(self, request):
        page, query = paginate(request, self.scope.rounds(), 30)
        return render(request, "web/assessment/rounds.html", {"page": page, "query": query})


class RoundStart(ScopedView):
    required = "can_start_rounds"

    def get(self, request):
        form = RoundForm(versions=_versions(self.scope))
        return render(request, "web/assessment/round_form.html", {"form": form})

    def post(self, request):
        form = RoundForm(request.POST, versions=_versions(self.scope))
        if form.is_valid():
            try:
                rnd = rounds.open_round(request.user, self.scope, form.cleaned_data)
                messages.success(request, f"已发起考核轮次「{rnd.name}」，共 {rnd.entries.count()} 个评估对象")
                return redirect("web:assessment_round", pk=rnd.pk)
            except ValidationError as error:
                errors_to_form(form, error)
        return render(request, "web/assessment/round_form.html", {"form": form}, status=400)


def _home(scope) -> ManagementNode | None:
    """The node whose children the distribution is drawn over: the user's first grant's node."""
    return ManagementNode.objects.filter(pk=scope.grants[0].node_id).first() if scope.grants else None


class RoundDetail(ScopedView):
    required = "can_read_rounds"

    def get(self, request, pk):
        rnd = get_in_scope(self.scope.rounds(), pk=pk)
        entries = list(self.scope.round_entries().filter(round=rnd).order_by("subject__path"))
        found = results.results(rnd, entries)
        progress: dict[int, Counter] = defaultdict(Counter)
        names = {}
        for entry in entries:
            progress[entry.reviewer_id][entry.state] += 1
            names[entry.reviewer_id] = entry.reviewer.name
        home = _home(self.scope)
        children = list(home.children.filter(is_active=True).order_by("path")) if home else []
        node_id = parse_id(request.GET, "node", "下级节点")
        grade = request.GET.get("grade") or ""
        shown = list(found.values())
        if node_id is not None:
            node = get_in_scope(self.scope.nodes("view"), pk=node_id)
            shown = [r for r in shown if r.entry.subject.path.startswith(node.path)]
        if grade in Grade.values:
            shown = [r for r in shown if r.grade == grade]
        reviewer_id = parse_id(request.GET, "reviewer", "审核党委")
        if reviewer_id is not None:
            shown = [r for r in shown if r.entry.reviewer_id == reviewer_id]
        state = request.GET.get("state") or ""
        if state in EntryState.values:
            shown = [r for r in shown if r.entry.state == state]
        page, query = paginate(request, shown, 50)
        context = {
            "round": rnd, "page": page, "query": query, "grades": Grade.choices, "states": EntryState.choices,
            "progress": [
                (k, names[k], [(s, v[s]) for s in EntryState.values], sum(v.values())) for k, v in progress.items()
            ],
            "distribution": results.distribution(found.values(), children), "node_id": node_id, "grade": grade,
            "can_manage": self.scope.can_start_rounds, "deadline": results.objection_deadline(rnd),
            "next_state": rounds.NEXT.get(rnd.state),
        }  # fmt: skip
        return render(request, "web/assessment/round.html", context)


class RoundAdvance(ScopedView):
    required = "can_start_rounds"

    def post(self, request, pk):
        rnd = get_in_scope(self.scope.rounds(), pk=pk)
        try:
            rnd = rounds.advance(request.user, self.scope, rnd)
            messages.success(request, f"考核轮次已进入「{rnd.get_state_display()}」")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_round", pk=pk)


class RoundRefresh(ScopedView):
    required = "can_start_rounds"

    def post(self, request, pk):
        rnd = get_in_scope(self.scope.rounds(), pk=pk)
        try:
            changed = rounds.refresh(request.user, self.scope, rnd)
            messages.success(request, f"已重新取数：{changed} 项平台取数有变化")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_round", pk=pk)


class RoundExport(ScopedView):
    required = "can_read_rounds"

    def get(self, request, pk):
        rnd = get_in_scope(self.scope.rounds(), pk=pk)
        export = exports.round_scores(rnd, list(self.scope.round_entries().filter(round=rnd)))
        return export_response(request, title=export.title, object_type=export.object_type,
                               filter_text=export.filter_text, columns=export.columns, rows=export.rows)  # fmt: skip


# -- a subject's sheet -----------------------------------------------------------------------------------
def _sheet_rows(entry):
    scores = {
        s.indicator_id: s for s in entry.scores.select_related("indicator", "adjusted_by").prefetch_related("evidence")
    }
    found = results.results(entry.round, [entry])[entry.pk]
    rows = []
    for row in queries.flat(queries.tree(entry.round.version)):
        score = scores.get(row.indicator.pk)
        rows.append({"row": row, "score": score, "share": found.shares.get(row.indicator.pk) if score else None})
    return rows, found


OPEN_SHEET = ("self", "returned")
SELF_STAGES = ("self", "review")


class EntryDetail(ScopedView):
    required = "can_read_rounds"

    def get(self, request, pk):
        entry = get_in_scope(self.scope.round_entries(), pk=pk)
        rows, found = _sheet_rows(entry)
        history = AuditEntry.objects.filter(object_type="assessment.roundentry", object_id=str(entry.pk)).order_by("pk")
        stage, state = entry.round.state, entry.state
        context = {
            "entry": entry, "round": entry.round, "rows": rows, "result": found, "history": history,
            "objections": entry.objections.select_related("raised_by", "answered_by"),
            "may_self": self.scope.may_self_assess(entry) and state in OPEN_SHEET and stage in SELF_STAGES,
            "may_review": self.scope.may_review(entry) and state == "submitted" and stage == "review",
            "may_confirm": self.scope.may_confirm(entry) and state == "reviewed" and stage == "confirm",
            "may_object": self.scope.may_object(entry) and stage == "published",
            "may_answer": self.scope.may_confirm(entry), "scored": Method.SCORED,
            "problems": rounds.sheet_problems(entry) if self.scope.may_self_assess(entry) else [],
            "deadline": results.objection_deadline(entry.round),
        }  # fmt: skip
        return render(request, "web/assessment/entry.html", context)


class ScoreSelf(ScopedView):
    """自评 one leaf: score, note and evidence (multipart)."""

    required = "can_read_rounds"

    def post(self, request, pk):
        score = get_in_scope(self.scope.round_scores(), pk=pk)
        if not self.scope.may_self_assess(score.entry):
            deny("只有评估对象本方可以自评")
        try:
            rounds.save_self(request.user, self.scope, score, request.POST.get("value"), request.POST.get("note"),
                             request.FILES.getlist("evidence"))  # fmt: skip
            messages.success(request, f"已保存「{score.indicator.name}」的自评")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_entry", pk=score.entry_id)


class ScoreAdjust(ScopedView):
    required = "can_read_rounds"

    def post(self, request, pk):
        score = get_in_scope(self.scope.round_scores(), pk=pk)
        if not self.scope.may_review(score.entry):
            deny("只有审核党委可以调整")
        try:
            rounds.adjust(request.user, self.scope, score, request.POST.get("value"), request.POST.get("reason"))
            messages.success(request, f"已调整「{score.indicator.name}」")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_entry", pk=score.entry_id)


STEPS = {
    "submit": ("may_self_assess", lambda u, s, e, p: rounds.submit(u, s, e), "已提交自评"),
    "return": ("may_review", lambda u, s, e, p: rounds.return_entry(u, s, e, p.get("reason")), "已退回"),
    "pass": ("may_review", lambda u, s, e, p: rounds.pass_review(u, s, e), "已审核通过"),
    "confirm": ("may_confirm", lambda u, s, e, p: rounds.confirm(u, s, e), "已确认"),
    "object": ("may_object", lambda u, s, e, p: rounds.raise_objection(u, s, e, p.get("text")), "已提出异议"),
}


class EntryStep(ScopedView):
    """A step on a sheet: 404 outside scope, 403 when not this user's side, a refusal shown on the sheet."""

    required = "can_read_rounds"
    action = ""

    def post(self, request, pk):
        entry = get_in_scope(self.scope.round_entries(), pk=pk)
        may, step, done = STEPS[self.action]
        if not getattr(self.scope, may)(entry):
            deny("您不是办理这一环节的一方")
        try:
            step(request.user, self.scope, entry, request.POST)
            messages.success(request, done)
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_entry", pk=pk)


class ObjectionAnswer(ScopedView):
    required = "can_read_rounds"

    def post(self, request, pk):
        objection = get_in_scope(self.scope.objections(), pk=pk)
        if not self.scope.may_answer(objection):
            deny("异议由确认党委答复")
        try:
            rounds.answer_objection(request.user, self.scope, objection, request.POST.get("answer"))
            messages.success(request, "已答复异议")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_entry", pk=objection.entry_id)


class EvidenceDownload(ScopedView):
    """The only way to a stored file: the sheet must be in the reader's scope."""

    required = "can_read_rounds"

    def get(self, request, pk):
        evidence = get_in_scope(ScoreEvidence.objects.filter(score__in=self.scope.round_scores()), pk=pk)
        path_ = attachments.path_of(evidence.stored_name, rounds.EVIDENCE_FOLDER)
        return files.download(path_, evidence.name, evidence.content_type)


class MyTasks(ScopedView):
    required = "can_read_rounds"

    def get(self, request):
        return render(request, "web/assessment/tasks.html", {"tasks": self.scope.my_round_entries()})


urlpatterns = [
    path("assessment/rounds/", RoundList.as_view(), name="assessment_rounds"),
    path("assessment/rounds/new/", RoundStart.as_view(), name="assessment_round_start"),
    path("assessment/rounds/<int:pk>/", RoundDetail.as_view(), name="assessment_round"),
    path("assessment/rounds/<int:pk>/advance/", RoundAdvance.as_view(), name="assessment_round_advance"),
    path("assessment/rounds/<int:pk>/refresh/", RoundRefresh.as_view(), name="assessment_round_refresh"),
    path("assessment/rounds/<int:pk>/export/", RoundExport.as_view(), name="assessment_round_export"),
    path("assessment/tasks/", MyTasks.as_view(), name="assessment_tasks"),
    path("assessment/entries/<int:pk>/", EntryDetail.as_view(), name="assessment_entry"),
    *[
        path(
            f"assessment/entries/<int:pk>/{action}/",
            EntryStep.as_view(action=action),
            name=f"assessment_entry_{action}",
        )
        for action in STEPS
    ],
    path("assessment/scores/<int:pk>/self/", ScoreSelf.as_view(), name="assessment_score_self"),
    path("assessment/scores/<int:pk>/adjust/", ScoreAdjust.as_view(), name="assessment_score_adjust"),
    path("assessment/objections/<int:pk>/answer/", ObjectionAnswer.as_view(), name="assessment_objection_answer"),
    path("assessment/evidence/<int:pk>/", EvidenceDownload.as_view(), name="assessment_evidence"),
]
