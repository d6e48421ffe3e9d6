"""述职报告: a committee's yearly party-building report (书记抓党建述职), reviewed by the level above."""

from django.conf import settings
from django.db import models

from liangxin.mgmt.models import ManagementNode

from .choices import ReportStatus, ReviewAction


class DutyReport(models.Model):
    """述职报告: one committee's report for one year. ``figures`` is the platform's figures taken as a
    snapshot on ``as_of`` (refreshed by the author while editable, frozen once submitted)."""

    node = models.ForeignKey(ManagementNode, verbose_name="述职党委", on_delete=models.PROTECT, related_name="+")
    review_node = models.ForeignKey(
        ManagementNode, verbose_name="审阅党委", on_delete=models.PROTECT, related_name="+", null=True
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    figures = models.JSONField("平台数据", default=dict)
    as_of = models.DateField("数据截止日期")
    figures_taken_at = models.DateTimeField("数据提取时间")
    practice = models.TextField("主要做法和成效", blank=True)
    problems = models.TextField("存在的问题", blank=True)
    plans = models.TextField("下一步打算", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撰写人", on_delete=models.PROTECT, related_name="+", null=True
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审阅时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "述职报告"
        ordering = ["-year", "node__path"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="duty_report_one_per_node_year")]

    def __str__(self) -> str:
        return f"{self.node.name}{self.year}年度书记抓党建述职报告"

    def audit_paths(self) -> tuple[str, str]:
        return self.node.path, (self.node.region.path if self.node.region_id else "")


class DutyReview(models.Model):
    """述职审阅记录: one step of the report's history (提交, 退回修改 with the reason, 审阅通过 with comments)."""

    report = models.ForeignKey(DutyReport, verbose_name="述职报告", on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField("环节", max_length=10, choices=ReviewAction.choices)
    comment = models.TextField("意见", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT, related_name="+", null=True
    )
    node = models.ForeignKey(ManagementNode, verbose_name="办理党委", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "述职审阅记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.report}"
