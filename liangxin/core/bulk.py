"""The one seam for bulk writes that Django's ``bulk_create`` makes too slow for ledgers of a
million rows (it compiles every value through the field API: ≈ 200 µs a row measured here).

``insert`` takes plain dicts keyed by field name, fills defaults, adapts values once per
column type and writes them: one ``executemany`` on SQLite, ``COPY … FROM STDIN`` on
PostgreSQL. It returns nothing; callers find the new ids by their natural key.

``ignore_conflicts`` skips rows that collide with a unique key (what a rerun finds already
written): ``INSERT … ON CONFLICT DO NOTHING`` by ``executemany`` on SQLite; on PostgreSQL, where
``COPY`` cannot skip, ``COPY`` into a temporary table and one ``INSERT … SELECT … ON CONFLICT DO
NOTHING`` from it (psycopg's ``executemany`` sends row by row: ≈ 10× slower here).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _plan(model: type[models.Model]) -> tuple[list[models.Field], list[str]]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return fields, [f.column for f in fields]


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a value of this field is bound on SQLite (PostgreSQL's COPY takes Python values)."""
    if connection.vendor != "sqlite":
        if isinstance(field, models.JSONField):
            from psycopg.types.json import Jsonb  # noqa: PLC0415 — psycopg is installed only where PostgreSQL is used

            return Jsonb
        return None
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return None


def insert(model: type[models.Model], rows: Iterable[dict[str, Any]], *, ignore_conflicts: bool = False) -> int:
    """Insert ``rows`` (field name → value; a relation by ``<name>_id`` or object) into
    ``model``'s table. ``auto_now``/``auto_now_add`` fields get the current time.
    ``ignore_conflicts``: a row colliding with a unique key is skipped. Returns the rows given."""
    fields, columns = _plan(model)
    now = timezone.now()
    adapters = [_adapter(f) for f in fields]
    plan = []
    for f, adapt in zip(fields, adapters, strict=True):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            default = now
        else:
            default = f.get_default()  # "" for a text column without a default, else None
        if adapt is not None and default is not None:
            default = adapt(default)  # once, not per row
        plan.append((f.attname, f.name if f.is_relation else None, default))
    relations = [(i, name) for i, (_, name, _) in enumerate(plan) if name]
    adapted = [(i, adapt) for i, adapt in enumerate(adapters) if adapt is not None]
    values = []
    for row in rows:
        out = [row.get(attname, default) for attname, _, default in plan]  # the hot loop: keep it flat
        for i, name in relations:
            if out[i] is plan[i][2] and name in row:  # given as an object, not as <name>_id
                out[i] = row[name].pk if row[name] is not None else None
        for i, adapt in adapted:
            value = out[i]
            if value is not None and value is not plan[i][2]:
                out[i] = adapt(value)
        values.append(out)
    if not values:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and ignore_conflicts:
            _copy_skipping_conflicts(cursor, table, quoted, values)
        elif connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for line in values:
                    copy.write_row(line)
        else:
            marks = ", ".join(["%s"] * len(columns))
            skip = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks}){skip}", values)
    return len(values)


def _copy_skipping_conflicts(cursor, table: str, quoted: str, values: list[list]) -> None:
    """PostgreSQL: COPY into a temporary table of the same columns (no constraints), then one
    INSERT … SELECT that skips what collides. The temporary table is dropped at once (and first:
    a failed call outside a transaction may have left one in the session)."""
    staging = connection.ops.quote_name("bulk_staging")
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {quoted} FROM {table} WITH NO DATA")
    with cursor.cursor.copy(f"COPY {staging} ({quoted}) FROM STDIN") as copy:
        for line in values:
            copy.write_row(line)
    cursor.execute(f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {staging} ON CONFLICT DO NOTHING")
    cursor.execute(f"DROP TABLE {staging}")


def ids_by(model: type[models.Model], field: str, keys: list) -> dict[Any, int]:
    """``{key: pk}`` for the rows whose ``field`` is one of ``keys`` (a unique field), in one
    plain query per 2,000 keys: asked for every batch of an import, where the ORM's query
    building for a 2,000-value IN costs more than the lookup itself."""
    found: dict[Any, int] = {}
    unique = model._meta.get_field(field)
    assert isinstance(unique, models.Field), f"{field}: a column of {model._meta.db_table}"
    column = connection.ops.quote_name(unique.column)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 2000):
            chunk = keys[start : start + 2000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {column}, {pk} FROM {table} WHERE {column} IN ({marks})", chunk)
            found.update(cursor.fetchall())
    return found


def refresh_planner_statistics() -> None:
    """PostgreSQL: ANALYZE every table after a bulk load. Right after the load (the demo seed, in a
    test database emptied before it) the planner believes each table holds one row and nests loops
    over thousands of them: one count of a street's secretaries ran for minutes instead of
    milliseconds. ANALYZE samples each table (seconds at a million rows). SQLite plans without it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
