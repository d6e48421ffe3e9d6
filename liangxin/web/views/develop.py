"""发展党员 pages: the applicant list, an applicant's page with its steps, the pipeline per
party organization for upper committees, and the yearly plans (总量控制)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from liangxin.core import normalize
from liangxin.core.models import AuditEntry
from liangxin.core.pagination import keyset_page
from liangxin.core.params import parse_id
from liangxin.core.xlsx import Column
from liangxin.develop import queries, rules, services, steps
from liangxin.develop.models import Stage
from liangxin.develop.validation import APPLICANT_FIELDS
from liangxin.party import policy
from liangxin.party.choices import Education, MemberCategory
from liangxin.party.validation import clean_id_number

from ..base import ScopedView, SearchByPost, deny, export_response, get_in_scope, query_without
from ..forms import DATE, chinese_empty_choice
from ..party_forms import EmployerByCode

# (label, url name, scope capability or None) for the left navigation's 日常工作 section
NAV: list[tuple[str, str, str | None]] = [
    ("发展党员", "web:develop_applicants", "can_read_party"),
    ("发展党员统计", "web:develop_pipeline", "can_read_party"),
    ("发展计划（总量控制）", "web:develop_quotas", "can_read_registry"),
]


class ApplicantForm(EmployerByCode, forms.Form):
    party_org = forms.ModelChoiceField(label="所在党组织", queryset=None)
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=30, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    education = forms.ChoiceField(label="学历", choices=[("", "— 请选择 —"), *Education.choices], required=False)
    employer_code = forms.CharField(label="工作单位（统一社会信用代码）", max_length=30, required=False)
    applied_on = forms.DateField(label="递交入党申请书日期", widget=DATE)

    def __init__(self, *args, scope, instance=None, **kwargs):
        if instance is not None and not args:
            # the view passes initial=None for an existing applicant: the instance's values are the initial ones
            kwargs["initial"] = {**{k: getattr(instance, k) for k in APPLICANT_FIELDS}, **(kwargs.get("initial") or {})}
            if instance.employer_id:
                kwargs["initial"]["employer_code"] = instance.employer.credit_code or f"#{instance.employer_id}"
        super().__init__(*args, **kwargs)
        self.scope, self.instance = scope, instance
        self.fields["party_org"].queryset = scope.party_orgs("change").filter(node__is_active=True)
        if instance is None:
            self.fields["id_number"].required = True
        else:
            self.fields["id_number"].help_text = f"当前：{instance.id_masked}；不修改请留空"
        chinese_empty_choice(self)

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number")
        return clean_id_number(value) if value else ""

    def values(self) -> dict:
        d = self.cleaned_data
        return {"employer": d["employer_code"], **{k: d[k] for k in APPLICANT_FIELDS if k != "employer"}}


def _refused_into_form(form: forms.Form, refused: services.Refused) -> None:
    for name, problems in refused.errors.items():
        for message in problems:
            form.add_error(name if name in form.fields else None, message)


class ApplicantList(SearchByPost, ScopedView):
    required = "can_read_party"

    def get(self, request):
        qs, q, said = queries.filtered(self.scope, request.GET)
        page = keyset_page(qs, "id", True, request.GET.get("cursor"), 50)
        today, values = timezone.localdate(), policy.values()
        return render(request, "web/develop/list.html", {
            "page": page, "rows": [(a, next_due(a, values, today)) for a in page.rows], "q": q, "g": request.GET,
            "said": said, "query": query_without(request, "cursor"),
            "stages": [(k, lbl) for k, lbl, _ in queries.COLUMNS],
        })  # fmt: skip


def next_due(a, params: dict, today) -> tuple[str, object, bool] | None:
    """(what, day, overdue) of the applicant's next deadline, for the list and the page."""
    if a.stage == Stage.APPLICANT and not a.talked_on:
        due = rules.talk_deadline(a.applied_on, params)
        return "入党谈话期限", due, due < today
    if a.stage == Stage.ACTIVIST:
        ready = rules.cultivation_complete_on(a.activist_on, params)
        return ("已满培养期，可确定为发展对象" if ready <= today else "可确定为发展对象"), ready, False
    if a.stage == Stage.CANDIDATE and a.voted_on:
        due = rules.approval_deadline(a.voted_on, params)
        return "上级党委审批期限", due, due < today
    if a.stage == Stage.PROBATIONARY and a.probation_end:
        return "预备期满", a.probation_end, a.probation_end < today
    return None


