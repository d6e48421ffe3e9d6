"""The 到达事实 of the deliveries made before they existed (``messaging.facts``): each message's
recipients' nodes and organizations as of the migration (today's employers: the rows tell no
earlier one), the secretaries' links as of the day it was sent. Plain SQL over the tables, so a
later change of the models cannot change what this step does."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    from liangxin.messaging import facts  # noqa: PLC0415 — the SQL lives with the fan-out that writes it too

    Message = apps.get_model("messaging", "Message")
    Delivery = apps.get_model("messaging", "Delivery")
    for message_id, sent_at, created_at in Message.objects.order_by("pk").values_list("pk", "sent_at", "created_at"):
        ids = Delivery.objects.filter(message_id=message_id).order_by("pk").values_list("pk", flat=True)
        first, last = ids.first(), ids.last()
        if first is not None:
            facts.write_facts(message_id, first - 1, last, timezone.localdate(sent_at or created_at))


class Migration(migrations.Migration):
    dependencies = [("messaging", "0006_reach_facts")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
