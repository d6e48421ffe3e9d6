from functools import cached_property

from django.db import models

from liangxin.core.tree import TreePathField, rewrite_subtree_paths, subtree_q


class RegionLevel(models.IntegerChoices):
    CITY = 1, "市"
    DISTRICT = 2, "区/县"
    STREET = 3, "街道/镇"
    GRID = 4, "网格"


class Region(models.Model):
    """行政区划: one node of the region tree (市 → 区/县 → 街道/镇 → 网格).

    ``code`` follows GB/T 2260 / 统计用区划代码 (6 digits for city and district, 9 for a
    street, 12 for a grid). ``path`` is the chain of codes from the root.
    """

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.PositiveSmallIntegerField("层级", choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = TreePathField("路径", max_length=80, unique=True, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "/") + self.code + "/"
        self.__dict__.pop("street_code", None)  # the cached street follows the new path
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            rewrite_subtree_paths(Region, old_path, self.path)

    @property
    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c]

    def ancestors(self) -> list["Region"]:
        """From the root down to this node (one query)."""
        by_code = {r.code: r for r in Region.objects.filter(code__in=self.ancestor_codes)}
        return [by_code[c] for c in self.ancestor_codes if c in by_code]

    def subtree(self) -> models.QuerySet["Region"]:
        return Region.objects.filter(subtree_q(self.path))

    @cached_property  # asked for every row of an import; a region's path does not change under it
    def street_code(self) -> str | None:
        """The code of the street/town this node lies in (itself if a street)."""
        codes = self.ancestor_codes
        return codes[RegionLevel.STREET - 1] if len(codes) >= RegionLevel.STREET else None

    @property
    def short_label(self) -> str:
        """A grid with its street ("南京东路街道·第一网格"); needs ``parent`` loaded for grids."""
        return f"{self.parent.name}·{self.name}" if self.level == RegionLevel.GRID and self.parent_id else self.name

    @property
    def full_name(self) -> str:
        return " / ".join(r.name for r in self.ancestors())


class CarrierKind(models.TextChoices):
    BUILDING = "building", "商务楼宇"
    PARK = "park", "园区"
    STREET = "street", "商业街/城"
    MARKET = "market", "专业市场"


class Carrier(models.Model):
    """载体: a business building, park, commercial street or market under a street/town."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=CarrierKind.choices)
    street = models.ForeignKey(Region, verbose_name="所在街道/镇", on_delete=models.PROTECT, related_name="carriers")
    address = models.CharField("地址", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "载体"
        ordering = ["street__path", "name"]
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="carrier_unique_name_in_street")]

    def __str__(self) -> str:
        return self.name
