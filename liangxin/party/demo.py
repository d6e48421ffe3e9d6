"""Party demo data: party organizations, members and instructors on seed_demo's world.

``build_party_demo(rng, members=None)`` runs once on a database filled by ``seed_demo``
(regions, carriers, committees, organizations; no party data yet)::

    manage.py shell -c "import random; from liangxin.party.demo import build_party_demo as b; b(random.Random(1))"

The shape follows the seeds (DOMAIN.md): members are about 1 % of the employees and gather in
the larger organizations; an organization with ≥ 3 full members has its own branch (党总支 above
50 members, some 基层党委 from 100); small ones share a 联合党支部 of their street, a 行业统建
branch of their industry committee, a 区域联建 party organization of their building or park, or
are attached (挂靠/依托); about 3 % of the large ones are still uncovered (some with an
instructor). Thresholds come from ``policy.values()``, link kinds from the city's table.

Speed (a million organizations, half a million members in a few minutes): one read of the
organizations, planning in memory, no per-row queries. Nodes and party organizations go in by
bulk_create (their ids are needed); members, links and seats by ``executemany`` (RowWriter), in
batches of 5,000, one transaction each. Coverage and the responsible node are computed here
from what was built, by the same rules as ``party.coverage`` and ``orgs.responsibility``, and
written with one UPDATE per value and chunk. Operator bulk loading: no audit entries.
"""

import bisect
import datetime
import itertools
import math
import operator
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric

from liangxin.core import crypto
from liangxin.core.dates import add_months
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode, NodeKind
from liangxin.orgs.choices import SECTOR_OF_KIND, CoverageState, OrgKind, OrgStatus, ResponsibleBasis, Sector
from liangxin.orgs.management.commands.seed_demo import GIVEN_CHARS, SURNAMES, Picker
from liangxin.orgs.models import Organization
from liangxin.regions import shanghai
from liangxin.regions.models import Carrier, Region, RegionLevel

from . import policy
from .choices import Education, FloatingStatus, LinkKind, MemberCategory, PartyOrgType, SetupMode
from .coverage import link_kinds, state_from
from .models import CommitteeSeat, Instructor, InstructorAssignment, Member, PartyOrganization, PartyOrgLink
from .validation import derived_from_id

BATCH = 5_000
PROGRESS_EVERY = 100_000
Log = Callable[[str], Any]

# -- shares (the seeds' picture; every one is a knob of the demo, not a rule) ---------------------
MEMBER_SHARE = 0.01  # members ≈ 1 % of the employees of operating organizations
PROBATIONARY_SHARE = 0.05
HAS_MEMBERS_CHANCE = 0.93  # of social organizations above the "should have members" size
# Per district, the share of firms the 双达标 and above-scale rates count that fall short (no member,
# no party organization): the seeds' districts report 97 % and more, so most keep within 3 %, a few
# lag; never over SHORTFALL_MAX (rates stay ≥ 85 %). 黄浦 keeps its 97 % (the seeds' 2015 要点).
SHORTFALLS = [0.0, 0.0, 0.0, 0.02, 0.05, 0.08, 0.10, 0.12]
SHORTFALL_MAX = 0.12
ON_TARGET_DISTRICTS = {"黄浦区"}
LAGGING_DISTRICT = "浦东新区"  # the largest: its shortfall shows in any demo size
ELSEWHERE_SHARE = 0.05  # membership held by a party organization not covering the employer
ELSEWHERE_RECENT = 0.15  # of those: hired less than the transfer period ago (no reminder yet)
FLOATING_SHARE = 0.03
FLOATING_WITH_INFLOW = 0.6  # outflow members whose inflow party organization is known
NEEDS_HELP_SHARE = 0.02
DUES_BASE_SHARE = 0.9
LEFT_OUT_SHARE = 0.03  # organizations needing a party organization that have none yet
ATTACHED_SHARE = 0.07  # small organizations with members: 挂靠 to the street's attached branch
BASED_SHARE = 0.10  # small ones in a building or park: 依托 the carrier's branch
REGIONAL_CARRIER_SHARE = 0.9  # carriers with one 区域联建 party organization for all their units
JOINT_MEMBER_UNITS = 3  # at most, of a 联合党支部's units; memberless neighbours fill it to the limit
JOINT_SPARE_MIN_EMPLOYEES = 1  # memberless neighbours a 联合党支部 takes in up to its limit
LOGISTICS_SHARE = 0.3  # small logistics firms in the logistics committee's 行业统建 branches
TEMPORARY_SHARE = 0.15  # construction firms whose branch is a project's 临时党支部
COMBINED_SHARE = 0.03  # 兼合式 among own branches
COMMITTEE_CHANCE = 0.5  # own party organizations with ≥ 100 members that are a 基层党委
OVERFULL_CHANCE = 0.03  # joint branches over the limit (the rule's finding shows)
ATTACHED_GROUP = 10
INSTRUCTOR_CHANCE = 0.4  # uncovered organizations of 50–99 employees with an instructor
CARRIERS_PER_FUNCTIONAL = 60
SEATS_CHANCE = 0.85  # branches big enough for a committee that have elected one
DEPUTY_CHANCE = 0.5
DEPUTY_FROM = 5  # full members

