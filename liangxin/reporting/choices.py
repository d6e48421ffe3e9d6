"""Vocabularies of 报送任务 (reporting)."""

from django.db import models


class FieldKind(models.TextChoices):
    NUMBER = "number", "数字"
    TEXT = "text", "文字"
    DATE = "date", "日期"
    CHOICE = "choice", "选项"
    FILE = "file", "附件"
    PREFILLED = "prefilled", "平台预填"


# the kinds whose answers add up (the collected sheet's subtotals, 汇总上报)
SUMMABLE_KINDS = (FieldKind.NUMBER, FieldKind.PREFILLED)


class FormKind(models.TextChoices):
    """What a task asks for: a form answered on the page, or an Excel template (模板报送) whose
    answer is the rows a node fills in a workbook (its columns are the form's ``ReportField``s)."""

    FORM = "form", "在线表单"
    TEMPLATE = "template", "Excel 模板"


# the kinds a template's column may have (a sender picks one per column)
COLUMN_KINDS = (FieldKind.TEXT, FieldKind.NUMBER, FieldKind.DATE, FieldKind.CHOICE)


class TaskState(models.TextChoices):
    OPEN = "open", "报送中"
    CLOSED = "closed", "已截止关闭"


class AddresseeRule(models.TextChoices):
    CHILDREN = "children", "直接下级"
    KINDS = "kinds", "下级中指定类型的全部单位"


class AssignmentState(models.TextChoices):
    PENDING = "pending", "未提交"
    SUBMITTED = "submitted", "已提交"
    LATE = "late", "逾期提交"
    RETURNED = "returned", "已退回"


# answered (a submission stands): counted as done on the completion page
ANSWERED_STATES = (AssignmentState.SUBMITTED, AssignmentState.LATE)
