"""Chain the audit log: a hash per entry and the previous entry's hash, existing entries
hashed in id order (streamed), and the one-row chain head writers lock."""

import django.utils.timezone
from django.db import migrations, models


def hash_existing(apps, schema_editor):
    from liangxin.core import chain

    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    connection = schema_editor.connection
    previous, last_id, batch = chain.GENESIS, None, []
    rows = AuditEntry.objects.order_by("id").values("id", *chain.HASHED).iterator(chunk_size=5000)

    def flush():
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE core_auditentry SET prev_hash = %s, content_hash = %s WHERE id = %s", batch)
        batch.clear()

    for row in rows:
        digest = chain.content_hash(previous, row)
        batch.append((previous, digest, row["id"]))
        previous, last_id = digest, row["id"]
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_id": last_id, "last_hash": previous})


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_import_jobs'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_id', models.BigIntegerField(null=True, verbose_name='最后一条编号')),
                ('last_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='最后一条哈希')),
            ],
            options={
                'verbose_name': '操作日志链尾',
                'verbose_name_plural': '操作日志链尾',
            },
        ),
        migrations.AddField(
            model_name='auditentry',
            name='content_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='本条哈希'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='前一条哈希'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='时间'),
        ),
        migrations.RunPython(hash_existing, migrations.RunPython.noop),
    ]
