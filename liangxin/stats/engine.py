"""The statistics engine: every coverage figure for any unit of either tree, with any filters.

``parse_query`` reads a request into a ``StatsQuery`` (unknown codes, nodes outside the user's
scope and impossible filter values become Chinese messages), ``compute`` answers it. Figures are
SQL sums, never Python loops over organizations:

- today, filtered by kind, sector, carrier or carrier type only: sums over the per-region cells
  (``stats.cube``), refreshed first where a write made them stale;
- today with other filters (industry, size band, above-scale, key industry): one aggregate pass
  over the filtered organizations computing every measure at once;
- as of a snapshot date: sums over the snapshot's cells; as of another date, or a snapshot date
  with other filters: the same pass over the organizations as they stood then (``stats.asof``).

All four read the measures of ``stats.measures``; the drill-down lists use their conditions.
"""

import dataclasses
import datetime
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from liangxin.core import params as params_
from liangxin.core.tree import subtree_q
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.mgmt.queries import in_node_subtree, parse_node
from liangxin.orgs.choices import SECTOR_OF_KIND, SIZE_BAND_CHOICES, Industry, OrgKind, Sector
from liangxin.orgs.models import Organization, Placement
from liangxin.orgs.queries import OrgAttributes, filter_by_profile, read_attributes, read_choice
from liangxin.party import policy
from liangxin.party.models import PartyOrganization
from liangxin.regions.models import Carrier, CarrierKind, Region
from liangxin.regions.queries import in_region_subtree, parse_region

from . import asof, cube
from .measures import AS_OF, CURRENT, MEASURE_LABELS, MEASURE_NAMES, RATES, Thresholds, add, aggregates, percent, zero
from .models import Cell, Snapshot, SnapshotCell, SnapshotTotal

LIVE_FILTERS = ("industry", "size", "above_scale", "key_industry")
# Answers of region units, each kept with the versions of every region under the unit it was
# computed from (per process). A write bumps a version in its own transaction (stats.triggers),
# so an answer is reused only while not one region under it has changed: never stale.
ANSWER_CACHE_SIZE = 256
_ANSWERS: OrderedDict = OrderedDict()
TERRITORIAL = ("city", "district", "street")
SECTOR_KINDS = {s: [k for k, v in SECTOR_OF_KIND.items() if v == s] for s in Sector.values}


