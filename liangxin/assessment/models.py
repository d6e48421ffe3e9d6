"""考核评估的指标体系: indicator sets (五个好, 十个有, 阵地, 效能评估), their versions and indicators.

A set judges one kind of subject (党组织 or 党委). Its versions are the unit of change: a draft
(草稿) is edited, publishing (发布) freezes it for good, and a change to a published version is a
new draft copied from it (``services``, which refuse any change to a published version). The
assessment rounds that score subjects on a version are built on these tables.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

from liangxin.core.models import StoredFile

from .choices import CITY_SET, EntryState, Method, RoundState, RuleKind, SubjectKind, VersionStatus


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


# -- 考核轮次 ---------------------------------------------------------------------------------------
_USER = {"null": True, "blank": True, "on_delete": models.SET_NULL, "related_name": "+"}


class Round(models.Model):
    """考核轮次: one scoring of the subjects on a published version over a period. The city opens it
    (自评中) and moves it through 审核中, 确认中 to 已发布 (locked) and, once the objections are answered,
    异议已答复. Grade thresholds (等次分数线) and the objection period are the round's own."""

    name = models.CharField("轮次名称", max_length=60)
    version = models.ForeignKey(
        IndicatorVersion, verbose_name="指标体系版本", on_delete=models.PROTECT, related_name="rounds"
    )
    period_start = models.DateField("考核期起")
    period_end = models.DateField("考核期止")
    excellent_from = models.DecimalField("优秀分数线", max_digits=5, decimal_places=2, default=Decimal(90))
    good_from = models.DecimalField("良好分数线", max_digits=5, decimal_places=2, default=Decimal(80))
    fair_from = models.DecimalField("一般分数线", max_digits=5, decimal_places=2, default=Decimal(60))
    thresholds_source = models.CharField("分数线出处", max_length=100, default=CITY_SET)
    objection_days = models.PositiveIntegerField("异议期（天）", default=7)
    state = models.CharField("阶段", max_length=10, choices=RoundState.choices, default=RoundState.SELF)
    node = models.ForeignKey("mgmt.ManagementNode", verbose_name="发起节点", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", **_USER)
    computed_at = models.DateTimeField("取数时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核轮次"
        ordering = ["-period_end", "-pk"]

    def __str__(self) -> str:
        return self.name

    def audit_paths(self) -> tuple[str, str]:
        return self.node.path, ""

    @property
    def is_locked(self) -> bool:
        return self.state in (RoundState.PUBLISHED, RoundState.CLOSED)


class RoundEntry(models.Model):
    """考核对象: one subject (a party organization's or a committee's node) in a round, with the
    committee that reviews it (审核) and the one that confirms (确认), both read from the management
    tree when the round opens. ``total`` and ``grade`` are written when the round is published."""

    round = models.ForeignKey(Round, verbose_name="考核轮次", on_delete=models.CASCADE, related_name="entries")
    subject = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="评估对象", on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="审核党委", on_delete=models.PROTECT, related_name="+"
    )
    confirmer = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="确认党委", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=10, choices=EntryState.choices, default=EntryState.SELF)
    return_reason = models.CharField("退回理由", max_length=300, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", **_USER)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", **_USER)
    total = models.DecimalField("总分", max_digits=5, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=10, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核对象"
        ordering = ["round", "subject__path"]
        constraints = [models.UniqueConstraint(fields=["round", "subject"], name="assessment_entry_once")]
        indexes = [models.Index(fields=["round", "state"], name="assessment_entry_state")]

    def __str__(self) -> str:
        return f"{self.round.name}：{self.subject.name}"

    def audit_paths(self) -> tuple[str, str]:
        """The subject's place in the management tree: the committees above read its history."""
        return self.subject.path, ""


class RoundScore(models.Model):
    """考核得分: one leaf indicator of one subject. ``computed`` is the platform's figure, taken for all
    subjects at once when the round opens and kept (重新取数 before review only); ``self_value`` the
    subject's own score with its note; ``adjusted`` the reviewer's with the reason (须填写)."""

    entry = models.ForeignKey(RoundEntry, verbose_name="考核对象", on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    computed = models.DecimalField("平台取数", max_digits=14, decimal_places=4, null=True, blank=True)
    self_value = models.DecimalField("自评分", max_digits=14, decimal_places=4, null=True, blank=True)
    self_note = models.TextField("自评说明", blank=True)
    adjusted = models.DecimalField("审核调整值", max_digits=14, decimal_places=4, null=True, blank=True)
    adjust_reason = models.CharField("调整理由", max_length=300, blank=True)
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整人", **_USER)
    adjusted_at = models.DateTimeField("调整时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核得分"
        ordering = ["entry", "indicator__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "indicator"], name="assessment_score_once")]

    def __str__(self) -> str:
        return f"{self.entry}：{self.indicator.name}"


class ScoreEvidence(StoredFile):
    """佐证材料: a checked upload (photo or PDF) behind a person's score."""

    score = models.ForeignKey(RoundScore, verbose_name="考核得分", on_delete=models.CASCADE, related_name="evidence")

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["score", "pk"]


class Objection(models.Model):
    """异议: a subject's objection to its published result, within the round's period, and the
    confirming committee's answer (答复)."""

    entry = models.ForeignKey(RoundEntry, verbose_name="考核对象", on_delete=models.CASCADE, related_name="objections")
    text = models.TextField("异议内容")
    raised_at = models.DateTimeField("提出时间", auto_now_add=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", **_USER)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", **_USER)

    class Meta:
        verbose_name = verbose_name_plural = "异议"
        ordering = ["entry", "pk"]

    def __str__(self) -> str:
        return f"{self.entry}：异议"
