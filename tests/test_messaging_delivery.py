"""信息群发, the delivery layer: channels, retries, quiet hours, and exactly once under kills."""

import datetime
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from liangxin.core.models import AuditEntry
from liangxin.inbox.models import Notice
from liangxin.messaging import channels, services, tasks
from liangxin.messaging.channels import SmsGatewayChannel, quiet_until
from liangxin.messaging.choices import DeliveryState, MessageState
from liangxin.messaging.models import Delivery, Message
from liangxin.messaging.services import Recipient

from .fake_gateway import FakeGateway

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def gateway(settings):
    gw = FakeGateway(slow_seconds=1.0).start()
    settings.MESSAGING_SMS = {**settings.MESSAGING_SMS, "URL": gw.url, "TIMEOUT": 0.3}
    settings.MESSAGING_SMS_QUIET_HOURS = ("00:00", "00:00")  # none: the tests run at any hour
    yield gw
    gw.stop()


def _message(cast, title="关于开展主题党日活动的通知"):
    return services.create_message(cast.street_admin, cast.nanjing_node, title, "请各支部于本周五前报送材料。")


def _phones(n: int) -> list[Recipient]:
    return [Recipient(key=f"member:{i}", name=f"党员{i}", addresses={"sms": f"1380000{i:04d}"}) for i in range(n)]


def _states(message) -> list[str]:
    return list(Delivery.objects.filter(message=message).order_by("pk").values_list("state", flat=True))


def _make_due(message) -> None:
    """Let the waiting deliveries' backoff pass (the clock moves on)."""
    Delivery.objects.filter(message=message, state=DeliveryState.QUEUED).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


# -- fan-out --------------------------------------------------------------------------------


def test_a_rerun_of_the_fan_out_adds_no_second_delivery(cast):
    message = _message(cast)
    people = [*_phones(3), Recipient(key=f"user:{cast.street_admin.pk}", user_id=cast.street_admin.pk)]
    assert services.create_deliveries(message, people, ["inbox", "sms"]) == 4  # 3 phones, 1 account
    assert services.create_deliveries(message, people, ["inbox", "sms"]) == 0
    keys = list(Delivery.objects.filter(message=message).values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 4


def test_queueing_a_message_is_audited(cast):
    message = _message(cast)
    assert services.queue_message(cast.street_admin, message, _phones(2), ["log"]) == 2
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    entries = AuditEntry.objects.filter(object_type="messaging.message", object_id=str(message.pk))
    assert [e.detail for e in entries.order_by("pk")] == ["", "发送：2 条投递"]


# -- channels -------------------------------------------------------------------------------


def test_inbox_deliveries_create_exactly_one_notice_each(cast):
    message = _message(cast)
    users = [cast.street_admin, cast.district_admin, cast.auditor]
    people = [Recipient(key=f"user:{u.pk}", name=u.full_name, user_id=u.pk) for u in users]
    services.queue_message(cast.street_admin, message, people, ["inbox"])
    counts = services.send_pending(message.pk)
    assert (counts["delivered"], counts["total"]) == (3, 3)
    Delivery.objects.filter(message=message).update(state=DeliveryState.QUEUED)  # as if never recorded
    services.send_pending(message.pk)
    for user in users:
        assert Notice.objects.filter(recipient=user, title=message.title).count() == 1
    message.refresh_from_db()
    assert message.state == MessageState.DONE


def test_the_log_channel_marks_sent(cast, caplog):
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(2), ["log"])
    with caplog.at_level("INFO", logger="liangxin.messaging"):
        counts = services.send_pending(message.pk)
    assert counts["sent"] == 2 and len([r for r in caplog.records if "群发信息" in r.getMessage()]) == 2