KIND_DENSITY = {  # members per employee, relative to private firms
    OrgKind.INTERMEDIARY: 2.0, OrgKind.FOUNDATION: 1.5, OrgKind.NON_ENTERPRISE: 1.3, OrgKind.ASSOCIATION: 1.2,
    OrgKind.TRADE_ASSOCIATION: 1.2, OrgKind.FOREIGN: 0.6, OrgKind.HMT: 0.7, OrgKind.INDIVIDUAL: 0.4,
}  # fmt: skip
EDUCATION = {
    Education.BACHELOR: 40, Education.COLLEGE: 22, Education.SENIOR: 13, Education.MASTER: 13,
    Education.JUNIOR: 6, Education.DOCTOR: 3, Education.PRIMARY: 1,
}  # fmt: skip
# industry committee → words in its name; organizations of that trade (see _trade)
TRADE_WORDS = {"law": "律师", "cpa": "会计", "cost": "造价", "logistics": "物流"}
SEAT_TITLES = ["组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员", "保密委员"]
ELSEWHERE_PLACES = [
    "江苏省苏州市", "浙江省杭州市", "浙江省宁波市", "安徽省合肥市", "广东省深圳市", "北京市海淀区", "江苏省南京市",
    "湖北省武汉市", "四川省成都市", "浙江省嘉兴市", "江苏省无锡市", "福建省厦门市",
]  # fmt: skip
BIRTH_FROM, BIRTH_TO, BIRTH_MODE = datetime.date(1950, 1, 1), datetime.date(2003, 12, 31), datetime.date(1988, 1, 1)
AREA_CODES = [code for code, _, _ in shanghai.DISTRICTS]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
def _chunks(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class RowWriter:
    """Inserts rows of one model by ``executemany``, BATCH rows per transaction.

    seed_demo's OrgWriter technique, for its reason: the rows are plain Python values already
    and ``bulk_create`` would prepare them value by value (three times slower there). Measured
    on PostgreSQL too: one multi-row VALUES list per few hundred rows took 1.7 times as long.
    Fields a row leaves out get their model default.
    """

    def __init__(self, model) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.row = operator.itemgetter(*(f.attname for f in fields))
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"

    def insert(self, rows: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None) -> int:
        done = 0
        for batch in _chunks(rows):
            params = [self.row({**self.defaults, **row}) for row in batch]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(self.sql, params)
            done += len(batch)
            if progress:
                progress(done)
        return done


def _update_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Different values per row: one ``UPDATE … WHERE id = %s`` per row by executemany, BATCH rows
    per transaction (measured on PostgreSQL, 81,000 rows: 3 s, against 24 s by bulk_update)."""
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    for chunk in _chunks(rows):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)


def _update_pks(model, pks: list[int], **values) -> None:
    """One UPDATE per chunk of primary keys, all rows getting the same values."""
    for chunk in _chunks(sorted(pks)):
        with transaction.atomic():
            model.objects.filter(pk__in=chunk).update(**values)


# ---------------------------------------------------------------------------------------------
# What seed_demo built
# ---------------------------------------------------------------------------------------------
@dataclass
class World:
    today: datetime.date
    limits: dict[str, int]
    link_kind: dict[str, str]
    street_of_region: dict[int, int] = field(default_factory=dict)  # street or grid id → street id
    street_name: dict[int, str] = field(default_factory=dict)
    district_of_street: dict[int, Region] = field(default_factory=dict)
    committee: dict[int, ManagementNode] = field(default_factory=dict)  # street id → its committee
    trade_committee: dict[str, ManagementNode] = field(default_factory=dict)  # TRADE_WORDS key → committee
    carriers: dict[int, tuple[str, int]] = field(default_factory=dict)  # carrier id → (name, street id)

    def place(self, street: int) -> str:
        return f"上海市{self.district_of_street[street].name}{self.street_name[street]}"


def load_world() -> World:
    limits = {key: int(value) for key, value in policy.values().items()}
    world = World(today=timezone.localdate(), limits=limits, link_kind=link_kinds())
    regions = {r.id: r for r in Region.objects.all()}
    for region in regions.values():
        if region.level == RegionLevel.STREET:
            world.street_of_region[region.id] = region.id
            world.street_name[region.id] = region.name
            world.district_of_street[region.id] = regions[region.parent_id]
        elif region.level == RegionLevel.GRID:
            world.street_of_region[region.id] = region.parent_id
    for node in ManagementNode.objects.filter(kind__in=[NodeKind.STREET, NodeKind.INDUSTRY], is_active=True):
        if node.kind == NodeKind.STREET:
            world.committee[node.region_id] = node
        for key, word in TRADE_WORDS.items():
            if node.kind == NodeKind.INDUSTRY and word in node.name:
                world.trade_committee[key] = node
    world.carriers = {c.id: (c.name, c.street_id) for c in Carrier.objects.filter(is_active=True)}
    return world


@dataclass
class Orgs:
    """Operating organizations as parallel columns, by index (a million objects would cost far more)."""

    ids: list[int]
    names: list[str]
    employees: list[int]
    street: list[int | None]
    kind: list[str]
    industry: list[str]
    carrier: list[int | None]
    founded: list[datetime.date]
    above_scale: list[bool]


def load_orgs(world: World) -> Orgs:
    rows = (
        Organization.objects.filter(status=OrgStatus.OPERATING)
        .order_by("pk")
        .values_list(
            "pk", "name", "employees", "operating_region_id", "kind", "industry", "carrier_id", "founded_on",
            "above_scale",
        )
    )  # fmt: skip
    columns = [list(c) for c in zip(*rows.iterator(chunk_size=BATCH), strict=True)] or [[] for _ in range(9)]
    ids, names, employees, regions, kinds, industries, carriers, founded, above = columns
    fallback = datetime.date(2000, 1, 1)
    return Orgs(
        ids=ids, names=names, employees=employees, street=[world.street_of_region.get(r) for r in regions],
        kind=kinds, industry=industries, carrier=carriers, founded=[f or fallback for f in founded],
        above_scale=above,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Which firms fall short of the 双达标 and above-scale targets, district by district
# ---------------------------------------------------------------------------------------------
@dataclass
class Shortfall:
    """Firms left without a member (``memberless``: 50–99 employees, not above-scale) and without a
    party organization (``uncovered``: ≥ 100 employees or above-scale); every other firm those rates
    count gets a member (``floor``) and a party organization of its own or a joint one."""

    share: dict[str, float]  # district name → shortfall
    memberless: set[int] = field(default_factory=set)
    uncovered: set[int] = field(default_factory=set)
    floor: set[int] = field(default_factory=set)


def plan_shortfalls(rng: random.Random, world: World, orgs: Orgs) -> Shortfall:
    """Exactly ⌊n × share⌋ of each district's firms per rate fall short, so each district's rates
    sit at 100 % − share or above (≥ 85 %), some on the 97 % target and some below it."""
    names = sorted({d.name for d in world.district_of_street.values()})
    share = {name: rng.choice(SHORTFALLS) for name in names}
    share |= {name: 0.0 for name in ON_TARGET_DISTRICTS if name in share}
    if LAGGING_DISTRICT in share:
        share[LAGGING_DISTRICT] = max(share[LAGGING_DISTRICT], 0.08)
    out = Shortfall(share)
    members_from = world.limits["should_have_members_employees"]
    org_from = world.limits["should_have_party_org_employees"]
    by_district: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, street in enumerate(orgs.street):
        if street not in world.committee:
            continue
        firm = SECTOR_OF_KIND[orgs.kind[i]] == Sector.ECONOMIC
        e = orgs.employees[i]
        groups = by_district[world.district_of_street[street].name]
        if firm and e >= members_from:
            groups["50"].append(i)
        if firm and e >= org_from:
            groups["100"].append(i)
        if firm and orgs.above_scale[i]:
            groups["above"].append(i)
        if firm and (e >= members_from or orgs.above_scale[i]):
            out.floor.add(i)
        elif not firm and e >= members_from and rng.random() < HAS_MEMBERS_CHANCE:
            out.floor.add(i)
    for name, groups in sorted(by_district.items()):
        rate = min(share[name], SHORTFALL_MAX)
        # uncovered: ≥ 100 first (those not above-scale first, so one firm does not count twice)
        big = sorted(groups["100"], key=lambda i: (orgs.above_scale[i], rng.random()))
        out.uncovered |= set(big[: math.floor(len(big) * rate)])
        above_short = math.floor(len(groups["above"]) * rate) - sum(i in out.uncovered for i in groups["above"])
        rest = [i for i in groups["above"] if i not in out.uncovered and orgs.employees[i] < org_from]
        rng.shuffle(rest)
        out.uncovered |= set(rest[: max(0, above_short)])
        mid = [i for i in groups["50"] if orgs.employees[i] < org_from and not orgs.above_scale[i]]
        rng.shuffle(mid)
        out.memberless |= set(mid[: math.floor(len(groups["50"]) * rate)])
    out.floor -= out.memberless
    return out


# ---------------------------------------------------------------------------------------------
# How many members each organization has
# ---------------------------------------------------------------------------------------------
def plan_member_counts(
    rng: random.Random, orgs: Orgs, total: int, limits: dict, short: Shortfall
) -> tuple[list[int], list[int]]:
    """(full, probationary) members per organization, ``total`` in all.

    Each organization has a propensity (≈ 2 % of its employees, damped below 50 employees so
    micro firms rarely have one, times its kind's density and its own noise); counts are Poisson
    draws of propensity × a scale solved so the expected total is ``total``; the organizations of
    ``short.floor`` get at least one and those of ``short.memberless`` none; the small remainder
    is spread by weight.
    """
    weights = [
        0.0 if i in short.memberless else
        0.02 * e * min(1.0, math.sqrt(e / 50)) * KIND_DENSITY.get(k, 1.0) * rng.uniform(0.5, 1.5)
        for i, (e, k) in enumerate(zip(orgs.employees, orgs.kind, strict=True))
    ]  # fmt: skip
    floored = [i in short.floor for i in range(len(weights))]
    scale = _solve_scale(weights, floored, total)
    counts = [max(_poisson(rng, w * scale), int(f)) for w, f in zip(weights, floored, strict=True)]
    _match_total(rng, counts, weights, total, floored)
    probationary = [sum(rng.random() < PROBATIONARY_SHARE for _ in range(c)) if c else 0 for c in counts]
    return [c - p for c, p in zip(counts, probationary, strict=True)], probationary


def _solve_scale(weights: list[float], floored: list[bool], total: int) -> float:
    """The scale k with expected total k·Σw + Σ e^(-k·w) (floored ones) = total; bisection."""
    base = sum(weights)
    if base == 0:
        return 0.0
    floored = [w for w, f in zip(weights, floored, strict=True) if f]

    def expected(k: float) -> float:
        return k * base + sum(math.exp(-k * w) for w in floored)

    low, high = 0.0, total / base + 1.0
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if expected(middle) < total else (low, middle)
    return (low + high) / 2


def _poisson(rng: random.Random, mean: float) -> int:
    if mean < 30:  # Knuth: multiply uniforms until below e^-mean (one draw when the mean is tiny)
        limit, count, product = math.exp(-mean), 0, rng.random()
        while product > limit:
            count += 1
            product *= rng.random()
        return count
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def _match_total(rng: random.Random, counts: list[int], weights: list[float], total: int, floored: list[bool]) -> None:
    """Add the missing members by weight, or take the extra ones from random members (never a
    floored organization's last one)."""
    missing = total - sum(counts)
    if missing > 0:
        cumulative = list(itertools.accumulate(weights))
        if not cumulative or cumulative[-1] <= 0:
            raise ValueError("没有可安排党员的在营组织")
        for _ in range(missing):
            counts[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])] += 1
    elif missing < 0:
        owners = [i for i, c in enumerate(counts) for _ in range(c - floored[i])]
        for i in rng.sample(owners, min(len(owners), -missing)):
            counts[i] -= 1


# ---------------------------------------------------------------------------------------------
# Which party organizations, covering what
# ---------------------------------------------------------------------------------------------
@dataclass
class Plan:
    """One party organization to create; ``covered`` are organization indexes (members held here)."""

    org_type: str
    mode: str
    parent: ManagementNode
    name: str
    covered: list[int]
    place: str = "上海市"
    founded_on: datetime.date | None = None
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    approval_doc_no: str = ""
    pk: int = 0


def _take(items: list, share: float, minimum: int = 1) -> list:
    """A random share of ``items`` (already shuffled), at least ``minimum`` if there are any."""
    return items[: min(len(items), max(minimum, round(len(items) * share)))]


def _own_name(name: str, org_type: str) -> str:
    return {PartyOrgType.COMMITTEE: f"中共{name}委员会", PartyOrgType.GENERAL_BRANCH: f"{name}党总支"}.get(
        org_type, f"{name}党支部"
    )


class Planner:
    """Decides every party organization and whom it covers; see the module docstring for the shape."""

    def __init__(
        self, rng: random.Random, world: World, orgs: Orgs, full: list[int], probationary: list[int], short: Shortfall
    ):
        self.rng, self.world, self.orgs, self.full, self.prob = rng, world, orgs, full, probationary
        self.short = short
        self.limits = world.limits
        self.plans: list[Plan] = []
        self.home: dict[int, int] = {}  # organization index → index of the plan covering it
        self.instructed: list[int] = []  # left-out organizations that get an instructor
        self.attached_extra: list[int] = []  # left-out organizations attached after all
        # memberless units a 联合党支部 (≥ JOINT_SPARE_MIN_EMPLOYEES) or a carrier's 区域联建 organization takes in
        self.spare_by_street: dict[int, list[int]] = defaultdict(list)
        self.spare_by_carrier: dict[int, list[int]] = defaultdict(list)

    def members(self, i: int) -> int:
        return self.full[i] + self.prob[i]

    def plan(self) -> list[Plan]:
        own, small = self._leave_out(*self._buckets())
        self._own(own)
        self._joint(self._based(self._attached(self._regional(self._industry(small)))))
        self._functional()
        self._promote()
        self._overfull()
        return self.plans

    def _add(self, plan: Plan) -> None:
        for i in plan.covered:
            self.home[i] = len(self.plans)
        self.plans.append(plan)

    def _buckets(self) -> tuple[list[int], list[int]]:
        """Own (≥ 3 full members) and small (some members, or big enough to need a party organization)."""
        own, small, o = [], [], self.orgs
        big = self.limits["should_have_party_org_employees"]
        for i, street in enumerate(o.street):
            if street not in self.world.committee:
                continue  # not in a street with a committee: seed_demo makes none such
            if self.full[i] >= self.limits["own_branch_full_members"]:
                own.append(i)
            elif self.members(i) or o.employees[i] >= big:
                small.append(i)
            elif i in self.short.uncovered:
                continue  # falls short of the targets: covered by nothing
            else:
                if o.carrier[i]:
                    self.spare_by_carrier[o.carrier[i]].append(i)
                if o.employees[i] >= JOINT_SPARE_MIN_EMPLOYEES:
                    self.spare_by_street[street].append(i)
        self.rng.shuffle(own)
        self.rng.shuffle(small)
        return own, small

    def _leave_out(self, own: list[int], small: list[int]) -> tuple[list[int], list[int]]:
        """The few that should have a party organization and have none yet (``short.uncovered``):
        half get an instructor, a quarter are attached, a quarter have nothing; their members, and
        those of a few small units, keep their relations elsewhere."""
        big_from = self.limits["should_have_party_org_employees"]
        big_out = sorted(i for i in own + small if i in self.short.uncovered)
        self.rng.shuffle(big_out)
        for n, i in enumerate(big_out):
            if n % 4 < 2:
                self.instructed.append(i)
            elif n % 4 == 2:
                self.attached_extra.append(i)
        needed = self.short.floor  # firms the rates count: covered unless chosen to fall short
        out = set(big_out) | set(
            _take([i for i in small if self.orgs.employees[i] < big_from and i not in needed], LEFT_OUT_SHARE)
        )
        return [i for i in own if i not in out], [i for i in small if i not in out]

    # -- own party organizations ------------------------------------------------------------
    def _own(self, own: list[int]) -> None:
        construction = [i for i in own if self.orgs.industry[i] == "E"]
        temporary = set(_take(construction, TEMPORARY_SHARE) if construction else own[:1])
        combined = set(_take([i for i in own if i not in temporary], COMBINED_SHARE))
        for i in own:
            mode = SetupMode.TEMPORARY if i in temporary else SetupMode.COMBINED if i in combined else SetupMode.SINGLE
            self._add(self._own_plan(i, mode))

    def _own_plan(self, i: int, mode: str) -> Plan:
        name, street = self.orgs.names[i], self.orgs.street[i]
        trade = self._trade(i)
        # law, accounting and cost-consulting firms' party organizations belong to their industry committee
        parent = self.world.trade_committee.get(trade) if trade != "logistics" else None
        parent = parent or self.world.committee[street]
        if mode == SetupMode.TEMPORARY:
            org_type, name = PartyOrgType.TEMPORARY_BRANCH, f"{name}第{self.rng.randint(1, 9)}项目部临时党支部"
        elif mode == SetupMode.COMBINED:
            org_type, name = PartyOrgType.BRANCH, f"{name}兼合式党支部"
        else:
            org_type = self._type_by_size(self.members(i), self.rng.random() < COMMITTEE_CHANCE)
            name = _own_name(name, org_type)
        return Plan(org_type, mode, parent, name, [i], self.world.place(street))

    def _type_by_size(self, members: int, committee_wanted: bool) -> str:
        if members >= self.limits["committee_min_members"] and committee_wanted:
            return PartyOrgType.COMMITTEE
        if members > self.limits["branch_max_members"]:
            return PartyOrgType.GENERAL_BRANCH
        return PartyOrgType.BRANCH

    def _trade(self, i: int) -> str | None:
        """The industry committee an organization's trade belongs to, if any (by name, as seeded)."""
        name, industry = self.orgs.names[i], self.orgs.industry[i]
        if self.orgs.kind[i] == OrgKind.INTERMEDIARY:
            for key, ending in (("law", "律师事务所"), ("cpa", "会计师事务所"), ("cost", "工程造价咨询")):
                if ending in name:
                    return key
        return "logistics" if industry == "G" else None

    def _promote(self) -> None:
        """No 党总支 or 基层党委 by size (small demo worlds): the largest own branches become one,
        the exception the rules allow "确因工作需要，经上级党组织批准"."""
        singles = sorted(
            (p for p in self.plans if p.mode == SetupMode.SINGLE and p.org_type == PartyOrgType.BRANCH),
            key=lambda p: -self.members(p.covered[0]),
        )
        for org_type in (PartyOrgType.GENERAL_BRANCH, PartyOrgType.COMMITTEE):
            if singles and not any(p.org_type == org_type for p in self.plans):
                plan = singles.pop(0)
                plan.org_type, plan.name = org_type, _own_name(self.orgs.names[plan.covered[0]], org_type)

    # -- small organizations: industry, regional, left out, attached, based, joint ------------
    def _industry(self, small: list[int]) -> list[int]:
        """行业统建: small law, accounting and cost-consulting firms, and some logistics firms."""
        pools: dict[str, list[int]] = defaultdict(list)
        logistics, rest = [], []
        for i in small:
            trade = self._trade(i)
            if trade not in self.world.trade_committee:
                rest.append(i)
            else:
                (logistics if trade == "logistics" else pools[trade]).append(i)
        taken = _take(logistics, LOGISTICS_SHARE, minimum=0 if pools else 1)
        rest += logistics[len(taken) :]
        pools["logistics"] += taken
        for trade, pool in pools.items():
            committee = self.world.trade_committee[trade]
            for n, group in enumerate(self._groups(pool, 0.0), start=1):
                org_type = PartyOrgType.JOINT_BRANCH if len(group) > 1 else PartyOrgType.BRANCH
                name = f"{committee.name.removesuffix('党委')}第{n}联合党支部"
                self._add(Plan(org_type, SetupMode.INDUSTRY, committee, name, group))
        return rest

    def _regional(self, small: list[int]) -> list[int]:
        """区域联建: one party organization for the units of some buildings and parks."""
        by_carrier: dict[int, list[int]] = defaultdict(list)
        for i in small:
            if self.orgs.carrier[i]:
                by_carrier[self.orgs.carrier[i]].append(i)
        carriers = sorted(by_carrier)
        self.rng.shuffle(carriers)
        chosen = set(_take(carriers, REGIONAL_CARRIER_SHARE))
        for carrier in sorted(chosen):
            covered = by_carrier[carrier] + self.spare_by_carrier.get(carrier, [])
            name, street = self.world.carriers[carrier]
            members = sum(self.members(i) for i in covered)
            # a park's or building's committee is often set up for many units with few members
            org_type = self._type_by_size(members, True) if len(covered) < 20 else PartyOrgType.COMMITTEE
            suffix = {PartyOrgType.COMMITTEE: "区域党委", PartyOrgType.GENERAL_BRANCH: "区域党总支"}.get(
                org_type, "区域党支部"
            )
            parent = self.world.committee[street]
            self._add(Plan(org_type, SetupMode.REGIONAL, parent, name + suffix, covered, self.world.place(street)))
        return [i for i in small if self.orgs.carrier[i] not in chosen]

    def _attached(self, small: list[int]) -> list[int]:
        """挂靠组建: a street's attached branch takes in members of small units (never the large ones)."""
        big_from = self.limits["should_have_party_org_employees"]
        # 挂靠 is work coverage, not a party organization: never for the firms the rates count
        taken = _take(
            [i for i in small if self.orgs.employees[i] < big_from and i not in self.short.floor], ATTACHED_SHARE
        )
        by_street: dict[int, list[int]] = defaultdict(list)
        for i in taken + self.attached_extra:
            by_street[self.orgs.street[i]].append(i)
        for street in sorted(by_street):
            pool = by_street[street]
            for n, start in enumerate(range(0, len(pool), ATTACHED_GROUP), start=1):
                name = f"{self.world.street_name[street]}两新组织挂靠党支部" + (f"（{n}）" if n > 1 else "")
                place, parent = self.world.place(street), self.world.committee[street]
                self._add(
                    Plan(
                        PartyOrgType.BRANCH,
                        SetupMode.ATTACHED,
                        parent,
                        name,
                        pool[start : start + ATTACHED_GROUP],
                        place,
                    )
                )
        taken_set = set(taken)
        return [i for i in small if i not in taken_set]

    def _based(self, small: list[int]) -> list[int]:
        """依托组建: a branch set up on a building's or park's service station for its small units."""
        big_from = self.limits["should_have_party_org_employees"]
        pool = [
            i for i in small
            if self.orgs.carrier[i] and self.orgs.employees[i] < big_from and i not in self.short.floor
        ]  # fmt: skip
        taken = _take(pool, BASED_SHARE)
        by_carrier: dict[int, list[int]] = defaultdict(list)
        for i in taken:
            by_carrier[self.orgs.carrier[i]].append(i)
        for carrier in sorted(by_carrier):
            name, street = self.world.carriers[carrier]
            org_type = self._type_by_size(sum(self.members(i) for i in by_carrier[carrier]), False)
            parent, place = self.world.committee[street], self.world.place(street)
            self._add(Plan(org_type, SetupMode.BASED, parent, f"{name}党群服务站党支部", by_carrier[carrier], place))
        taken_set = set(taken)
        return [i for i in small if i not in taken_set]

    def _joint(self, small: list[int]) -> None:
        """联合组建: the rest, neighbours together (up to the limit): by district, sorted by street, so
        a group spans two streets of one district only where a street's run ends (地域相邻)."""
        by_district: dict[str, list[int]] = defaultdict(list)
        for i in small:
            by_district[self.world.district_of_street[self.orgs.street[i]].code].append(i)
        serial: dict[int, int] = defaultdict(int)
        carried: list[int] = []  # a district's lone unit joins the next district's first group
        for n, district in enumerate(sorted(by_district), start=1):
            pool = carried + sorted(by_district[district], key=self.orgs.street.__getitem__)  # stable sort
            if len(pool) == 1 and n < len(by_district):
                carried = pool
                continue
            carried = []
            # units with members, two to four together, the rest of the places for memberless neighbours
            for group in self._groups(pool, OVERFULL_CHANCE, most=JOINT_MEMBER_UNITS):
                street = self.orgs.street[group[0]]
                group += self._spare(street, self.limits["joint_branch_max_orgs"] - len(group))
                serial[street] += 1
                name = f"{self.world.street_name[street]}两新组织第{serial[street]}联合党支部"
                parent, place = self.world.committee[street], self.world.place(street)
                self._add(Plan(PartyOrgType.JOINT_BRANCH, SetupMode.JOINT, parent, name, group, place))

    def _spare(self, street: int, room: int) -> list[int]:
        """Up to ``room`` memberless neighbours of ``street`` no party organization covers yet: a
        联合党支部 takes in the units without members around its members' units (组织覆盖)."""
        spare, taken = self.spare_by_street.get(street, []), []
        while spare and len(taken) < room:
            i = spare.pop()
            if i not in self.home:
                taken.append(i)
        return taken

    def _groups(self, pool: list[int], overfull_chance: float, most: int = 0) -> list[list[int]]:
        """Consecutive groups of 3 up to the limit (or ``most``; a few over the limit); a lone tail
        joins the group before."""
        limit, groups, start = self.limits["joint_branch_max_orgs"], [], 0
        most = min(most or limit, limit)
        while start < len(pool):
            over = self.rng.random() < overfull_chance
            size = self.rng.randint(limit + 1, limit + 2) if over else self.rng.randint(max(2, most - 2), most)
            groups.append(pool[start : start + size])
            start += size
        if len(groups) > 1 and len(groups[-1]) == 1:
            tail = groups.pop()
            groups[-1] += tail
        return groups

    def _functional(self) -> None:
        """功能型: a few activity party organizations in buildings and parks; they hold no membership
        and cover no unit, and serve as the inflow party organization of floating members."""
        carriers = sorted(self.world.carriers)
        count = max(1, min(len(carriers) // CARRIERS_PER_FUNCTIONAL, len(self.plans) // 50))
        for carrier in self.rng.sample(carriers, min(len(carriers), count)):
            name, street = self.world.carriers[carrier]
            parent, place = self.world.committee[street], self.world.place(street)
            self._add(Plan(PartyOrgType.FUNCTIONAL, SetupMode.REGIONAL, parent, f"{name}功能型党支部", [], place))

    def _overfull(self) -> None:
        """At least one 联合党支部 over the limit: one took in memberless neighbours of its street."""
        limit = self.limits["joint_branch_max_orgs"]
        joint = [p for p in self.plans if p.org_type == PartyOrgType.JOINT_BRANCH and p.mode == SetupMode.JOINT]
        if not joint or any(len(p.covered) > limit for p in joint):
            return
        for plan in self.rng.sample(joint, len(joint)):
            spare = [i for i in self.spare_by_street.get(self.orgs.street[plan.covered[0]], []) if i not in self.home]
            need = limit + self.rng.randint(1, 2) - len(plan.covered)
            if len(spare) >= need:
                index = self.plans.index(plan)
                for i in spare[:need]:
                    plan.covered.append(i)
                    self.home[i] = index
                return


# ---------------------------------------------------------------------------------------------
# Dates of party organizations
# ---------------------------------------------------------------------------------------------
ONE_DAY = datetime.timedelta(days=1)


def _day_between(rng: random.Random, low: datetime.date, high: datetime.date) -> datetime.date:
    if high <= low:
        return low
    return datetime.date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))


def _term_years(limits: dict, org_type: str) -> int:
    key = {PartyOrgType.COMMITTEE: "term_years_committee", PartyOrgType.GENERAL_BRANCH: "term_years_general_branch"}
    return limits[key.get(org_type, "term_years_branch")]


def _term_end(rng: random.Random, today: datetime.date, years: int) -> datetime.date:
    """When the current term ends: 10 % over already, 4 % within a month, 12 % within six months,
    the rest later; every term began in the last five years (so a 5-year term is never over)."""
    draw = rng.random() if years < 5 else 0.10 + 0.90 * rng.random()
    if draw < 0.10:
        return _day_between(rng, add_months(today, -12 * (5 - years)) + ONE_DAY, today - ONE_DAY)
    if draw < 0.14:
        return _day_between(rng, today, add_months(today, 1))
    if draw < 0.26:
        return _day_between(rng, add_months(today, 1) + ONE_DAY, add_months(today, 6))
    return _day_between(rng, add_months(today, 6) + ONE_DAY, add_months(today, 12 * years) - ONE_DAY)


def date_plans(rng: random.Random, world: World, orgs: Orgs, plans: list[Plan]) -> None:
    """Founding date, current term and approval number of each party organization."""
    today = world.today
    for plan in plans:
        years = _term_years(world.limits, plan.org_type)
        founded = min((orgs.founded[i] for i in plan.covered), default=datetime.date(2012, 1, 1))
        earliest = founded + datetime.timedelta(days=60)  # a party organization comes after its unit
        start = add_months(_term_end(rng, today, years), -12 * years)
        if start < earliest:
            start = min(today, earliest)
        plan.term_start, plan.term_end = start, add_months(start, 12 * years)
        plan.founded_on = min(start, max(earliest, add_months(start, -12 * years * rng.randint(0, 3))))
        if rng.random() < 0.8:
            plan.approval_doc_no = f"{plan.parent.name}〔{plan.founded_on.year}〕{rng.randint(1, 150)}号"


# ---------------------------------------------------------------------------------------------
# Party organizations and links
# ---------------------------------------------------------------------------------------------
def write_party_orgs(plans: list[Plan]) -> None:
    """Nodes first (bulk_create returns their ids), their paths from the ids, then the party
    organizations; one transaction, so no placeholder path outlives a failure."""
    token = uuid.uuid4().hex  # placeholder paths must be unique until the real ones are known
    with transaction.atomic():
        nodes = ManagementNode.objects.bulk_create(
            (
                ManagementNode(
                    name=p.name[:100], kind=NodeKind.GRASSROOTS, parent_id=p.parent.pk, path=f"/new-{token}-{n}/"
                )
                for n, p in enumerate(plans)
            ),
            batch_size=BATCH,
        )
        # as ManagementNode.save() derives it
        _update_rows(
            ManagementNode, ["path"], [(f"{p.parent.path}{n.pk}/", n.pk) for p, n in zip(plans, nodes, strict=True)]
        )
        party_orgs = PartyOrganization.objects.bulk_create(
            (
                PartyOrganization(
                    node_id=n.pk,
                    org_type=str(p.org_type),
                    setup_mode=str(p.mode),
                    founded_on=p.founded_on,
                    term_start=p.term_start,
                    term_end=p.term_end,
                    approval_doc_no=p.approval_doc_no,
                )
                for p, n in zip(plans, nodes, strict=True)
            ),
            batch_size=BATCH,
        )
    for plan, party_org in zip(plans, party_orgs, strict=True):
        plan.pk = party_org.pk


def write_links(world: World, orgs: Orgs, plans: list[Plan]) -> int:
    """Links in plan order (so link ids follow it), each from when both existed, open-ended."""
    month = datetime.timedelta(days=30)
    return RowWriter(PartyOrgLink).insert(
        {
            "party_org_id": plan.pk,
            "organization_id": orgs.ids[i],
            "start_on": min(world.today, max(plan.founded_on, orgs.founded[i] + month)),
            "end_on": None,
        }
        for plan in plans
        for i in plan.covered
    )


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------
MALE_SHARE = 0.7
RETIREMENT_AGE = 60
RETIRED_CHANCE = 0.85  # of members past RETIREMENT_AGE; the others still work (返聘)
BIRTH_RANGE = (BIRTH_FROM.toordinal(), BIRTH_TO.toordinal(), BIRTH_MODE.toordinal())


def _area_codes_by_year() -> dict[int, list[str]]:
    """The district codes in force in each birth year: a number keeps the code it was issued
    with (浦东新区's 310115 exists from 1992 only); stdnum knows the dates and checks them."""
    by_year = {}
    for year in range(BIRTH_FROM.year, BIRTH_TO.year + 1):
        by_year[year] = [code for code in AREA_CODES if _place_known(f"{code}{year}0101001")]
    return by_year


def _place_known(first17: str) -> bool:
    try:
        ric.get_birth_place(first17 + "0")
    except ric.InvalidComponent:
        return False
    return True


def _person(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS) if rng.random() < 0.3 else rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS)
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


