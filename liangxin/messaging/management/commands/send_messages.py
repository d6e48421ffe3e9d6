"""python manage.py send_messages [--message ID]: release the scheduled messages whose time has
come and send what is due of every message being sent (or of one). The worker's tasks do the
same; this is for cron (retries, quiet hours ending, a worker that was down at the set time) and
for sending by hand. Safe beside a running worker: one run at a time holds a message."""

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from liangxin.accounts.scoping import scope_for

from ... import compose
from ...choices import MessageState
from ...models import Message
from ...services import send_pending


class Command(BaseCommand):
    help = "发送群发信息中到期的投递"

    def add_arguments(self, parser):
        parser.add_argument("--message", type=int, default=None)

    def handle(self, *args, message: int | None, **options):
        scheduled = Q(state=MessageState.SCHEDULED, scheduled_at__lte=timezone.now())
        # released, but the fan-out never finished (the worker was killed or down): redo it
        unfinished = Q(state__in=[MessageState.QUEUED, MessageState.SENDING], fanned_out_at__isnull=True)
        due = Message.objects.filter(scheduled | unfinished)
        if message:
            due = due.filter(pk=message)
        for found in due.select_related("sender"):
            added = compose.fan_out(found, scope_for(found.sender))
            self.stdout.write(f"信息 {found.pk}：分发 {added or 0} 条投递")
        ids = (
            [message]
            if message
            else Message.objects.filter(state__in=[MessageState.QUEUED, MessageState.SENDING]).values_list(
                "pk", flat=True
            )
        )
        for pk in ids:
            counts = send_pending(pk)
            if counts is None:
                self.stdout.write(f"信息 {pk}：另一进程正在发送")
            else:
                self.stdout.write(f"信息 {pk}：已发出 {counts['sent'] + counts['delivered']}/{counts['total']}")
