"""Background delivery of a notice to many nodes (``services.INLINE_NODES``), run by the
django-tasks database worker like 信息群发's fan-out: no broker, the queue is a table."""

from django.db import transaction
from django_tasks import task

from .models import Circular


@task()
def deliver_notice(circular_id: int) -> int:
    """Deliver the notice to its nodes' administrators. Safe to run twice."""
    from .services import deliver  # noqa: PLC0415 — services queue this task: one of the two imports late

    circular = Circular.objects.select_related("message", "sender").get(pk=circular_id)
    return deliver(circular)


def start_delivery(circular: Circular) -> None:
    """Queue the delivery once the sender's transaction commits (the worker must see the receipts)."""
    transaction.on_commit(lambda: deliver_notice.enqueue(circular.pk))
