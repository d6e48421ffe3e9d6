"""Party demo data: party organizations, members and instructors on seed_demo's world.

``build_party_demo(rng, members=None)`` runs once on a database filled by ``seed_demo``
(regions, carriers, committees, organizations; no party data yet)::

    manage.py shell -c "import random; from liangxin.demo.party import build_party_demo as b; b(random.Random(1))"

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

import random
import time

from django.db import connection

from liangxin.demo.common import Log
from liangxin.demo.party.members import write_members, write_officers
from liangxin.demo.party.params import MEMBER_SHARE
from liangxin.demo.party.planner import Planner, date_plans
from liangxin.demo.party.targets import plan_member_counts, plan_shortfalls
from liangxin.demo.party.world import load_orgs, load_world
from liangxin.demo.party.writes import write_coverage, write_instructors, write_links, write_party_orgs
from liangxin.orgs.choices import CoverageState
from liangxin.party.models import (
    Instructor,
    Member,
    PartyOrganization,
)


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
