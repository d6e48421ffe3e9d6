"""Which firms fall short of the 双达标 and above-scale targets, and how many members each organization has."""

import bisect
import itertools
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from liangxin.demo.party.params import (
    HAS_MEMBERS_CHANCE,
    KIND_DENSITY,
    LAGGING_DISTRICT,
    ON_TARGET_DISTRICTS,
    PROBATIONARY_SHARE,
    SHORTFALL_MAX,
    SHORTFALLS,
)
from liangxin.demo.party.world import Orgs, World
from liangxin.orgs.choices import SECTOR_OF_KIND, Sector


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
