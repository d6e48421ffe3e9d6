"""党建问答's lists over a queryset the caller has already narrowed by scope (``Scope.questions``):
the 常见问题 (FAQ), the public list, one's own questions, the committee's inbox; and the search.

The search is a plain ``icontains`` over the title, the question and the standing answers (every
word typed must occur in one of them). The policy library's full-text seam (``portal.search``) is
built for its own tables and sits in a sibling app; the FAQ is small (hundreds of answered
questions per committee), so a LIKE scan is fast enough and finds any part of a word."""

from collections.abc import Mapping

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from liangxin.core.params import parse_choice

from .models import Answer, Question, QuestionStatus

MAX_QUERY_CHARS = 100
MAX_WORDS = 8
VIEWS = {"faq": "常见问题", "public": "全部公开问题", "mine": "我的提问"}


def official_answer_exists() -> Exists:
    return Exists(Answer.objects.filter(question=OuterRef("pk"), official=True, withdrawn=False))


def faq(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """常见问题: public, not hidden, with a standing official answer."""
    return queryset.filter(official_answer_exists(), is_public=True, hidden=False)


def search(queryset: QuerySet[Question], text: str) -> QuerySet[Question]:
    """Questions whose title, text or a standing answer holds every word of ``text``."""
    for word in (text or "").split()[:MAX_WORDS]:
        word = word[:MAX_QUERY_CHARS]
        in_answers = Answer.objects.filter(question=OuterRef("pk"), withdrawn=False, text__icontains=word)
        queryset = queryset.filter(Q(title__icontains=word) | Q(text__icontains=word) | Exists(in_answers))
    return queryset


def listed(queryset: QuerySet[Question], params: Mapping, user_id: int | None) -> tuple[str, QuerySet[Question]]:
    """The list page's rows: ``view`` (faq, public, mine; default faq) then ``q``; newest first."""
    view = parse_choice(params, "view", "列表", VIEWS) or "faq"
    if view == "faq":
        rows = faq(queryset)
    elif view == "public":
        rows = queryset.filter(is_public=True, hidden=False)
    else:
        rows = queryset.filter(asker_id=user_id)
    rows = search(rows, str(params.get("q") or "").strip()[:MAX_QUERY_CHARS])
    return view, rows.select_related("committee", "asker_node").order_by("-created_at", "-id")


def inbox_counts(queryset: QuerySet[Question]) -> dict[str, int]:
    """The committee's figures: questions by state, and how many are hidden."""
    counts = queryset.aggregate(
        open=Count("pk", filter=Q(status=QuestionStatus.OPEN)),
        answered=Count("pk", filter=Q(status=QuestionStatus.ANSWERED)),
        closed=Count("pk", filter=Q(status=QuestionStatus.CLOSED)),
        hidden=Count("pk", filter=Q(hidden=True)),
    )
    return {k: v or 0 for k, v in counts.items()}


def inbox(queryset: QuerySet[Question], params: Mapping) -> QuerySet[Question]:
    """The committee's questions in ``status`` (default 待答复), oldest unanswered first."""
    status = parse_choice(params, "status", "状态", dict(QuestionStatus.choices)) or QuestionStatus.OPEN
    rows = queryset.filter(status=status).select_related("asker_node", "committee", "asker")
    return rows.order_by("created_at", "id") if status == QuestionStatus.OPEN else rows.order_by("-created_at", "-id")
