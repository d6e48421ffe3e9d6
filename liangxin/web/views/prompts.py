"""组织生活内容提示 pages: a month's prompts (those reaching the user, and for committees those
published in their subtree), a prompt's page, and the publish/edit form for committee
administrators. Rules and changes live in ``liangxin.life.prompts``; who reads and publishes
what is ``Scope.content_prompts``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from liangxin.core.models import AuditEntry
from liangxin.core.params import BadParameter
from liangxin.life import prompts
from liangxin.life.models import ContentPrompt

from ..base import ScopedView, StepView, deny, get_in_scope, refused
from ..forms import errors_to_form


class PromptForm(forms.Form):
    """The shape of the form only: every rule is ``life.prompts.clean_prompt``'s."""

    node = forms.TypedChoiceField(
        label="发布党委", coerce=int, error_messages={"invalid_choice": "发布党委：只能以您任职的党委发布"}
    )
    month = forms.CharField(label="月份", required=False, widget=forms.DateInput(attrs={"type": "month"}))
    title = forms.CharField(label="标题", required=False, widget=forms.TextInput(attrs={"maxlength": 100}))
    text = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    topics = forms.CharField(
        label="建议主题", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="每行一个；书记安排或登记会议时可一键填入会议主题",
    )  # fmt: skip

    def __init__(self, *args, nodes, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, n.name) for n in nodes]
        if editing:
            del self.fields["node"]  # a prompt stays with the committee that published it
        for name in ("month", "title", "text"):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"{prompts.LABELS[name]}：必填"


def _month(request):
    raw = request.GET.get("month")
    if not raw:
        return prompts.month_of(timezone.localdate())
    found = prompts.parse_month(raw)
    if found is None:
        raise BadParameter("month", f"「月份」应为 年-月（如 2025-03），收到「{raw[:20]}」")
    return found


class PromptList(ScopedView):
    required = "can_read_party"

    def get(self, request):
        month = _month(request)
        rows = self.scope.content_prompts().filter(month=month).order_by("node__path", "id")
        context = {"month": month, "rows": rows, "this_month": prompts.month_of(timezone.localdate())}
        return render(request, "web/life/prompts.html", context)


class PromptDetail(ScopedView):
    required = "can_read_party"

    def get(self, request, pk):
        prompt = get_in_scope(self.scope.content_prompts(), pk=pk)
        can_edit = self.scope.content_prompts("change").filter(pk=prompt.pk).exists()
        history = AuditEntry.objects.filter(object_type="life.contentprompt", object_id=str(prompt.pk))[:50]
        context = {"p": prompt, "can_edit": can_edit, "history": history if can_edit else []}
        return render(request, "web/life/prompt_detail.html", context)


class PromptCreate(ScopedView):
    required = "can_publish_prompts"

    def get(self, request):
        initial = {"month": f"{timezone.localdate():%Y-%m}"}
        return self._render(request, PromptForm(initial=initial, nodes=self.scope.prompt_publish_nodes()))

    def post(self, request):
        nodes = self.scope.prompt_publish_nodes()
        form = PromptForm(request.POST, nodes=nodes)
        if form.is_valid():
            node = nodes.filter(pk=form.cleaned_data["node"]).first()
            try:
                prompt = prompts.publish(request.user, node, form.cleaned_data, timezone.localdate())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"已发布{prompt.month:%Y年%m月}的组织生活内容提示")
                return redirect("web:life_prompt_detail", pk=prompt.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, prompt=None, status=200):
        return render(request, "web/life/prompt_form.html", {"form": form, "p": prompt}, status=status)


class PromptEdit(PromptCreate):
    def _prompt(self, pk) -> ContentPrompt:
        prompt = get_in_scope(self.scope.content_prompts(), pk=pk)
        if not self.scope.content_prompts("change").filter(pk=prompt.pk).exists():
            deny("该内容提示由其他党委发布，您只能查看")
        return prompt

    def get(self, request, pk):
        prompt = self._prompt(pk)
        try:
            prompts.check_editable(prompt)
        except ValidationError as error:
            refused(request, error)
            return redirect("web:life_prompt_detail", pk=prompt.pk)
        initial = {name: getattr(prompt, name) for name in prompts.EDITABLE}
        initial["month"] = f"{prompt.month:%Y-%m}"
        return self._render(request, PromptForm(initial=initial, nodes=[], editing=True), prompt)

    def post(self, request, pk):
        prompt = self._prompt(pk)
        form = PromptForm(request.POST, nodes=[], editing=True)
        if form.is_valid():
            try:
                prompts.edit(request.user, prompt, form.cleaned_data, timezone.localdate())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, "已保存")
                return redirect("web:life_prompt_detail", pk=prompt.pk)
        return self._render(request, form, prompt, status=400)


class PromptWithdraw(StepView):
    """撤回 with a reason (a prompt may have been read below: it is kept, never deleted)."""

    required = "can_publish_prompts"
    action = "withdraw"
    MAY = {"withdraw": "may_withdraw_prompt"}
    detail = "web:life_prompt_detail"

    def objects(self):
        return self.scope.content_prompts()

    def perform(self, request, prompt) -> str:
        prompts.withdraw(request.user, prompt, request.POST.get("reason", ""))
        return "已撤回，下级党组织不再看到这条内容提示"


urlpatterns = [
    path("life/prompts/", PromptList.as_view(), name="life_prompts"),
    path("life/prompts/new/", PromptCreate.as_view(), name="life_prompt_create"),
    path("life/prompts/<int:pk>/", PromptDetail.as_view(), name="life_prompt_detail"),
    path("life/prompts/<int:pk>/edit/", PromptEdit.as_view(), name="life_prompt_edit"),
    path("life/prompts/<int:pk>/withdraw/", PromptWithdraw.as_view(), name="life_prompt_withdraw"),
]
