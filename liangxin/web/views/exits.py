"""党员减少 pages: the list per scope (with counts by year and kind, and its export), a member's
exit proposal form, an exit's page with the steps its user may take (审批 / 退回 / 撤销), and the
scoped download of its evidence. Who may do what is the scope's (``Scope.may_*_exit``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from liangxin.core import files
from liangxin.core.pagination import keyset_page
from liangxin.core.xlsx import Column
from liangxin.party import exits, policy
from liangxin.party.choices import PROPOSABLE_EXIT_KINDS, ExitKind, ExitState
from liangxin.party.models import MemberExitAttachment

from ..base import ScopedView, StepView, deny, export_response, get_in_scope, query_without
from ..forms import DATE, errors_to_form


class ExitForm(forms.Form):
    kind = forms.ChoiceField(
        label="减少类型", choices=[("", "请选择")] + [(k.value, k.label) for k in PROPOSABLE_EXIT_KINDS]
    )
    on = forms.DateField(label="减少日期", widget=DATE, help_text="出党：组织决定或本人提出之日；死亡：去世之日")
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    check_note = forms.CharField(
        label="支部核查情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="自行脱党必填：何时起不交党费或不参加组织生活，支部如何联系、教育",
    )
    decision_ref = forms.CharField(label="处分决定文号", max_length=100, required=False, help_text="开除党籍必填")


class ExitList(ScopedView):
    required = "can_read_party"

    def get(self, request):
        qs, filter_text = exits.filtered_exits(self.scope, request.GET)
        every, _ = exits.filtered_exits(self.scope, {k: v for k, v in request.GET.items() if k in ("party_org", "q")})
        kind_labels, year_rows = exits.counts_by_year(every)
        page = keyset_page(qs.order_by("-pk"), "id", True, request.GET.get("cursor"), 50)
        waiting, _ = exits.filtered_exits(self.scope, {"mine": "1"})
        return render(
            request,
            "web/exits/list.html",
            {
                "page": page,
                "g": request.GET,
                "query": query_without(request, "cursor"),
                "filter_text": filter_text,
                "states": ExitState.choices,
                "kinds": ExitKind.choices,
                "kind_labels": kind_labels,
                "year_rows": year_rows,
                "waiting": waiting.count(),
            },
        )


class ExitExport(ScopedView):
    required = "can_read_party"

    def get(self, request):
        qs, filter_text = exits.filtered_exits(self.scope, request.GET)
        columns = [
            Column("姓名", lambda e: e.member.name, 10),
            Column("公民身份号码", lambda e: e.member.id_masked, 20),
            Column("党组织", lambda e: e.party_org.name, 32),
            Column("减少类型", lambda e: e.get_kind_display(), 14),
            Column("减少日期", lambda e: e.on, 12, "date"),
            Column("状态", lambda e: e.get_state_display(), 8),
            Column("原因", lambda e: e.reason, 30),
            Column("支部核查情况", lambda e: e.check_note, 30),
            Column("处分决定文号", lambda e: e.decision_ref, 18),
            Column("批准党委", lambda e: e.approved_node.name if e.approved_node_id else "", 24),
            Column("退回原因", lambda e: e.return_reason, 24),
            Column("撤销原因", lambda e: e.reverse_reason, 24),
        ]
        return export_response(
            request,
            title="党员减少",
            object_type="party.memberexit",
            filter_text=filter_text,
            columns=columns,
            rows=qs.iterator(),
        )


class ExitCreate(ScopedView):
    """提出党员减少 from the member's page: the member's branch or a committee above it."""

    required = "can_edit_party"

    def _member(self, pk):
        member = get_in_scope(self.scope.members("view"), pk=pk)
        if not self.scope.may_propose_exit(member):
            deny("只有党员组织关系所在党组织或其上级党委可以提出党员减少（且党员须在册）")
        return member

    def _render(self, request, member, form, status=200):
        n = int(policy.values()[exits.LAPSE_KEY])
        context = {"form": form, "m": member, "lapse_months": n, "lapse_label": policy.BY_KEY[exits.LAPSE_KEY].label}
        return render(request, "web/exits/create.html", context, status=status)

    def get(self, request, pk):
        member = self._member(pk)
        return self._render(request, member, ExitForm(initial={"on": timezone.localdate()}))

    def post(self, request, pk):
        member = self._member(pk)
        form = ExitForm(request.POST)
        if form.is_valid():
            try:
                exit_ = exits.propose(
                    request.user, self.scope, member, form.cleaned_data, request.FILES.getlist("attachments")
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"已提出党员减少（{exit_.get_kind_display()}），等待上级党委审批")
                return redirect("web:exit_detail", pk=exit_.pk)
        return self._render(request, member, form, status=400)


class ExitDetail(ScopedView):
    required = "can_read_party"

    def get(self, request, pk):
        exit_ = get_in_scope(self.scope.member_exits(), pk=pk)
        return render(
            request,
            "web/exits/detail.html",
            {
                "e": exit_,
                "member_visible": self.scope.members("view").filter(pk=exit_.member_id).exists(),
                "may_decide": exit_.state == ExitState.PROPOSED and self.scope.may_decide_exit(exit_),
                "may_reverse": exit_.state == ExitState.APPROVED and self.scope.may_reverse_exit(exit_),
                "approver": exits.approving_committee(exit_) if exit_.state == ExitState.PROPOSED else None,
                "attachments": exit_.attachments.all(),
                "transfer": exit_.transfer,
            },
        )


class ExitAction(StepView):
    """审批 / 退回 / 撤销."""

    required = "can_read_party"
    MAY = {"approve": "may_decide_exit", "return": "may_decide_exit", "reverse": "may_reverse_exit"}
    detail = "web:exit_detail"

    def objects(self):
        return self.scope.member_exits()

    def perform(self, request, exit_) -> str:
        reason = request.POST.get("reason", "")
        if self.action == "approve":
            exits.approve(request.user, self.scope, exit_)
            return "已批准：该党员不再在册"
        if self.action == "return":
            exits.return_exit(request.user, self.scope, exit_, reason)
            return "已退回"
        exits.reverse_exit(request.user, self.scope, exit_, reason)
        return "已撤销：该党员恢复在册"


class ExitAttachmentDownload(ScopedView):
    """The only way to a stored file: its exit must be in the reader's scope."""

    required = "can_read_party"

    def get(self, request, pk):
        attachment = get_in_scope(
            MemberExitAttachment.objects.filter(exit__in=self.scope.member_exits().values("pk")), pk=pk
        )
        return files.download(exits.attachment_path(attachment), attachment.name, attachment.content_type)


urlpatterns = [
    path("exits/", ExitList.as_view(), name="exit_list"),
    path("exits/export.xlsx", ExitExport.as_view(), name="exit_export"),
    path("members/<int:pk>/exit/", ExitCreate.as_view(), name="exit_create"),
    path("exits/<int:pk>/", ExitDetail.as_view(), name="exit_detail"),
    path("exits/<int:pk>/approve/", ExitAction.as_view(action="approve"), name="exit_approve"),
    path("exits/<int:pk>/return/", ExitAction.as_view(action="return"), name="exit_return"),
    path("exits/<int:pk>/reverse/", ExitAction.as_view(action="reverse"), name="exit_reverse"),
    path("exits/attachments/<int:pk>/", ExitAttachmentDownload.as_view(), name="exit_attachment"),
]