@dataclass
class StatsQuery(OrgAttributes):
    """Which unit (a region, or a node of the management tree) and which filters."""

    region: Region | None = None
    node: ManagementNode | None = None
    carrier_kind: str = ""
    as_of: datetime.date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_live(self) -> bool:
        """Needs a pass over organizations (filters the cells do not carry)."""
        return any(getattr(self, name) not in ("", None) for name in LIVE_FILTERS)

    @property
    def unit_label(self) -> str:
        if self.node is not None and self.region is not None:
            return f"{self.node.name} · {self.region.name}"
        unit = self.node or self.region
        assert unit is not None, "a query without a unit has errors and is not answered"
        return unit.name

    def filter_params(self) -> dict[str, str]:
        """The filters as request parameters (for links that keep them)."""
        out = {}
        for name in ("kind", "sector", "industry", "size", "carrier_kind"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        for name in ("above_scale", "key_industry"):
            if getattr(self, name) is not None:
                out[name] = "1" if getattr(self, name) else "0"
        if self.carrier is not None:
            out["carrier"] = str(self.carrier.pk)
        return out

    def unit_params(self) -> dict[str, str]:
        out = {}
        if self.region is not None:
            out["region"] = self.region.code
        if self.node is not None:
            out["node"] = str(self.node.pk)
        return out

    def describe(self) -> list[tuple[str, str]]:
        out = [("统计单元", self.unit_label)]
        labels = {
            "kind": ("组织类型", dict(OrgKind.choices)), "sector": ("类别", dict(Sector.choices)),
            "industry": ("行业", dict(Industry.choices)), "size": ("规模", dict(SIZE_BAND_CHOICES)),
            "carrier_kind": ("载体类型", dict(CarrierKind.choices)),
        }  # fmt: skip
        for name, (label, names) in labels.items():
            if getattr(self, name):
                out.append((label, names.get(getattr(self, name), getattr(self, name))))
        for name, label in (("above_scale", "规模以上"), ("key_industry", "重点行业/重点单位")):
            if getattr(self, name) is not None:
                out.append((label, "是" if getattr(self, name) else "否"))
        if self.carrier is not None:
            out.append(("载体", self.carrier.name))
        if self.as_of:
            out.append(("统计截止日期", self.as_of.isoformat()))
        return out


def parse_query(params, scope) -> StatsQuery:
    """A request's unit and filters. The unit must lie wholly inside the user's scope
    (``Scope.stats_regions`` / ``stats_nodes``); without one, the user's own."""
    q = StatsQuery()
    errors = q.errors
    q.node = params_.collect(errors, parse_node, params, "node", "党组织（管理节点）", scope=scope)
    q.region = params_.collect(errors, parse_region, params, "region", "区划代码", scope=scope)
    if q.region is not None and q.node is None and "node" not in errors:
        _region_alone(q, scope)
    if params_.raw(params, "region") is None and params_.raw(params, "node") is None:
        home = scope.stats_home()
        if home is None:
            errors["region"] = "您没有可查看统计的范围"
        elif home[0] == "region":
            q.region = home[1]
        else:
            q.node = home[1]
    read_attributes(params, scope, q, errors)
    q.carrier_kind = read_choice(params, "carrier_kind", CarrierKind.choices, "载体类型", errors)
    q.as_of = params_.collect(errors, params_.parse_date, params, "as_of", "统计截止日期")
    if q.as_of is not None:
        if q.as_of > timezone.localdate():
            errors["as_of"] = "统计截止日期不能晚于今天"
            q.as_of = None
    return q


def _region_alone(q: StatsQuery, scope) -> None:
    """A region named without a node. Inside the caller's territory it is the unit (every
    organization operating there is theirs to read). An industry committee has no territory — its
    scope is a set of organizations, wherever they operate — so the region narrows its own node,
    as it narrows its organization list: the figure counts exactly the list's rows. Anyone else
    naming a region outside their territory is refused."""
    assert q.region is not None, "called only when a region was named"
    if scope.stats_regions().filter(pk=q.region.pk).exists():
        return
    home = scope.stats_home()
    if home is not None and home[0] == "node":
        q.node = home[1]
        return
    q.errors["region"] = f"区划代码「{q.region.code}」不存在或不在您的权限范围内"
    q.region = None


# -- the answer ------------------------------------------------------------------------------
@dataclass
class RateValue:
    key: str
    label: str
    numerator: int
    denominator: int
    numerator_measure: str
    denominator_measure: str
    definition: str
    target: Decimal | None
    beside_measure: str | None = None  # shown with the rate: the organizations its denominator leaves out
    beside: int = 0

    @property
    def percent(self) -> Decimal | None:
        return percent(self.numerator, self.denominator)

    @property
    def meets(self) -> bool | None:
        """Against the target, on the exact ratio (not the rounded percentage)."""
        if self.target is None or not self.denominator:
            return None
        return Decimal(self.numerator) * 100 >= self.target * self.denominator


def rates_of(totals: dict[str, int], params: dict) -> list[RateValue]:
    out = []
    for r in RATES:
        target = params[r.target_param] if r.target_param else r.target_fixed
        out.append(RateValue(r.key, r.label, totals[r.numerator], totals[r.denominator],
                             r.numerator, r.denominator, r.definition, target, r.beside,
                             totals[r.beside] if r.beside else 0))  # fmt: skip
    return out


@dataclass
class Row:
    """One line of a breakdown: a child unit, a kind, a carrier type or a carrier."""

    label: str
    measures: dict[str, int]
    params: dict[str, str] | None  # what narrows the unit's query to this row (None: no list)
    rates: list[RateValue] = field(default_factory=list)

    def rate(self, key: str) -> RateValue:
        return next(r for r in self.rates if r.key == key)


@dataclass
class Report:
    query: StatsQuery
    source: str  # cells | live | snapshot | as_of
    thresholds: Thresholds
    totals: dict[str, int]
    rates: list[RateValue]
    party_orgs: int | None
    children: list[Row]
    child_label: str
    by_kind: list[Row]
    by_carrier_kind: list[Row]
    by_carrier: list[Row]
    snapshot: Snapshot | None = None

    def rate(self, key: str) -> RateValue:
        return next(r for r in self.rates if r.key == key)


class _Cells:
    """Sums of stored cells grouped by one dimension: one small GROUP BY per breakdown."""

    def __init__(self, qs: QuerySet):
        self.qs = qs

    def grouped(self, dim: str) -> dict:
        column = CELL_COLUMNS[dim]
        sums = {name: Sum(name) for name in MEASURE_NAMES}
        return {row[column]: row for row in self.qs.values(column).annotate(**sums).order_by()}


class _Pass:
    """Every measure over organizations (or as-of facts) in ONE pass grouped by all four
    dimensions, folded per breakdown in Python: three passes cost three scans, and SQLite
    chose the kind or carrier index over the region one for two of them (4.3 s → 0.3 s)."""

    def __init__(self, qs: QuerySet, columns: dict[str, str], measures: dict):
        self.qs, self.columns, self.measures = qs, columns, measures
        self._rows: list[dict] | None = None

    def grouped(self, dim: str) -> dict:
        if self._rows is None:
            self._rows = list(self.qs.values(*self.columns.values()).annotate(**self.measures).order_by())
        out: dict = {}
        column = self.columns[dim]
        for row in self._rows:
            add(out.setdefault(row[column], zero()), row)
        return out


class _Both:
    """Stored cells for fresh regions plus a pass over the organizations of stale ones."""

    def __init__(self, *parts):
        self.parts = parts

    def grouped(self, dim: str) -> dict:
        out: dict = {}
        for part in self.parts:
            for key, row in part.grouped(dim).items():
                add(out.setdefault(key, zero()), row)
        return out


CELL_COLUMNS = {"region": "region_id", "node": "node_id", "kind": "kind", "carrier": "carrier_id"}
ORG_COLUMNS = {"region": "operating_region_id", "node": "responsible_node_id", "kind": "kind", "carrier": "carrier_id"}


def _narrow(qs: QuerySet, q: StatsQuery, columns: dict[str, str]) -> QuerySet:
    """Restrict rows (cells or organizations) to the unit and the filters the cells carry; the
    unit by the same subtree filters as the organization list (literal id lists, planner-friendly)."""
    if q.region is not None:
        qs = qs.filter(in_region_subtree(q.region, columns["region"]))
    if q.node is not None:
        qs = qs.filter(in_node_subtree(q.node, columns["node"]))
    if q.kind:
        qs = qs.filter(kind=q.kind)
    if q.sector:
        qs = qs.filter(kind__in=SECTOR_KINDS[q.sector])
    if q.carrier is not None:
        qs = qs.filter(**{columns["carrier"]: q.carrier.pk})
    if q.carrier_kind:
        carriers = Carrier.objects.filter(kind=q.carrier_kind)
        if q.region is not None and q.region.parent_id is not None:
            carriers = carriers.filter(subtree_q(q.region.path, "street__path") | Q(street__path__in=[
                "/" + "/".join(q.region.ancestor_codes[:i]) + "/" for i in range(1, len(q.region.ancestor_codes))
            ]))  # fmt: skip
        qs = qs.filter(**{f"{columns['carrier']}__in": list(carriers.values_list("id", flat=True))})
    return qs


def live_filter(qs: QuerySet, q: StatsQuery) -> QuerySet:
    """The filters only organizations carry (industry, size band, above-scale, key industry)."""
    return filter_by_profile(qs, q)


def unit_organizations(q: StatsQuery) -> QuerySet:
    """Today's organizations of ``q``'s unit with every filter applied: the rows a live figure
    counts and its drill-down lists (blank spots, never reached) show."""
    return live_filter(_narrow(Organization.objects.all(), q, ORG_COLUMNS), q)


def compute(q: StatsQuery) -> Report:
    """Every figure of ``q``'s unit, its children, kinds, carrier types and carriers."""
    params = policy.values()
    t = Thresholds.of(params)
    if q.as_of is not None:
        snapshot = Snapshot.objects.filter(as_of=q.as_of).first()
        if snapshot is not None and not q.is_live and snapshot.thresholds == t.key:
            stored = _narrow(SnapshotCell.objects.filter(snapshot=snapshot), q, CELL_COLUMNS)
            return _report(q, "snapshot", _Cells(stored), t, params, snapshot)
        with asof.materialized(q.as_of, _ever_in_unit(q)) as facts:
            facts = live_filter(_narrow(facts, q, CELL_COLUMNS), q)
            return _report(q, "as_of", _Pass(facts, CELL_COLUMNS, aggregates(t, AS_OF)), t, params, snapshot)
    if q.is_live:
        with cube.snapshot():
            orgs = live_filter(_narrow(Organization.objects.all(), q, ORG_COLUMNS), q)
            return _report(q, "live", _Pass(orgs, ORG_COLUMNS, aggregates(t, CURRENT)), t, params)
    regions = subtree_q(q.region.path, "region__path") if q.region is not None else Q()
    cube.ensure_fresh(regions, t)  # best effort: regions a writer holds are skipped, not waited for
    with cube.snapshot():
        # One snapshot for the whole answer: cells of the regions that are fresh in it, and one
        # pass over the organizations of any region still stale in it (a write since the refresh,
        # or a region a writer held). Every figure then comes from the same database state.
        versions = cube.versions(regions)
        stale = [r for r, (version, computed, key) in versions.items() if version != computed or key != t.key]
        cells = _Cells(_narrow(Cell.objects.exclude(region_id__in=stale), q, CELL_COLUMNS))
        if not stale:
            cacheable = q.node is None  # a region unit's answer depends on its regions' versions only
            signature = (t.key, hash(tuple(sorted((r, v[0]) for r, v in versions.items()))))
            cache_key = (q.region.pk if q.region else None, tuple(sorted(q.filter_params().items())))
            cached = _ANSWERS.get(cache_key) if cacheable else None
            if cached is not None and cached[0] == signature:
                _ANSWERS.move_to_end(cache_key)
                return dataclasses.replace(cached[1], party_orgs=party_org_count(q))
            report = _report(q, "cells", cells, t, params)
            if cacheable:
                _ANSWERS[cache_key] = (signature, report)
                while len(_ANSWERS) > ANSWER_CACHE_SIZE:
                    _ANSWERS.popitem(last=False)
            return report
        orgs = _narrow(Organization.objects.filter(operating_region_id__in=stale), q, ORG_COLUMNS)
        return _report(q, "cells", _Both(cells, _Pass(orgs, ORG_COLUMNS, aggregates(t, CURRENT))), t, params)


def _ever_in_unit(q: StatsQuery) -> QuerySet:
    """Organizations that may have been in the unit on some day: placed there at some time."""
    orgs = Organization.objects.all()
    if q.region is not None:
        orgs = orgs.filter(
            pk__in=Placement.objects.filter(in_region_subtree(q.region, "region_id")).values("organization_id")
        )
    return orgs


def _report(q: StatsQuery, source: str, src, t: Thresholds, params: dict, snapshot=None) -> Report:
    child_dim = "node" if q.node is not None and q.region is None else "region"
    children, totals, child_label = _children(q, src.grouped(child_dim), child_dim, params)
    by_carrier_kind, by_carrier = _by_carrier(q, src.grouped("carrier"), params)
    return Report(
        query=q, source=source, thresholds=t, totals=totals, rates=rates_of(totals, params),
        party_orgs=party_org_count(q), children=children, child_label=child_label,
        by_kind=_by_kind(src.grouped("kind"), params), by_carrier_kind=by_carrier_kind, by_carrier=by_carrier,
        snapshot=snapshot,
    )  # fmt: skip


def _measures_of(row: dict | None) -> dict[str, int]:
    out = zero()
    if row:
        add(out, row)
    return out


def _row(label: str, measures: dict[str, int], params: dict[str, str] | None, policy_values: dict) -> Row:
    return Row(label, measures, params, rates_of(measures, policy_values))


@dataclass
class ChildUnits:
    """The unit's children in its breakdown (regions below a region, committees below a node)
    and how a row's key (a region id, a responsible node id) folds into one of them."""

    unit: Region | ManagementNode
    dim: str  # region | node: what the rows are keyed by
    kids: Sequence[Region | ManagementNode]
    params: dict[int, dict[str, str]]  # kid pk → what narrows the unit's query to it
    level_label: str
    tree: dict[int, str]  # every key under the unit → its path

    def kid_of(self, key) -> Region | ManagementNode | None:
        """The child a key lies under; None for the unit itself or a key outside it."""
        path = self.tree.get(key)
        if path is None:
            return None
        return next((k for k in self._by_path if path.startswith(k.path)), None)

    def inside(self, key) -> bool:
        return key in self.tree

    @cached_property
    def _by_path(self) -> list[Region | ManagementNode]:
        return sorted(self.kids, key=lambda k: -len(k.path))


def child_units(q: StatsQuery) -> ChildUnits:
    """A node unit (without a region) breaks down by the committees below it, any other unit by
    the regions below it (the city's when no region was named)."""
    if q.node is not None and q.region is None:
        node = q.node
        tree = dict(ManagementNode.objects.filter(subtree_q(node.path)).values_list("id", "path"))
        nodes = list(ManagementNode.objects.filter(parent=node, kind__in=COMMITTEE_KINDS).order_by("path"))
        return ChildUnits(node, "node", nodes, {k.pk: {"node": str(k.pk)} for k in nodes}, "下级党委", tree)
    region = q.region or Region.objects.get(level=1)
    tree = dict(Region.objects.filter(subtree_q(region.path)).values_list("id", "path"))
    regions = list(Region.objects.filter(parent=region).order_by("sort_order", "code"))
    label = regions[0].get_level_display() if regions else "下级"
    return ChildUnits(region, "region", regions, {k.pk: {"region": k.code} for k in regions}, label, tree)


def _children(q: StatsQuery, grouped: dict, dim: str, params: dict) -> tuple[list[Row], dict[str, int], str]:
    """Fold per-region (or per-node) sums into the unit's children, plus what sits on the unit itself."""
    units = child_units(q)
    assert units.dim == dim, "_report breaks down by node only for a node unit"
    totals = zero()
    sums: dict = {k.pk: zero() for k in units.kids}
    own = zero()
    for key, row in grouped.items():
        if not units.inside(key):
            continue  # a row outside the unit cannot occur once narrowed; a region just deleted
        add(totals, row)
        kid = units.kid_of(key)
        add(sums[kid.pk] if kid is not None else own, row)
    rows = [_row(k.name, sums[k.pk], units.params[k.pk], params) for k in units.kids]
    if any(own.values()):
        rows.append(_row(f"{units.unit.name}（直属，未划入下级）", own, None, params))
    return rows, totals, units.level_label


def _by_kind(grouped: dict, params: dict) -> list[Row]:
    return [
        _row(label, _measures_of(grouped[value]), {"kind": value}, params)
        for value, label in OrgKind.choices
        if value in grouped
    ]


def _by_carrier(q: StatsQuery, grouped: dict, params: dict) -> tuple[list[Row], list[Row]]:
    carriers = Carrier.objects.in_bulk([k for k in grouped if k is not None])
    kinds = {value: zero() for value, _ in CarrierKind.choices}
    outside = zero()
    for key, row in grouped.items():
        add(kinds[carriers[key].kind] if key in carriers else outside, row)
    by_kind = [_row(label, kinds[value], {"carrier_kind": value}, params) for value, label in CarrierKind.choices]
    by_kind.append(_row("不在载体内", outside, None, params))
    by_carrier = []
    unit_is_small = q.region is not None and q.region.level >= 3 and q.node is None
    if unit_is_small:
        for key in sorted(carriers, key=lambda k: carriers[k].name):
            by_carrier.append(_row(carriers[key].name, _measures_of(grouped[key]), {"carrier": str(key)}, params))
    return [r for r in by_kind if r.measures["counted"] or r.measures["below_basis"]], by_carrier


def party_org_count(q: StatsQuery) -> int | None:
    """Active party organizations under the unit's committee in the management tree (a grid has
    no committee: None). Organization filters do not apply to this count."""
    root: ManagementNode | None
    if q.node is not None:
        root = q.node
    else:
        root = ManagementNode.objects.filter(region=q.region, kind__in=TERRITORIAL).first()
        if root is None:
            return None
    if q.as_of is None:  # every party organization is one grassroots node: count nodes, no join
        return ManagementNode.objects.filter(subtree_q(root.path), kind="grassroots", is_active=True).count()
    qs = PartyOrganization.objects.filter(subtree_q(root.path, "node__path"), node__is_active=True)
    return qs.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=q.as_of)).count()


