"""信息报送 pages: the list (what the user sent and what reached their committees), the report form,
a report's page with its chain of levels and the reviewer's steps (采用 with a grade, 退回 with a
reason, 报送上级, 发布到互动网), and the 采用排名 of a committee's child nodes per year with its
export. Rules and changes live in ``liangxin.portal.reports``; who may do what is the scope's."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe

from liangxin.core import attachments, files
from liangxin.core.params import parse_id, parse_int
from liangxin.portal import exports, queries, reports
from liangxin.portal.models import AdoptionGrade, InfoReport, NewsStatus, ReportKind, ReportStatus

from ..base import ExportView, ScopedView, StepView, deny, get_in_scope, paginate
from ..forms import errors_to_form
from .news import MultipleFileField

PER_PAGE = 30
NAV = [
    ("信息报送", "web:info_report_list", "can_use_reports"),
    ("信息采用排名", "web:info_report_ranking", "can_rank_reports"),
]


class ReportForm(forms.Form):
    """The shape of the form only: every rule is ``portal.reports.clean_report``'s."""

    node = forms.TypedChoiceField(
        label="报送单位", coerce=int, error_messages={"invalid_choice": "报送单位：只能以您任职的单位报送"}
    )
    kind = forms.ChoiceField(label="信息类别", required=False, choices=[("", "请选择")] + ReportKind.choices)
    title = forms.CharField(label="标题", required=False, widget=forms.TextInput(attrs={"size": 60}))
    body = forms.CharField(
        label="正文", required=False, widget=forms.Textarea(attrs={"rows": 14, "cols": 60}),
        help_text="空一行为新段落；写明时间、地点、做法和成效，或问题与建议",
    )  # fmt: skip
    attachments = MultipleFileField(
        label="附件", required=False,
        help_text=f"可选多个（{attachments.DOCUMENT_ALLOWED_TEXT}），每条最多 {reports.MAX_FILES} 个",
    )  # fmt: skip
    REQUIRED = ("node", "kind", "title", "body")
    LABELS = {"node": "报送单位", "kind": "信息类别", "title": "标题", "body": "正文"}

    def __init__(self, *args, nodes, report: InfoReport | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, n.name) for n in nodes]
        for name in self.REQUIRED:
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"{self.LABELS[name]}：必填"
        if report is not None:
            del self.fields["node"]


def _year(request) -> int:
    return parse_int(request.GET, "year", "年度", minimum=queries.FIRST_YEAR, maximum=9999) or timezone.localdate().year


class ReportList(ScopedView):
    """信息报送: reports the user's nodes sent, and those of their committees' subtrees (``box``:
    ``review`` for what waits at the user's committees)."""

    required = "can_use_reports"

    def get(self, request):
        box = request.GET.get("box", "")
        visible = self.scope.reports_to_review() if box == "review" else self.scope.info_reports()
        page, query = paginate(request, queries.filtered_reports(visible, request.GET), PER_PAGE)
        context = {
            "g": request.GET, "page": page, "query": query, "box": box, "kinds": ReportKind.choices,
            "statuses": ReportStatus.choices,
        }  # fmt: skip
        return render(request, "web/portal/report_list.html", context)


class ReportCreate(ScopedView):
    required = "can_write_reports"

    def get(self, request):
        return self._render(request, ReportForm(nodes=self.scope.report_write_nodes()))

    def post(self, request):
        nodes = self.scope.report_write_nodes()
        form = ReportForm(request.POST, request.FILES, nodes=nodes)
        if form.is_valid():
            node = nodes.filter(pk=form.cleaned_data["node"]).first()
            try:
                report = reports.submit(request.user, node, form.cleaned_data, request.FILES.getlist("attachments"))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"已报送至{report.at_node.name}")
                return redirect("web:info_report_detail", pk=report.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, status=200):
        return render(request, "web/portal/report_form.html", {"form": form, "report": None}, status=status)


class ReportDetail(ScopedView):
    required = "can_use_reports"

    def get(self, request, pk):
        report = get_in_scope(self.scope.info_reports(), pk=pk)
        reviewer = self.scope.may_review_report(report)
        news_item = getattr(report, "news_item", None)
        context = {
            "r": report, "body": mark_safe(report.body),  # noqa: S308 — sanitised on save (core.richtext)
            "chain": report.reviews.select_related("node", "reviewer", "sent_by").order_by("sent_at", "id"),
            "files": report.files.all(), "grades": AdoptionGrade.choices,
            "may_review": reviewer and report.status == ReportStatus.PENDING,
            "may_go_on": reviewer and report.status == ReportStatus.ADOPTED,
            "news_item": news_item if news_item and self.scope.news_items().filter(pk=news_item.pk).exists() else None,
            "may_resubmit": report.status == ReportStatus.RETURNED and report.reviews.count() == 1
            and self.scope.may_resubmit_report(report),
        }  # fmt: skip
        return render(request, "web/portal/report_detail.html", context)


