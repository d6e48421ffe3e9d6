"""A random world of organizations, party organizations, members and dated facts, and a
recount of every coverage figure in plain Python over its raw rows.

The recount reads raw rows only — organizations (never their stored coverage state or member
count), links, setup modes and the mode table, assignments, members, placements, employment —
and applies DOMAIN.md's rules written out again here, so it shares no code with the engine.
"""

import datetime
import random
from types import SimpleNamespace

from liangxin.core import bulk
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.orgs.models import Organization, Placement
from liangxin.party import coverage, policy
from liangxin.party.models import (
    Employment,
    Instructor,
    InstructorAssignment,
    Member,
    PartyOrganization,
    PartyOrgLink,
    SetupModeLinkKind,
)
from liangxin.regions.models import Carrier, Region, RegionLevel

KINDS = ["private", "private", "private", "foreign", "hmt", "individual", "other_economic",
         "association", "non_enterprise", "foundation", "intermediary", "trade_association", "unknown"]  # fmt: skip
ECONOMIC = {"private", "foreign", "hmt", "individual", "other_economic"}
SECTOR = {k: "economic" if k in ECONOMIC else "unknown" if k == "unknown" else "social" for k in KINDS}
MODES = ["single", "single", "combined", "joint", "regional", "industry", "temporary", "attached", "based"]
STRENGTH = {"own": 3, "joint": 2, "attached": 1}
START = datetime.date(2023, 1, 1)
# The world's dates are drawn up to this fixed day, not up to today: drawn from a window that
# grew every day, the same seed built a different world each day (a failure seen on Monday
# could not be replayed on Tuesday). It lies in the past, so every drawn fact is in force or
# ended by the real today the engine counts on; only the writes that model "today" (the triggers'
# dating, links ended today) use the real date.
WORLD_DAY = datetime.date(2026, 6, 30)
assert WORLD_DAY < datetime.date.today(), "the stats world's fixed day must lie in the past"


def _day(rng: random.Random, low=START, high=None) -> datetime.date:
    high = high or WORLD_DAY
    return low + datetime.timedelta(days=rng.randint(0, (high - low).days))


