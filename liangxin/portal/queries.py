"""政策文件库's list: filters (category, year) and the full-text search, over a queryset the caller
has already narrowed to the documents the user may read (``Scope.policy_documents``)."""

from collections.abc import Mapping

from django.db.models import QuerySet

from liangxin.core.params import parse_choice, parse_int

from . import search
from .models import PolicyCategory, PolicyDocument

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
