"""Background delivery of a notice to many nodes (``services.INLINE_NODES``), run by the
django-tasks database worker like 信息群发's fan-out: no broker, the queue is a table."""

from django.db import transaction
from django_tasks import task

from .models import Circular
from .services import deliver, delivered


@task()
def deliver_notice(circular_id: int) -> int:
    """Deliver the notice to its nodes' administrators. Safe to run twice."""
    circular = Circular.objects.select_related("message", "sender").get(pk=circular_id)
    return deliver(circular)


def start_delivery(circular: Circular) -> None:
    """Queue the delivery of a notice ``services`` left to the worker (more than ``INLINE_NODES``
    nodes) once the sender's transaction commits (the worker must see the receipts); a notice
    already delivered is left alone. Every face calls it after sending or forwarding."""
    if not delivered(circular):
        transaction.on_commit(lambda: deliver_notice.enqueue(circular.pk))
