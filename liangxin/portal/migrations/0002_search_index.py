"""The full-text index of the policy library: an FTS5 table on SQLite, a tsvector table with a
GIN index on PostgreSQL (``portal.search``: only the database in use gets its own)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from liangxin.portal import search

    search.install(schema_editor)


def backwards(apps, schema_editor):
    from liangxin.portal import search

    search.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
