"""The shipped indicator sets (五个好, 十个有, 阵地, 效能评估), published as version 1 (idempotent)."""

from django.db import migrations

from liangxin.assessment import defaults


def forwards(apps, schema_editor):
    defaults.install(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
