"""Database triggers that keep the audit log append-only (操作日志防篡改触发器).

The model refuses ``save()`` on a stored entry and ``delete()``; a queryset's ``update()`` and
``delete()``, raw SQL and any other client go straight to the table, so the database refuses
them too: a row-level BEFORE UPDATE and BEFORE DELETE trigger on SQLite and PostgreSQL, and on
PostgreSQL a BEFORE TRUNCATE statement trigger (TRUNCATE fires no row triggers).

One UPDATE is allowed: setting ``actor_id`` to NULL and nothing else, which is what deleting an
account does (``on_delete=SET_NULL``); the name stays in ``actor_name``, which the hash covers.

The sanctioned ways past the triggers, and the only callers of ``lifted``:
- the test database's teardown: the ``flush`` command (``core/management/commands/flush.py``)
  that TransactionTestCase-style tests run between tests lifts them while it empties the
  tables, and only when the test suite has said so (``allow_test_flush``);
- the restore command replaces the database file (SQLite) or the schema (PostgreSQL) whole;
  dropped tables fire no triggers, and the restored schema brings its own.
"""

import contextlib
from collections.abc import Iterator

TABLE = "core_auditentry"
NAMES = ["core_audit_no_update", "core_audit_no_delete", "core_audit_no_truncate"]
# every column but actor_id; the test ``test_guard_lists_every_column`` keeps this current
COLUMNS = ["id", "at", "actor_name", "origin", "action", "object_type", "object_id", "object_repr", "changes",
           "detail", "mgmt_path", "region_path", "prev_hash", "content_hash"]  # fmt: skip
UPDATE_REFUSED = "操作日志只能追加，不能修改"
DELETE_REFUSED = "操作日志只能追加，不能删除"

_test_flush_allowed = False


def allow_test_flush() -> None:
    """Called by the test suite (tests/conftest.py) only: its flushes may empty the audit log."""
    global _test_flush_allowed
    _test_flush_allowed = True


def test_flush_allowed() -> bool:
    return _test_flush_allowed


def sqlite_sql() -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in COLUMNS)
    return [
        f"""CREATE TRIGGER core_audit_no_update BEFORE UPDATE ON {TABLE}
        WHEN NEW.actor_id IS NOT NULL OR {changed} BEGIN SELECT RAISE(ABORT, '{UPDATE_REFUSED}'); END""",
        f"""CREATE TRIGGER core_audit_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{DELETE_REFUSED}'); END""",
    ]


def postgresql_sql() -> list[str]:
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in COLUMNS)
    return [
        f"""CREATE OR REPLACE FUNCTION core_audit_no_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            IF NEW.actor_id IS NOT NULL OR {changed} THEN
                RAISE EXCEPTION '{UPDATE_REFUSED}' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW; END $$""",
        f"""CREATE TRIGGER core_audit_no_update BEFORE UPDATE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION core_audit_no_update()""",
        f"""CREATE OR REPLACE FUNCTION core_audit_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            RAISE EXCEPTION '{DELETE_REFUSED}' USING ERRCODE = 'insufficient_privilege'; END $$""",
        f"""CREATE TRIGGER core_audit_no_delete BEFORE DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION core_audit_no_delete()""",
        f"""CREATE TRIGGER core_audit_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION core_audit_no_delete()""",
    ]


def _drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in NAMES]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in NAMES]


def install(connection) -> None:
    """(Re)create the triggers; a migration passes ``schema_editor.connection``."""
    statements = postgresql_sql() if connection.vendor == "postgresql" else sqlite_sql()
    with connection.cursor() as cursor:
        for sql in _drop_sql(connection.vendor) + statements:
            cursor.execute(sql)


def uninstall(connection) -> None:
    statements = _drop_sql(connection.vendor)
    if connection.vendor == "postgresql":
        statements += [f"DROP FUNCTION IF EXISTS {name}()" for name in ("core_audit_no_update", "core_audit_no_delete")]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def installed(connection) -> set[str]:
    """The guard's triggers present on ``connection`` (a check and the tests read this)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {name for (name,) in cursor.fetchall()} & set(NAMES)


@contextlib.contextmanager
def lifted(connection) -> Iterator[None]:
    """Drop the triggers for the block and put them back after it, even when it fails. The one
    helper for the sanctioned ways past them (see the module docstring); DDL, so on PostgreSQL
    it is transactional (inside a transaction other sessions never see the gap)."""
    uninstall(connection)
    try:
        yield
    finally:
        install(connection)
