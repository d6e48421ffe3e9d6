"""What a kind of import looks like: its columns (Chinese header, aliases, parser, dropdown,
example) and how a user's header row is matched to them.

A ``Kind`` has two halves. ``prepare`` is pure (cells in, clean values and errors out) and
runs in worker processes; ``apply`` runs in the main process, in the batch's transaction:
references, duplicates, scope, and the writes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from liangxin.core.xlsx import Column as SheetColumn

from . import cells


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...] = ()
    parse: Callable[[Any], Any] = cells.text
    required: bool = False
    choices: tuple[str, ...] = ()  # labels offered as a dropdown in the template
    example: str = ""
    note: str = ""
    kind: str = "text"  # how the export writes it: text | number | date
    export: Callable[[Any], Any] | None = None  # object → cell; None: not exported

    @property
    def keys(self) -> list[str]:
        return [cells.header_key(h) for h in (self.header, *self.aliases)]


@dataclass
class RowError:
    column: str  # the Chinese header
    value: str
    reason: str


@dataclass
class Prepared:
    """One data row after ``prepare``: its number in the file, raw cells, values, errors."""

    number: int
    raw: list
    values: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    raw_text: dict = field(default_factory=dict)  # a kind's note of what the user wrote, for messages


@dataclass
class Outcome:
    number: int
    result: str  # created | updated | unchanged | rejected
    errors: list[RowError] = field(default_factory=list)
    object_id: int | None = None
    label: str = ""


class HeaderMap:
    """Which column of the file feeds which field; unknown headers are listed, not fatal."""

    def __init__(self, columns: list[Column], header: list, export_only: tuple[str, ...] = ()) -> None:
        known = {}
        for column in columns:
            for rank, key in enumerate(column.keys):
                known.setdefault(key, (column, rank))
        self.index: dict[str, int] = {}
        rank_of: dict[str, int] = {}
        self.ignored: list[str] = []
        ignore = {cells.header_key(h) for h in export_only}
        for position, cell in enumerate(header):
            key = cells.header_key(cell)
            if not key:
                continue
            match = known.get(key)
            if match is None:
                if key not in ignore:
                    self.ignored.append(cells.text(cell))
                continue
            column, rank = match
            # the canonical header wins over an alias of the same field (an export carries both)
            if column.field not in self.index or rank < rank_of[column.field]:
                self.index[column.field] = position
                rank_of[column.field] = rank
        self.columns = columns
        self.missing = [c.header for c in columns if c.required and c.field not in self.index]

    @property
    def score(self) -> int:
        return len(self.index)

    def cells_of(self, raw: list) -> dict[str, Any]:
        return {name: (raw[i] if i < len(raw) else None) for name, i in self.index.items()}


def find_header(rows: list[tuple[int, list]], columns: list[Column], export_only=()) -> tuple[int, HeaderMap] | None:
    """The row among the first ones that names the most known columns (a title row or merged
    cells above it are skipped); None when no row names at least two."""
    best = None
    for number, raw in rows:
        candidate = HeaderMap(columns, raw, export_only)
        if candidate.score >= 2 and (best is None or candidate.score > best[1].score):
            best = (number, candidate)
    return best


def parse_cells(columns: list[Column], values: dict[str, Any]) -> tuple[dict, list[RowError]]:
    """Run each column's parser; a required blank or a parse failure becomes a RowError."""
    clean: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in columns:
        if column.field not in values:
            continue
        raw = values[column.field]
        if column.required and cells.is_blank(raw):
            errors.append(RowError(column.header, "", f"{column.header}不能为空"))
            continue
        try:
            clean[column.field] = column.parse(raw)
        except ValidationError as error:
            errors.append(RowError(column.header, cells.text(raw), "；".join(error.messages)))
    return clean, errors


class Kind:
    """One importable kind. Subclasses define the columns and the two halves."""

    name = ""
    label = ""
    key_label = ""  # what identifies a row for upsert, said in Chinese
    columns: list[Column] = []
    export_extra: list[tuple[str, Callable[[Any], Any], str]] = []  # (header, object → cell, kind): derived
    required = "can_edit_registry"  # the Scope capability needed to import this kind
    export_related: tuple[str, ...] = ()  # select_related for exporting

    @property
    def export_only(self) -> tuple[str, ...]:
        """Headers the export adds (derived values); recognised and ignored on import."""
        return tuple(h for h, _, _ in self.export_extra) + ("未导入原因", "原文件行号")

    def export_columns(self) -> list:
        """The list export's columns: the import columns (same headers, so an exported file
        imports back unchanged), then the derived ones."""
        out = [
            SheetColumn(c.header, c.export, max(10, min(40, len(c.header) * 2 + 4)), c.kind)
            for c in self.columns
            if c.export is not None
        ]
        out += [SheetColumn(h, fn, max(10, len(h) * 2 + 4), kind) for h, fn, kind in self.export_extra]
        return out

    def missing_columns(self, header: HeaderMap) -> list[str]:
        """Headers the file must have (the columns that identify and place a row)."""
        return header.missing

    def notes(self, ctx, header: HeaderMap) -> list[str]:
        """Lines for the report, said once per column: values derived or stored as unknown."""
        return []

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)

    def header_of(self, name: str) -> str:
        return next((c.header for c in self.columns if c.field == name), name)

    def prepare(self, number: int, raw: list, values: dict[str, Any]) -> Prepared:
        clean, errors = parse_cells(self.columns, values)
        return Prepared(number, raw, clean, errors)

    def context(self, actor, scope):
        raise NotImplementedError

    def look_up(self, ctx, row: Prepared) -> None:
        """Optional: the part of checking that needs only ``ctx``'s loaded lookups, no database;
        the engine runs it in the worker processes (``ctx`` is copied to them when they start)."""

    def apply(self, ctx, rows: list[Prepared], write: bool) -> list[Outcome]:
        raise NotImplementedError

    def finish(self, ctx, write: bool) -> None:
        """After the last batch (e.g. bring coverage up to date)."""

    def errors_to_rowerrors(self, errors: dict[str, str], values: dict) -> list[RowError]:
        return [RowError(self.header_of(f), cells.text(_shown(values.get(f))), msg) for f, msg in errors.items()]


def _shown(value) -> Any:
    return getattr(value, "name", value) if value is not None else ""
