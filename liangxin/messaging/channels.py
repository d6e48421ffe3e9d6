"""The channels a delivery goes out by, behind one small interface: ``send(delivery) -> Outcome``.

A channel never writes the delivery; the sender (``services.send_pending``) marks it 发送中 and
commits before calling ``send``, and records the outcome after. What an outcome means:

- ``SENT``/``DELIVERED``: done; ``FAILED`` with ``retry=False``: the address or content was
  refused, sending again would not help;
- ``FAILED`` with ``retry=True``: nothing reached the provider (connection refused, HTTP 5xx):
  the sender tries again later with backoff;
- ``UNKNOWN`` (结果未知): the request may have arrived (a timeout or a connection dropped after it
  was sent). Never sent again automatically: the sender of the message decides.
"""

import datetime
import http.client
import json
import logging
import smtplib
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from liangxin.inbox.models import NoticeKind
from liangxin.inbox.services import notify

from . import content
from .choices import ChannelKind, DeliveryState
from .models import Delivery

log = logging.getLogger("liangxin.messaging")

READ_SALT = "liangxin.messaging.read"


@dataclass(frozen=True)
class Outcome:
    state: str
    reason: str = ""
    provider_id: str = ""
    retry: bool = False


class Channel(Protocol):
    kind: ClassVar[str]
    # True: send and the recorded outcome share one transaction (a local write, never "unknown")
    atomic: ClassVar[bool]

    def send(self, delivery: Delivery) -> Outcome: ...

    def wait_until(self, now: datetime.datetime) -> datetime.datetime | None:
        """When sending now is not allowed (quiet hours), the moment it is; else None."""
        ...


class InboxChannel:
    """站内消息: one Notice, keyed by the idempotency key, so a rerun never makes a second."""

    kind = ChannelKind.INBOX
    atomic = True

    def send(self, delivery: Delivery) -> Outcome:
        if delivery.user is None:
            return Outcome(DeliveryState.FAILED, "接收人没有账号")
        # the notice opens the recipient's page of the message, which marks the delivery read
        url = reverse("web:message_received", args=[delivery.pk])
        title = content.title_for(delivery)
        notify(
            [delivery.user], NoticeKind.MESSAGE, title, content.text_for(delivery), url, key=delivery.idempotency_key
        )
        return Outcome(DeliveryState.DELIVERED)

    def wait_until(self, now: datetime.datetime) -> datetime.datetime | None:
        return None


def read_token(delivery: Delivery) -> str:
    """The signed token of an e-mail's read link (``/m/read/<token>/``: the page marks it read)."""
    return signing.dumps({"d": delivery.pk, "k": delivery.idempotency_key}, salt=READ_SALT, compress=True)


