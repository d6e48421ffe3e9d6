"""The vocabularies of 信息群发."""

from django.db import models


class Urgency(models.TextChoices):
    NORMAL = "normal", "普通"
    URGENT = "urgent", "紧急"


class ReplyKind(models.TextChoices):
    NONE = "none", "无需回复"
    ACK = "ack", "确认收到"
    TEXT = "text", "简短回复"
    YES_NO = "yes_no", "是否"


class MessageState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待签发"
    SCHEDULED = "scheduled", "定时发送"
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    DONE = "done", "已发送"
    RECALLED = "recalled", "已撤回"


class MessageSource(models.TextChoices):
    """What a message carries: a mass message written by a sender, a notice down the tree
    (通知下达) whose deliveries reach the addressed nodes' administrators, or a reminder of a
    report task (报送任务: 催报) to the administrators of the nodes that have not answered."""

    MESSAGE = "message", "群发信息"
    NOTICE = "notice", "通知下达"
    REPORT = "report", "报送任务"


class ChannelKind(models.TextChoices):
    INBOX = "inbox", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    LOG = "log", "记录（无网关）"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发出"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "失败"
    UNKNOWN = "unknown", "结果未知"
    READ = "read", "已读"
    REPLIED = "replied", "已回复"
    RECALLED = "recalled", "已撤回"
