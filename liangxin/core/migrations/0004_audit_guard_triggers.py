"""Triggers that refuse UPDATE and DELETE (and on PostgreSQL TRUNCATE) on the audit log."""

from django.db import migrations


def forwards(apps, schema_editor):
    from liangxin.core import audit_guard

    audit_guard.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from liangxin.core import audit_guard

    audit_guard.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_chain")]

    operations = [migrations.RunPython(forwards, backwards)]