class MemberMaker:
    """One member's column values, stored as services.save_member stores them (encrypted number,
    keyed hash, mask, birth date and sex derived from the number)."""

    def __init__(self, rng: random.Random, world: World, orgs: Orgs, plans: list[Plan]) -> None:
        self.rng, self.world, self.orgs, self.plans, self.today = rng, world, orgs, plans, world.today
        self.education = Picker(EDUCATION)
        self.used: set[str] = set()  # first 17 digits already given
        self.area_codes = _area_codes_by_year()
        self.holders = [n for n, p in enumerate(plans) if p.covered] or list(range(len(plans)))
        self.functional = [n for n, p in enumerate(plans) if p.org_type == PartyOrgType.FUNCTIONAL]
        self.serial = 0
        # the same for every member: computed once (half a million calls add up)
        self.full_latest = add_months(world.today, -13)  # joined by then to be full by today
        self.full_born_by = add_months(self.full_latest, -12 * 18)
        self.transfer_boundary = add_months(world.today, -world.limits["transfer_after_months"])
        self.retired_born_by = add_months(world.today, -12 * RETIREMENT_AGE)
        if not self.holders:
            raise ValueError("没有党组织可以接收党员组织关系")

    def other(self, home: int, candidates: list[int] | None = None) -> int:
        """A random party organization other than ``home`` (if there is another)."""
        candidates = candidates or self.holders
        for _ in range(10):
            pick = self.rng.choice(candidates)
            if pick != home:
                return pick
        return pick

    def make(self, i: int, plan: int, full: bool, hired: str, floating: str, first: bool = False) -> dict[str, Any]:
        """One member of organization ``i``'s staff; past retirement age most have retired (no
        employer any more; their membership stays), never the first one, who keeps the unit's
        count of employed members as planned."""
        rng = self.rng
        birth, joined, full_on = self._dates(full)
        retired = not first and birth <= self.retired_born_by and rng.random() < RETIRED_CHANCE
        number = self._identity(birth, rng.random() < MALE_SHARE)
        derived = derived_from_id(number)
        base = int(round(rng.lognormvariate(9.0, 0.45), -2)) if rng.random() < DUES_BASE_SHARE else None
        return {
            "name": _person(rng), "id_number_enc": crypto.encrypt(number), "id_hash": crypto.lookup_hash(number),
            "id_masked": crypto.mask_id_number(number), "birth_date": derived["birth_date"],
            "sex": str(derived["sex"]), "phone": _phone(rng), "education": str(self.education.pick(rng)),
            "employer_id": None if retired else self.orgs.ids[i],
            "employed_since": None if retired else self._employed_since(i, birth, hired),
            "party_org_id": self.plans[plan].pk, "joined_on": joined, "full_on": full_on,
            "category": str(MemberCategory.FULL if full else MemberCategory.PROBATIONARY),
            "needs_help": rng.random() < NEEDS_HELP_SHARE, "dues_base": None if base is None else Decimal(base),
            **self._floating(i, plan, floating),
        }  # fmt: skip

    def _dates(self, full: bool) -> tuple[datetime.date, datetime.date, datetime.date | None]:
        """(birth, joined, full_on): joined at 18 or older; full members joined over a year ago,
        probationary ones within the last year."""
        rng, today = self.rng, self.today
        birth = datetime.date.fromordinal(int(rng.triangular(*BIRTH_RANGE)))
        if not full:
            joined = today - datetime.timedelta(days=rng.randint(1, 364))
            return min(birth, add_months(joined, -12 * 18)), joined, None
        birth = min(birth, self.full_born_by)
        joined = min(
            self.full_latest, add_months(birth, 12 * 18) + datetime.timedelta(days=int(rng.expovariate(1 / 2500)))
        )
        return birth, joined, min(today, add_months(joined, 12) + datetime.timedelta(days=rng.randint(0, 20)))

    def _identity(self, birth: datetime.date, male: bool) -> str:
        """公民身份号码 (GB 11643): Shanghai district code, birth date, sequence (odd: male), check digit."""
        while True:
            sequence = self.rng.randrange(500) * 2 + male
            area = self.rng.choice(self.area_codes[birth.year])
            body = f"{area}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
            if body not in self.used:
                break
        self.used.add(body)
        return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character given

    def _employed_since(self, i: int, birth: datetime.date, hired: str) -> datetime.date:
        """After the unit's founding and the member's 18th birthday; ``old``: before the transfer
        period (the reminder fires when held elsewhere), ``recent``: within it."""
        boundary = self.transfer_boundary
        low = max(self.orgs.founded[i], add_months(birth, 12 * 18))
        if hired == "recent":
            return _day_between(self.rng, max(low, boundary + ONE_DAY), self.today - ONE_DAY)
        high = boundary - datetime.timedelta(days=31) if hired == "old" else self.today - datetime.timedelta(days=7)
        return _day_between(self.rng, low, high)

    def _floating(self, i: int, home: int, floating: str) -> dict[str, Any]:
        """流出党员: an activity card; the inflow party organization known (``with``) or not yet."""
        if not floating:
            return {}
        self.serial += 1
        district = self.world.district_of_street[self.orgs.street[i]]
        values = {
            "floating": str(FloatingStatus.OUTFLOW),
            "floating_card_no": f"{district.code}{self.today.year}{self.serial:06d}",
            "outflow_place": f"上海市{district.name}",
            "inflow_place": self.rng.choice(ELSEWHERE_PLACES),
        }
        if floating == "with":
            target = self.other(home, self.functional or None)
            values |= {"inflow_party_org_id": self.plans[target].pk, "inflow_place": self.plans[target].place}
        return values


