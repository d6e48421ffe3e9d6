"""Background sending, run by the django-tasks database worker (``manage.py db_worker``) like
the imports: no broker, the queue is a table.

``release`` is what a 发送 or 签发 queues: at the set time (a scheduled message) it resolves the
target with the sender's scope and makes the deliveries, then sends. ``send_message`` sends what
is due; while deliveries wait (a retry's backoff, quiet hours) it queues the next run for the
moment the first one is due."""

from django.db import transaction
from django_tasks import default_task_backend, task

from liangxin.accounts.scoping import scope_for

from . import compose, services
from .choices import MessageState
from .models import Message


@task()
def send_message(message_id: int) -> dict | None:
    counts = services.send_pending(message_id)
    due = services.next_due(message_id)
    if counts is not None and due is not None and default_task_backend.supports_defer:
        send_message.using(run_after=due).enqueue(message_id)
    return counts


@task()
def release_message(message_id: int) -> int | None:
    """Fan the message out (when its time has come) and send it. Safe to run twice."""
    message = Message.objects.select_related("sender").get(pk=message_id)
    added = compose.fan_out(message, scope_for(message.sender))
    if added is not None and Message.objects.filter(pk=message_id, state=MessageState.QUEUED).exists():
        send_message.call(message_id)
    return added


def start(message: Message) -> None:
    """Queue the message for the worker once the caller's transaction commits (at its set time
    when scheduled and the backend can wait; else now — the fan-out itself waits for the time,
    and ``send_messages`` releases what is due)."""

    def enqueue() -> None:
        later = message.state == MessageState.SCHEDULED and message.scheduled_at is not None
        if later and default_task_backend.supports_defer:
            release_message.using(run_after=message.scheduled_at).enqueue(message.pk)
        elif not later:
            release_message.enqueue(message.pk)

    transaction.on_commit(enqueue)


def start_sending(message: Message) -> None:
    """Send the message's queued deliveries in the worker once the caller's transaction commits
    (a resend of 结果未知 deliveries; no new fan-out)."""
    transaction.on_commit(lambda: send_message.enqueue(message.pk))