EXPORT_COLUMNS = [
    Column("姓名", lambda a: a.name, 10),
    Column("公民身份号码", lambda a: a.id_masked, 20),
    Column("性别", lambda a: a.get_sex_display(), 6),
    Column("所在党组织", lambda a: a.party_org.name, 30),
    Column("阶段", lambda a: a.get_stage_display(), 12),
    Column("递交申请", lambda a: a.applied_on, 12, "date"),
    Column("入党谈话", lambda a: a.talked_on, 12, "date"),
    Column("确定为积极分子", lambda a: a.activist_on, 12, "date"),
    Column("确定为发展对象", lambda a: a.candidate_on, 12, "date"),
    Column("支部大会通过", lambda a: a.voted_on, 12, "date"),
    Column("上级党委审批", lambda a: a.approved_on, 12, "date"),
    Column("预备期满", lambda a: a.probation_end, 12, "date"),
    Column("延长预备期（月）", lambda a: a.extension_months or None, 8, "number"),
    Column("转正", lambda a: a.full_on, 12, "date"),
]


class ApplicantExport(ScopedView):
    """The list as filtered, identity numbers masked; the cover sheet and the audit entry come with it."""

    required = "can_read_party"

    def get(self, request):
        qs, _, said = queries.filtered(self.scope, request.GET)
        return export_response(request, title="发展党员", object_type="develop.applicant", filter_text=said,
                               columns=EXPORT_COLUMNS, rows=qs.order_by("pk").iterator(chunk_size=2000))  # fmt: skip


class ApplicantEdit(ScopedView):
    required = "can_edit_party"

    def _get(self, pk):
        if pk is None:
            return None
        applicant = get_in_scope(queries.applicants(self.scope).select_related("employer"), pk=pk)
        if not queries.applicants(self.scope, "change").filter(pk=pk).exists():
            deny("该入党申请人由其他党组织管理，您只能查看")
        return applicant

    def get(self, request, pk=None):
        applicant = self._get(pk)
        initial = {"party_org": request.GET.get("party_org")} if applicant is None else None
        form = ApplicantForm(scope=self.scope, instance=applicant, initial=initial)
        return render(request, "web/develop/form.html", {"form": form, "a": applicant})

    def post(self, request, pk=None):
        applicant = self._get(pk)
        form = ApplicantForm(request.POST, scope=self.scope, instance=applicant)
        if form.is_valid():
            number = form.cleaned_data["id_number"]
            try:
                if applicant is None:
                    applicant = services.register(request.user, self.scope, form.values(), number)
                else:
                    services.update(request.user, self.scope, applicant, form.values(), number)
            except services.Refused as refused:
                _refused_into_form(form, refused)
        if form.errors:
            return render(request, "web/develop/form.html", {"form": form, "a": applicant}, status=400)
        messages.success(request, f"已保存入党申请人「{applicant.name}」")
        return redirect("web:develop_applicant_detail", pk=applicant.pk)


class ApplicantDetail(ScopedView):
    required = "can_read_party"

    def get(self, request, pk):
        applicant = get_in_scope(queries.applicants(self.scope).select_related("employer", "member"), pk=pk)
        return render(request, "web/develop/detail.html", detail_context(self.scope, applicant))


