"""The audit log's values as readers see them (the same words as its export)."""

from django import template

from liangxin.core import audit

register = template.Library()


@register.filter
def shown(value) -> str:
    return audit.shown(value)
