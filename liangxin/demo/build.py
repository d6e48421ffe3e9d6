"""The demo in one call: the world, the organizations, the party side, a year of daily work, statistics.

Order matters and lives here only: the trees (regions, carriers, committees) and the administrator
logins, then the organizations (orgs), then party organizations and members (party), the secretary
and member logins on a real branch (accounts), organization life, applicants, transfers and dues,
and last the monthly statistics snapshots. One ``random.Random(seed)`` runs through all of it in
that order, so the same seed gives the same rows.
"""

import random

from django.db import transaction

from liangxin.core import bulk
from liangxin.demo import assessment, develop, dues, life, messaging, portal, qa, reporting, transfers
from liangxin.demo.accounts import create_accounts, create_secretary_account
from liangxin.demo.common import Log
from liangxin.demo.orgs import build_organizations
from liangxin.demo.party import build_party_demo
from liangxin.demo.regions import build_carriers, build_nodes, build_regions
from liangxin.demo.reset import delete_demo_data
from liangxin.mgmt.models import ManagementNode
from liangxin.regions.models import Carrier, Region
from liangxin.stats import snapshots as stats_snapshots

# a year of organization life, applicants, transfers, dues, the messages sent and the report tasks: each builds on
# the party side
DAILY_WORK = (
    life.build_demo, develop.build_demo, transfers.build_demo, dues.build_demo, messaging.build_demo,
    reporting.build_demo, portal.build_demo, qa.build_demo, assessment.build_demo,
)  # fmt: skip


def demo_exists() -> bool:
    return Region.objects.exists()


def delete_demo() -> None:
    """Delete the demo world, dependents first (superuser accounts are kept)."""
    delete_demo_data()


def build_demo(
    *,
    orgs: int,
    seed: int = 2026,
    members: int | None = None,
    party: bool = True,
    snapshots: int = 12,
    log: Log = print,
) -> None:
    """Build the demo on an empty database (see ``demo_exists``/``delete_demo`` for a full one).

    ``orgs`` organizations; ``members`` party members (default about 1 % of the employees);
    ``party=False`` stops after the organizations; ``snapshots`` month-end statistics snapshots.
    """
    rng = random.Random(seed)
    with transaction.atomic():
        world = build_regions(rng)
        build_carriers(rng, world)
        build_nodes(world)
        create_accounts(world)
    log(
        f"行政区划 {Region.objects.count()} 个，载体 {Carrier.objects.count()} 个，"
        f"管理节点 {ManagementNode.objects.count()} 个；开始生成 {orgs:,} 个两新组织……"
    )
    build_organizations(log, rng, world, orgs)
    if party:
        build_party_demo(rng, members=members, log=log)
        create_secretary_account()
        bulk.refresh_planner_statistics()  # the daily work queries what was just loaded
        for build in DAILY_WORK:
            counts = build(rng, log)
            if counts:
                log("、".join(f"{k} {v}" for k, v in counts.items()))
        bulk.refresh_planner_statistics()  # and after the daily work it loaded (meetings, attendance …)
    for day in stats_snapshots.month_ends(snapshots) if snapshots else ():
        taken = stats_snapshots.take(day)
        log(f"统计快照 {day:%Y-%m-%d}：{taken.organizations:,} 个组织，用时 {taken.seconds} 秒")
