"""Database triggers that keep the statistics' inputs current on every write path.

Forms, the API, bulk imports (``COPY`` on PostgreSQL, ``executemany`` on SQLite), the demo seed
and plain SQL all change organizations and members; only the database sees every one of them.
In the same transaction as the change, triggers

- add one to the ``stats_regionversion`` counter of the region an organization was, or now is,
  placed in (any change to an organization, including the member count below), so cached cells
  of that region are known to be out of date (``stats.cube``);
- keep ``orgs_organization.member_count`` = members on the roll employed there;
- write the dated history the as-of figures need (``stats.asof``): ``orgs_placement`` (region
  and carrier over time) and ``party_employment`` (who was employed where over time).

SQLite has row triggers only; PostgreSQL uses statement triggers over transition tables, so an
import of 200,000 rows runs a handful of set-based statements, not 200,000 trigger calls.
"Today" is the date in ``settings.TIME_ZONE``.
"""

import datetime
import zoneinfo

from django.conf import settings

NAMES = ["stats_org_insert", "stats_org_update", "stats_org_delete", "stats_org_move",
         "stats_member_insert", "stats_member_update", "stats_member_delete"]  # fmt: skip


def _sqlite_today() -> str:
    # China has kept one offset since 1991; a zone with summer time would need a function.
    offset = zoneinfo.ZoneInfo(settings.TIME_ZONE).utcoffset(datetime.datetime(2026, 1, 1))
    minutes = int(offset.total_seconds() // 60)
    return f"date('now', '{minutes:+d} minutes')"


def _bump_sqlite(region: str, where: str = "") -> str:
    return (
        "INSERT INTO stats_regionversion (region_id, version, computed_version, thresholds) "
        f"SELECT {region}, 1, 0, '' WHERE {region} IS NOT NULL {where} "
        "ON CONFLICT (region_id) DO UPDATE SET version = version + 1;"
    )


def sqlite_sql() -> list[str]:
    today = _sqlite_today()
    return [
        f"""CREATE TRIGGER stats_org_insert AFTER INSERT ON orgs_organization BEGIN
            {_bump_sqlite("NEW.operating_region_id")}
            INSERT INTO orgs_placement (organization_id, region_id, carrier_id, start_on, end_on)
            VALUES (NEW.id, NEW.operating_region_id, NEW.carrier_id, NULL, NULL);
        END""",
        f"""CREATE TRIGGER stats_org_update AFTER UPDATE ON orgs_organization BEGIN
            {_bump_sqlite("NEW.operating_region_id")}
            {_bump_sqlite("OLD.operating_region_id", "AND OLD.operating_region_id <> NEW.operating_region_id")}
        END""",
        f"""CREATE TRIGGER stats_org_delete AFTER DELETE ON orgs_organization BEGIN
            {_bump_sqlite("OLD.operating_region_id")}
        END""",
        f"""CREATE TRIGGER stats_org_move AFTER UPDATE OF operating_region_id, carrier_id ON orgs_organization
        WHEN OLD.operating_region_id IS NOT NEW.operating_region_id OR OLD.carrier_id IS NOT NEW.carrier_id BEGIN
            UPDATE orgs_placement SET end_on = {today} WHERE organization_id = NEW.id AND end_on IS NULL;
            INSERT INTO orgs_placement (organization_id, region_id, carrier_id, start_on, end_on)
            VALUES (NEW.id, NEW.operating_region_id, NEW.carrier_id, {today}, NULL);
        END""",
        """CREATE TRIGGER stats_member_insert AFTER INSERT ON party_member
        WHEN NEW.employer_id IS NOT NULL AND NEW.is_active BEGIN
            UPDATE orgs_organization SET member_count = member_count + 1 WHERE id = NEW.employer_id;
            INSERT INTO party_employment (member_id, organization_id, start_on, end_on)
            VALUES (NEW.id, NEW.employer_id, NEW.employed_since, NULL);
        END""",
        f"""CREATE TRIGGER stats_member_update AFTER UPDATE OF employer_id, is_active ON party_member
        WHEN OLD.employer_id IS NOT NEW.employer_id OR OLD.is_active IS NOT NEW.is_active BEGIN
            UPDATE orgs_organization SET member_count = member_count - 1 WHERE id = OLD.employer_id AND OLD.is_active;
            UPDATE orgs_organization SET member_count = member_count + 1 WHERE id = NEW.employer_id AND NEW.is_active;
            UPDATE party_employment SET end_on = {today} WHERE member_id = NEW.id AND end_on IS NULL;
            INSERT INTO party_employment (member_id, organization_id, start_on, end_on)
            SELECT NEW.id, NEW.employer_id, {today}, NULL WHERE NEW.employer_id IS NOT NULL AND NEW.is_active;
        END""",
        """CREATE TRIGGER stats_member_delete AFTER DELETE ON party_member
        WHEN OLD.employer_id IS NOT NULL AND OLD.is_active BEGIN
            UPDATE orgs_organization SET member_count = member_count - 1 WHERE id = OLD.employer_id;
        END""",
    ]


def _bump_pg(regions: str) -> str:
    return (
        "INSERT INTO stats_regionversion AS v (region_id, version, computed_version, thresholds) "
        f"SELECT DISTINCT r, 1, 0, '' FROM ({regions}) AS changed(r) WHERE r IS NOT NULL ORDER BY r "
        "ON CONFLICT (region_id) DO UPDATE SET version = v.version + 1;"
    )


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
    )