def _member_roles(rng: random.Random, total: int) -> dict[int, tuple[str, str]]:
    """Members (by ordinal) held elsewhere — hired long ago (``old``) or ``recent`` — and floating
    ones (``with``/``without`` a known inflow party organization); at least one of each kind."""
    roles: dict[int, tuple[str, str]] = {}
    elsewhere = rng.sample(range(total), min(total, max(1, round(total * ELSEWHERE_SHARE))))
    for n, ordinal in enumerate(elsewhere):
        roles[ordinal] = ("recent" if n and rng.random() < ELSEWHERE_RECENT else "old", "")
    floating = rng.sample(range(total), min(total, max(2, round(total * FLOATING_SHARE))))
    for n, ordinal in enumerate(floating):
        known = n == 1 or (n > 1 and rng.random() < FLOATING_WITH_INFLOW)
        roles[ordinal] = (roles.get(ordinal, ("normal", ""))[0], "with" if known else "without")
    return roles


@dataclass
class Officers:
    """Per plan index: the first full, non-floating members' id hashes (secretary first), and how many."""

    hashes: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    full: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def note(self, plan: int, id_hash: str) -> None:
        self.full[plan] += 1
        if len(self.hashes[plan]) < 7:
            self.hashes[plan].append(id_hash)


def member_rows(maker: MemberMaker, planner: Planner, officers: Officers) -> Iterator[dict[str, Any]]:
    """Every member, organization by organization; most held by the party organization covering
    the employer, the chosen few (and those of uncovered units) elsewhere."""
    full, prob, total = planner.full, planner.prob, sum(planner.full) + sum(planner.prob)
    roles, ordinal = _member_roles(maker.rng, total), 0
    for i in range(len(full)):
        home = planner.home.get(i, -1)
        for k in range(full[i] + prob[i]):
            hired, floating = roles.get(ordinal, ("normal", ""))
            plan = maker.other(home) if home < 0 or hired != "normal" else home
            row = maker.make(i, plan, k < full[i], hired, floating, first=k == 0)
            if k < full[i] and not floating and row["employer_id"]:  # officers work in the units
                officers.note(plan, row["id_hash"])
            ordinal += 1
            yield row