def delivery_for_token(token: str) -> Delivery | None:
    """The delivery a read token names, or None when forged, expired or for a delivery gone."""
    max_age = datetime.timedelta(days=settings.MESSAGING_READ_LINK_DAYS)
    try:
        data = signing.loads(token, salt=READ_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return Delivery.objects.filter(pk=data.get("d"), idempotency_key=data.get("k")).first()


def read_link(delivery: Delivery) -> str:
    return f"{settings.MESSAGING_SITE_URL.rstrip('/')}/m/read/{read_token(delivery)}/"


class EmailChannel:
    """电子邮件 through Django's mail backend (any SMTP relay): plain text and HTML, with a read link."""

    kind = ChannelKind.EMAIL
    atomic = False

    def send(self, delivery: Delivery) -> Outcome:
        link = read_link(delivery)
        body = f"{content.text_for(delivery)}\n\n阅读、回复与附件：{link}\n"
        html = f'{content.html_for(delivery)}<p><a href="{escape(link)}">阅读、回复与附件</a></p>'
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "liangxin"
        mail = EmailMultiAlternatives(
            content.title_for(delivery),
            body,
            to=[delivery.address],
            headers={"Message-ID": f"<{delivery.idempotency_key}@{domain}>"},  # a relay may deduplicate on it
        )
        mail.attach_alternative(html, "text/html")
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused:
            return Outcome(DeliveryState.FAILED, "邮件地址被拒收")
        except smtplib.SMTPResponseException as error:
            transient = 400 <= error.smtp_code < 500
            return Outcome(DeliveryState.FAILED, f"邮件服务器拒绝（{error.smtp_code}）", retry=transient)
        except (ConnectionRefusedError, socket.gaierror, smtplib.SMTPConnectError) as error:
            log.warning("邮件服务器连接失败：%s", error)  # the details for the operator; the sender reads Chinese
            return Outcome(DeliveryState.FAILED, "无法连接邮件服务器", retry=True)
        except (TimeoutError, smtplib.SMTPServerDisconnected, OSError) as error:
            log.warning("邮件服务器无应答：%r", error)
            return Outcome(DeliveryState.UNKNOWN, "邮件服务器无应答")
        return Outcome(DeliveryState.SENT)

    def wait_until(self, now: datetime.datetime) -> datetime.datetime | None:
        return None


class LoggingChannel:
    """记录: for intranets without a gateway — the send is written to the log and counts as sent."""

    kind = ChannelKind.LOG
    atomic = True

    def send(self, delivery: Delivery) -> Outcome:
        log.info("群发信息 %s → %s（%s）", delivery.message_id, delivery.recipient_key, delivery.idempotency_key)
        return Outcome(DeliveryState.SENT)

    def wait_until(self, now: datetime.datetime) -> datetime.datetime | None:
        return None


def _clock(text: str) -> datetime.time:
    hours, _, minutes = text.partition(":")
    return datetime.time(int(hours), int(minutes or 0))


def quiet_until(now: datetime.datetime, start: str, end: str) -> datetime.datetime | None:
    """Inside the quiet hours [start, end) (local time, may wrap midnight): the moment they end;
    outside them (or with start == end: none), None."""
    begin, finish = _clock(start), _clock(end)
    if begin == finish:
        return None
    local = timezone.localtime(now)
    t = local.time()
    quiet = (begin <= t < finish) if begin < finish else (t >= begin or t < finish)
    if not quiet:
        return None
    opens = local.replace(hour=finish.hour, minute=finish.minute, second=0, microsecond=0)
    return opens if opens > local else opens + datetime.timedelta(days=1)


class SmsGatewayChannel:
    """短信 through a configurable HTTP gateway (``settings.MESSAGING_SMS``): the phone, the text
    and the idempotency key as parameters; success read from one field of the JSON answer."""

    kind = ChannelKind.SMS
    atomic = False

    def __init__(self, config: dict[str, Any] | None = None, quiet_hours: tuple[str, str] | None = None) -> None:
        self.config = {**settings.MESSAGING_SMS, **(config or {})}
        self.quiet_hours = quiet_hours or settings.MESSAGING_SMS_QUIET_HOURS

    def wait_until(self, now: datetime.datetime) -> datetime.datetime | None:
        return quiet_until(now, *self.quiet_hours)

    def _request(self, delivery: Delivery) -> urllib.request.Request:
        c = self.config
        params = {c["PHONE_PARAM"]: delivery.address, c["TEXT_PARAM"]: content.sms_text(delivery)}
        params[c["KEY_PARAM"]] = delivery.idempotency_key
        params.update(c.get("EXTRA_PARAMS") or {})
        headers = {"Idempotency-Key": delivery.idempotency_key}
        if c.get("TOKEN"):
            headers["Authorization"] = f"Bearer {c['TOKEN']}"
        elif c.get("USERNAME"):
            params[c.get("USERNAME_PARAM") or "username"] = c["USERNAME"]
            params[c.get("PASSWORD_PARAM") or "password"] = c.get("PASSWORD", "")
        if c["METHOD"].upper() == "GET":
            url = c["URL"] + ("&" if "?" in c["URL"] else "?") + urllib.parse.urlencode(params)
            return urllib.request.Request(url, headers=headers, method="GET")
        if c.get("JSON"):
            headers["Content-Type"] = "application/json"
            data = json.dumps(params, ensure_ascii=False).encode()
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            data = urllib.parse.urlencode(params).encode()
        return urllib.request.Request(c["URL"], data=data, headers=headers, method="POST")

    def send(self, delivery: Delivery) -> Outcome:
        if not self.config.get("URL"):
            return Outcome(DeliveryState.FAILED, "未配置短信网关")
        request = self._request(delivery)
        try:
            # urllib wraps what fails while connecting and sending in URLError; what fails while
            # waiting for the answer (a timeout, a dropped connection) comes through unwrapped
            with urllib.request.urlopen(request, timeout=self.config["TIMEOUT"]) as response:  # noqa: S310 — the operator's URL
                raw = response.read()
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                return Outcome(DeliveryState.FAILED, f"短信网关暂时不可用（HTTP {error.code}）", retry=True)
            return Outcome(DeliveryState.FAILED, f"短信网关拒绝（HTTP {error.code}）")
        except urllib.error.URLError as error:
            log.warning("短信网关连接失败：%s", error.reason)
            return Outcome(DeliveryState.FAILED, "无法连接短信网关", retry=True)
        except (TimeoutError, http.client.HTTPException, OSError) as error:
            log.warning("短信网关无应答：%r", error)
            return Outcome(DeliveryState.UNKNOWN, "短信网关无应答")
        return self._answer(raw)

    def _answer(self, raw: bytes) -> Outcome:
        c = self.config
        if not c.get("SUCCESS_FIELD"):
            return Outcome(DeliveryState.SENT)
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return Outcome(DeliveryState.UNKNOWN, "短信网关应答无法识别")
        if not isinstance(answer, dict):
            return Outcome(DeliveryState.UNKNOWN, "短信网关应答无法识别")
        provider_id = str(answer.get(c.get("ID_FIELD") or "", "") or "")[:100]
        if str(answer.get(c["SUCCESS_FIELD"])) == str(c["SUCCESS_VALUE"]):
            return Outcome(DeliveryState.SENT, provider_id=provider_id)
        reason = str(answer.get(c.get("MESSAGE_FIELD") or "", "") or answer.get(c["SUCCESS_FIELD"]))
        return Outcome(DeliveryState.FAILED, f"短信网关拒绝：{reason}"[:300], provider_id=provider_id)


def channel_for(kind: str) -> Channel:
    return {
        ChannelKind.INBOX: InboxChannel,
        ChannelKind.EMAIL: EmailChannel,
        ChannelKind.SMS: SmsGatewayChannel,
        ChannelKind.LOG: LoggingChannel,
    }[ChannelKind(kind)]()
