"""Stored statistics: per-region cells kept current, and dated snapshots of the same cells.

A cell holds every measure (``stats.measures``) for the organizations of one region with one
kind, carrier and responsible node. Any figure of a subtree is a sum over its cells, so the
city root reads tens of thousands of cells instead of a million organizations.
"""

from django.db import models

from .measures import MEASURE_LABELS


class RegionVersion(models.Model):
    """Change counter of one region's organizations. Database triggers (``stats.triggers``) add
    one in the same transaction as any change to an organization placed there or to a member
    employed there; the region's cells are current only while ``computed_version`` equals it."""

    # no database constraint: a trigger may add a row while the region itself is being deleted
    # (a test flush, a region removed with its last organization); such a row is harmless
    region = models.OneToOneField(
        "regions.Region", primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    version = models.BigIntegerField(default=1)
    computed_version = models.BigIntegerField(default=0)
    thresholds = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计版本"

    def __str__(self) -> str:
        return f"{self.region_id}: {self.computed_version}/{self.version}"


def _measure(name: str) -> models.IntegerField:
    return models.IntegerField(MEASURE_LABELS[name], default=0)


class Measures(models.Model):
    counted = _measure("counted")
    own = _measure("own")
    joint = _measure("joint")
    attached = _measure("attached")
    instructor = _measure("instructor")
    blank = _measure("blank")
    org_covered = _measure("org_covered")
    work_covered = _measure("work_covered")
    has_member = _measure("has_member")
    members = _measure("members")
    econ_50 = _measure("econ_50")
    econ_50_member = _measure("econ_50_member")
    econ_100 = _measure("econ_100")
    econ_100_org = _measure("econ_100_org")
    econ_above = _measure("econ_above")
    econ_above_org = _measure("econ_above_org")
    key_units = _measure("key_units")
    key_units_org = _measure("key_units_org")
    blank_50 = _measure("blank_50")
    blank_100 = _measure("blank_100")
    below_basis = _measure("below_basis")
    size_unknown = _measure("size_unknown")
    econ_size_unknown = _measure("econ_size_unknown")
    moved = _measure("moved")
    deregistered = _measure("deregistered")

    class Meta:
        abstract = True


class CellBase(Measures):
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    kind = models.CharField(max_length=20)
    carrier_id = models.IntegerField(null=True)
    node_id = models.IntegerField(null=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.region_id}/{self.kind}/{self.carrier_id}/{self.node_id}"


class Cell(CellBase):
    """Current measures of one (region, kind, carrier, responsible node)."""

    class Meta:
        verbose_name = verbose_name_plural = "统计单元"
        indexes = [models.Index(fields=["region"], name="cell_region")]


class Snapshot(models.Model):
    """统计快照: the measures of every region as they stood on ``as_of``, from dated facts."""

    as_of = models.DateField("统计截止日期", unique=True)
    thresholds = models.CharField("统计口径与标准", max_length=40)
    taken_at = models.DateTimeField("生成时间", auto_now=True)
    organizations = models.IntegerField("组织数", default=0)
    seconds = models.FloatField("用时（秒）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "统计快照"
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d}"


class SnapshotTotal(Measures):
    """A snapshot's measures summed over each region's subtree, so a trend line of an unfiltered
    unit reads one row per snapshot instead of every cell under it."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="totals")
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        verbose_name = verbose_name_plural = "快照区划合计"
        constraints = [models.UniqueConstraint(fields=["region", "snapshot"], name="snapshot_total_region")]

    def __str__(self) -> str:
        return f"{self.snapshot_id}/{self.region_id}"


class SnapshotCell(CellBase):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="cells")

    class Meta:
        verbose_name = verbose_name_plural = "快照统计单元"
        indexes = [models.Index(fields=["snapshot", "region"], name="snapshot_cell_region")]


class AsOfFact(models.Model):
    """One organization as it stood on a past day: rows of a temporary table that exists only
    inside ``stats.asof.materialized`` (hence unmanaged)."""

    organization_id = models.IntegerField(primary_key=True)
    region_id = models.IntegerField()
    kind = models.CharField(max_length=20)
    carrier_id = models.IntegerField(null=True)
    node_id = models.IntegerField(null=True)
    sector = models.CharField(max_length=10)
    industry = models.CharField(max_length=10)
    employees = models.IntegerField(null=True)
    above_scale = models.BooleanField()
    key_industry = models.BooleanField()
    s_status = models.CharField(max_length=14)
    s_state = models.CharField(max_length=10)
    s_members = models.IntegerField()

    class Meta:
        managed = False
        db_table = "stats_asof_fact"

    def __str__(self) -> str:
        return str(self.organization_id)
