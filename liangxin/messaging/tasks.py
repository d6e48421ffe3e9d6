"""Background sending, run by the django-tasks database worker (``manage.py db_worker``) like
the imports: no broker, the queue is a table. A run sends what is due; while deliveries wait
(a retry's backoff, quiet hours) it queues the next run for the moment the first one is due."""

from django.db import transaction
from django_tasks import default_task_backend, task

from . import services
from .models import Message


@task()
def send_message(message_id: int) -> dict | None:
    counts = services.send_pending(message_id)
    due = services.next_due(message_id)
    if counts is not None and due is not None and default_task_backend.supports_defer:
        send_message.using(run_after=due).enqueue(message_id)
    return counts


def start(message: Message) -> None:
    """Queue the message for the worker once the caller's transaction commits."""
    transaction.on_commit(lambda: send_message.enqueue(message.pk))