def write_members(
    rng: random.Random, world: World, orgs: Orgs, plans: list[Plan], planner: Planner, log: Log
) -> tuple[int, Officers]:
    """Insert every member, streaming (a batch in memory at a time); returns (count, officer candidates)."""
    total = sum(planner.full) + sum(planner.prob)
    maker, officers, started = MemberMaker(rng, world, orgs, plans), Officers(), time.monotonic()

    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            log(f"  党员 {done:,} / {total:,}，用时 {time.monotonic() - started:.0f} 秒")

    return RowWriter(Member).insert(member_rows(maker, planner, officers), progress), officers


def write_officers(rng: random.Random, world: World, plans: list[Plan], officers: Officers) -> int:
    """Secretary (some with a deputy) from each party organization's full members; a committee
    for most of those with enough full members. Returns the number of seats."""
    wanted = {h for hashes in officers.hashes.values() for h in hashes}
    # one pass over the members beats IN lists of hashes (PostgreSQL, 500,000: 0.7 s against 8 s)
    rows = Member.objects.values_list("id_hash", "pk").iterator(chunk_size=20_000)
    pk_of = {h: pk for h, pk in rows if h in wanted}
    updates, seats = [], []
    for index, hashes in sorted(officers.hashes.items()):
        people, count, plan = [pk_of[h] for h in hashes], officers.full[index], plans[index]
        deputy = people[1] if count >= DEPUTY_FROM and rng.random() < DEPUTY_CHANCE else None
        updates.append((people[0], deputy, plan.pk))
        if count >= world.limits["branch_committee_full_members"] and rng.random() < SEATS_CHANCE:
            size = rng.randint(5, 7) if plan.org_type == PartyOrgType.COMMITTEE else rng.randint(3, 5)
            titles = ["书记", *(["副书记"] if deputy else []), *SEAT_TITLES]
            seats += [
                {"party_org_id": plan.pk, "member_id": pk, "position": title}
                for pk, title in zip(people[:size], titles, strict=False)
            ]
    _update_rows(PartyOrganization, ["secretary_id", "deputy_id"], updates)
    return RowWriter(CommitteeSeat).insert(seats)


