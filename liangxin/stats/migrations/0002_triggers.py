"""Fill the history and counters for rows that exist already, then install the triggers."""

from django.db import migrations

BACKFILL = [
    """UPDATE orgs_organization SET member_count = (
        SELECT COUNT(*) FROM party_member m WHERE m.employer_id = orgs_organization.id AND m.is_active)""",
    """INSERT INTO orgs_placement (organization_id, region_id, carrier_id, start_on, end_on)
        SELECT id, operating_region_id, carrier_id, NULL, NULL FROM orgs_organization""",
    """INSERT INTO party_employment (member_id, organization_id, start_on, end_on)
        SELECT id, employer_id, employed_since, NULL FROM party_member
        WHERE employer_id IS NOT NULL AND is_active""",
    """INSERT INTO stats_regionversion (region_id, version, computed_version, thresholds)
        SELECT DISTINCT operating_region_id, 1, 0, '' FROM orgs_organization""",
]


def forwards(apps, schema_editor):
    from liangxin.stats import triggers

    for sql in BACKFILL:
        schema_editor.execute(sql)
    triggers.install(schema_editor)


def backwards(apps, schema_editor):
    from liangxin.stats import triggers

    triggers.uninstall(schema_editor)
    for table in ("orgs_placement", "party_employment", "stats_regionversion"):
        schema_editor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
        ("orgs", "0003_organization_member_count_placement"),
        ("party", "0004_employment"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