def _pg_trigger(name: str, event: str, table: str, tables: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    )


_MEMBER_CHANGED = """WITH changed AS (
    SELECT n.id, o.employer_id AS old_e, o.is_active AS old_a, n.employer_id AS new_e, n.is_active AS new_a
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.employer_id IS DISTINCT FROM n.employer_id OR o.is_active IS DISTINCT FROM n.is_active)"""


def postgresql_sql() -> list[str]:
    today = f"(now() AT TIME ZONE '{settings.TIME_ZONE}')::date"
    moved = """WITH moved AS (
        SELECT n.id, n.operating_region_id, n.carrier_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.operating_region_id IS DISTINCT FROM n.operating_region_id
           OR o.carrier_id IS DISTINCT FROM n.carrier_id)"""
    count_delta = """UPDATE orgs_organization o SET member_count = o.member_count + d.delta
        FROM (SELECT e, SUM(delta) AS delta FROM ({rows}) AS x(e, delta) WHERE e IS NOT NULL GROUP BY e) d
        WHERE o.id = d.e AND d.delta <> 0;"""
    return [
        _pg_function(
            "stats_org_insert",
            f"""
            {_bump_pg("SELECT operating_region_id FROM new_rows")}
            INSERT INTO orgs_placement (organization_id, region_id, carrier_id, start_on, end_on)
            SELECT id, operating_region_id, carrier_id, NULL, NULL FROM new_rows;""",
        ),
        _pg_trigger("stats_org_insert", "INSERT", "orgs_organization", "NEW TABLE AS new_rows"),
        _pg_function(
            "stats_org_update",
            f"""
            {_bump_pg("SELECT operating_region_id FROM new_rows UNION SELECT operating_region_id FROM old_rows")}
            {moved} UPDATE orgs_placement p SET end_on = {today}
                FROM moved WHERE p.organization_id = moved.id AND p.end_on IS NULL;
            {moved} INSERT INTO orgs_placement (organization_id, region_id, carrier_id, start_on, end_on)
                SELECT id, operating_region_id, carrier_id, {today}, NULL FROM moved;""",
        ),
        _pg_trigger("stats_org_update", "UPDATE", "orgs_organization", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        _pg_function("stats_org_delete", _bump_pg("SELECT operating_region_id FROM old_rows")),
        _pg_trigger("stats_org_delete", "DELETE", "orgs_organization", "OLD TABLE AS old_rows"),
        _pg_function(
            "stats_member_insert",
            f"""
            {count_delta.format(rows="SELECT employer_id, 1 FROM new_rows WHERE is_active")}
            INSERT INTO party_employment (member_id, organization_id, start_on, end_on)
            SELECT id, employer_id, employed_since, NULL FROM new_rows WHERE employer_id IS NOT NULL AND is_active;""",
        ),
        _pg_trigger("stats_member_insert", "INSERT", "party_member", "NEW TABLE AS new_rows"),
        _pg_function(
            "stats_member_update",
            f"""
            {_MEMBER_CHANGED} {
                count_delta.format(
                    rows="SELECT old_e, -1 FROM changed WHERE old_a UNION ALL SELECT new_e, 1 FROM changed WHERE new_a"
                )
            }
            {_MEMBER_CHANGED} UPDATE party_employment p SET end_on = {today}
                FROM changed WHERE p.member_id = changed.id AND p.end_on IS NULL;
            {_MEMBER_CHANGED} INSERT INTO party_employment (member_id, organization_id, start_on, end_on)
                SELECT id, new_e, {today}, NULL FROM changed WHERE new_e IS NOT NULL AND new_a;""",
        ),
        _pg_trigger("stats_member_update", "UPDATE", "party_member", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        _pg_function(
            "stats_member_delete", count_delta.format(rows="SELECT employer_id, -1 FROM old_rows WHERE is_active")
        ),
        _pg_trigger("stats_member_delete", "DELETE", "party_member", "OLD TABLE AS old_rows"),
    ]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = postgresql_sql() if vendor == "postgresql" else sqlite_sql()
    for sql in statements:
        schema_editor.execute(sql)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for name in NAMES:
        if vendor == "postgresql":
            table = "party_member" if name.startswith("stats_member") else "orgs_organization"
            if name != "stats_org_move":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
