"""互动网 — 党建问答 pages: the list (常见问题, public questions, one's own; with a search), asking, a
question's page (its answers; for the responsible committee the answer form and moderation), the
committee's inbox of unanswered questions with counts, and the city's forbidden-word list. Rules
and changes live in ``liangxin.qa``; who reads and answers what is ``Scope.questions`` /
``Scope.answerable_questions``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from liangxin.core.models import AuditEntry
from liangxin.qa import queries, services
from liangxin.qa.models import Answer, Question, QuestionStatus

from ..base import ScopedView, deny, get_in_scope, paginate
from ..forms import errors_to_form

PER_PAGE = 20
NAV: list[tuple[str, str, str | None]] = [
    ("党建问答", "web:qa_list", None),
    ("问答待答复", "web:qa_inbox", "can_answer_questions"),
    ("问答禁用词", "web:qa_words", "can_edit_forbidden_words"),
]


class AskForm(forms.Form):
    """The shape of the form only: every rule is ``qa.services.clean_question``'s."""

    node = forms.TypedChoiceField(label="所在党组织", coerce=int, required=False)
    title = forms.CharField(label="标题", required=False, widget=forms.TextInput(attrs={"maxlength": 100}))
    text = forms.CharField(label="问题内容", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    is_public = forms.BooleanField(
        label="公开", required=False, help_text="公开的问题所有用户可见；不勾选时，仅答复党委和您本人可见"
    )

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.pk, n.name) for n in nodes]
        if len(self.fields["node"].choices) < 2:
            del self.fields["node"]  # one party organization: nothing to choose
        for name in ("title", "text"):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = f"{services.LABELS[name]}：必填"


class AnswerForm(forms.Form):
    text = forms.CharField(label="答复内容", required=False, widget=forms.Textarea(attrs={"rows": 8}))
    official = forms.BooleanField(
        label="官方解答", required=False, help_text="公开的问题有官方解答后列入“常见问题”，供所有用户检索"
    )


class QuestionList(ScopedView):
    """Every signed-in user: the 常见问题 by default, the public questions, or their own; ``q`` searches."""

    def get(self, request):
        view, rows = queries.listed(self.scope.questions(), request.GET, request.user.pk)
        page, query = paginate(request, rows, PER_PAGE)
        context = {"g": request.GET, "view": view, "views": queries.VIEWS, "page": page, "query": query}
        return render(request, "web/qa/list.html", context)


class QuestionAsk(ScopedView):
    required = "can_ask_questions"

    def get(self, request):
        form = AskForm(nodes=self.scope.question_nodes(), initial={"is_public": True})
        return render(request, "web/qa/ask.html", {"form": form})

    def post(self, request):
        nodes = self.scope.question_nodes()
        form = AskForm(request.POST, nodes=nodes)
        if form.is_valid():
            chosen = form.cleaned_data.get("node")
            node = nodes.filter(pk=chosen).first() if chosen else nodes.first()
            try:
                if node is None:
                    raise ValidationError({"node": ["所在党组织：请选择您任职或所在的党组织"]})
                question = services.ask(request.user, node, form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, f"已提交，{question.committee.name}将在此答复")
                return redirect("web:qa_detail", pk=question.pk)
        return render(request, "web/qa/ask.html", {"form": form}, status=400)


def _detail(request, scope, question: Question, errors: dict | None = None, form=None, status: int = 200):
    moderates = scope.answerable_questions().filter(pk=question.pk).exists()
    answers = question.answers.select_related("author")
    context = {
        "q": question,
        "moderates": moderates,
        "answers": answers if moderates else answers.filter(withdrawn=False),
        "form": form or AnswerForm(),
        "errors": errors or {},
        "closed": question.status == QuestionStatus.CLOSED,
    }
    if moderates:
        context["history"] = AuditEntry.objects.filter(
            object_type__in=["qa.question", "qa.answer"],
            object_id__in=[str(question.pk), *(str(a.pk) for a in answers)],
        ).order_by("-id")[:50]
    return render(request, "web/qa/detail.html", context, status=status)


class QuestionDetail(ScopedView):
    def get(self, request, pk):
        return _detail(request, self.scope, get_in_scope(self.scope.questions(), pk=pk))


class _Moderation(ScopedView):
    """A committee's step on one of its questions: outside scope 404, another committee's 403."""

    required = "can_answer_questions"

    def question(self, pk) -> Question:
        question = get_in_scope(self.scope.questions(), pk=pk)
        if not self.scope.answerable_questions().filter(pk=question.pk).exists():
            deny("该问题由其他党委答复，您只能查看")
        return question


class AnswerCreate(_Moderation):
    def get(self, request, pk):
        return redirect("web:qa_detail", pk=self.question(pk).pk)

    def post(self, request, pk):
        question = self.question(pk)
        form = AnswerForm(request.POST)
        form.is_valid()
        try:
            services.answer(request.user, question, form.cleaned_data.get("text"), form.cleaned_data.get("official"))
        except ValidationError as error:
            errors_to_form(form, ValidationError({"text": error.messages}))
            return _detail(request, self.scope, question, form=form, status=400)
        messages.success(request, "已答复，提问人会收到通知")
        return redirect("web:qa_detail", pk=question.pk)


