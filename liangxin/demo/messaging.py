"""Demo data for 信息群发 (after the daily work): the demo street's and district's templates, a few
messages sent over the last weeks with their deliveries, reads and replies, one waiting for 签发
and one draft — so the pages, the per-channel figures and the reach have something to show.

The messages are written through the real services (target resolution with the sender's scope,
deliveries with their idempotency keys and 到达事实, the inbox channel for the logins); the history
of the other channels (sent some days ago, read by part of the e-mail recipients, replied by a few)
is then set on the rows directly, as an operator loading records would, and copied into the
deliveries' 到达事实 (``messaging.facts.sync``). Only the demo street and
district send, so the demo's size stays bounded at any city size.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.roles import Role
from liangxin.accounts.scoping import scope_for
from liangxin.demo.common import Log
from liangxin.messaging import compose, facts, services
from liangxin.messaging.channels import Outcome
from liangxin.messaging.choices import ChannelKind, DeliveryState, MessageState, ReplyKind
from liangxin.messaging.models import Delivery, Message
from liangxin.messaging.targets import NodePlace, OrgFilter, PeopleKind, Target
from liangxin.orgs.choices import CoverageState

READ_SHARE = 0.55  # of the e-mail and inbox deliveries, opened
REPLY_SHARE = 0.35  # of those opened, answered where an answer is asked
TEMPLATES = [
    (
        "月度主题党日通知", "{月份}主题党日活动安排",
        "{姓名}同志：\n\n请于{月份}下旬参加本支部主题党日活动，具体时间地点由支部另行通知。", ReplyKind.ACK,
    ),
    (
        "党费交纳提醒", "{月份}党费交纳提醒", "{姓名}同志：\n\n请按时交纳{月份}党费。如有困难请与支部联系。",
        ReplyKind.NONE,
    ),
]  # fmt: skip


def _admin(role: str, node_name_part: str) -> User | None:
    grant = (
        RoleAssignment.objects.filter(role=role, node__name__contains=node_name_part)
        .select_related("user", "node")
        .first()
    )
    return grant.user if grant else None


def _send(sender: User, title: str, body: str, target: Target, channels: list[str], reply: str, days_ago: int):
    scope = scope_for(sender)
    node = scope.sender_nodes().first()
    draft = compose.check_draft(title, body, target, channels, reply_kind=reply)
    message = compose.save_draft(sender, scope, node, draft)
    compose.submit(sender, scope, message, start=lambda m: None)
    compose.fan_out(message, scope)
    services.send_pending(message.pk, channels=_offline_channels())
    sent = timezone.now() - datetime.timedelta(days=days_ago, hours=3)
    Message.objects.filter(pk=message.pk).update(sent_at=sent, created_at=sent - datetime.timedelta(hours=1))
    Delivery.objects.filter(message=message).update(sent_at=sent, created_at=sent)
    facts.sync(Delivery.objects.filter(message=message))  # the 到达事实 follow the history set here
    return message, sent


class _Recorded:
    """E-mail and SMS in the demo: recorded as sent (nothing leaves the machine)."""

    atomic = True

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def send(self, delivery):
        return Outcome(DeliveryState.SENT)

    def wait_until(self, now):
        return None


def _offline_channels() -> dict:
    return {ChannelKind.EMAIL: _Recorded(ChannelKind.EMAIL), ChannelKind.SMS: _Recorded(ChannelKind.SMS)}


def _history(rng: random.Random, message: Message, sent: datetime.datetime, answers: list[str]) -> tuple[int, int]:
    """Reads (inbox, e-mail) and replies over the days after ``sent``."""
    read = replied = 0
    rows = Delivery.objects.filter(message=message, channel__in=[ChannelKind.INBOX, ChannelKind.EMAIL])
    for delivery in rows.order_by("pk"):
        if rng.random() >= READ_SHARE:
            continue
        at = sent + datetime.timedelta(hours=rng.randint(1, 72))
        fields = {"read_at": at, "state": DeliveryState.READ}
        if answers and rng.random() < REPLY_SHARE:
            fields |= {"reply": rng.choice(answers), "replied_at": at, "state": DeliveryState.REPLIED}
            replied += 1
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        read += 1
    facts.sync(rows)
    return read, replied


def build_demo(rng: random.Random, log: Log) -> dict:
    if Message.objects.exists():
        return {}
    street = _admin(Role.STREET_ADMIN, "南京东路")
    district = _admin(Role.DISTRICT_ADMIN, "黄浦")
    if street is None or district is None:
        return {}
    counts: dict[str, int] = {}
    with transaction.atomic():
        street_node = scope_for(street).sender_nodes().first()
        for name, title, body, reply in TEMPLATES:
            compose.save_template(street, scope_for(street), street_node, name, title, body, reply)
        here = [NodePlace(street_node.pk)]
        plans = [(
                "关于开展“两个覆盖”集中攻坚的通知",
                "各党组织书记：\n\n请于本月底前梳理所联系两新组织的组建情况，报街道综合党委。",
                Target(nodes=here, people=[PeopleKind.SECRETARIES]), [ChannelKind.EMAIL, ChannelKind.SMS],
                ReplyKind.ACK, 12, ["已确认收到"],
            ), (
                "本月主题党日活动安排",
                "{姓名}同志：\n\n本月主题党日围绕“学习贯彻党的二十届四中全会精神”开展，请按支部通知参加。",
                Target(nodes=here, people=[PeopleKind.MEMBERS]), [ChannelKind.EMAIL], ReplyKind.YES_NO, 6,
                ["是", "是", "是", "否"],
            ), (
                "两新组织党建工作联络",
                "贵单位负责人：您好！街道综合党委将安排党建指导员上门联系，请留一位联络人，回复其姓名和电话。",
                Target(nodes=here, organizations=OrgFilter(coverage=[CoverageState.NONE], min_employees=30)),
                [ChannelKind.SMS, ChannelKind.EMAIL], ReplyKind.TEXT, 3,
                ["联络人：行政部王经理", "已收到，请联系人事部", "联络人：张女士"],
            )]  # fmt: skip
        for title, body, target, channels, reply, days_ago, answers in plans:
            try:
                message, at = _send(street, title, body, target, channels, reply, days_ago)
            except ValidationError as error:  # a tiny city may have nobody to reach: the demo goes on
                log(f"群发信息示例「{title}」未生成：{'；'.join(error.messages)}")
                continue
            read, replied = _history(rng, message, at, answers)
            Message.objects.filter(pk=message.pk).update(state=MessageState.DONE)
            counts[f"群发「{message.title[:12]}」"] = Delivery.objects.filter(message=message).count()
            counts["已读"] = counts.get("已读", 0) + read
            counts["已回复"] = counts.get("已回复", 0) + replied
        district_scope = scope_for(district)
        draft = compose.check_draft(
            "关于做好年度党员统计工作的通知", "各街道综合党委：\n\n请于 12 月 31 日前完成本年度党员统计。",
            Target(nodes=[NodePlace(district_scope.sender_nodes().first().pk)], people=[PeopleKind.SECRETARIES]),
        )  # fmt: skip
        compose.save_draft(district, district_scope, district_scope.sender_nodes().first(), draft)
        counts["草稿"] = 1
    return counts