def test_email_goes_as_plain_text_with_a_signed_read_link(cast):
    message = _message(cast)
    person = Recipient(key="org-contact:7", name="联络员", addresses={"email": "contact@example.com"})
    services.queue_message(cast.street_admin, message, [person], ["email"])
    assert services.send_pending(message.pk)["sent"] == 1
    (sent,) = mail.outbox
    delivery = Delivery.objects.get(message=message)
    assert sent.to == ["contact@example.com"] and sent.subject == message.title
    assert delivery.idempotency_key in sent.extra_headers["Message-ID"]
    token = sent.body.rsplit("/m/read/", 1)[1].split("/")[0]
    assert channels.delivery_for_token(token) == delivery
    assert channels.delivery_for_token(token[:-2] + "xx") is None


def test_the_gateway_receives_phone_text_and_idempotency_key(cast, gateway):
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms"])
    assert services.send_pending(message.pk)["sent"] == 1
    delivery = Delivery.objects.get(message=message)
    (request,) = gateway.requests
    text = f"【{message.node.name}】{message.title}：{message.body}"  # the sender, the title, the body as text
    assert request == {"mobile": "13800000000", "content": text, "request_id": delivery.idempotency_key}
    assert (delivery.provider_id, delivery.attempts) == ("gw-1", 1)


def test_a_refusal_fails_at_once_with_the_gateways_reason(cast, gateway):
    gateway.answer("refuse")
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms"])
    services.send_pending(message.pk)
    delivery = Delivery.objects.get(message=message)
    assert (delivery.state, delivery.reason, delivery.next_attempt_at) == ("failed", "短信网关拒绝：号码无效", None)


