from django.db import models


class NoticeKind(models.TextChoices):
    MEETING = "meeting", "组织生活"
    APPLICANT = "applicant", "发展党员"
    TRANSFER = "transfer", "组织关系转接"
    FLOATING = "floating", "流动党员"
    DUES = "dues", "党费"
    TERM = "term", "换届"
    MESSAGE = "message", "通知"
    REPORT = "report", "信息报送"


class Notice(models.Model):
    """站内消息: one notice to one user. ``key`` makes a reminder idempotent: the daily job
    sends the same reminder once, however often it runs."""

    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("类别", max_length=12, choices=NoticeKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField("提醒键", max_length=120, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="one_notice_per_reminder"
            )
        ]

    def __str__(self) -> str:
        return self.title