def as_dict(report: Report) -> dict:
    """The report as plain data: what the API returns and the dashboard's charts read."""
    q = report.query

    def rates(values: list[RateValue]) -> list[dict]:
        return [
            {"key": r.key, "label": r.label, "numerator": r.numerator, "denominator": r.denominator,
             "numerator_measure": r.numerator_measure, "denominator_measure": r.denominator_measure,
             "percent": float(r.percent) if r.percent is not None else None,
             "target": float(r.target) if r.target is not None else None, "meets": r.meets,
             "definition": r.definition}
            for r in values
        ]  # fmt: skip

    def rows(values: list[Row]) -> list[dict]:
        # rows carry each rate's figures; the definitions are given once, in "rates"
        return [
            {"label": r.label, "params": r.params, "measures": r.measures,
             "rates": [{"key": x.key, "percent": float(x.percent) if x.percent is not None else None,
                        "numerator": x.numerator, "denominator": x.denominator, "meets": x.meets} for x in r.rates]}
            for r in values
        ]  # fmt: skip

    return {
        "unit": {"label": q.unit_label, "region": q.region.code if q.region else None,
                 "node": q.node.pk if q.node else None},
        "filters": q.filter_params(),
        "as_of": q.as_of.isoformat() if q.as_of else None,
        "source": report.source,
        "thresholds": {"statistical_min_employees": report.thresholds.basis,
                       "should_have_members_employees": report.thresholds.members_from,
                       "should_have_party_org_employees": report.thresholds.party_org_from},
        "measures": {name: {"label": MEASURE_LABELS[name], "value": report.totals[name]} for name in MEASURE_NAMES},
        "rates": rates(report.rates),
        "party_orgs": report.party_orgs,
        "children_level": report.child_label,
        "children": rows(report.children),
        "by_kind": rows(report.by_kind),
        "by_carrier_kind": rows(report.by_carrier_kind),
        "by_carrier": rows(report.by_carrier),
    }  # fmt: skip


