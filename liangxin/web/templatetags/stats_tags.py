"""Small template helpers for the statistics pages."""

import math

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@register.filter
def rate(report, key: str):
    return report.rate(key)


@register.filter
def row_rate(row, key: str):
    return row.rate(key)


@register.filter
def shortfall(rate_value) -> int:
    """How many more organizations would reach the target."""
    if rate_value.target is None or not rate_value.denominator:
        return 0
    return max(0, math.ceil(rate_value.target * rate_value.denominator / 100) - rate_value.numerator)


@register.filter
def chart_height(count: int) -> int:
    return max(240, count * 30 + 70)