TIMELINE = [
    ("递交入党申请书", "applied_on"), ("入党谈话", "talked_on"), ("确定为入党积极分子", "activist_on"),
    ("确定为发展对象", "candidate_on"), ("确定入党介绍人", "introducers_on"), ("政治审查", "reviewed_on"),
    ("集中培训", "trained_on"), ("公示", "publicized_on"), ("上级党委预审", "prereviewed_on"),
    ("支部大会表决", "voted_on"), ("上级党委审批", "approved_on"), ("入党宣誓", "oath_on"),
    ("预备期满", "probation_end"), ("转为正式党员", "full_on"),
]  # fmt: skip


def detail_context(scope, a, refused: dict | None = None) -> dict:
    """The applicant's page; ``refused`` = {"kind", "errors", "posted"} after a refused step."""
    params, today = policy.values(), timezone.localdate()
    can_edit = queries.applicants(scope, "change").filter(pk=a.pk).exists()
    offered = []
    if can_edit:
        for kind in rules.ORDER:
            if not rules.order_errors(a, kind) and scope.may_record_step(a, kind):
                offered.append(_offer(kind, refused or {}))
    pool = a.party_org.members.filter(is_active=True, category=MemberCategory.FULL).order_by("name")
    return {
        "a": a,
        "can_edit": can_edit,
        "timeline": [(label, getattr(a, attr)) for label, attr in TIMELINE],
        "due": next_due(a, params, today),
        "contacts": a.contacts.all(),
        "introducers": a.introducers.all(),
        "history": a.steps.all().order_by("on", "id"),
        "offered": [o for o in offered if o["kind"] != "stop"],
        "stop": next((o for o in offered if o["kind"] == "stop"), None),
        "pool": pool[:300],
        "results": steps.RESULTS,
        "refused": refused or {},
        "audit": AuditEntry.objects.filter(object_type="develop.applicant", object_id=str(a.pk))[:50],
        "rules": {
            "talk": rules.rule(params, "applicant_talk_within_months"),
            "cultivation": rules.rule(params, "activist_cultivation_months"),
            "approval": rules.rule(params, "approval_within_months"),
            "probation": rules.rule(params, "probation_months"),
        },
    }


def _offer(kind: str, refused: dict) -> dict:
    """One step's form: its inputs with what was posted and the reasons it was refused."""
    mine = refused.get("kind") == kind
    posted, errors = (refused.get("posted", {}), refused.get("errors", {})) if mine else ({}, {})
    fields = []
    for spec in steps.FIELDS[kind]:
        value = posted.get(spec.name)
        listed = isinstance(value, list)
        fields.append({
            "spec": spec, "value": "" if listed or value is None else value, "errors": errors.get(spec.name, []),
            "selected": {str(v) for v in value} if listed else set(),
        })  # fmt: skip
    names = {spec.name for spec in steps.FIELDS[kind]}
    other = [m for name, ms in errors.items() if name not in names for m in ms]
    return {"kind": kind, "label": rules.label(kind), "fields": fields, "errors": other}


class ApplicantStep(ScopedView):
    """Record one step (POST ``step`` and its inputs); a refusal shows the page again with every reason."""

    required = "can_edit_party"

    def post(self, request, pk):
        applicant = get_in_scope(queries.applicants(self.scope).select_related("employer", "member"), pk=pk)
        if not queries.applicants(self.scope, "change").filter(pk=pk).exists():
            deny("该入党申请人由其他党组织管理，您只能查看")
        kind = request.POST.get("step", "")
        raw = {k: request.POST.getlist(k) if k in steps.LIST_INPUTS else request.POST.get(k) for k in request.POST}
        try:
            done = services.record_step(request.user, self.scope, applicant, kind, raw)
        except PermissionDenied as exc:
            deny(str(exc))
        except services.Refused as refused:
            named = rules.label(kind) if kind in steps.FIELDS else kind
            messages.error(request, f"未办理「{named}」：请按下列原因修改")
            context = detail_context(self.scope, applicant, {"kind": kind, "errors": refused.errors, "posted": raw})
            return render(request, "web/develop/detail.html", context, status=400)
        verdict = "已登记" if done.passed else "已登记（未通过）"
        messages.success(request, f"{verdict}「{rules.label(kind)}」：{done.applicant.name}")
        for warning in done.warnings:
            messages.warning(request, warning)
        return redirect("web:develop_applicant_detail", pk=pk)


