"""Keyset pagination: pages stay fast at any depth of a million-row list.

A cursor is the sort value and id of the row at a page edge; the next page is the rows
strictly after it in (sort value, id) order, read from an index on those two columns.
"""

import base64
import json
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from .params import MAX_ID


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None


def encode_cursor(value, pk: int, direction: str) -> str:
    raw = json.dumps([direction, value if value is None or isinstance(value, (int, str)) else str(value), pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, field) -> tuple[str, object, int] | None:
    """(direction, value, id), or None for a cursor that is not ours (treated as page one)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        direction, value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if direction not in ("n", "p"):
            return None
        value, pk = field.to_python(value), int(pk)
        # a crafted cursor's integer too large for the database would be a server error, not a page
        if not 0 <= pk <= MAX_ID or (isinstance(value, int) and abs(value) > MAX_ID):
            return None
        return direction, value, pk
    except Exception:
        return None


def _after(key: str, value, pk: int, descending: bool, nullable: bool = False) -> Q:
    """Rows after (value, pk). The leading ``key >= value`` is what lets the database start the
    index scan at the cursor; without it, it reads the index from the start and filters.

    A nullable key (an unknown employee count) sorts NULL above every value, as PostgreSQL's
    index does (ascending NULLS LAST), so the index still serves both directions."""
    op = "lt" if descending else "gt"
    if value is None:
        last_nulls = Q(**{f"{key}__isnull": True, f"pk__{op}": pk})
        return last_nulls | Q(**{f"{key}__isnull": False}) if descending else last_nulls
    after = Q(**{f"{key}__{op}e": value}) & (Q(**{f"{key}__{op}": value}) | Q(**{f"pk__{op}": pk}))
    return after | Q(**{f"{key}__isnull": True}) if nullable and not descending else after


def keyset_page(qs: QuerySet, key: str, descending: bool, cursor: str | None, size: int) -> KeysetPage:
    """One page of ``qs`` ordered by (``key``, id), ``descending`` or not, from ``cursor``."""
    field = qs.model._meta.get_field(key)
    decoded = decode_cursor(cursor, field) if cursor else None
    forward = decoded is None or decoded[0] == "n"
    sign = "-" if descending == forward else ""
    ordering: list[str | OrderBy] = [f"{sign}{key}", f"{sign}pk"]
    if field.null:
        ordering[0] = F(key).desc(nulls_first=True) if sign else F(key).asc(nulls_last=True)
    if decoded is not None:
        _, value, pk = decoded
        qs = qs.filter(_after(key, value, pk, descending if forward else not descending, field.null))
    rows = list(qs.order_by(*ordering)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    has_next = more if forward else decoded is not None
    has_prev = (decoded is not None) if forward else more
    edge = lambda row: (getattr(row, key), row.pk)  # noqa: E731
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(*edge(rows[-1]), "n") if rows and has_next else None,
        prev_cursor=encode_cursor(*edge(rows[0]), "p") if rows and has_prev else None,
    )
