from django.db import models

from liangxin.core.models import StoredFile

from .choices import ReceiptState


class Circular(models.Model):
    """通知/文件 (通知下达): a notice sent down the management tree from one node to nodes below it.

    A 转发 is a Circular too: ``parent`` is the notice it passes on, ``additions`` the forwarding
    node's own words (e.g. a street's 贯彻落实意见), ``root`` the notice that started the chain, so
    the originator's tracking reads the whole forwarding tree in one query. ``message`` is the
    群发信息 (source 通知下达) whose inbox deliveries carry it to the addressed nodes' administrators."""

    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    issuer = models.CharField("发文单位", max_length=100)
    body = models.TextField("正文")  # sanitised HTML (core.richtext.clean_html)
    sender = models.ForeignKey("accounts.User", verbose_name="发送人", on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="发送单位", on_delete=models.PROTECT, related_name="circulars"
    )
    deadline = models.DateField("签收期限", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("下发时间", null=True, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="所转发的通知", null=True, blank=True, on_delete=models.PROTECT, related_name="forwards"
    )
    root = models.ForeignKey(
        "self", verbose_name="原始通知", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    additions = models.TextField("转发意见", blank=True)
    message = models.ForeignKey(
        "messaging.Message", verbose_name="投递信息", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "通知下达"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）" if self.number else self.title

    def audit_paths(self) -> tuple[str, str]:
        return (self.node.path, "")

    @property
    def root_id_or_self(self) -> int:
        return self.root_id or self.pk


class CircularAttachment(StoredFile):
    """通知附件 (PDF, Office files, images), checked by content, stored encrypted."""

    # the Office types' names are longer than StoredFile's 40 characters
    content_type = models.CharField("文件类型", max_length=100)
    circular = models.ForeignKey(Circular, verbose_name="通知", on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        verbose_name = verbose_name_plural = "通知附件"
        ordering = ["id"]


class CircularReceipt(models.Model):
    """收文: one addressed node's copy of a notice — opened (已读), signed for (签收, by any
    administrator of the node), or passed on (已转发, which counts as signed)."""

    circular = models.ForeignKey(Circular, verbose_name="通知", on_delete=models.CASCADE, related_name="receipts")
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="收文单位", on_delete=models.PROTECT, related_name="circular_receipts"
    )
    state = models.CharField("状态", max_length=10, choices=ReceiptState.choices, default=ReceiptState.UNREAD)
    opened_at = models.DateTimeField("首次阅读时间", null=True, blank=True)
    opened_by = models.ForeignKey(
        "accounts.User", verbose_name="首次阅读人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        "accounts.User", verbose_name="签收人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    forwarded_at = models.DateTimeField("转发时间", null=True, blank=True)
    forward = models.ForeignKey(
        Circular, verbose_name="转发的通知", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField("催办时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "收文"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["circular", "node"], name="one_receipt_per_node")]
        indexes = [models.Index(fields=["node", "state"], name="receipt_node_state")]

    def __str__(self) -> str:
        return f"{self.node}：{self.circular}"

    def audit_paths(self) -> tuple[str, str]:
        return (self.node.path, "")

    @property
    def is_signed(self) -> bool:
        return self.state in (ReceiptState.SIGNED, ReceiptState.FORWARDED)
