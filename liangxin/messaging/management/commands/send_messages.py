"""python manage.py send_messages [--message ID]: send what is due of every message being sent
(or of one). The worker's task does the same; this is for cron (retries, quiet hours ending)
and for sending by hand. Safe beside a running worker: one run at a time holds a message."""

from django.core.management.base import BaseCommand

from ...choices import MessageState
from ...models import Message
from ...services import send_pending


class Command(BaseCommand):
    help = "发送群发信息中到期的投递"

    def add_arguments(self, parser):
        parser.add_argument("--message", type=int, default=None)

    def handle(self, *args, message: int | None, **options):
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
