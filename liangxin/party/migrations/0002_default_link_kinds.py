from django.db import migrations

DEFAULTS = {
    "single": "own", "combined": "own", "joint": "joint", "regional": "joint", "industry": "joint",
    "temporary": "joint", "attached": "attached", "based": "attached", "dispatched": "",
}  # fmt: skip


def fill(apps, schema_editor):
    table = apps.get_model("party", "SetupModeLinkKind")
    for mode, kind in DEFAULTS.items():
        table.objects.get_or_create(mode=mode, defaults={"link_kind": kind})


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
