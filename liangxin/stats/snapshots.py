"""统计快照: the cells of every region as they stood on a date, computed from dated facts.

``take(day)`` is what ``manage.py snapshot_stats`` runs, monthly from cron (docs/operations.md):
a run on January 5 without ``--as-of`` stores December 31, the figures of the annual report.
A second run for the same day replaces the first.
"""

import datetime
import time

from django.db import transaction
from django.utils import timezone

from liangxin.core import bulk
from liangxin.party import policy

from . import asof, cube
from .measures import AS_OF, Thresholds
from .models import Snapshot, SnapshotCell


def last_month_end(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today.replace(day=1) - datetime.timedelta(days=1)


def take(day: datetime.date) -> Snapshot:
    started = time.monotonic()
    t = Thresholds.of(policy.values())
    with transaction.atomic(), asof.materialized(day) as facts:
        rows = cube.cell_rows(facts, t, AS_OF, cube.CELL_KEYS)
        Snapshot.objects.filter(as_of=day).delete()
        snapshot = Snapshot.objects.create(
            as_of=day, thresholds=t.key, organizations=sum(r["counted"] + r["below_basis"] for r in rows)
        )
        for row in rows:
            row["snapshot_id"] = snapshot.pk
        bulk.insert(SnapshotCell, rows)
        snapshot.seconds = round(time.monotonic() - started, 2)
        snapshot.save(update_fields=["seconds"])
    return snapshot


def month_ends(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The last ``count`` month ends before ``today``, oldest first."""
    days = [last_month_end(today)]
    while len(days) < count:
        days.append(days[-1].replace(day=1) - datetime.timedelta(days=1))
    return days[::-1]
