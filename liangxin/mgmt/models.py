import uuid

from django.db import models

from liangxin.core.tree import TreePathField, rewrite_subtree_paths, subtree_q


class NodeKind(models.TextChoices):
    CITY = "city", "市级党委"
    DISTRICT = "district", "区级党委"
    STREET = "street", "街道/镇综合党委"
    INDUSTRY = "industry", "行业党委"
    GRASSROOTS = "grassroots", "基层党组织"


COMMITTEE_KINDS = (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.STREET, NodeKind.INDUSTRY)


class ManagementNode(models.Model):
    """党组织隶属关系: one node of the management tree.

    City committee → district committee → street 综合党委 or 行业党委 → grassroots party
    organizations. City, district and street committees have a territory (``region``);
    industry committees have none. Workflows and permissions follow this tree.
    """

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=NodeKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="辖区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committees",
    )
    path = TreePathField("路径", max_length=200, unique=True, editable=False)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "管理节点"
        ordering = ["path"]
        constraints = [
            # one territorial committee per region: a street maps to exactly one street committee
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(kind__in=["city", "district", "street"]),
                name="one_territorial_committee_per_region",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is None:
            # the path is made of ids, so insert first under a placeholder path
            self.path = f"/new-{uuid.uuid4().hex}/"
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "/") + str(self.pk) + "/"
        super().save(*args, **kwargs)
        if not old_path.startswith("/new-") and old_path != self.path:
            rewrite_subtree_paths(ManagementNode, old_path, self.path)

    @property
    def is_committee(self) -> bool:
        return self.kind in COMMITTEE_KINDS

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.split("/") if p]

    def ancestors(self) -> list["ManagementNode"]:
        by_id = ManagementNode.objects.in_bulk(self.ancestor_ids)
        return [by_id[i] for i in self.ancestor_ids if i in by_id]

    def subtree(self) -> models.QuerySet["ManagementNode"]:
        return ManagementNode.objects.filter(subtree_q(self.path))
