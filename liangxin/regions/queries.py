"""List filters of the region tree and the carriers: one function per list, used by its page
and its export."""

from django.db.models import QuerySet

from liangxin.core import normalize
from liangxin.core.tree import subtree_q

from .models import CarrierKind


def regions_under(regions: QuerySet, parent_code) -> tuple[QuerySet, object]:
    """The regions (already narrowed to the user's scope) under the one with ``parent_code``,
    itself included, and that region; all of them and None when no code is given or none matches."""
    code = normalize.code(parent_code)
    parent = regions.filter(code=code).first() if code else None
    return (regions.filter(subtree_q(parent.path)) if parent is not None else regions), parent


def filtered_carriers(scope, g) -> tuple[QuerySet, str, str, str]:
    """The carrier list for these parameters: (queryset, street code, kind, filter in words)."""
    carriers = scope.carriers("view").order_by("street__path", "name")
    said = []
    street = normalize.code(g.get("region"))
    if street:
        region = scope.regions("view").filter(code=street).first()
        carriers = carriers.filter(subtree_q(region.path, "street__path")) if region else carriers.none()
        said.append(f"区划：{region.name if region else street}")
    kind = g.get("kind", "")
    if kind in CarrierKind.values:
        carriers = carriers.filter(kind=kind)
        said.append(f"类型：{CarrierKind(kind).label}")
    return carriers, street, kind, "；".join(said) or "权限范围内全部"