class ReportResubmit(ScopedView):
    """修改后重新报送: a report returned by the committee above, by its writers."""

    required = "can_write_reports"

    def _report(self, pk) -> InfoReport:
        report = get_in_scope(self.scope.info_reports(), pk=pk)
        if not self.scope.may_resubmit_report(report):
            deny("只有报送单位可以修改后重新报送")
        return report

    def get(self, request, pk):
        report = self._report(pk)
        form = ReportForm(initial={n: getattr(report, n) for n in reports.EDITABLE}, nodes=[], report=report)
        return render(request, "web/portal/report_form.html", {"form": form, "report": report})

    def post(self, request, pk):
        report = self._report(pk)
        form = ReportForm(request.POST, request.FILES, nodes=[], report=report)
        if form.is_valid():
            try:
                reports.resubmit(request.user, report, form.cleaned_data, request.FILES.getlist("attachments"))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"已重新报送至{report.at_node.name}")
                return redirect("web:info_report_detail", pk=report.pk)
        return render(request, "web/portal/report_form.html", {"form": form, "report": report}, status=400)


class ReportStep(StepView):
    """采用 / 退回 / 报送上级 / 发布到互动网: the administrators of the committee the report is at."""

    required = "can_use_reports"
    MAY = {a: "may_review_report" for a in ("adopt", "return", "pass_up", "publish")}
    detail = "web:info_report_detail"

    def objects(self):
        return self.scope.info_reports()

    def perform(self, request, report) -> str:
        if self.action == "adopt":
            reports.adopt(request.user, report, request.POST.get("grade", ""))
            return "已采用"
        if self.action == "return":
            reports.return_report(request.user, report, request.POST.get("reason", ""))
            return "已退回"
        if self.action == "pass_up":
            reports.pass_up(request.user, report)
            return f"已报送上级：{report.at_node.name}"
        item = reports.publish(request.user, report, to_everyone=request.POST.get("to_everyone") == "1")
        if item.status == NewsStatus.PUBLISHED:
            return "已发布为工作动态"
        return f"已提交{item.review_node.name}审核，通过后发布"


class ReportFileDownload(ScopedView):
    required = "can_use_reports"

    def get(self, request, pk, file_pk):
        report = get_in_scope(self.scope.info_reports(), pk=pk)
        found = report.files.filter(pk=file_pk).first()
        if found is None:
            raise Http404("附件不存在")
        return files.download(reports.file_path(found), found.name, found.content_type)


def _ranking(scope, request):
    """(node, year, rows): the committee named by ``node`` (one the user may rank; default their first)."""
    nodes = scope.ranking_nodes()
    pk = parse_id(request.GET, "node", "单位")
    node = get_in_scope(nodes, pk=pk) if pk else nodes.order_by("path").first()
    if node is None:
        raise Http404
    year = _year(request)
    return node, year, reports.adoption_ranking(node, year)


class ReportRanking(ScopedView):
    """信息采用排名: the child nodes of a committee by reports it adopted in a year, per grade."""

    required = "can_rank_reports"

    def get(self, request):
        node, year, rows = _ranking(self.scope, request)
        this_year = timezone.localdate().year
        context = {
            "node": node, "year": year, "rows": rows, "grades": AdoptionGrade.choices, "query": request.GET.urlencode(),
            "years": list(range(this_year, this_year - 6, -1)), "total": sum(r.adopted for r in rows),
            "nodes": self.scope.ranking_nodes().exclude(kind="grassroots").order_by("path")[:500],
        }  # fmt: skip
        return render(request, "web/portal/report_ranking.html", context)


class ReportRankingExport(ExportView):
    required = "can_rank_reports"

    def build(self, request):
        return exports.ranking_export(*_ranking(self.scope, request))


urlpatterns = [
    path("portal/reports/", ReportList.as_view(), name="info_report_list"),
    path("portal/reports/new/", ReportCreate.as_view(), name="info_report_create"),
    path("portal/reports/ranking/", ReportRanking.as_view(), name="info_report_ranking"),
    path("portal/reports/ranking/export.xlsx", ReportRankingExport.as_view(), name="info_report_ranking_export"),
    path("portal/reports/<int:pk>/", ReportDetail.as_view(), name="info_report_detail"),
    path("portal/reports/<int:pk>/edit/", ReportResubmit.as_view(), name="info_report_resubmit"),
    path("portal/reports/<int:pk>/adopt/", ReportStep.as_view(action="adopt"), name="info_report_adopt"),
    path("portal/reports/<int:pk>/return/", ReportStep.as_view(action="return"), name="info_report_return"),
    path("portal/reports/<int:pk>/pass-up/", ReportStep.as_view(action="pass_up"), name="info_report_pass_up"),
    path("portal/reports/<int:pk>/publish/", ReportStep.as_view(action="publish"), name="info_report_publish"),
    path("portal/reports/<int:pk>/files/<int:file_pk>/", ReportFileDownload.as_view(), name="info_report_file"),
]
