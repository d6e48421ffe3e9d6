"""Which party organizations, covering what, and their dates."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from liangxin.core.dates import add_months
from liangxin.demo.party.params import (
    ATTACHED_GROUP,
    ATTACHED_SHARE,
    BASED_SHARE,
    CARRIERS_PER_FUNCTIONAL,
    COMBINED_SHARE,
    COMMITTEE_CHANCE,
    JOINT_MEMBER_UNITS,
    JOINT_SPARE_MIN_EMPLOYEES,
    LEFT_OUT_SHARE,
    LOGISTICS_SHARE,
    OVERFULL_CHANCE,
    REGIONAL_CARRIER_SHARE,
    TEMPORARY_SHARE,
)
from liangxin.demo.party.targets import Shortfall
from liangxin.demo.party.world import Orgs, World
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.choices import OrgKind
from liangxin.party.choices import PartyOrgType, SetupMode


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


def day_between(rng: random.Random, low: datetime.date, high: datetime.date) -> datetime.date:
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
        return day_between(rng, add_months(today, -12 * (5 - years)) + ONE_DAY, today - ONE_DAY)
    if draw < 0.14:
        return day_between(rng, today, add_months(today, 1))
    if draw < 0.26:
        return day_between(rng, add_months(today, 1) + ONE_DAY, add_months(today, 6))
    return day_between(rng, add_months(today, 6) + ONE_DAY, add_months(today, 12 * years) - ONE_DAY)


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
