"""Fetching one object through a scoped queryset: the 404 rule shared by pages and the API."""

from django.db.models import Model, QuerySet
from django.http import Http404


def get_in_scope(queryset: QuerySet, **lookup) -> Model:
    """The object of ``queryset`` matching ``lookup``; outside the queryset answers 404 exactly
    like an object that does not exist, so a user learns nothing of what lies outside their scope."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("对象不存在")
    return obj
