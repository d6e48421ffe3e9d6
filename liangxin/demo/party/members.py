"""Members: people, identity numbers, officers."""

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stdnum.cn import ric

from liangxin.core import crypto
from liangxin.core.dates import add_months
from liangxin.demo.common import GIVEN_CHARS, PROGRESS_EVERY, SURNAMES, Log, Picker, email_of, mobile_number
from liangxin.demo.party.params import (
    AREA_CODES,
    BIRTH_FROM,
    BIRTH_MODE,
    BIRTH_TO,
    DEPUTY_CHANCE,
    DEPUTY_FROM,
    DUES_BASE_SHARE,
    EDUCATION,
    ELSEWHERE_PLACES,
    ELSEWHERE_RECENT,
    ELSEWHERE_SHARE,
    FLOATING_SHARE,
    FLOATING_WITH_INFLOW,
    NEEDS_HELP_SHARE,
    SEAT_TITLES,
    SEATS_CHANCE,
)
from liangxin.demo.party.planner import ONE_DAY, Plan, Planner, day_between
from liangxin.demo.party.world import Orgs, World
from liangxin.demo.rows import RowWriter, update_rows
from liangxin.party.choices import FloatingStatus, MemberCategory, PartyOrgType
from liangxin.party.models import (
    CommitteeSeat,
    Member,
    PartyOrganization,
)
from liangxin.party.validation import derived_from_id

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


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS) if rng.random() < 0.3 else rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS)
    return rng.choice(SURNAMES) + given


def phone_number(rng: random.Random) -> str:
    return mobile_number(rng)


def email_for(name: str, id_hash: str) -> str:
    """About three members in ten give an address; which ones follows the keyed hash, not a draw,
    so the rest of the city is the same as without addresses."""
    number = int(id_hash[:4], 16)
    return email_of(name, number % 1000) if number % 10 < 3 else ""


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
            "name": (name := person_name(rng)), "id_number_enc": crypto.encrypt(number),
            "id_hash": (id_hash := crypto.lookup_hash(number)), "email": email_for(name, id_hash),
            "id_masked": crypto.mask_id_number(number), "birth_date": derived["birth_date"],
            "sex": str(derived["sex"]), "phone": phone_number(rng), "education": str(self.education.pick(rng)),
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
            return day_between(self.rng, max(low, boundary + ONE_DAY), self.today - ONE_DAY)
        high = boundary - datetime.timedelta(days=31) if hired == "old" else self.today - datetime.timedelta(days=7)
        return day_between(self.rng, low, high)

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
    update_rows(PartyOrganization, ["secretary_id", "deputy_id"], updates)
    return RowWriter(CommitteeSeat).insert(seats)