# ---------------------------------------------------------------------------------------------
# Instructors, coverage, responsibility
# ---------------------------------------------------------------------------------------------
def write_instructors(rng: random.Random, world: World, orgs: Orgs, planner: Planner) -> tuple[int, list[int]]:
    """1–3 instructors per street committee, assigned to uncovered units of ≥ 50 employees:
    the large ones left out, and some of 50–99 employees. Returns (instructors, assigned indexes)."""
    people, street_of = [], {}
    for street, node in sorted(world.committee.items()):
        street_of[node.pk] = street
        units = [f"{world.street_name[street]}党群服务中心", f"{world.district_of_street[street].name}社会工作党委"]
        for _ in range(rng.randint(1, 3)):
            people.append(Instructor(name=_person(rng), phone=_phone(rng), unit=rng.choice(units), node_id=node.pk))
    by_street: dict[int, list[int]] = defaultdict(list)
    for person in Instructor.objects.bulk_create(people, batch_size=BATCH):
        by_street[street_of[person.node_id]].append(person.pk)
    low, high = world.limits["should_have_members_employees"], world.limits["should_have_party_org_employees"]
    targets = planner.instructed + [
        i
        for i, (e, street) in enumerate(zip(orgs.employees, orgs.street, strict=True))
        if low <= e < high and i not in planner.home and street in by_street and rng.random() < INSTRUCTOR_CHANCE
    ]
    since = add_months(world.today, -36)
    RowWriter(InstructorAssignment).insert(
        {
            "instructor_id": rng.choice(by_street[orgs.street[i]]),
            "organization_id": orgs.ids[i],
            "start_on": _day_between(rng, max(orgs.founded[i], since), world.today - ONE_DAY),
            "end_on": None,
        }
        for i in targets
    )
    return len(people), targets


