"""What the small kinds (regions, carriers, party organizations, instructor assignments) share:
they write row by row through the domain services, in file order, so a row may refer to what
an earlier row of the same file created; a dry run walks the same path on in-memory objects.

Each row is written inside its own savepoint: a row the database refuses (a constraint, a
service's ValidationError) is reported as rejected and the rest of the batch goes on.
"""

import logging
import re

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from liangxin.core import normalize

from .. import cells
from ..spec import Kind, Outcome, Prepared, RowError

log = logging.getLogger(__name__)

ACTIVE_WORDS = {"有效", "在用", "启用", "正常", "在岗"}
INACTIVE_WORDS = {"无效", "停用", "已停用", "撤销", "已撤销", "不在岗"}


def active(value) -> bool:
    """有效: blank is 是; also 有效/停用."""
    if cells.is_blank(value):
        return True
    word = cells.text(value)
    if word in ACTIVE_WORDS:
        return True
    if word in INACTIVE_WORDS:
        return False
    return cells.flag(value)


def yes(flag: bool) -> str:
    return "是" if flag else "否"


def name_key(value) -> str:
    """Names compared as people mean them: half-width, no spaces, lower case."""
    return normalize.text(value).replace(" ", "").lower()


def text_of(label: str, *, least: int = 1, most: int = 200):
    """A parser for a required or optional text of bounded length."""

    def parse(value) -> str:
        word = cells.text(value)
        if word and len(word) < least:
            raise ValidationError(f"{label}至少{least}个字")
        if len(word) > most:
            raise ValidationError(f"{label}不能超过{most}个字")
        return word

    return parse


def split_list(value) -> list[str]:
    """Several codes in one cell: separated by 、，,；; spaces or line breaks."""
    return [w for w in re.split(r"[、,;，；\s]+", normalize.text(cells.text(value)).replace("\n", " ")) if w]


class RowKind(Kind):
    """A kind whose rows are decided and written one at a time.

    Subclasses define ``key`` (what identifies a row, from its prepared values: for the
    duplicate check and ``remember``), ``resolve`` (references, cross-field checks; appends
    RowErrors), and ``decide`` (the outcome; writes when ``write``).
    """

    duplicate_what = ""  # "区划代码相同"
    duplicate_column = ""  # the header the duplicate reason is reported under

    def key(self, ctx, values: dict):
        raise NotImplementedError

    def resolve(self, ctx, row: Prepared) -> None:
        raise NotImplementedError

    def decide(self, ctx, row: Prepared, write: bool) -> Outcome:
        raise NotImplementedError

    def remember(self, ctx, row: Prepared) -> None:
        key = self.key(ctx, row.values)
        if key is not None:
            ctx.seen.setdefault(key, row.number)

    def apply(self, ctx, rows: list[Prepared], write: bool) -> list[Outcome]:
        return [self._one(ctx, row, write) for row in rows]

    def _one(self, ctx, row: Prepared, write: bool) -> Outcome:
        if not ctx.allowed:
            first = self.columns[0]
            reason = f"您没有导入{self.label}的权限"
            return Outcome(
                row.number, "rejected", [RowError(first.header, cells.text(row.values.get(first.field)), reason)]
            )
        key = self.key(ctx, row.values) if not row.errors else None
        shown = cells.text(row.values.get(self._duplicate_field(), ""))
        self.resolve(ctx, row)
        if not row.errors and key is not None:
            first = ctx.seen.get(key)
            if first is not None:
                reason = f"与第 {first} 行重复（{self.duplicate_what}），本行未导入"
                row.errors.append(RowError(self.duplicate_column, shown, reason))
            else:
                ctx.seen[key] = row.number
        if row.errors:
            return Outcome(row.number, "rejected", row.errors)
        if not write:
            return self.decide(ctx, row, write=False)
        try:
            with transaction.atomic():
                return self.decide(ctx, row, write=True)
        except (ValidationError, DatabaseError) as error:
            log.warning("import %s row %s refused at writing: %s", self.name, row.number, error)
            ctx.reload()  # what this row changed in memory was rolled back in the database
            if isinstance(error, ValidationError):
                reason = "；".join(error.messages)
            else:
                reason = "保存时与平台已有数据冲突（可能刚被他人修改），本行未导入，请稍后重新导入"
            first = self.columns[0]
            return Outcome(
                row.number, "rejected", [RowError(first.header, cells.text(row.values.get(first.field)), reason)]
            )

    def _duplicate_field(self) -> str:
        return next((c.field for c in self.columns if c.header == self.duplicate_column), self.columns[0].field)


__all__ = ["RowKind", "active", "yes", "name_key", "text_of", "split_list"]
