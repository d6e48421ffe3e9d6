from django.db import models


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交待审阅"
    RETURNED = "returned", "已退回修改"
    APPROVED = "approved", "审阅通过"


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", "提交"
    RETURN = "return", "退回修改"
    APPROVE = "approve", "审阅通过"


# the states in which the author changes the text and refreshes the figures
EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
