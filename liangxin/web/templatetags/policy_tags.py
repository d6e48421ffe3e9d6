"""Policy parameters on pages, as users read them everywhere: ``{% cite "key" %}`` → 「名称」（出处）."""

from django import template

from liangxin.party import policy

register = template.Library()


@register.simple_tag
def cite(*keys: str) -> str:
    return policy.cite(*keys)
