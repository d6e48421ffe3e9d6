"""Writing party organizations and links; instructors, coverage and the responsible node."""

import datetime
import math
import random
import uuid
from collections import defaultdict

from django.db import connection, transaction

from liangxin.core.dates import add_months
from liangxin.demo.common import BATCH
from liangxin.demo.party.members import person_name, phone_number
from liangxin.demo.party.params import INSTRUCTOR_CHANCE
from liangxin.demo.party.planner import ONE_DAY, Plan, Planner, day_between
from liangxin.demo.party.world import Orgs, World
from liangxin.demo.rows import RowWriter, update_pks, update_rows
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode, NodeKind
from liangxin.orgs.choices import ResponsibleBasis
from liangxin.orgs.models import Organization
from liangxin.party.choices import LinkKind
from liangxin.party.coverage import state_from
from liangxin.party.models import Instructor, InstructorAssignment, PartyOrganization, PartyOrgLink


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
        update_rows(
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
            name, phone = person_name(rng), phone_number(rng)
            people.append(Instructor(name=name, phone=phone, unit=rng.choice(units), node_id=node.pk))
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
            "start_on": day_between(rng, max(orgs.founded[i], since), world.today - ONE_DAY),
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
        update_rows(Organization, ["coverage_state"], [(state, pk) for pk, state, node in rows if not node])
        columns = ["coverage_state", "responsible_node_id", "responsible_basis"]
        update_rows(Organization, columns, [(state, node, basis, pk) for pk, state, node in rows if node])
        return
    groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
    for i, state in states.items():
        groups[state, nodes.get(i)].append(orgs.ids[i])
    for (state, node_pk), pks in groups.items():
        node = {"responsible_node_id": node_pk, "responsible_basis": basis} if node_pk else {}
        update_pks(Organization, pks, coverage_state=state, **node)
