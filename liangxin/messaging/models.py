from django.conf import settings
from django.db import models

from liangxin.core.models import StoredFile

from .choices import ChannelKind, DeliveryState, MessageSource, MessageState, ReplyKind, Urgency


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
    state = models.CharField("状态", max_length=10, choices=MessageState.choices, default=MessageState.DRAFT)
    source = models.CharField("类别", max_length=8, choices=MessageSource.choices, default=MessageSource.MESSAGE)
    # the 发送范围 as ``targets.Target.to_json()``: resolved again when the message is sent
    target = models.JSONField("发送范围", default=dict, blank=True)
    channels = models.JSONField("发送渠道", default=list, blank=True)  # ChannelKind values; the inbox always
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    scheduled_at = models.DateTimeField("定时发送时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交签发时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", verbose_name="签发人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("签发时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    # set once every delivery of the target exists: a fan-out killed before it is redone (adding
    # only what is missing), and the message is never 已发送 without it
    fanned_out_at = models.DateTimeField("分发完成时间", null=True, blank=True, editable=False)
    recalled_at = models.DateTimeField("撤回时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒未读时间", null=True, blank=True)
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
    ``idempotency_key`` is derived from (message, recipient, channel), which is unique, and sent to
    the gateway with the request, so a rerun can neither add a second delivery nor a second send."""

    # no index of its own: the three indexes below begin with the message
    message = models.ForeignKey(
        Message, verbose_name="信息", on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    recipient_key = models.CharField("接收人标识", max_length=64)
    recipient_name = models.CharField("接收人", max_length=100, blank=True)
    # who received it: ids read from the people's rows in the fan-out's own transaction, beside the
    # name, key and address copied from them. No database foreign keys (``db_constraint=False``;
    # Django still nulls them when the person is deleted): checking them at commit, a row lock on
    # each member and account, was a third of a fan-out of 500,000 on PostgreSQL
    user = models.ForeignKey(
        "accounts.User",
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    member = models.ForeignKey(
        "party.Member",
        verbose_name="党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )  # fmt: skip
    channel = models.CharField("渠道", max_length=8, choices=ChannelKind.choices)
    address = models.CharField("地址", max_length=254, blank=True)
    state = models.CharField("状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    reason = models.CharField("失败原因", max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    provider_id = models.CharField("网关编号", max_length=100, blank=True)
    # unique as the (message, recipient, channel) it is derived from is; no index of its own (read
    # only with the delivery's id): a hash is a random place in an index of millions, on every insert
    idempotency_key = models.CharField("幂等键", max_length=64)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sending_at = models.DateTimeField("开始发送", null=True, blank=True)
    sent_at = models.DateTimeField("发出时间", null=True, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    reply = models.CharField("回复", max_length=200, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    # 接收人所在节点, computed as the delivery is inserted (``facts.recipient_node_sql``): the node
    # the recipient sat at when the message reached them, so the per-sub-node rates are one GROUP
    # BY over this column. Read from existing rows in the same statement: no database foreign key,
    # as for the people above.
    recipient_node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="接收人所在节点", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False, db_constraint=False,
    )  # fmt: skip
    # what this delivery adds to its node's ``DeliveryTally`` now: 1 received, 2 read, 4 replied
    # (``facts.MASK``); ``facts.sync`` moves the tally by the difference when the state changes
    tallied = models.PositiveSmallIntegerField("已计入统计", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "投递"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient_key", "channel"], name="one_delivery_per_channel"),
        ]
        indexes = [
            models.Index(fields=["message", "state", "next_attempt_at"], name="delivery_due"),
            # one message's counts per sub-node (rates.by_child): its deliveries in node order
            models.Index(fields=["message", "recipient_node"], name="delivery_node"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name or self.recipient_key}（{self.get_channel_display()}）"


class ReachFact(models.Model):
    """到达记录: one organization a delivery reaches (两个力争), stored when the delivery is made.

    Written at fan-out (``facts.write_new``) from who the recipient was *then*: the organization
    of a contact, the employer of a member (named by the delivery or by its account), and every
    organization covered on that day by a party organization whose secretary the recipient was.
    ``received_at`` and ``read_at`` follow the delivery (``facts.sync``): the delivery's
    ``sent_at`` while it is 已发出/已送达/已读/已回复, else empty (queued, failed, recalled …);
    its ``read_at`` when received and not an SMS. The 到达率 is then a count of distinct
    organizations over this narrow table, whatever happened to the people since."""

    # facts written by one statement from the delivery and organization rows they name: no database
    # foreign keys (Django still deletes them with either); checking both cost as much as writing
    # the facts, at a fact per delivery of a fan-out of 500,000 (PostgreSQL)
    delivery = models.ForeignKey(
        Delivery,
        verbose_name="投递",
        on_delete=models.CASCADE,
        related_name="reach_facts",
        db_index=False,
        db_constraint=False,
    )  # the unique (delivery, organization) indexes it
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name="组织",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    channel = models.CharField("渠道", max_length=8, choices=ChannelKind.choices)
    received_at = models.DateTimeField("收到时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "到达记录"
        constraints = [
            models.UniqueConstraint(fields=["delivery", "organization"], name="one_reach_fact_per_organization")
        ]
        indexes = [
            # the walk: the organizations received in a period, read from the index alone
            # (a partial index of received facts only was tried: the fan-out 3 s faster at 500,000,
            # the city's 到达率 812 → 1,012 ms at 1M on PostgreSQL; kept whole)
            models.Index(fields=["received_at", "channel", "organization", "read_at"], name="reach_received"),
            # the probe: one organization's facts in a period (small units on SQLite)
            models.Index(fields=["organization", "received_at"], name="reach_by_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} ← {self.delivery_id}"


class DeliveryTally(models.Model):
    """投递统计: one message's deliveries counted per recipient node (``Delivery.recipient_node``),
    kept as they change, so the per-sub-node rates read a few thousand rows instead of counting
    every delivery of a message sent to the whole city.

    ``facts.write_new`` adds a batch's new deliveries in the fan-out's transaction; ``facts.sync``
    moves received/read/replied by the difference between what each delivery counts for now and
    what it was counted for (``Delivery.tallied``), in the transaction of the change; ``facts.retally``
    recounts a message from its rows. Each count is what ``rates`` defines: received = 已发出/已送达/
    已读/已回复, read = received and opened (never an SMS), replied = received and answered."""

    message = models.ForeignKey(
        Message, verbose_name="信息", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # the node's id, 0 when the recipient sat at no node: a plain number, so that the unique key
    # holds for "no node" too (a NULL would never collide) and an upsert can add to it
    node_key = models.PositiveIntegerField("接收人所在节点", default=0)
    deliveries = models.IntegerField("投递", default=0)
    received = models.IntegerField("已送达", default=0)
    read = models.IntegerField("已读", default=0)
    replied = models.IntegerField("已回复", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "投递统计"
        constraints = [models.UniqueConstraint(fields=["message", "node_key"], name="one_tally_per_node")]

    def __str__(self) -> str:
        return f"{self.message_id}@{self.node_key}"


class MessageAttachment(StoredFile):
    """附件 of a message (PDF, Office files, images), checked by content, stored encrypted."""

    message = models.ForeignKey(Message, verbose_name="信息", on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        verbose_name = verbose_name_plural = "信息附件"
        ordering = ["id"]


class MessageTemplate(models.Model):
    """信息模板: a recurring message (monthly 主题党日 notice, dues reminder) with placeholders
    {姓名} {组织} {月份}, filled per recipient when sent."""

    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="所属单位", on_delete=models.CASCADE, related_name="message_templates"
    )
    name = models.CharField("模板名称", max_length=60)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    reply_kind = models.CharField("回复要求", max_length=8, choices=ReplyKind.choices, default=ReplyKind.NONE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息模板"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="one_template_name_per_node")]

    def __str__(self) -> str:
        return self.name

    def audit_paths(self) -> tuple[str, str]:
        return (self.node.path, "")


class MessagingPolicy(models.Model):
    """A node's setting for mass messages: whether a second administrator of the node must
    approve (签发) a message before it goes."""

    node = models.OneToOneField(
        "mgmt.ManagementNode", verbose_name="单位", on_delete=models.CASCADE, related_name="messaging_policy"
    )
    require_approval = models.BooleanField("群发需审核签发", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "群发设置"

    def __str__(self) -> str:
        return f"{self.node}：{'需签发' if self.require_approval else '无需签发'}"

    def audit_paths(self) -> tuple[str, str]:
        return (self.node.path, "")


class SegmentSource(models.TextChoices):
    """The platform lists a segment can be saved from ("发送给这些")."""

    ORGANIZATIONS = "organizations", "组织名录"
    MEMBERS = "members", "党员名册"
    BLANK_SPOTS = "blank_spots", "空白点"
    FINDINGS = "findings", "核查发现"


class Segment(models.Model):
    """常用发送对象: a filtered list of the platform saved as a target. It stores the list's
    filter, not its rows, so it is resolved again — within the sender's scope — at each use."""

    node = models.ForeignKey("mgmt.ManagementNode", verbose_name="所属单位", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField("名称", max_length=60)
    source = models.CharField("来源列表", max_length=16, choices=SegmentSource.choices)
    query = models.CharField("筛选条件", max_length=1000, blank=True)  # the list page's query string
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "常用发送对象"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def audit_paths(self) -> tuple[str, str]:
        return (self.node.path, "")