def test_a_gateway_500_is_retried_with_backoff_then_sent(cast, gateway):
    gateway.answer("500", "500")
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms"])
    before = timezone.now()
    services.send_pending(message.pk)
    delivery = Delivery.objects.get(message=message)
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("queued", 1, "短信网关暂时不可用（HTTP 500）")
    assert (
        before + datetime.timedelta(seconds=60)
        <= delivery.next_attempt_at
        <= timezone.now() + datetime.timedelta(seconds=60)
    )
    services.send_pending(message.pk)  # not due yet: nothing goes
    assert len(gateway.requests) == 1
    _make_due(message)
    services.send_pending(message.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at - timezone.now() > datetime.timedelta(seconds=290)
    _make_due(message)
    services.send_pending(message.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.reason) == ("sent", 3, "")
    assert services.next_due(message.pk) is None


def test_retries_end_in_failure_when_used_up(cast, gateway):
    gateway.default = "500"
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms"])
    for _ in range(4):
        services.send_pending(message.pk)
        _make_due(message)
    delivery = Delivery.objects.get(message=message)
    assert (delivery.state, delivery.attempts) == ("failed", 4)
    assert len(gateway.requests) == 4


def test_a_refused_connection_is_retried(cast, settings):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.MESSAGING_SMS = {**settings.MESSAGING_SMS, "URL": f"http://127.0.0.1:{port}/sms"}
    settings.MESSAGING_SMS_QUIET_HOURS = ("00:00", "00:00")
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms"])
    services.send_pending(message.pk)
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "queued" and delivery.next_attempt_at is not None
    assert delivery.last_error.startswith("无法连接短信网关")


@pytest.mark.parametrize("answer", ["slow", "close"])
def test_a_timeout_or_a_dropped_answer_is_unknown_and_never_resent(cast, gateway, answer):
    gateway.answer(answer)
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms"])
    services.send_pending(message.pk)
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == DeliveryState.UNKNOWN and delivery.reason.startswith("短信网关无应答")
    services.send_pending(message.pk)
    assert gateway.keys == [delivery.idempotency_key]
    assert services.resend_unknown(message, cast.street_admin) == 1  # the sender decides
    services.send_pending(message.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and gateway.keys == [delivery.idempotency_key] * 2
    assert AuditEntry.objects.filter(object_id=str(message.pk), detail="重新发送结果未知的投递：1 条").exists()


# -- quiet hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "opens"),
    [
        ((20, 59), None),
        ((21, 0), datetime.datetime(2026, 3, 3, 8, 0)),
        ((23, 30), datetime.datetime(2026, 3, 3, 8, 0)),
        ((7, 59), datetime.datetime(2026, 3, 2, 8, 0)),
        ((8, 0), None),
    ],
)
def test_quiet_hours_boundaries(clock, opens):
    now = datetime.datetime(2026, 3, 2, *clock, tzinfo=SHANGHAI)
    expected = opens.replace(tzinfo=SHANGHAI) if opens else None
    assert quiet_until(now, "21:00", "08:00") == expected


def test_quiet_hours_within_one_day_and_none():
    assert quiet_until(datetime.datetime(2026, 3, 2, 12, 30, tzinfo=SHANGHAI), "12:00", "14:00") == datetime.datetime(
        2026, 3, 2, 14, 0, tzinfo=SHANGHAI
    )
    assert quiet_until(datetime.datetime(2026, 3, 2, 14, 0, tzinfo=SHANGHAI), "12:00", "14:00") is None
    assert quiet_until(datetime.datetime(2026, 3, 2, 3, 0, tzinfo=SHANGHAI), "00:00", "00:00") is None


def test_an_sms_in_quiet_hours_waits_for_the_window(cast, gateway):
    local = timezone.localtime()
    start, end = (local - datetime.timedelta(minutes=5)), (local + datetime.timedelta(minutes=5))
    quiet = SmsGatewayChannel(quiet_hours=(start.strftime("%H:%M"), end.strftime("%H:%M")))
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms", "inbox"])
    services.send_pending(message.pk, channels={"sms": quiet})
    delivery = Delivery.objects.get(message=message)
    assert (delivery.state, delivery.attempts, gateway.requests) == ("queued", 0, [])
    assert delivery.next_attempt_at == end.replace(second=0, microsecond=0)
    assert services.next_due(message.pk) == delivery.next_attempt_at


# -- exactly once ---------------------------------------------------------------------------


class Killed(BaseException):
    """The process dies (nothing of ours catches it)."""


class DyingChannel(SmsGatewayChannel):
    """The real gateway channel whose process dies after its n-th request reached the gateway."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.left = after

    def send(self, delivery):
        outcome = super().send(delivery)
        self.left -= 1
        if self.left == 0:
            raise Killed
        return outcome


def test_a_fan_out_killed_midway_and_rerun_sends_every_key_once(cast, gateway):
    message = _message(cast)
    people = _phones(30)
    services.queue_message(cast.street_admin, message, people, ["sms"])
    with pytest.raises(Killed):
        services.send_pending(message.pk, channels={"sms": DyingChannel(after=7)})
    assert _states(message).count("sent") == 6 and _states(message).count("sending") == 1
    assert services.create_deliveries(message, people, ["sms"]) == 0  # the fan-out rerun adds nothing
    counts = services.send_pending(message.pk)
    assert (counts["sent"], counts["unknown"], counts["total"]) == (29, 1, 30)
    assert len(gateway.keys) == len(set(gateway.keys)) == 30
    assert set(gateway.keys) == set(Delivery.objects.filter(message=message).values_list("idempotency_key", flat=True))
    unknown = Delivery.objects.get(message=message, state="unknown")
    assert unknown.reason == "发送过程中断，结果未知" and unknown.attempts == 1


def test_an_unexpected_error_in_a_channel_is_unknown(cast):
    class Broken:
        kind, atomic = "sms", False

        def send(self, delivery):
            raise ValueError("bug")

        def wait_until(self, now):
            return None

    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms"])
    services.send_pending(message.pk, channels={"sms": Broken()})
    delivery = Delivery.objects.get(message=message)
    assert (delivery.state, delivery.reason) == ("unknown", "发送出错：ValueError")


def test_a_message_held_by_a_live_run_is_left_alone(cast):
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["log"])
    Message.objects.filter(pk=message.pk).update(
        lease_until=timezone.now() + datetime.timedelta(minutes=5), worker=f"{socket.gethostname()}:{os.getpid()}"
    )
    assert services.send_pending(message.pk) is None
    assert _states(message) == ["queued"]
    Message.objects.filter(pk=message.pk).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    assert services.send_pending(message.pk)["sent"] == 1


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_a_request_leaves_it_unknown_and_the_rerun_sends_the_rest_once(cast, settings):
    """SIGKILL while the gateway holds the 5th request: it is 结果未知, not resent, and the rerun
    (at once: the dead worker's lease is released by its absence) sends the other 15 once each."""
    gateway = FakeGateway(slow_seconds=30).start()
    try:
        gateway.answer("ok", "ok", "ok", "ok", "slow")
        message = _message(cast)
        services.queue_message(cast.street_admin, message, _phones(20), ["sms"])
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "LIANGXIN_SMS_URL": gateway.url,
            "LIANGXIN_SMS_TIMEOUT": "60",
            "LIANGXIN_SMS_QUIET_HOURS": "00:00-00:00",
        }
        process = subprocess.Popen(
            [sys.executable, "manage.py", "send_messages", "--message", str(message.pk)],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while len(gateway.requests) < 5 and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert _states(message)[:6] == ["sent"] * 4 + ["sending", "queued"]
        settings.MESSAGING_SMS = {**settings.MESSAGING_SMS, "URL": gateway.url, "TIMEOUT": 5}
        settings.MESSAGING_SMS_QUIET_HOURS = ("00:00", "00:00")
        counts = services.send_pending(message.pk)
        assert (counts["sent"], counts["unknown"], counts["total"]) == (19, 1, 20)
        assert len(gateway.keys) == len(set(gateway.keys)) == 20
        assert services.create_deliveries(message, _phones(20), ["sms"]) == 0
    finally:
        gateway.stop()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"JSON": True, "TOKEN": "t0ken"}, {"mobile": "13800000000", "request_id": "KEY"}),
        ({"METHOD": "GET", "USERNAME": "lx", "PASSWORD": "pw"}, {"username": "lx", "password": "pw"}),
    ],
)
def test_the_gateway_may_take_json_or_a_query_string(cast, gateway, config, expected):
    message = _message(cast)
    services.queue_message(cast.street_admin, message, _phones(1), ["sms"])
    services.send_pending(message.pk, channels={"sms": SmsGatewayChannel(config)})
    delivery = Delivery.objects.get(message=message)
    (request,) = gateway.requests
    expected = {k: delivery.idempotency_key if v == "KEY" else v for k, v in expected.items()}
    assert delivery.state == "sent" and expected.items() <= request.items()
    assert request["content"] == f"【{message.node.name}】{message.title}：{message.body}"


class RaisingBackend:
    """A mail backend that fails as the test tells it."""

    error: BaseException | None = None

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise type(self).error


@pytest.mark.parametrize(
    ("error", "state", "retried"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}), "failed", False),
        (smtplib.SMTPDataError(451, b"try later"), "queued", True),
        (ConnectionRefusedError(), "queued", True),
        (TimeoutError("timed out"), "unknown", False),
    ],
)
def test_email_errors_are_failed_retried_or_unknown(cast, settings, error, state, retried):
    settings.EMAIL_BACKEND = f"{__name__}.RaisingBackend"
    RaisingBackend.error = error
    message = _message(cast)
    person = Recipient(key="org-contact:8", addresses={"email": "a@example.com"})
    services.queue_message(cast.street_admin, message, [person], ["email"])
    services.send_pending(message.pk)
    delivery = Delivery.objects.get(message=message)
    assert (delivery.state, delivery.next_attempt_at is not None) == (state, retried)


def test_the_task_sends_and_the_message_is_done(cast, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    message = _message(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_message(cast.street_admin, message, _phones(3), ["log"])
        tasks.start_sending(message)
    message.refresh_from_db()
    assert message.state == MessageState.DONE and services.progress(message.pk)["sent"] == 3
