"""Triggers on the region tree and the carriers (installed by migration stats/0003).

The region tree and the carriers shape the answers too (which children a region has, which
type a carrier is): a change there bumps the regions concerned, so an answer cached against
their versions (``stats.engine``) is not reused. Row triggers: these tables change rarely.
"""

from .triggers import _bump_pg, _bump_sqlite, _pg_function

TREE_NAMES = ["stats_region_insert", "stats_region_update", "stats_carrier_insert", "stats_carrier_update",
              "stats_carrier_delete"]  # fmt: skip


def tree_sqlite_sql() -> list[str]:
    return [
        f"CREATE TRIGGER stats_region_insert AFTER INSERT ON regions_region BEGIN {_bump_sqlite('NEW.id')} END",
        f"""CREATE TRIGGER stats_region_update AFTER UPDATE ON regions_region BEGIN
            {_bump_sqlite("NEW.id")} {_bump_sqlite("OLD.parent_id")} {_bump_sqlite("NEW.parent_id")} END""",
        f"""CREATE TRIGGER stats_carrier_insert AFTER INSERT ON regions_carrier BEGIN
            {_bump_sqlite("NEW.street_id")} END""",
        f"""CREATE TRIGGER stats_carrier_update AFTER UPDATE ON regions_carrier BEGIN
            {_bump_sqlite("OLD.street_id")} {_bump_sqlite("NEW.street_id")} END""",
        f"""CREATE TRIGGER stats_carrier_delete AFTER DELETE ON regions_carrier BEGIN
            {_bump_sqlite("OLD.street_id")} END""",
    ]


def tree_postgresql_sql() -> list[str]:
    def row_trigger(name: str, event: str, table: str, regions: str) -> list[str]:
        return [
            _pg_function(name, _bump_pg(regions)),
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]

    return [
        *row_trigger("stats_region_insert", "INSERT", "regions_region", "SELECT NEW.id"),
        *row_trigger("stats_region_update", "UPDATE", "regions_region",
                     "SELECT NEW.id UNION SELECT OLD.parent_id UNION SELECT NEW.parent_id"),
        *row_trigger("stats_carrier_insert", "INSERT", "regions_carrier", "SELECT NEW.street_id"),
        *row_trigger("stats_carrier_update", "UPDATE", "regions_carrier",
                     "SELECT OLD.street_id UNION SELECT NEW.street_id"),
        *row_trigger("stats_carrier_delete", "DELETE", "regions_carrier", "SELECT OLD.street_id"),
    ]  # fmt: skip


def install_tree(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in tree_postgresql_sql() if vendor == "postgresql" else tree_sqlite_sql():
        schema_editor.execute(sql)


def uninstall_tree(schema_editor) -> None:
    for name in TREE_NAMES:
        if schema_editor.connection.vendor == "postgresql":
            table = "regions_carrier" if "carrier" in name else "regions_region"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
