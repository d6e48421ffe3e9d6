"""python manage.py refresh_reach_facts [--message ID]: write the 到达事实 of deliveries that have
none (rows loaded around the services, a restore from before migration 0007) and bring every fact
up to its delivery's state. Facts already written keep the organizations and node they were
made with: "at the time of the delivery" is not recomputed. The messages' 投递统计 (per-node
counts) are recounted from their rows."""

from django.core.management.base import BaseCommand

from ... import facts
from ...models import Message


class Command(BaseCommand):
    help = "补写并更新群发投递的到达记录"

    def add_arguments(self, parser):
        parser.add_argument("--message", type=int, default=None)

    def handle(self, *args, message: int | None, **options):
        messages = Message.objects.filter(pk=message) if message else Message.objects.all()
        added = facts.backfill(messages)
        self.stdout.write(f"到达记录：新增 {added} 条，并已按投递状态更新；投递统计已重新计数")
