"""The audit log's hash chain (操作日志哈希链).

Each entry stores ``content_hash`` = SHA-256 of its own content and the ``prev_hash`` it was
chained to (the previous entry's ``content_hash``, in id order). Changing any stored field of
an entry breaks its own hash; deleting one breaks the link of the entry after it; the one-row
``AuditChainHead`` holds the last hash, so losing entries at the end shows too.

``actor_id`` is left out on purpose: deleting an account sets it to NULL (the name is kept in
``actor_name``, which is hashed), and the database triggers allow exactly that change.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
# the hashed columns, in the order they are hashed (id, actor_id and content_hash are not)
HASHED = ["at", "actor_name", "origin", "action", "object_type", "object_id", "object_repr", "changes", "detail",
          "mgmt_path", "region_path"]  # fmt: skip


def _at_text(at: datetime.datetime | str) -> str:
    # the same text whichever time zone the database hands the value back in; a string is the
    # raw column (SQLite keeps UTC without an offset), read so by verify_audit for speed
    if isinstance(at, str):
        at = datetime.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=datetime.UTC)
    return at.astimezone(datetime.UTC).isoformat()


def content_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """SHA-256 (hex) of the previous hash and the entry's hashed columns. ``changes`` may be the
    raw JSON text of the column; it is hashed in one canonical form either way."""
    changes = values["changes"]
    if isinstance(changes, str):
        changes = json.loads(changes)
    parts = [prev_hash, _at_text(values["at"])] + [values[name] for name in HASHED[1:7]] + [changes]
    parts += [values[name] for name in HASHED[8:]]
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Break:
    """The first entry that does not match: its id and why."""

    entry_id: int | None
    reason: str


def walk(rows: Iterable[dict[str, Any]], head_hash: str | None) -> Iterator[int | Break]:
    """Yield each entry's id as it checks out, or one ``Break`` at the first that does not and
    stop. ``rows`` come in id order with ``id``, ``prev_hash``, ``content_hash`` and ``HASHED``."""
    previous = GENESIS
    for row in rows:
        if row["prev_hash"] != previous:
            yield Break(row["id"], "与前一条记录的链接不符（前一条记录被删除或改动）")
            return
        if content_hash(previous, row) != row["content_hash"]:
            yield Break(row["id"], "内容与其哈希值不符（记录被改动）")
            return
        previous = row["content_hash"]
        yield row["id"]
    if head_hash is not None and head_hash != previous:
        yield Break(None, "链尾与记录的最后哈希值不符（末尾的记录被删除）")