def write_coverage(world: World, orgs: Orgs, plans: list[Plan], instructed: list[int]) -> dict[str, int]:
    """Each touched organization's coverage state (party.coverage's ``state_from`` on its links'
    kinds from the city's table) and, where an own or joint link exists, its responsible node
    (orgs.responsibility rule 1: the committee above the first own, else joint, party organization —
    every plan's parent is a committee). Untouched organizations keep seed_demo's values, which
    the rules give them too (no link, no assignment: ``none`` and the place rule)."""
    kinds: dict[int, list[str]] = defaultdict(list)
    covering: dict[int, tuple[bool, int, int]] = {}
    ordinal = 0  # link ids follow plan order (write_links)
    for plan in plans:
        assert plan.parent.kind in COMMITTEE_KINDS
        kind = world.link_kind.get(plan.mode, "")
        for i in plan.covered:
            kinds[i].append(kind)
            if kind in (LinkKind.OWN, LinkKind.JOINT):
                covering[i] = min(covering.get(i, (True, math.inf, 0)), (kind != LinkKind.OWN, ordinal, plan.parent.pk))
            ordinal += 1
    assigned = set(instructed)
    states = {i: str(state_from(kinds.get(i, ()), i in assigned)) for i in kinds.keys() | assigned}
    _write_derived(orgs, states, {i: node_pk for i, (_, _, node_pk) in covering.items()})
    counts: dict[str, int] = defaultdict(int)
    for state in states.values():
        counts[state] += 1
    return dict(counts)


