"""Region and carrier changes bump the regions concerned (an answer cached against them is dropped)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from liangxin.stats import tree_triggers as triggers

    triggers.install_tree(schema_editor)


def backwards(apps, schema_editor):
    from liangxin.stats import tree_triggers as triggers

    triggers.uninstall_tree(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("stats", "0002_triggers"), ("regions", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
