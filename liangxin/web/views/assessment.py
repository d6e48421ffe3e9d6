"""考核评估 — 指标体系 pages: the list of sets, a version's indicator tree (weights, rules, sources),
and for the city administrator a draft's changes (add, edit, remove, move an indicator), publishing
and a new draft from a published version; 试算 of a computed leaf for a subject of the user's
subtree. Rules and changes live in ``liangxin.assessment``; who reads and edits is ``Scope``'s."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from liangxin.assessment import measures, queries, rules, services
from liangxin.assessment.choices import CITY_SET, Direction, Method, RuleKind
from liangxin.assessment.models import Indicator, IndicatorVersion
from liangxin.core.params import BadParameter, parse_id

from ..base import ScopedView, deny, get_in_scope, refused
from ..forms import errors_to_form

NAV: list[tuple[str, str, str | None]] = [("指标体系", "web:assessment_sets", "can_read_indicator_sets")]
SUBJECT_CHOICES_SHOWN = 100


class IndicatorForm(forms.Form):
    """The shape of the form only: every rule is ``assessment.services.clean_indicator``'s."""

    name = forms.CharField(label="指标名称", required=False, widget=forms.TextInput(attrs={"maxlength": 100}))
    weight = forms.CharField(label="权重", required=False, help_text="占上级指标满分的比例；同级指标权重合计 100")
    description = forms.CharField(label="评分说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    method = forms.ChoiceField(
        label="取值方式", required=False, choices=[("", "（有下级指标时不填）"), *Method.choices]
    )
    measure = forms.ChoiceField(label="平台指标", required=False, help_text="平台计算的指标填写")
    rule_kind = forms.ChoiceField(
        label="评分规则", required=False, choices=[("", "（有下级指标时不填）"), *RuleKind.choices]
    )
    direction = forms.ChoiceField(
        label="方向", required=False, choices=[("", "（达标判定、分档计分填写）"), *Direction.choices]
    )
    threshold = forms.CharField(label="达标门槛", required=False, help_text="达标判定填写")
    bands = forms.CharField(
        label="分档", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="分档计分填写：每行一档，“门槛 得分比例”，从最好的一档写起，如“95 100”、“80 50”",
    )  # fmt: skip
    zero_at = forms.CharField(label="零分值", required=False, help_text="线性计分填写")
    full_at = forms.CharField(label="满分值", required=False, help_text="线性计分填写")
    max = forms.CharField(label="满分", required=False, help_text="人工打分填写，如 10")
    note_required = forms.BooleanField(label="评分时须填写说明", required=False)
    evidence_allowed = forms.BooleanField(label="可上传佐证材料", required=False)
    item_source = forms.CharField(
        label="指标出处", required=False, help_text="指标所依据的文件；城市自行细化的写“市级设定（细化指标）”"
    )
    weight_source = forms.CharField(label="权重与标准出处", required=False, initial=CITY_SET)

    def __init__(self, *args, subject_kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        options = [(m.name, f"{m.label}（{m.unit_label}）") for m in measures.for_kind(subject_kind)]
        self.fields["measure"].choices = [("", "（人工评分时不填）"), *options]

    def values(self) -> dict:
        d = self.cleaned_data
        kind = d.get("rule_kind") or ""
        params = rules.params_from_fields(kind, d) if kind in RuleKind.values else {}
        return {**d, "rule_params": params}


def _initial(item: Indicator) -> dict:
    fields = {k: getattr(item, k) for k in services.FIELDS}
    return {**fields, "weight": rules.plain(item.weight), **rules.fields_from_params(item.rule_kind, item.rule_params)}


class SetList(ScopedView):
    required = "can_read_indicator_sets"

    def get(self, request):
        sets = queries.sets_with_versions(self.scope.indicator_sets())
        return render(request, "web/assessment/sets.html", {"sets": sets})


def _version(scope, pk) -> IndicatorVersion:
    qs = IndicatorVersion.objects.filter(indicator_set__in=scope.indicator_sets()).select_related("indicator_set")
    return get_in_scope(qs, pk=pk)


def _indicator(scope, pk) -> Indicator:
    qs = Indicator.objects.filter(version__indicator_set__in=scope.indicator_sets())
    return get_in_scope(qs.select_related("version__indicator_set", "parent"), pk=pk)


class VersionDetail(ScopedView):
    required = "can_read_indicator_sets"

    def get(self, request, pk):
        version = _version(self.scope, pk)
        editable = version.is_draft and self.scope.can_edit_indicator_sets
        context = {
            "version": version, "rows": queries.flat(queries.tree(version)), "editable": editable,
            "problems": services.problems(version) if editable else [],
            "versions": version.indicator_set.versions.all(), "can_edit": self.scope.can_edit_indicator_sets,
            "draft": services.current_draft(version.indicator_set),
        }  # fmt: skip
        return render(request, "web/assessment/version.html", context)


class VersionPublish(ScopedView):
    required = "can_read_indicator_sets"

    def post(self, request, pk):
        version = _version(self.scope, pk)
        if not self.scope.can_edit_indicator_sets:
            deny("指标体系由市级管理员维护，您只能查看")
        try:
            services.publish(request.user, version)
            messages.success(request, f"已发布第{version.number}版")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_version", pk=version.pk)


class VersionNewDraft(ScopedView):
    required = "can_read_indicator_sets"

    def post(self, request, pk):
        version = _version(self.scope, pk)
        if not self.scope.can_edit_indicator_sets:
            deny("指标体系由市级管理员维护，您只能查看")
        try:
            draft = services.new_draft(request.user, version, request.POST.get("note", ""))
        except ValidationError as error:
            refused(request, error)
            return redirect("web:assessment_version", pk=version.pk)
        messages.success(request, f"已新建草稿第{draft.number}版")
        return redirect("web:assessment_version", pk=draft.pk)


class _IndicatorFormView(ScopedView):
    required = "can_edit_indicator_sets"
    title = ""

    def _render(self, request, form, version, item=None, parent=None, status=200):
        context = {"form": form, "version": version, "item": item, "parent": parent, "title": self.title}
        return render(request, "web/assessment/indicator_form.html", context, status=status)


class IndicatorAdd(_IndicatorFormView):
    title = "新增指标"

    def _parent(self, request, version):
        parent_id = parse_id(request.GET, "parent", "上级指标")  # BadParameter: the middleware's 400
        return None if parent_id is None else get_in_scope(Indicator.objects.filter(version=version), pk=parent_id)

    def get(self, request, pk):
        version = _version(self.scope, pk)
        form = IndicatorForm(subject_kind=version.indicator_set.subject_kind, initial={"weight_source": CITY_SET})
        return self._render(request, form, version, parent=self._parent(request, version))

    def post(self, request, pk):
        version = _version(self.scope, pk)
        parent = self._parent(request, version)
        form = IndicatorForm(request.POST, subject_kind=version.indicator_set.subject_kind)
        if form.is_valid():
            try:
                services.add_indicator(request.user, version, form.values(), parent)
                return redirect("web:assessment_version", pk=version.pk)
            except ValidationError as error:
                errors_to_form(form, error)
        return self._render(request, form, version, parent=parent, status=400)


class IndicatorEdit(_IndicatorFormView):
    title = "修改指标"

    def get(self, request, pk):
        item = _indicator(self.scope, pk)
        form = IndicatorForm(subject_kind=item.version.indicator_set.subject_kind, initial=_initial(item))
        return self._render(request, form, item.version, item, item.parent)

    def post(self, request, pk):
        item = _indicator(self.scope, pk)
        form = IndicatorForm(request.POST, subject_kind=item.version.indicator_set.subject_kind)
        if form.is_valid():
            try:
                services.update_indicator(request.user, item, form.values())
                return redirect("web:assessment_version", pk=item.version_id)
            except ValidationError as error:
                errors_to_form(form, error)
        return self._render(request, form, item.version, item, item.parent, status=400)


class IndicatorRemove(ScopedView):
    required = "can_edit_indicator_sets"

    def post(self, request, pk):
        item = _indicator(self.scope, pk)
        try:
            services.remove_indicator(request.user, item)
            messages.success(request, f"已删除指标「{item.name}」")
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_version", pk=item.version_id)


class IndicatorMove(ScopedView):
    required = "can_edit_indicator_sets"

    def post(self, request, pk):
        item = _indicator(self.scope, pk)
        try:
            services.move_indicator(request.user, item, 1 if request.POST.get("step") == "down" else -1)
        except ValidationError as error:
            refused(request, error)
        return redirect("web:assessment_version", pk=item.version_id)


class IndicatorPreview(ScopedView):
    """试算: the measure and score of a computed leaf for one subject of the user's subtree."""

    required = "can_read_indicator_sets"

    def get(self, request, pk):
        item = _indicator(self.scope, pk)
        if not queries.can_preview(item):
            deny("该指标不是平台计算的指标，不能试算")
        subjects = self.scope.assessment_subjects(item.version.indicator_set.subject_kind)
        q = (request.GET.get("q") or "").strip()[:50]
        shown = subjects.filter(name__icontains=q) if q else subjects
        context = {"item": item, "q": q, "subjects": shown[:SUBJECT_CHOICES_SHOWN], "found": None, "error": ""}
        context["rule_text"] = queries.rule_text(item)
        try:
            start, end = queries.period(request.GET)
            subject_id = parse_id(request.GET, "subject", "评估对象")
        except BadParameter as error:
            context["error"] = str(error)
            return render(request, "web/assessment/preview.html", context, status=400)
        context.update(start=start, end=end, subject_id=subject_id)
        if subject_id is not None:
            subject = get_in_scope(subjects, pk=subject_id)
            context["found"] = queries.preview(item, subject, start, end)
        return render(request, "web/assessment/preview.html", context)


urlpatterns = [
    path("assessment/", SetList.as_view(), name="assessment_sets"),
    path("assessment/versions/<int:pk>/", VersionDetail.as_view(), name="assessment_version"),
    path("assessment/versions/<int:pk>/publish/", VersionPublish.as_view(), name="assessment_publish"),
    path("assessment/versions/<int:pk>/new-draft/", VersionNewDraft.as_view(), name="assessment_new_draft"),
    path("assessment/versions/<int:pk>/add/", IndicatorAdd.as_view(), name="assessment_indicator_add"),
    path("assessment/indicators/<int:pk>/edit/", IndicatorEdit.as_view(), name="assessment_indicator_edit"),
    path("assessment/indicators/<int:pk>/remove/", IndicatorRemove.as_view(), name="assessment_indicator_remove"),
    path("assessment/indicators/<int:pk>/move/", IndicatorMove.as_view(), name="assessment_indicator_move"),
    path("assessment/indicators/<int:pk>/preview/", IndicatorPreview.as_view(), name="assessment_preview"),
]
