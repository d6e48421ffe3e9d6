"""Per-region cells of every measure, kept current without ever being read stale.

Database triggers add one to a region's ``RegionVersion.version`` in the same transaction as
any change to its organizations or their members (``stats.triggers``). A reader first asks, in
one small query, which regions of its subtree have cells older than their version (or computed
under other policy thresholds); only those are recomputed — a grid or street of a few thousand
organizations — and the answer is then read from the cells. A write committed before the read
began has already bumped its region, so it is always in the answer.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet

from liangxin.core import bulk
from liangxin.orgs.models import Organization

from .measures import CURRENT, MEASURE_NAMES, Src, Thresholds, aggregates
from .models import Cell, RegionVersion

# group keys of a cell, and the organization columns (or as-of annotations) they come from
CELL_KEYS = ("region_id", "kind", "carrier_id", "node_id")
CURRENT_COLUMNS = ("operating_region_id", "kind", "carrier_id", "responsible_node_id")


def cell_rows(orgs: QuerySet, t: Thresholds, src: Src, columns: Iterable[str] = CURRENT_COLUMNS) -> list[dict]:
    """One GROUP BY over ``orgs``: every measure per (region, kind, carrier, node)."""
    columns = list(columns)
    out = []
    for row in orgs.values(*columns).annotate(**aggregates(t, src)).order_by():
        cell = {key: row[col] for key, col in zip(CELL_KEYS, columns, strict=True)}
        cell.update((name, row[name]) for name in MEASURE_NAMES)
        out.append(cell)
    return out


def versions(regions: Q) -> dict[int, tuple[int, int, str]]:
    """region → (version, computed version, thresholds of its cells) for the regions matched."""
    rows = RegionVersion.objects.filter(regions).values_list("region_id", "version", "computed_version", "thresholds")
    return {r: (v, c, k) for r, v, c, k in rows}


def stale(regions: Q, t: Thresholds) -> list[int]:
    """Regions (matching ``regions`` on RegionVersion) whose cells are out of date; no lock."""
    qs = RegionVersion.objects.filter(regions).exclude(computed_version=F("version"), thresholds=t.key)
    return list(qs.values_list("region_id", flat=True))


@contextmanager
def snapshot():
    """One consistent view of the database for every query inside: a transaction (SQLite's read
    transaction in WAL mode is a snapshot), REPEATABLE READ on PostgreSQL (READ COMMITTED would
    give each statement its own, and a move between two statements would count twice)."""
    outermost = not connection.in_atomic_block  # inside a caller's transaction: it is the snapshot
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def ensure_fresh(regions: Q, t: Thresholds) -> int:
    """Recompute the stale regions among ``regions``; returns how many were recomputed."""
    ids = stale(regions, t)
    return refresh(ids, t) if ids else 0


def refresh(region_ids: list[int], t: Thresholds) -> int:
    with transaction.atomic():
        # Lock before reading. PostgreSQL: the version rows, in id order (the triggers bump in the
        # same order), so two readers never rebuild one region at once and never deadlock. SQLite
        # has no row locks: a first write takes the database's write lock (a read transaction
        # cannot be upgraded once another writer has committed).
        rows = RegionVersion.objects.filter(region_id__in=region_ids).order_by("region_id")
        if connection.vendor == "postgresql":
            # SKIP LOCKED: a region a writer holds is left stale (the reader counts it from the
            # organizations) instead of waited for; waiting in any order could deadlock with a
            # writer whose transaction bumps several regions one statement at a time.
            region_ids = list(rows.select_for_update(skip_locked=True).values_list("region_id", flat=True))
        else:
            rows.update(thresholds=F("thresholds"))
        versions = dict(
            RegionVersion.objects.filter(region_id__in=region_ids)
            .exclude(computed_version=F("version"), thresholds=t.key)
            .values_list("region_id", "version")
        )
        if not versions:
            return 0
        dirty = list(versions)
        Cell.objects.filter(region_id__in=dirty).delete()

        bulk.insert(Cell, cell_rows(Organization.objects.filter(operating_region_id__in=dirty), t, CURRENT))
        RegionVersion.objects.bulk_update(
            [RegionVersion(region_id=r, version=v, computed_version=v, thresholds=t.key) for r, v in versions.items()],
            ["computed_version", "thresholds"],
            batch_size=500,
        )
        return len(dirty)
