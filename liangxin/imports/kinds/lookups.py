"""Finding what a ledger names: places by code or name, committees and party organizations by
name, carriers by street and name; and the user's reach, cached per job."""

import re

from django.core.exceptions import ValidationError

from liangxin.core.tree import is_under
from liangxin.mgmt.models import ManagementNode
from liangxin.regions.models import Carrier, Region, RegionLevel

from .. import cells


class RegionLookup:
    """A 区划代码, or a name: "南京东路街道", "黄浦区南京东路街道", "黄浦区/南京东路街道"."""

    def __init__(self) -> None:
        regions = list(Region.objects.filter(is_active=True))
        by_id = {r.pk: r for r in regions}
        self.by_code = {r.code: r for r in regions}
        self.by_name: dict[str, list[Region]] = {}
        for region in regions:
            names = {region.name}
            if region.level == RegionLevel.STREET:  # "外滩" for 外滩街道, "漕泾" for 漕泾镇
                names.add(re.sub(r"(街道|镇|乡)$", "", region.name))
            parent = by_id.get(region.parent_id)
            while parent is not None and parent.level >= RegionLevel.DISTRICT:
                names |= {parent.name + n for n in names}
                parent = by_id.get(parent.parent_id)
            for name in names:
                self.by_name.setdefault(cells.header_key(name), []).append(region)

    def find(self, value: str) -> Region:
        word = cells.text(value)
        if word.isdigit():
            region = self.by_code.get(word)
            if region is None:
                raise ValidationError(f"区划代码「{word}」不存在")
            return region
        key = cells.header_key(word.replace("/", "").replace("·", ""))
        found = list({r.pk: r for r in self.by_name.get(key, [])}.values())
        if not found:
            raise ValidationError(f"找不到名为「{word}」的区划，请填写区划代码")
        if len(found) > 1:
            raise ValidationError(f"「{word}」有 {len(found)} 处同名区划，请填写区划代码或“区名+街道名”")
        return found[0]


class NodeLookup:
    """Management nodes (committees, party organizations) by name."""

    def __init__(self, queryset, what: str = "党委") -> None:
        self.what = what
        self.by_name: dict[str, list] = {}
        for node in queryset:
            self.by_name.setdefault(cells.header_key(node.name), []).append(node)

    def find(self, value: str):
        word = cells.text(value)
        found = self.by_name.get(cells.header_key(word), [])
        if not found:
            raise ValidationError(f"找不到名为「{word}」的{self.what}")
        if len(found) > 1:
            raise ValidationError(f"「{word}」有 {len(found)} 个同名{self.what}，请联系上级党委区分名称")
        return found[0]


def carrier_table() -> dict[tuple[str, str], Carrier]:
    """(street code, name key) → carrier."""
    return {
        (c.street.code, cells.header_key(c.name)): c
        for c in Carrier.objects.filter(is_active=True).select_related("street")
    }


class ScopeCache:
    """``scope.can_edit_node`` remembered per node: a job asks it for every row."""

    def __init__(self, scope) -> None:
        self.scope = scope
        self._by_id: dict[int | None, bool] = {}

    def can_edit(self, node: ManagementNode | None) -> bool:
        key = node.pk if node is not None else None
        if key not in self._by_id:
            self._by_id[key] = self.scope.can_edit_node(node)
        return self._by_id[key]

    def can_edit_id(self, node_id: int | None) -> bool:
        if node_id not in self._by_id:
            node = ManagementNode.objects.filter(pk=node_id).first() if node_id else None
            self._by_id[node_id] = self.scope.can_edit_node(node)
        return self._by_id[node_id]


__all__ = ["RegionLookup", "NodeLookup", "carrier_table", "ScopeCache", "is_under"]
