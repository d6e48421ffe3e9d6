"""The replies of a message as a workbook (回复汇总): one row per delivery, who, how, when, what."""

from liangxin.core.xlsx import Column, ListExport

from .choices import ChannelKind
from .content import organization_of
from .models import Delivery, Message

REPLY_COLUMNS = [
    Column("接收人", lambda d: d.recipient_name, 12),
    Column("渠道", lambda d: d.get_channel_display(), 10),
    Column("所在组织", organization_of, 30),
    Column("状态", lambda d: d.get_state_display(), 10),
    Column("发出时间", lambda d: d.sent_at, 18, "datetime"),
    Column("阅读时间", lambda d: d.read_at, 18, "datetime"),
    Column("回复时间", lambda d: d.replied_at, 18, "datetime"),
    Column("回复内容", lambda d: d.reply, 40),
    Column("失败原因", lambda d: d.reason, 24),
]


def replies_export(message: Message) -> ListExport:
    rows = (
        Delivery.objects.filter(message=message)
        .exclude(channel=ChannelKind.LOG)
        .select_related("member__party_org__node", "organization")
        .order_by("recipient_name", "pk")
    )
    return ListExport(
        f"群发信息回复_{message.title[:30]}", "群发信息", f"信息：{message.title}", REPLY_COLUMNS,
        rows.iterator(chunk_size=2000),
    )  # fmt: skip