def trend(q: StatsQuery, limit: int = 24) -> list[dict]:
    """The unit's rates at each snapshot (oldest first), for the trend lines. Filters the
    snapshot cells carry apply; others do not (a trend over them would recompute history)."""
    snaps = list(Snapshot.objects.order_by("-as_of")[:limit])
    if not snaps:
        return []
    sums = {name: Sum(name) for name in MEASURE_NAMES}
    plain = q.node is None and not (q.kind or q.sector or q.carrier or q.carrier_kind)
    if plain and q.region is not None:  # one stored row per snapshot
        rows = SnapshotTotal.objects.filter(snapshot__in=snaps, region=q.region).values("snapshot_id", *MEASURE_NAMES)
    else:
        cells = _narrow(SnapshotCell.objects.filter(snapshot__in=snaps), q, CELL_COLUMNS)
        rows = cells.values("snapshot_id").annotate(**sums).order_by()
    by_snapshot = {row["snapshot_id"]: row for row in rows}
    out = []
    for snap in reversed(snaps):
        totals = _measures_of(by_snapshot.get(snap.pk))
        entry = {"as_of": snap.as_of.isoformat(), "counted": totals["counted"]}
        for r in RATES:
            p = percent(totals[r.numerator], totals[r.denominator])
            entry[r.key] = float(p) if p is not None else None
        out.append(entry)
    return out
