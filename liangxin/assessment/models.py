"""考核评估的指标体系: indicator sets (五个好, 十个有, 阵地, 效能评估), their versions and indicators.

A set judges one kind of subject (党组织 or 党委). Its versions are the unit of change: a draft
(草稿) is edited, publishing (发布) freezes it for good, and a change to a published version is a
new draft copied from it (``services``, which refuse any change to a published version). The
assessment rounds that score subjects on a version are built on these tables.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

from .choices import CITY_SET, Method, RuleKind, SubjectKind, VersionStatus


class IndicatorSet(models.Model):
    """指标体系: a named set of indicators for one kind of subject, e.g. "五个好"党组织."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    subject_kind = models.CharField("评估对象", max_length=12, choices=SubjectKind.choices)
    description = models.TextField("说明", blank=True)
    source = models.CharField("依据", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标体系"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class IndicatorVersion(models.Model):
    """指标体系版本: a draft (草稿, editable) or a published version (已发布, never changed)."""

    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name="指标体系", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    note = models.CharField("版本说明", max_length=200, blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "指标体系版本"
        ordering = ["indicator_set", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "number"], name="assessment_version_number"),
            # one draft per set at a time (services.new_draft says so in Chinese first)
            models.UniqueConstraint(
                fields=["indicator_set"], condition=models.Q(status="draft"), name="assessment_one_draft_per_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_set.name} 第{self.number}版（{self.get_status_display()}）"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Indicator(models.Model):
    """指标: one node of a version's tree. Siblings' weights (权重) sum to 100: a weight is the
    indicator's share of its parent's full marks. A leaf (no children) is either computed from a
    platform measure (``measure``) or scored by people (人工评分), and has a scoring rule
    (评分规则: ``rule_kind`` + ``rule_params``, checked by ``rules.validate``)."""

    version = models.ForeignKey(
        IndicatorVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级指标", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    order = models.PositiveIntegerField("顺序", default=0)
    name = models.CharField("指标名称", max_length=100)
    description = models.TextField("评分说明", blank=True)
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2, default=Decimal(0))
    method = models.CharField("取值方式", max_length=10, choices=Method.choices, blank=True)
    measure = models.CharField("平台指标", max_length=40, blank=True)
    rule_kind = models.CharField("评分规则", max_length=10, choices=RuleKind.choices, blank=True)
    rule_params = models.JSONField("规则参数", default=dict, blank=True)
    note_required = models.BooleanField("须填写说明", default=False)
    evidence_allowed = models.BooleanField("可上传佐证材料", default=False)
    item_source = models.CharField("指标出处", max_length=300, blank=True)
    weight_source = models.CharField("权重与标准出处", max_length=100, default=CITY_SET)

    class Meta:
        verbose_name = verbose_name_plural = "指标"
        ordering = ["version", "parent_id", "order", "pk"]
        indexes = [models.Index(fields=["version", "parent", "order"], name="assessment_indicator_tree")]

    def __str__(self) -> str:
        return self.name
