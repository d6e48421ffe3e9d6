from django.db import models

from .choices import ChannelKind, DeliveryState, MessageState, ReplyKind, Urgency


class Message(models.Model):
    """群发信息: one message a node sends to many recipients over one or more channels.

    ``lease_until`` and ``worker`` are the sending run's claim: one run at a time sends a message's
    deliveries; a run that died lets the next one in at once on its host (its process is gone),
    elsewhere once its lease ran out."""

    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    sender = models.ForeignKey("accounts.User", verbose_name="发送人", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="发送单位", on_delete=models.PROTECT, related_name="messages"
    )
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    reply_kind = models.CharField("回复要求", max_length=8, choices=ReplyKind.choices, default=ReplyKind.NONE)
    state = models.CharField("状态", max_length=8, choices=MessageState.choices, default=MessageState.DRAFT)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    lease_until = models.DateTimeField("发送占用至", null=True, blank=True, editable=False)
    worker = models.CharField("发送进程", max_length=120, blank=True, editable=False)  # host:pid

    class Meta:
        verbose_name = verbose_name_plural = "群发信息"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def audit_paths(self) -> tuple[str, str]:
        return (self.node.path, "")


class Delivery(models.Model):
    """投递: the message to one recipient over one channel.

    ``recipient_key`` names the recipient stably (``user:12``, ``member:34``, ``org-contact:56``);
    ``idempotency_key`` is derived from (message, recipient, channel), sent to the gateway with
    the request, and unique, so a rerun can neither add a second delivery nor a second send."""

    message = models.ForeignKey(Message, verbose_name="信息", on_delete=models.CASCADE, related_name="deliveries")
    recipient_key = models.CharField("接收人标识", max_length=64)
    recipient_name = models.CharField("接收人", max_length=100, blank=True)
    user = models.ForeignKey(
        "accounts.User", verbose_name="用户", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        "party.Member", verbose_name="党员", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField("渠道", max_length=8, choices=ChannelKind.choices)
    address = models.CharField("地址", max_length=254, blank=True)
    state = models.CharField("状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    reason = models.CharField("失败原因", max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    provider_id = models.CharField("网关编号", max_length=100, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sending_at = models.DateTimeField("开始发送", null=True, blank=True)
    sent_at = models.DateTimeField("发出时间", null=True, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    reply = models.CharField("回复", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投递"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient_key", "channel"], name="one_delivery_per_channel")
        ]
        indexes = [models.Index(fields=["message", "state", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.recipient_name or self.recipient_key}（{self.get_channel_display()}）"
