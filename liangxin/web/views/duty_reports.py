"""述职报告 pages: my committees' reports and those waiting for my review, creating one for a year,
its page (figures, text, history, steps), editing the text, refreshing the figures, submitting,
reviewing, the print page and the Word file. Rules and changes live in ``liangxin.duty_reports``;
who does what is ``Scope.duty_reports`` and its ``may_*`` tests."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from liangxin.duty_reports import services
from liangxin.duty_reports.choices import EDITABLE, ReportStatus, ReviewAction
from liangxin.duty_reports.figures import rows
from liangxin.duty_reports.word import file_name

from ..base import ScopedView, StepView, deny, get_in_scope, paginate, word_response
from ..forms import errors_to_form

NAV: list[tuple[str, str, str | None]] = [("书记抓党建述职", "web:duty_list", "can_read_duty_reports")]


class CreateForm(forms.Form):
    node = forms.TypedChoiceField(label="述职党委", coerce=int, required=False)
    year = forms.CharField(label="年度", required=False, widget=forms.TextInput(attrs={"maxlength": 4}))

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, n.name) for n in nodes]


class TextForm(forms.Form):
    practice = forms.CharField(label="主要做法和成效", required=False, widget=forms.Textarea(attrs={"rows": 10}))
    problems = forms.CharField(label="存在的问题", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    plans = forms.CharField(label="下一步打算", required=False, widget=forms.Textarea(attrs={"rows": 8}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="审阅结果", required=False,
        choices=[(ReviewAction.APPROVE.value, "审阅通过"), (ReviewAction.RETURN.value, "退回修改")],
    )  # fmt: skip
    comment = forms.CharField(
        label="审阅意见", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="退回修改须写明原因"
    )


class DutyList(ScopedView):
    required = "can_read_duty_reports"

    def get(self, request):
        page, query = paginate(request, self.scope.duty_reports(), 30)
        context = {
            "page": page, "query": query, "waiting": self.scope.duty_reports_waiting(),
            "writes": self.scope.duty_report_nodes().exists(),
        }  # fmt: skip
        return render(request, "web/duty_reports/list.html", context)


class DutyCreate(ScopedView):
    required = "can_read_duty_reports"

    def _nodes(self):
        nodes = self.scope.duty_report_nodes()
        if not nodes.exists():
            deny("只有党委管理员为本党委撰写述职报告")
        return nodes

    def get(self, request):
        form = CreateForm(nodes=self._nodes(), initial={"year": timezone.localdate().year})
        return render(request, "web/duty_reports/create.html", {"form": form})

    def post(self, request):
        nodes = self._nodes()
        form = CreateForm(request.POST, nodes=nodes)
        if form.is_valid():
            chosen = form.cleaned_data.get("node")
            node = nodes.filter(pk=chosen).first() if chosen else nodes.first()
            try:
                report = services.create(request.user, node, form.cleaned_data.get("year"))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "已建立述职报告，平台数据已提取")
                return redirect("web:duty_detail", pk=report.pk)
        return render(request, "web/duty_reports/create.html", {"form": form}, status=400)


def _context(scope, report) -> dict:
    return {
        "r": report, "rows": rows(report.figures), "reviews": report.reviews.select_related("actor", "node"),
        "writes": scope.may_write_duty_report(report) and report.status in EDITABLE,
        "reviews_it": scope.may_review_duty_report(report) and report.status == ReportStatus.SUBMITTED,
    }  # fmt: skip


class DutyDetail(ScopedView):
    required = "can_read_duty_reports"

    def get(self, request, pk):
        report = get_in_scope(self.scope.duty_reports(), pk=pk)
        return render(request, "web/duty_reports/detail.html", {**_context(self.scope, report), "form": ReviewForm()})


class DutyPrint(ScopedView):
    required = "can_read_duty_reports"

    def get(self, request, pk):
        report = get_in_scope(self.scope.duty_reports(), pk=pk)
        return render(request, "web/duty_reports/print.html", _context(self.scope, report))


class DutyWord(ScopedView):
    required = "can_read_duty_reports"

    def get(self, request, pk):
        report = get_in_scope(self.scope.duty_reports(), pk=pk)
        return word_response(file_name(report), services.word_file(request.user, report))


class DutyEdit(ScopedView):
    required = "can_read_duty_reports"

    def _report(self, pk):
        report = get_in_scope(self.scope.duty_reports(), pk=pk)
        if not self.scope.may_write_duty_report(report):
            deny("只有述职党委的管理员修改述职报告")
        return report

    def get(self, request, pk):
        report = self._report(pk)
        form = TextForm(initial={name: getattr(report, name) for name in services.TEXT_FIELDS})
        return render(request, "web/duty_reports/edit.html", {"form": form, "r": report})

    def post(self, request, pk):
        report = self._report(pk)
        form = TextForm(request.POST)
        form.is_valid()
        try:
            services.update_text(request.user, report, form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
            return render(request, "web/duty_reports/edit.html", {"form": form, "r": report}, status=400)
        messages.success(request, "已保存")
        return redirect("web:duty_detail", pk=report.pk)


class _Step(StepView):
    required = "can_read_duty_reports"
    detail = "web:duty_detail"
    MAY = {"refresh": "may_write_duty_report", "submit": "may_write_duty_report"}

    def objects(self):
        return self.scope.duty_reports()


class DutyRefresh(_Step):
    action = "refresh"

    def perform(self, request, obj) -> str:
        report = services.refresh(request.user, obj)
        return f"已更新平台数据，截止 {report.as_of.isoformat()}"


class DutySubmit(_Step):
    action = "submit"

    def perform(self, request, obj) -> str:
        services.submit(request.user, obj)
        return f"已提交{obj.review_node.name}审阅，平台数据不再更新"


class DutyReview(ScopedView):
    required = "can_read_duty_reports"

    def _report(self, pk):
        report = get_in_scope(self.scope.duty_reports(), pk=pk)
        if not self.scope.may_review_duty_report(report):
            deny("只有上级党委审阅述职报告")
        return report

    def get(self, request, pk):
        return redirect("web:duty_detail", pk=self._report(pk).pk)

    def post(self, request, pk):
        report = self._report(pk)
        form = ReviewForm(request.POST)
        form.is_valid()
        try:
            services.review(request.user, report, form.cleaned_data.get("decision"), form.cleaned_data.get("comment"))
        except ValidationError as error:
            errors_to_form(form, error)
            context = {**_context(self.scope, report), "form": form}
            return render(request, "web/duty_reports/detail.html", context, status=400)
        messages.success(request, "已审阅")
        return redirect("web:duty_detail", pk=report.pk)


urlpatterns = [
    path("duty-reports/", DutyList.as_view(), name="duty_list"),
    path("duty-reports/new/", DutyCreate.as_view(), name="duty_create"),
    path("duty-reports/<int:pk>/", DutyDetail.as_view(), name="duty_detail"),
    path("duty-reports/<int:pk>/edit/", DutyEdit.as_view(), name="duty_edit"),
    path("duty-reports/<int:pk>/refresh/", DutyRefresh.as_view(), name="duty_refresh"),
    path("duty-reports/<int:pk>/submit/", DutySubmit.as_view(), name="duty_submit"),
    path("duty-reports/<int:pk>/review/", DutyReview.as_view(), name="duty_review"),
    path("duty-reports/<int:pk>/print/", DutyPrint.as_view(), name="duty_print"),
    path("duty-reports/<int:pk>/report.docx", DutyWord.as_view(), name="duty_word"),
]
