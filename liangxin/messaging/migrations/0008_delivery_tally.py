"""投递统计: each message's deliveries counted per recipient node, kept as they change
(``messaging.facts``); the messages sent before are counted from their rows here."""

import django.db.models.deletion
from django.db import migrations, models


def count_existing(apps, schema_editor):
    from liangxin.messaging import facts  # noqa: PLC0415 — the SQL lives with the fan-out that writes it too

    Message = apps.get_model("messaging", "Message")
    facts.retally(Message.objects.order_by("pk").values_list("pk", flat=True).iterator())



class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0007_backfill_reach_facts'),
    ]

    operations = [
        migrations.AddField(
            model_name='delivery',
            name='tallied',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='已计入统计'),
        ),
        migrations.CreateModel(
            name='DeliveryTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('node_key', models.PositiveIntegerField(default=0, verbose_name='接收人所在节点')),
                ('deliveries', models.IntegerField(default=0, verbose_name='投递')),
                ('received', models.IntegerField(default=0, verbose_name='已送达')),
                ('read', models.IntegerField(default=0, verbose_name='已读')),
                ('replied', models.IntegerField(default=0, verbose_name='已回复')),
                ('message', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='messaging.message', verbose_name='信息')),
            ],
            options={
                'verbose_name': '投递统计',
                'verbose_name_plural': '投递统计',
                'constraints': [models.UniqueConstraint(fields=('message', 'node_key'), name='one_tally_per_node')],
            },
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
