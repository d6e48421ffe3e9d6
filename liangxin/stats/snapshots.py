"""统计快照: the cells of every region as they stood on a date, computed from dated facts.

``take(day)`` is what ``manage.py snapshot_stats`` runs, monthly from cron (docs/operations.md):
a run on January 5 without ``--as-of`` stores December 31, the figures of the annual report.
A second run for the same day replaces the first.
"""

import datetime
import time

from django.db import connection, transaction
from django.utils import timezone

from liangxin.core import bulk
from liangxin.party import policy
from liangxin.regions.models import Region

from . import asof, cube
from .measures import AS_OF, MEASURE_NAMES, Thresholds, add, zero
from .models import Snapshot, SnapshotCell, SnapshotTotal


def last_month_end(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today.replace(day=1) - datetime.timedelta(days=1)


def take(day: datetime.date) -> Snapshot:
    started = time.monotonic()
    t = Thresholds.of(policy.values())
    if connection.vendor == "postgresql":
        # Fresh planner statistics for the dated facts: right after a bulk load (an import, the demo
        # seed, a test) PostgreSQL has none yet and plans each per-organization lookup as a scan of
        # the whole table — 15 s instead of 0.1 s for 2,000 organizations. ANALYZE samples a table.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE orgs_organization, orgs_placement, party_employment, party_member, "
                "party_partyorglink, party_instructorassignment"
            )
    with transaction.atomic(), asof.materialized(day) as facts:
        rows = cube.cell_rows(facts, t, AS_OF, cube.CELL_KEYS)
        Snapshot.objects.filter(as_of=day).delete()
        snapshot = Snapshot.objects.create(
            as_of=day, thresholds=t.key, organizations=sum(r["counted"] + r["below_basis"] for r in rows)
        )
        for row in rows:
            row["snapshot_id"] = snapshot.pk
        bulk.insert(SnapshotCell, rows)
        bulk.insert(SnapshotTotal, rolled_up(rows, snapshot.pk))
        snapshot.seconds = round(time.monotonic() - started, 2)
        snapshot.save(update_fields=["seconds"])
    return snapshot


def month_ends(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The last ``count`` month ends before ``today``, oldest first."""
    days = [last_month_end(today)]
    while len(days) < count:
        days.append(days[-1].replace(day=1) - datetime.timedelta(days=1))
    return days[::-1]


def rolled_up(cells: list[dict], snapshot_id: int) -> list[dict]:
    """The cells summed into every region above them (each region: its whole subtree)."""
    path_of = dict(Region.objects.values_list("id", "path"))
    id_of = {path: pk for pk, path in path_of.items()}
    totals: dict[int, dict] = {}
    for cell in cells:
        path = path_of.get(cell["region_id"])
        if path is None:
            continue
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            region = id_of.get("/" + "/".join(parts[:depth]) + "/")
            if region is not None:
                add(totals.setdefault(region, zero()), cell)
    return [{"snapshot_id": snapshot_id, "region_id": r, **{m: t[m] for m in MEASURE_NAMES}} for r, t in totals.items()]