class Pipeline(ScopedView):
    """Counts per stage per party organization in the user's subtree; each number opens its list."""

    required = "can_read_party"

    def get(self, request):
        node, pk = None, parse_id(request.GET, "node", "党委")
        if pk is not None:
            node = get_in_scope(self.scope.nodes("view"), pk=pk)
        rows, totals = queries.pipeline(self.scope, node)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        year = timezone.localdate().year
        committees = list(queries.committee_choices(self.scope))
        plans = [n for n in committees if node is None or n.pk == node.pk][:10]
        keys = [key for key, _, _ in queries.COLUMNS]
        table = [(r["party_org_id"], r["party_org__node__name"], [(k, r[k]) for k in keys]) for r in page]
        return render(request, "web/develop/pipeline.html", {
            "page": page, "table": table, "totals": [(k, totals[k]) for k in keys], "columns": queries.COLUMNS,
            "node": node, "committees": committees,
            "query": f"node={node.pk}" if node else "", "year": year,
            "plans": queries.plan_rows(self.scope, plans, year) if plans else [],
        })  # fmt: skip


class Quotas(ScopedView):
    """发展党员计划: a committee's yearly plan and what has been admitted against it."""

    required = "can_read_registry"

    def get(self, request):
        year = _year(request.GET.get("year"))
        nodes = Paginator(queries.committee_choices(self.scope), 50).get_page(request.GET.get("page"))
        return render(request, "web/develop/quotas.html", {
            "year": year, "page": nodes, "rows": queries.plan_rows(self.scope, list(nodes), year),
            "query": f"year={year}", "can_edit": self.scope.can_edit_registry,
        })  # fmt: skip

    def post(self, request):
        if not self.scope.can_edit_registry:
            deny("只有党委管理员可以设定发展党员计划")
        node = queries.find_node(self.scope, request.POST.get("node"))
        year, raw = _year(request.POST.get("year")), normalize.text(request.POST.get("quota"))
        back = redirect(f"{request.path}?year={year}")
        if node is None:
            messages.error(request, "请选择您管辖的党委")
            return back
        if not raw.isdigit() or len(raw) > 9:  # larger than any plan, and than the column holds
            messages.error(request, f"{node.name} {year} 年发展党员计划：计划数应为不小于 0 的整数")
            return back
        try:
            _, warning = services.set_quota(request.user, self.scope, node, year, int(raw))
        except PermissionDenied as exc:
            deny(str(exc))
        messages.success(request, f"已设定 {node.name} {year} 年发展党员计划 {raw} 名")
        if warning:
            messages.warning(request, warning)
        return back


def _year(raw) -> int:
    text = normalize.text(raw)
    this = timezone.localdate().year
    return int(text) if text.isdigit() and abs(int(text) - this) <= 50 else this


urlpatterns: list = [
    path("develop/", ApplicantList.as_view(), name="develop_applicants"),
    path("develop/export.xlsx", ApplicantExport.as_view(), name="develop_applicant_export"),
    path("develop/new/", ApplicantEdit.as_view(), name="develop_applicant_create"),
    path("develop/pipeline/", Pipeline.as_view(), name="develop_pipeline"),
    path("develop/quotas/", Quotas.as_view(), name="develop_quotas"),
    path("develop/<int:pk>/", ApplicantDetail.as_view(), name="develop_applicant_detail"),
    path("develop/<int:pk>/edit/", ApplicantEdit.as_view(), name="develop_applicant_edit"),
    path("develop/<int:pk>/steps/", ApplicantStep.as_view(), name="develop_applicant_step"),
]
