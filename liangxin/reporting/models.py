"""报送任务: an upper committee asks the nodes below for a report on a form, with a deadline.

A ``ReportForm`` (报送表单) is the form's definition, its ``ReportField``s in order; a
``ReportTask`` (报送任务) sends it to nodes, one ``ReportAssignment`` (报送单位) each; every
submission (报送记录) is kept as a version, so a returned and corrected report shows its history.
"""

from django.conf import settings
from django.db import models

from .choices import AddresseeRule, AssignmentState, FieldKind, FormKind, TaskState


class ReportForm(models.Model):
    """报送表单: a named form definition (its fields are ``ReportField`` rows, in order)."""

    name = models.CharField("表单名称", max_length=100, unique=True)
    kind = models.CharField("报送方式", max_length=10, choices=FormKind.choices, default=FormKind.FORM)
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("可用", default=True)
    # an Excel template is made by a committee (shipped forms have none): it and the committees
    # below it send tasks with it, so a district can roll its streets' rows up to the city
    owner = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="制作单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="report_forms",
    )  # fmt: skip
    template_name = models.CharField("模板文件名", max_length=200, blank=True)
    sheet_name = models.CharField("数据工作表", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送表单"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def audit_paths(self) -> tuple[str, str]:
        return (self.owner.path if self.owner_id else ""), ""


class ReportField(models.Model):
    """报送表单栏目: one field of a form. A 平台预填 field names a measure of
    ``reporting.measures``: the platform's figure for the answering node and period."""

    form = models.ForeignKey(ReportForm, verbose_name="表单", on_delete=models.CASCADE, related_name="fields")
    order = models.PositiveSmallIntegerField("顺序")
    key = models.SlugField("栏目代码", max_length=40)
    label = models.CharField("栏目名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=FieldKind.choices)
    choices = models.JSONField("选项", default=list, blank=True)
    measure = models.CharField("预填指标", max_length=40, blank=True)
    required = models.BooleanField("必填", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送表单栏目"
        ordering = ["form", "order"]
        constraints = [models.UniqueConstraint(fields=["form", "key"], name="report_field_key_unique")]

    def __str__(self) -> str:
        return self.label


class ReportTask(models.Model):
    """报送任务: a form sent down the tree from ``node`` for a period, with a deadline."""

    form = models.ForeignKey(ReportForm, verbose_name="报送表单", on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField("任务名称", max_length=200)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="发起单位", on_delete=models.PROTECT, related_name="report_tasks"
    )
    period_start = models.DateField("统计期起")
    period_end = models.DateField("统计期止")
    deadline = models.DateField("截止日期")
    state = models.CharField("状态", max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    addressee_rule = models.CharField("报送对象", max_length=10, choices=AddresseeRule.choices)
    addressee_kinds = models.JSONField("报送单位类型", default=list, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送任务"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def audit_paths(self) -> tuple[str, str]:
        return self.node.path, ""


class ReportAssignment(models.Model):
    """报送单位: one node asked to answer a task; its state follows its latest submission."""

    task = models.ForeignKey(ReportTask, verbose_name="报送任务", on_delete=models.CASCADE, related_name="assignments")
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="报送单位", on_delete=models.PROTECT, related_name="report_assignments"
    )
    state = models.CharField("状态", max_length=10, choices=AssignmentState.choices, default=AssignmentState.PENDING)
    version = models.PositiveIntegerField("最新版本", default=0)
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)
    reminded_at = models.DateTimeField("催报时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送单位"
        constraints = [models.UniqueConstraint(fields=["task", "node"], name="report_assignment_unique")]
        indexes = [models.Index(fields=["node", "state"], name="report_assignment_node")]

    def __str__(self) -> str:
        return f"{self.task} · {self.node}"

    def audit_paths(self) -> tuple[str, str]:
        return self.node.path, ""


class ReportSubmission(models.Model):
    """报送记录: one version of a node's answer. ``prefilled`` keeps what the platform measured,
    ``corrections`` the note for each prefilled value the node changed; a returned version keeps
    the reason (退回原因) and the next version is the resubmission."""

    assignment = models.ForeignKey(
        ReportAssignment, verbose_name="报送单位", on_delete=models.CASCADE, related_name="submissions"
    )
    version = models.PositiveIntegerField("版本")
    values = models.JSONField("填报内容", default=dict)
    prefilled = models.JSONField("平台预填值", default=dict)
    corrections = models.JSONField("更正说明", default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by_name = models.CharField("提交人姓名", max_length=150)
    submitted_at = models.DateTimeField("提交时间")
    late = models.BooleanField("逾期", default=False)
    returned_reason = models.CharField("退回原因", max_length=500, blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    rolled_up_from = models.ForeignKey(
        ReportTask, verbose_name="汇总自", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # an Excel template's answer: one list per row, [填报单位名称, 单位代码, *the columns' values as
    # stored]; the name and code are the answering node's, or its lower node's in a rolled-up answer
    rows = models.JSONField("填报数据行", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送记录"
        ordering = ["assignment", "version"]
        constraints = [models.UniqueConstraint(fields=["assignment", "version"], name="report_submission_version")]

    def __str__(self) -> str:
        return f"{self.assignment} 第{self.version}版"

    def audit_paths(self) -> tuple[str, str]:
        return self.assignment.node.path, ""

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)