def _write_derived(orgs: Orgs, states: dict[int, str], nodes: dict[int, int]) -> None:
    """Store coverage states and responsible nodes. The rows lie all over the table; measured on
    190,000 of a million: SQLite is fastest row by row in key order (each page read and written
    once: 6 s against 18 s grouped), PostgreSQL with one UPDATE per value and chunk (30 s against 37 s)."""
    basis = str(ResponsibleBasis.PARTY_ORG)
    if connection.vendor == "sqlite":
        rows = sorted((orgs.ids[i], state, nodes.get(i)) for i, state in states.items())
        _update_rows(Organization, ["coverage_state"], [(state, pk) for pk, state, node in rows if not node])
        columns = ["coverage_state", "responsible_node_id", "responsible_basis"]
        _update_rows(Organization, columns, [(state, node, basis, pk) for pk, state, node in rows if node])
        return
    groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for i, state in states.items():
        groups[state, nodes.get(i)].append(orgs.ids[i])
    for (state, node_pk), pks in groups.items():
        node = {"responsible_node_id": node_pk, "responsible_basis": basis} if node_pk else {}
        _update_pks(Organization, pks, coverage_state=state, **node)


# ---------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------
def _refuse_if_present() -> None:
    if PartyOrganization.objects.exists() or Member.objects.exists() or Instructor.objects.exists():
        raise RuntimeError(
            "已有党组织、党员或指导员数据；演示党建数据只在 seed_demo 之后生成一次（可先 seed_demo --reset）"
        )


def _tune_sqlite() -> None:
    # as seed_demo: the member table's three indexes outgrow SQLite's default 2 MB page cache
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only


def build_party_demo(rng: random.Random, members: int | None = None, log: Log = print) -> dict[str, int]:
    """Build party organizations, members and instructors on seed_demo's world; returns counts.

    ``members``: how many in all (default about 1 % of the employees of operating organizations).
    """
    _refuse_if_present()
    _tune_sqlite()
    started = time.monotonic()
    world = load_world()
    orgs = load_orgs(world)
    total = members if members is not None else round(sum(orgs.employees) * MEMBER_SHARE)
    short = plan_shortfalls(rng, world, orgs)
    full, probationary = plan_member_counts(rng, orgs, total, world.limits, short)
    planner = Planner(rng, world, orgs, full, probationary, short)
    plans = planner.plan()
    date_plans(rng, world, orgs, plans)
    log(f"在营组织 {len(orgs.ids):,} 个：计划党组织 {len(plans):,} 个、党员 {total:,} 名（{_took(started)}）")
    write_party_orgs(plans)
    links = write_links(world, orgs, plans)
    log(f"党组织 {len(plans):,} 个、覆盖关系 {links:,} 条已写入（{_took(started)}）")
    written, officers = write_members(rng, world, orgs, plans, planner, log)
    seats = write_officers(rng, world, plans, officers)
    instructors, instructed = write_instructors(rng, world, orgs, planner)
    log(f"书记、支委 {seats:,} 个席位，指导员 {instructors:,} 名、选派 {len(instructed):,} 个（{_took(started)}）")
    states = write_coverage(world, orgs, plans, instructed)
    labels = dict(CoverageState.choices)
    summary = "，".join(f"{labels[k]} {v:,}" for k, v in sorted(states.items()))
    log(f"党建演示数据生成完成（{_took(started)}），覆盖状态：{summary}")
    counts = {"party_orgs": len(plans), "links": links, "members": written, "committee_seats": seats}
    counts |= {"instructors": instructors, "assignments": len(instructed)}
    return counts | {f"coverage_{state}": n for state, n in states.items()}


def _took(started: float) -> str:
    return f"用时 {time.monotonic() - started:.0f} 秒"
