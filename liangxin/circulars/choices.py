"""The vocabularies of 通知下达."""

from django.db import models


class ReceiptState(models.TextChoices):
    """Where one addressed node stands with a notice. 已转发 counts as signed: forwarding is the
    node's acknowledgement that it received the notice and passed it on."""

    UNREAD = "unread", "未读"
    READ = "read", "已读"
    SIGNED = "signed", "已签收"
    FORWARDED = "forwarded", "已转发"


# the states in which the node has acknowledged the notice (签收, or 转发 which includes it)
SIGNED_STATES = (ReceiptState.SIGNED, ReceiptState.FORWARDED)


class AddressMode(models.TextChoices):
    """How the sender names the nodes a notice goes to (always below the sending node)."""

    CHILDREN = "children", "直属下级单位"
    KINDS = "kinds", "下级中某类全部单位"
    NODES = "nodes", "指定单位"
