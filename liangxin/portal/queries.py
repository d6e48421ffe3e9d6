"""互动网's lists: the 政策文件库's filters (category, year) and full-text search, the news lists and
the 信息报送 list, each over a queryset the caller has already narrowed to what the user may read
(``Scope.policy_documents``, ``Scope.news_items``, ``Scope.info_reports``)."""

from collections.abc import Mapping

from django.db.models import Q, QuerySet

from liangxin.core.params import parse_choice, parse_int

from . import search
from .models import (
    InfoReport,
    NewsCategory,
    NewsItem,
    NewsStatus,
    PolicyCategory,
    PolicyDocument,
    ReportKind,
    ReportStatus,
)

FIRST_YEAR = 1921  # no party document is older than the party


def filtered_policies(queryset: QuerySet[PolicyDocument], params: Mapping) -> QuerySet[PolicyDocument]:
    """The documents of ``queryset`` in ``category`` and issued in ``year`` (both optional),
    newest first; a value that is not one raises ``BadParameter`` with a Chinese reason."""
    category = parse_choice(params, "category", "类别", dict(PolicyCategory.choices))
    year = parse_int(params, "year", "年度", minimum=FIRST_YEAR, maximum=9999)
    if category:
        queryset = queryset.filter(category=category)
    if year is not None:
        queryset = queryset.filter(issued_on__year=year)
    return queryset.select_related("node").order_by("-issued_on", "-id")


def searched_policies(queryset: QuerySet[PolicyDocument], params: Mapping) -> search.Results | None:
    """With ``q``: the filtered documents matching it, best first (a paginable ``search.Results``);
    without: None (the caller lists ``filtered_policies`` newest first)."""
    text = (params.get("q") or "").strip()
    if not text:
        return None
    return search.Results(search.parse(text), filtered_policies(queryset, params))


def years(queryset: QuerySet[PolicyDocument]) -> list[int]:
    """The years the reader's documents were issued in, newest first (the year filter's choices)."""
    return sorted({d.year for d in queryset.dates("issued_on", "year")}, reverse=True)


# -- 工作动态 / 通知公告 -------------------------------------------------------------------------------
def filtered_news(queryset: QuerySet[NewsItem], params: Mapping) -> QuerySet[NewsItem]:
    """The items of ``queryset`` in ``category``, published in ``year``, and holding ``q`` in the
    title or text (a word inside a phrase is found: "覆盖" finds "两个覆盖工作"); pinned first, then
    newest first. News is short and read by date, so a substring match serves it (the policy
    library's ranked index is for long documents)."""
    category = parse_choice(params, "category", "栏目", dict(NewsCategory.choices))
    year = parse_int(params, "year", "年度", minimum=FIRST_YEAR, maximum=9999)
    text = (params.get("q") or "").strip()[: search.MAX_QUERY_CHARS]
    if category:
        queryset = queryset.filter(category=category)
    if year is not None:
        queryset = queryset.filter(published_at__year=year)
    for word in text.split():
        queryset = queryset.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return queryset.order_by("-pinned", "-published_at", "-id")


def waiting_news(queryset: QuerySet[NewsItem]) -> QuerySet[NewsItem]:
    """Items not published yet (待审核, 退回), the latest first."""
    return queryset.exclude(status=NewsStatus.PUBLISHED).order_by("-updated_at", "-id")


# -- 信息报送 ------------------------------------------------------------------------------------------
def filtered_reports(queryset: QuerySet[InfoReport], params: Mapping) -> QuerySet[InfoReport]:
    """The reports of ``queryset`` of ``kind``, in ``status`` (at the level they are at now), sent
    in ``year``; newest first."""
    kind = parse_choice(params, "kind", "信息类别", dict(ReportKind.choices))
    status = parse_choice(params, "status", "状态", dict(ReportStatus.choices))
    year = parse_int(params, "year", "年度", minimum=FIRST_YEAR, maximum=9999)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if year is not None:
        queryset = queryset.filter(created_at__year=year)
    return queryset.order_by("-created_at", "-id")
