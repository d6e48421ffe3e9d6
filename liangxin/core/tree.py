"""Materialized paths for the two trees.

Each node stores its path from the root, e.g. ``/310000/310101/310101002/``. "Everything
under X" is one range scan on an index: ``path >= X.path AND path < X.path[:-1] + "0"``.
The range works because path segments hold digits only and ``"/"`` sorts just before
``"0"``; on PostgreSQL the column uses the "C" collation so that ordering is bytewise
whatever the database's locale (a locale collation ignores the slashes).
"""

from django.db import models
from django.db.models import Q


class TreePathField(models.CharField):
    """A materialized path column, compared bytewise on every database."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def subtree_bounds(path: str) -> tuple[str, str]:
    """The half-open range of paths at or under ``path``."""
    if not path.endswith("/"):
        raise ValueError(f"a tree path ends with '/': {path!r}")
    return path, path[:-1] + "0"


def subtree_q(path: str, field: str = "path") -> Q:
    """A filter matching the node with ``path`` and all its descendants."""
    low, high = subtree_bounds(path)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def any_subtree_q(paths: list[str], field: str = "path") -> Q:
    """A filter matching anything under any of ``paths`` (empty list matches nothing)."""
    q = Q(pk__in=[])
    for path in collapse_paths(paths):
        q |= subtree_q(path, field)
    return q


def collapse_paths(paths: list[str]) -> list[str]:
    """Drop paths that lie under another path of the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def is_under(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)


def rewrite_subtree_paths(model, old_path: str, new_path: str) -> None:
    """After a node moved or was renumbered, give its descendants their new paths."""
    descendants = list(model.objects.filter(subtree_q(old_path)).exclude(path=new_path))
    for node in descendants:
        node.path = new_path + node.path[len(old_path) :]
    model.objects.bulk_update(descendants, ["path"], batch_size=500)
