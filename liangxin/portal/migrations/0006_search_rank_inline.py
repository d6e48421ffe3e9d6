"""PostgreSQL's full-text index ranks faster (``portal.search``): the ranking vectors are cut to a
word's first four occurrences and kept in the table's own rows, and the match is read through the
function ``portal_policy_hits``, which always answers it from the GIN index. SQLite is untouched."""

from django.db import migrations


def forwards(apps, schema_editor):
    from liangxin.portal import search

    search.install(schema_editor)  # the storage setting and the function (the rest exists: no-ops)
    search.cap_rank_vectors(schema_editor)


def backwards(apps, schema_editor):
    from liangxin.portal import search

    if schema_editor.connection.vendor == "postgresql":
        # the vectors stay cut (ranking as good as before); `manage.py rebuild_index` makes them whole
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {search.HITS_FUNCTION}(tsquery, tsquery)")
        schema_editor.execute(f"ALTER TABLE {search.TSV_TABLE} ALTER COLUMN rank_terms SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_news_withdrawn")]

    operations = [migrations.RunPython(forwards, backwards)]
