"""What one recipient reads: the message's title and body with the template placeholders filled
for them ({姓名}, {组织}, {月份}), as HTML (the inbox, the e-mail) or as plain text (the SMS)."""

from django.utils import timezone

from liangxin.core.richtext import plain_text

from .models import Delivery, Message

PLACEHOLDERS = {"{姓名}": "接收人姓名", "{组织}": "接收人所在组织", "{月份}": "发送月份"}
SMS_MAX_CHARS = 500  # a long SMS is split by the gateway; beyond this the body is cut with a pointer


def organization_of(delivery: Delivery) -> str:
    if delivery.organization_id:
        return delivery.organization.name if delivery.organization else ""
    member = delivery.member
    if member is not None:
        return member.party_org.node.name if member.party_org_id else ""
    return ""


def fill(text: str, *, name: str, organization: str, month: str) -> str:
    """The placeholders replaced; a text without placeholders comes back as it is."""
    if "{" not in text:
        return text
    for key, value in (("{姓名}", name), ("{组织}", organization), ("{月份}", month)):
        text = text.replace(key, value)
    return text


def _values(delivery: Delivery) -> dict[str, str]:
    sent = delivery.message.sent_at or timezone.now()
    month = f"{timezone.localtime(sent).month}月"
    return {"name": delivery.recipient_name, "organization": organization_of(delivery), "month": month}


def title_for(delivery: Delivery) -> str:
    return fill(delivery.message.title, **_values(delivery))


def html_for(delivery: Delivery) -> str:
    """The stored (sanitised) body, filled for this recipient: safe to show as HTML."""
    return fill(delivery.message.body, **_values(delivery))


def text_for(delivery: Delivery) -> str:
    return plain_text(html_for(delivery))


def sms_text(delivery: Delivery) -> str:
    """The SMS: 【sender】title：body, cut to ``SMS_MAX_CHARS`` with a pointer to the inbox."""
    message: Message = delivery.message
    text = f"【{message.node.name}】{title_for(delivery)}：{text_for(delivery)}".replace("\n", " ")
    if len(text) > SMS_MAX_CHARS:
        text = text[: SMS_MAX_CHARS - 12] + "…（详见平台消息）"
    return text