def build(cast, rng: random.Random, n_orgs: int = 160) -> SimpleNamespace:
    w = SimpleNamespace(cast=cast, serial=0)
    w.grid2 = Region.objects.create(code="310101002002", name="第二网格", level=RegionLevel.GRID, parent=cast.nanjing)
    w.market = Carrier.objects.create(name="外滩市场", kind="market", street=cast.waitan)
    w.regions = [cast.nanjing, cast.grid, w.grid2, cast.waitan, cast.tianping, cast.huangpu]
    w.carriers = {cast.nanjing.pk: [cast.building], cast.waitan.pk: [w.market], cast.tianping.pk: [cast.park]}
    add_orgs(w, rng, n_orgs)
    parents = [cast.nanjing_node, cast.waitan_node, cast.tianping_node, cast.lawyers_node]
    w.party_orgs = []
    for i in range(16):
        node = ManagementNode.objects.create(
            name=f"测试党组织{i}", kind=NodeKind.GRASSROOTS, parent=rng.choice(parents)
        )
        node.is_active = rng.random() > 0.1
        node.save()
        w.party_orgs.append(
            PartyOrganization.objects.create(
                node=node,
                org_type="branch",
                setup_mode=rng.choice(MODES),
                founded_on=_day(rng, datetime.date(2020, 1, 1)),
            )  # fmt: skip
        )
    orgs = list(Organization.objects.all())
    links = []
    for org in rng.sample(orgs, len(orgs) // 2):
        for po in rng.sample(w.party_orgs, rng.choice([1, 1, 1, 2])):
            start = _day(rng)
            end = _day(rng, start) if rng.random() < 0.2 else None
            links.append({"party_org_id": po.pk, "organization_id": org.pk, "start_on": start, "end_on": end})
    bulk.insert(PartyOrgLink, links)
    w.instructors = [Instructor.objects.create(name=f"指导员{i}", node=cast.nanjing_node) for i in range(3)]
    w.instructors[2].is_active = False
    w.instructors[2].save()
    for org in rng.sample(orgs, len(orgs) // 4):
        start = _day(rng)
        InstructorAssignment.objects.create(
            instructor=rng.choice(w.instructors), organization=org, start_on=start,
            end_on=_day(rng, start) if rng.random() < 0.3 else None,
        )  # fmt: skip
    add_members(w, rng, 220)
    # history the triggers cannot know (they date changes today): earlier places and jobs
    for org in rng.sample(orgs, 25):
        moved_on = _day(rng, datetime.date(2024, 1, 1))
        Placement.objects.filter(organization=org, end_on__isnull=True).update(start_on=moved_on)
        Placement.objects.create(organization=org, region=rng.choice(w.regions), start_on=None, end_on=moved_on)
    for e in rng.sample(list(Employment.objects.all()), 30):
        e.start_on = _day(rng, datetime.date(2024, 1, 1))
        e.save()
    coverage.refresh_all()
    return w


def add_orgs(w, rng: random.Random, n: int) -> None:
    rows = []
    for _ in range(n):
        w.serial += 1
        region = rng.choice(w.regions)
        street = region if region.level == RegionLevel.STREET else region.parent
        carriers = w.carriers.get(street.pk, []) if region.level >= RegionLevel.STREET else []
        kind = rng.choice(KINDS)
        status = rng.choice(["operating"] * 8 + ["moved", "deregistered"])
        rows.append({
            "name": f"随机组织{w.serial}", "credit_code": None, "pinyin_initials": "SJZZ", "sort_key": f"sj{w.serial}",
            "founded_on": _day(rng, datetime.date(2010, 1, 1)) if rng.random() < 0.9 else None,
            "sector": SECTOR[kind], "kind": kind, "industry": rng.choice([*"CFILM", "unknown"]),
            # None: 从业人员数未填 — in the basis, in no size threshold (stats.measures)
            "employees": rng.choice([0, 3, 9, 10, 12, 29, 30, 45, 49, 50, 51, 80, 99, 100, 101, 300, 1200, None, None]),
            "above_scale": rng.random() < 0.2, "key_industry": rng.random() < 0.15,
            "operating_region_id": region.pk, "registered_region_id": region.pk,
            "carrier_id": rng.choice(carriers).pk if carriers and rng.random() < 0.5 else None,
            "responsible_node_id": rng.choice([w.cast.nanjing_node, w.cast.waitan_node, w.cast.tianping_node,
                                               w.cast.lawyers_node, w.cast.huangpu_node]).pk,
            "responsible_basis": "operating", "status": status,
            "status_date": _day(rng) if status != "operating" and rng.random() < 0.8 else None,
        })  # fmt: skip
    bulk.insert(Organization, rows)


def add_members(w, rng: random.Random, n: int) -> None:
    orgs = list(Organization.objects.values_list("pk", flat=True))
    rows = []
    for _ in range(n):
        w.serial += 1
        rows.append({
            "name": f"党员{w.serial}", "id_number_enc": "x", "id_hash": f"hash{w.serial}", "id_masked": "x",
            "birth_date": datetime.date(1990, 1, 1), "sex": "M", "party_org_id": rng.choice(w.party_orgs).pk,
            "category": rng.choice(["full", "probationary"]), "joined_on": _day(rng, datetime.date(2022, 1, 1)),
            "employer_id": rng.choice(orgs) if rng.random() < 0.8 else None,
            "employed_since": _day(rng, datetime.date(2020, 1, 1)) if rng.random() < 0.7 else None,
            "is_active": rng.random() < 0.92,
        })  # fmt: skip
    bulk.insert(Member, rows)


def random_writes(w, rng: random.Random) -> None:
    """Changes through every kind of write the platform makes: ORM saves, queryset updates,
    bulk inserts, deletes, and the coverage services."""
    orgs = list(Organization.objects.all())
    for org in rng.sample(orgs, 12):
        org.operating_region = rng.choice(w.regions)
        org.carrier = None
        org.employees = rng.choice([5, 50, 150, None])
        org.save()
    Organization.objects.filter(pk__in=[o.pk for o in rng.sample(orgs, 8)]).update(status="deregistered")
    Organization.objects.filter(pk__in=[o.pk for o in rng.sample(orgs, 5)]).update(
        operating_region=rng.choice(w.regions), carrier=None
    )
    members = list(Member.objects.all())
    for m in rng.sample(members, 15):
        m.employer_id = rng.choice(orgs).pk if rng.random() < 0.8 else None
        m.is_active = rng.random() < 0.8
        m.save()
    Member.objects.filter(pk__in=[m.pk for m in rng.sample(members, 10)]).update(employer=rng.choice(orgs))
    Member.objects.filter(pk__in=[m.pk for m in rng.sample(members, 5)]).delete()
    add_members(w, rng, 20)
    add_orgs(w, rng, 10)
    doomed = rng.choice(orgs)
    doomed.delete()
    links = list(PartyOrgLink.objects.filter(end_on__isnull=True))
    PartyOrgLink.objects.filter(pk__in=[x.pk for x in rng.sample(links, 6)]).update(end_on=datetime.date.today())
    coverage.refresh_all()


# -- the recount --------------------------------------------------------------------------
def recount(unit: dict, filters: dict, day: datetime.date | None = None) -> dict[str, set[int] | int]:
    """Every measure of ``unit`` ({"region": Region} or {"node": ManagementNode}, plus an optional
    region narrowing a node) as sets of organization ids (``members``: a number)."""
    today = datetime.date.today()
    on = day or today
    params = policy.values()
    basis = int(params["statistical_min_employees"])
    m50, m100 = int(params["should_have_members_employees"]), int(params["should_have_party_org_employees"])
    mode_kind = dict(SetupModeLinkKind.objects.values_list("mode", "link_kind"))
    region_path = dict(Region.objects.values_list("id", "path"))
    node_path = dict(ManagementNode.objects.values_list("id", "path"))
    node_active = dict(ManagementNode.objects.values_list("id", "is_active"))
    carrier_kind = dict(Carrier.objects.values_list("id", "kind"))
    po_mode = {po: (mode, node_active[node]) for po, mode, node in
               PartyOrganization.objects.values_list("id", "setup_mode", "node_id")}  # fmt: skip

    def in_force(start, end):
        return (start is None or start <= on) and (end is None or end > on)

    strength: dict[int, int] = {}
    for org_id, po, start, end in PartyOrgLink.objects.values_list(
        "organization_id", "party_org_id", "start_on", "end_on"
    ):
        mode, active = po_mode[po]
        if active and in_force(start, end) and mode_kind.get(mode):
            strength[org_id] = max(strength.get(org_id, 0), STRENGTH[mode_kind[mode]])
    instructor_active = dict(Instructor.objects.values_list("id", "is_active"))
    instructed = {
        org_id
        for org_id, ins, start, end in InstructorAssignment.objects.values_list(
            "organization_id", "instructor_id", "start_on", "end_on"
        )
        if instructor_active[ins] and in_force(start, end)
    }
    employed: dict[int, int] = {}
    if day is None:
        for employer, active in Member.objects.values_list("employer_id", "is_active"):
            if employer is not None and active:
                employed[employer] = employed.get(employer, 0) + 1
    else:
        joined = dict(Member.objects.values_list("id", "joined_on"))
        for member, org_id, start, end in Employment.objects.values_list(
            "member_id", "organization_id", "start_on", "end_on"
        ):
            if in_force(start, end) and joined[member] <= day:
                employed[org_id] = employed.get(org_id, 0) + 1
    placed: dict[int, tuple] = {}
    if day is not None:
        for org_id, region, carrier, start, end in Placement.objects.values_list(
            "organization_id", "region_id", "carrier_id", "start_on", "end_on"
        ):
            if in_force(start, end):
                placed[org_id] = (region, carrier)

    out: dict = {name: set() for name in MEASURE_NAMES_LOCAL}
    out["members"] = 0
    columns = (
        "id", "operating_region_id", "carrier_id", "responsible_node_id", "kind", "sector", "industry",
        "employees", "above_scale", "key_industry", "status", "status_date", "founded_on", "created_at",
    )  # fmt: skip
    for row in Organization.objects.values(*columns):
        o = SimpleNamespace(**row)
        region, carrier, status = o.operating_region_id, o.carrier_id, o.status
        if day is not None:
            created = o.created_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
            if not ((o.founded_on and o.founded_on <= day) or (o.founded_on is None and created <= day)):
                continue
            region, carrier = placed.get(o.id, (region, carrier))
            if status != "operating" and o.status_date is not None and o.status_date > day:
                status = "operating"
        if "region" in unit and not region_path[region].startswith(unit["region"].path):
            continue
        if "node" in unit and not (
            o.responsible_node_id and node_path[o.responsible_node_id].startswith(unit["node"].path)
        ):
            continue
        if not _passes(o, carrier, carrier_kind, filters):
            continue
        s = strength.get(o.id, 0)
        state = {3: "own", 2: "joint", 1: "attached"}.get(s) or ("instructor" if o.id in instructed else "none")
        n = employed.get(o.id, 0)
        operating = status == "operating"
        e = o.employees
        known = e is not None
        counted = operating and (not known or e >= basis)  # unknown size: in the basis at any parameter
        economic = counted and o.sector == "economic"
        ge50, ge100 = known and e >= m50, known and e >= m100
        org_cov = state in ("own", "joint")
        checks = {
            "counted": counted, "own": counted and state == "own", "joint": counted and state == "joint",
            "attached": counted and state == "attached", "instructor": counted and state == "instructor",
            "blank": counted and state == "none", "org_covered": counted and org_cov,
            "work_covered": counted and state != "none", "has_member": counted and n > 0,
            "econ_50": economic and ge50, "econ_50_member": economic and ge50 and n > 0,
            "econ_100": economic and ge100,
            "econ_100_org": economic and ge100 and org_cov,
            "econ_above": economic and o.above_scale and known,
            "econ_above_org": economic and o.above_scale and known and org_cov,
            "key_units": counted and o.key_industry, "key_units_org": counted and o.key_industry and org_cov,
            "blank_50": counted and ge50 and n == 0,
            "blank_100": counted and ge100 and not org_cov,
            "below_basis": operating and known and e < basis,
            "size_unknown": counted and not known, "econ_size_unknown": economic and not known,
            "moved": status == "moved", "deregistered": status == "deregistered",
        }  # fmt: skip
        for name, hit in checks.items():
            if hit:
                out[name].add(o.id)
        if counted:
            out["members"] += n
    return out


MEASURE_NAMES_LOCAL = [
    "counted", "own", "joint", "attached", "instructor", "blank", "org_covered", "work_covered", "has_member",
    "econ_50", "econ_50_member", "econ_100", "econ_100_org", "econ_above", "econ_above_org", "key_units",
    "key_units_org", "blank_50", "blank_100", "below_basis", "size_unknown", "econ_size_unknown", "moved",
    "deregistered",
]  # fmt: skip
SIZES = {"lt10": (0, 9), "10_49": (10, 49), "50_99": (50, 99), "100_299": (100, 299), "300_999": (300, 999),
         "ge1000": (1000, 10**9)}  # fmt: skip


def _passes(o, carrier, carrier_kind, filters) -> bool:
    for name in ("kind", "sector", "industry"):
        if filters.get(name) and getattr(o, name) != filters[name]:
            return False
    if filters.get("size") == "unknown":
        if o.employees is not None:
            return False
    elif filters.get("size"):
        low, high = SIZES[filters["size"]]
        if o.employees is None or not low <= o.employees <= high:
            return False
    for name in ("above_scale", "key_industry"):
        if name in filters and getattr(o, name) != (filters[name] == "1"):
            return False
    if filters.get("carrier") and carrier != int(filters["carrier"]):
        return False
    if filters.get("carrier_kind") and carrier_kind.get(carrier) != filters["carrier_kind"]:
        return False
    return True


def random_filters(rng: random.Random, w) -> dict:
    choices = {
        "kind": lambda: rng.choice(KINDS), "sector": lambda: rng.choice(["economic", "social", "unknown"]),
        "industry": lambda: rng.choice([*"CFILM", "unknown"]), "size": lambda: rng.choice([*SIZES, "unknown"]),
        "above_scale": lambda: rng.choice("01"), "key_industry": lambda: rng.choice("01"),
        "carrier": lambda: str(rng.choice([w.cast.building, w.market, w.cast.park]).pk),
        "carrier_kind": lambda: rng.choice(["building", "park", "market"]),
    }  # fmt: skip
    names = rng.sample(list(choices), rng.choice([0, 0, 1, 1, 2, 3]))
    return {name: choices[name]() for name in names}
