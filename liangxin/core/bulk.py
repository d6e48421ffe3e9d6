"""The one seam for bulk writes that Django's ``bulk_create`` makes too slow for ledgers of a
million rows (it compiles every value through the field API: ≈ 200 µs a row measured here).

``insert`` takes plain dicts keyed by field name (or tuples of named fields), fills defaults,
adapts values once per column type and writes them: one ``executemany`` on SQLite, ``COPY … FROM STDIN`` on
PostgreSQL. It returns nothing; callers find the new ids by their natural key.

``ignore_conflicts`` skips rows that collide with a unique key (what a rerun finds already
written): ``INSERT … ON CONFLICT DO NOTHING`` by ``executemany`` on SQLite; on PostgreSQL, where
``COPY`` cannot skip, ``COPY`` into a temporary table and one ``INSERT … SELECT … ON CONFLICT DO
NOTHING`` from it (psycopg's ``executemany`` sends row by row: ≈ 10× slower here).

``computed`` columns are not given but worked out by SQL from the row's other values as it is
written (e.g. a lookup through another table): the rows go to a temporary table first (``COPY`` or
``executemany``) and one ``INSERT … SELECT`` evaluates the expressions. Filling such a column by an
``UPDATE`` afterwards writes every row twice: on PostgreSQL a second version of each row and of
each of its index entries (18.8 s of a 60 s fan-out of 500,000 deliveries, measured here).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _plan(model: type[models.Model], computed: Mapping[str, str]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.column not in computed]


def _default(field: models.Field, now, adapt: Callable[[Any], Any] | None) -> Any:
    """What a field not given gets: the current time for ``auto_now``/``auto_now_add``, else its
    default ("" for a text column without one, else None), adapted once, not per row."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        default = now
    else:
        default = field.get_default()
    return adapt(default) if adapt is not None and default is not None else default


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


def insert(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]] | Iterable[Sequence[Any]],
    *,
    fields: Sequence[str] | None = None,
    ignore_conflicts: bool = False,
    computed: Mapping[str, str] | None = None,
) -> int:
    """Insert ``rows`` into ``model``'s table: dicts (field name → value; a relation by
    ``<name>_id`` or object), or, with ``fields`` (attribute names, ``<name>_id`` for a relation),
    tuples of those values in that order — the fast way for a million rows, with no dict per row.
    A field not given gets its default; ``auto_now``/``auto_now_add`` fields the current time.
    ``ignore_conflicts``: a row colliding with a unique key is skipped. ``computed``: column →
    SQL expression over the row's given columns, named ``staged.<column>``; a computed column named
    in ``fields`` is given too, and its expression decides what of it is kept (e.g.
    ``COALESCE(staged.<column>, …)``); in dict rows it is ignored. Returns the rows given."""
    computed = computed or {}
    all_fields, now = _plan(model, computed), timezone.now()
    values: list[Sequence[Any]]
    if fields is None:
        given, values = all_fields, _from_dicts(all_fields, rows, now)  # type: ignore[arg-type]
    else:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        given = [by_attname[name] for name in fields]
        values = _from_tuples(given, rows)  # type: ignore[arg-type]
    if not values:
        return 0
    # the fields not given: one value each, the same for every row
    constant = [(f, _default(f, now, _adapter(f))) for f in all_fields if f not in given]
    columns = [f.column for f in given]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if computed or (connection.vendor == "postgresql" and ignore_conflicts):
            _through_staging(cursor, table, columns, values, constant, computed, ignore_conflicts)
            return len(values)
        if constant:
            tail = [v for _, v in constant]
            values = [[*row, *tail] for row in values]
        quoted = ", ".join(connection.ops.quote_name(c) for c in [*columns, *(f.column for f, _ in constant)])
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for line in values:
                    copy.write_row(line)
        else:
            marks = ", ".join(["%s"] * (len(columns) + len(constant)))
            skip = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks}){skip}", values)
    return len(values)


def _from_dicts(fields: list[models.Field], rows: Iterable[dict[str, Any]], now) -> list[Sequence[Any]]:
    """Every field's value of each row, in ``fields``' order, defaults filled and values adapted."""
    adapters = [_adapter(f) for f in fields]
    plan = [
        (f.attname, f.name if f.is_relation else None, _default(f, now, adapt))
        for f, adapt in zip(fields, adapters, strict=True)
    ]
    relations = [(i, name) for i, (_, name, _) in enumerate(plan) if name]
    adapted = [(i, adapt) for i, adapt in enumerate(adapters) if adapt is not None]
    values: list[Sequence[Any]] = []
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
    return values


def _from_tuples(fields: list[models.Field], rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    """The rows as given, values adapted where the database needs it (dates on SQLite)."""
    adapted = [(i, adapt) for i, f in enumerate(fields) if (adapt := _adapter(f)) is not None]
    if not adapted:
        return rows if isinstance(rows, list) else list(rows)
    values: list[Sequence[Any]] = []
    for row in rows:
        out = list(row)
        for i, adapt in adapted:
            if out[i] is not None:
                out[i] = adapt(out[i])
        values.append(out)
    return values


def _through_staging(
    cursor,
    table: str,
    columns: list[str],
    values: list,
    constant: list[tuple[models.Field, Any]],
    computed: Mapping[str, str],
    ignore_conflicts: bool,
) -> None:
    """The rows' given columns into a temporary table (no constraints; ``COPY`` on PostgreSQL), then
    one ``INSERT … SELECT`` that adds the constant columns as parameters, works out the computed
    ones and, with ``ignore_conflicts``, skips what collides. The temporary table is dropped at
    once (and first: a failed call outside a transaction may have left one in the session)."""
    q = connection.ops.quote_name
    staging, given = q("bulk_staging"), ", ".join(q(c) for c in columns)
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {given} FROM {table} LIMIT 0")
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {staging} ({given}) FROM STDIN") as copy:
            for line in values:
                copy.write_row(line)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {staging} ({given}) VALUES ({marks})", values)
    kept = [c for c in columns if c not in computed]
    into = ", ".join(q(c) for c in [*kept, *(f.column for f, _ in constant), *computed])
    select = ", ".join([*(f"staged.{q(c)}" for c in kept), *(["%s"] * len(constant)), *computed.values()])
    # "WHERE true": SQLite reads "FROM t ON CONFLICT" as a join's ON without it
    skip = " WHERE true ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    cursor.execute(
        f"INSERT INTO {table} ({into}) SELECT {select} FROM {staging} staged{skip}", [v for _, v in constant]
    )
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