class QuestionModerate(_Moderation):
    """屏蔽 / 取消屏蔽 / 关闭: ``action`` is hide, unhide or close; hide and close need a reason."""

    ACTIONS = {"hide": "已屏蔽该问题", "unhide": "已取消屏蔽", "close": "已关闭该问题"}

    def get(self, request, pk):
        return redirect("web:qa_detail", pk=self.question(pk).pk)

    def post(self, request, pk):
        question = self.question(pk)
        action = request.POST.get("action", "")
        try:
            if action not in self.ACTIONS:
                raise ValidationError({"action": ["请选择处理方式：屏蔽、取消屏蔽或关闭"]})
            hidden = {"hide": True, "unhide": False}.get(action)
            services.moderate(
                request.user, question, hidden=hidden, close=action == "close", note=request.POST.get("note")
            )
        except ValidationError as error:
            return _detail(request, self.scope, question, errors={"moderate": "；".join(error.messages)}, status=400)
        messages.success(request, self.ACTIONS[action])
        return redirect("web:qa_detail", pk=question.pk)


class AnswerEdit(ScopedView):
    """修改答复 (text, 官方解答) or, with ``withdraw``, 撤回答复 with a reason."""

    required = "can_answer_questions"
    withdraw = False

    def answer(self, pk) -> Answer:
        reply = get_in_scope(Answer.objects.filter(question__in=self.scope.questions().values("pk")), pk=pk)
        if not self.scope.answers().filter(pk=reply.pk).exists():
            deny("该答复由其他党委作出，您只能查看")
        return reply

    def get(self, request, pk):
        reply = self.answer(pk)
        if self.withdraw:
            return redirect("web:qa_detail", pk=reply.question_id)
        form = AnswerForm(initial={"text": reply.text, "official": reply.official})
        return render(request, "web/qa/answer_form.html", {"form": form, "a": reply})

    def post(self, request, pk):
        reply = self.answer(pk)
        if self.withdraw:
            try:
                services.withdraw_answer(request.user, reply, request.POST.get("note"))
            except ValidationError as error:
                errors = {"moderate": "；".join(error.messages)}
                return _detail(request, self.scope, reply.question, errors=errors, status=400)
            messages.success(request, "已撤回该答复")
            return redirect("web:qa_detail", pk=reply.question_id)
        form = AnswerForm(request.POST)
        form.is_valid()
        try:
            services.edit_answer(request.user, reply, form.cleaned_data.get("text"), form.cleaned_data.get("official"))
        except ValidationError as error:
            errors_to_form(form, ValidationError({"text": error.messages}))
            return render(request, "web/qa/answer_form.html", {"form": form, "a": reply}, status=400)
        messages.success(request, "已保存")
        return redirect("web:qa_detail", pk=reply.question_id)


class AnswerWithdraw(AnswerEdit):
    withdraw = True


class QuestionInbox(ScopedView):
    """The committee's questions by state (default 待答复, oldest first), with the counts."""

    required = "can_answer_questions"

    def get(self, request):
        mine = self.scope.answerable_questions()
        rows = queries.inbox(mine, request.GET)
        page, query = paginate(request, rows, PER_PAGE)
        context = {
            "counts": queries.inbox_counts(mine), "page": page, "query": query,
            "status": request.GET.get("status") or QuestionStatus.OPEN, "statuses": QuestionStatus.choices,
        }  # fmt: skip
        return render(request, "web/qa/inbox.html", context)


class ForbiddenWords(ScopedView):
    required = "can_edit_forbidden_words"

    def get(self, request):
        return self._render(request, "\n".join(services.forbidden_words()))

    def post(self, request):
        text = request.POST.get("words", "")
        try:
            saved = services.set_forbidden_words(request.user, text)
        except ValidationError as error:
            return self._render(request, text, "；".join(error.messages), status=400)
        messages.success(request, f"已保存，共 {len(saved)} 个禁用词")
        return redirect("web:qa_words")

    def _render(self, request, text: str, error: str = "", status: int = 200):
        return render(request, "web/qa/words.html", {"text": text, "error": error}, status=status)


urlpatterns = [
    path("portal/qa/", QuestionList.as_view(), name="qa_list"),
    path("portal/qa/ask/", QuestionAsk.as_view(), name="qa_ask"),
    path("portal/qa/inbox/", QuestionInbox.as_view(), name="qa_inbox"),
    path("portal/qa/words/", ForbiddenWords.as_view(), name="qa_words"),
    path("portal/qa/<int:pk>/", QuestionDetail.as_view(), name="qa_detail"),
    path("portal/qa/<int:pk>/answer/", AnswerCreate.as_view(), name="qa_answer"),
    path("portal/qa/<int:pk>/moderate/", QuestionModerate.as_view(), name="qa_moderate"),
    path("portal/qa/answers/<int:pk>/edit/", AnswerEdit.as_view(), name="qa_answer_edit"),
    path("portal/qa/answers/<int:pk>/withdraw/", AnswerWithdraw.as_view(), name="qa_answer_withdraw"),
]
