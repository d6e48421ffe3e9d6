"""Coverage state: one case per precedence rule, and a property test against a recomputation
from the raw rows the test itself wrote (no production code used for the expectation)."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liangxin.orgs.models import Organization
from liangxin.party import services
from liangxin.party.coverage import state_from
from liangxin.party.models import InstructorAssignment, PartyOrgLink

from .party_helpers import DAY, make_instructor, make_party_org

# The test's own statement of DOMAIN.md's defaults and precedence.
KIND_OF_MODE = {"single": "own", "combined": "own", "joint": "joint", "regional": "joint", "industry": "joint",
                "temporary": "joint", "attached": "attached", "based": "attached", "dispatched": ""}  # fmt: skip
ORDER = ["own", "joint", "attached"]


@pytest.mark.parametrize(
    "kinds, instructor, expected",
    [
        (["own", "joint", "attached"], True, "own"),  # own beats everything
        (["joint", "attached"], True, "joint"),  # joint beats attached
        (["attached"], True, "attached"),  # any link beats an instructor
        ([""], True, "instructor"),  # a 派驻 mode is no link
        ([], True, "instructor"),
        ([], False, "none"),
    ],
)
def test_precedence_table(kinds, instructor, expected):
    assert state_from(kinds, instructor) == expected


def test_joint_counts_whether_or_not_members_work_there(cast):
    make_party_org(cast, mode="joint", org_type="joint_branch", covered=[cast.org, cast.waitan_org])
    assert set(Organization.objects.filter(coverage_state="joint").values_list("pk", flat=True)) == {
        cast.org.pk,
        cast.waitan_org.pk,
    }


def test_covering_party_org_makes_its_committee_responsible(cast):
    make_party_org(cast, parent=cast.waitan_node, covered=[cast.org])
    cast.org.refresh_from_db()
    assert (cast.org.responsible_node, cast.org.responsible_basis) == (cast.waitan_node, "party_org")


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("cover"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.just("uncover"), st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.just("assign"), st.integers(0, 2)),
        st.tuples(st.just("end_assignment"), st.integers(0, 2)),
        st.tuples(st.just("deactivate"), st.integers(0, 2)),
        st.tuples(
            st.just("table"), st.sampled_from(sorted(KIND_OF_MODE)), st.sampled_from(["own", "joint", "attached", ""])
        ),
    ),
    max_size=12,
)
MODES = st.lists(st.sampled_from(sorted(KIND_OF_MODE)), min_size=3, max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, modes=MODES)
def test_stored_state_equals_recomputation(cast, ops, modes):
    orgs = [cast.org, cast.waitan_org, cast.xuhui_org]
    for mode, kind in KIND_OF_MODE.items():  # each example starts from the default table
        services.set_link_kind(cast.city_admin, mode, kind)
    PartyOrgLink.objects.all().delete()  # rows of earlier examples (one transaction holds them all)
    InstructorAssignment.objects.all().delete()
    Organization.objects.update(coverage_state="none")
    party_orgs = [make_party_org(cast, name=f"党组织{i}", mode=m, covered=[]) for i, m in enumerate(modes)]
    table, links, active, assigned = dict(KIND_OF_MODE), set(), {0, 1, 2}, set()
    instructor = make_instructor(cast)
    for op in ops:
        apply(cast, op, orgs, party_orgs, instructor, links, active, assigned, table)
    for i, org in enumerate(orgs):
        kinds = [table[modes[p]] for (p, o) in links if o == i and p in active and table[modes[p]]]
        expected = min(kinds, key=ORDER.index) if kinds else ("instructor" if i in assigned else "none")
        assert Organization.objects.get(pk=org.pk).coverage_state == expected, (ops, modes, i)


def apply(cast, op, orgs, party_orgs, instructor, links, active, assigned, table):
    actor, day = cast.city_admin, DAY + datetime.timedelta(days=1)
    if op[0] in ("cover", "uncover") and op[1] in active:
        po = party_orgs[op[1]]
        (links.add if op[0] == "cover" else links.discard)((op[1], op[2]))
        covered = [orgs[o] for (p, o) in sorted(links) if p == op[1]]
        services.update_party_org(actor, po, name=po.name, values={}, covered=covered, on=day)
    elif op[0] == "assign" and op[1] not in assigned:
        services.assign_instructor(actor, instructor, orgs[op[1]], DAY)
        assigned.add(op[1])
    elif op[0] == "end_assignment" and op[1] in assigned:
        assignment = InstructorAssignment.objects.get(
            organization=orgs[op[1]], end_on__isnull=True, instructor=instructor
        )
        services.end_assignment(actor, assignment, DAY)
        assigned.discard(op[1])
    elif op[0] == "deactivate" and op[1] in active:
        services.deactivate_party_org(actor, party_orgs[op[1]], day, "测试撤销")
        active.discard(op[1])
    elif op[0] == "table":
        services.set_link_kind(actor, op[1], op[2])
        table[op[1]] = op[2]


# -- killed mutants (make mutate) ---------------------------------------------------------------------------
def test_changing_a_party_orgs_mode_restates_exactly_the_organizations_it_covers(cast):
    """Only the mode changes (the same organizations stay covered): the state follows the new
    mode for the covered organization, and for no other. The covered organization is the third
    one, so its id differs from the link's id (refreshing by link id would restate 嘉信)."""
    other = make_party_org(cast, name="外滩支部", parent=cast.waitan_node, covered=[cast.waitan_org])
    po = make_party_org(cast, name="天平支部", parent=cast.tianping_node, covered=[cast.xuhui_org])
    link = PartyOrgLink.objects.get(party_org=po)
    assert link.pk != cast.xuhui_org.pk
    Organization.objects.filter(pk=cast.org.pk).update(coverage_state="joint")  # stale on purpose
    services.update_party_org(
        cast.city_admin, po, name=po.name, values={"setup_mode": "attached"}, covered=[cast.xuhui_org], on=DAY
    )
    states = dict(Organization.objects.values_list("pk", "coverage_state"))
    assert states[cast.xuhui_org.pk] == "attached"
    assert states[cast.org.pk] == "joint"  # untouched: not covered by this party organization
    assert states[cast.waitan_org.pk] == "own" and other.setup_mode == "single"


def test_a_mode_missing_from_the_table_gives_no_link(cast):
    """A setup mode without a row in the city's table is no link (like 派驻), never an error."""
    from liangxin.party.coverage import compute
    from liangxin.party.models import SetupModeLinkKind

    make_party_org(cast, name="区域联建党委", mode="regional", covered=[cast.org])
    SetupModeLinkKind.objects.filter(mode="regional").delete()
    assert compute([cast.org.pk]) == {cast.org.pk: "none"}


def test_refresh_all_restates_links_assignments_and_stale_states(cast):
    """The daily job: facts written without a refresh (a link, an assignment) and a state left
    stale are all restated. Ids are chosen so link, assignment and organization ids differ."""
    from liangxin.party.coverage import refresh_all

    po = make_party_org(cast, name="天平支部", parent=cast.tianping_node, covered=[])
    link = PartyOrgLink.objects.create(party_org=po, organization=cast.xuhui_org, start_on=DAY)
    assignment = InstructorAssignment.objects.create(
        instructor=make_instructor(cast), organization=cast.waitan_org, start_on=DAY
    )
    assert link.organization_id != link.pk and assignment.organization_id != assignment.pk
    Organization.objects.update(coverage_state="none")
    Organization.objects.filter(pk=cast.org.pk).update(coverage_state="joint")  # nothing supports it
    from .party_helpers import new_org

    settled = new_org(cast, "已覆盖商店", None, kind="individual")
    make_party_org(cast, name="商店支部", covered=[settled])  # stored "own" already: not a change
    assert refresh_all() == 3
    assert dict(Organization.objects.values_list("pk", "coverage_state")) == {
        cast.xuhui_org.pk: "own", cast.waitan_org.pk: "instructor", cast.org.pk: "none", settled.pk: "own"}  # fmt: skip


def test_only_facts_in_force_count_on_the_day(cast):
    """A link or assignment counts from its start, not from or after its end; a deactivated
    party organization's links and an instructor off duty count for nothing."""
    from liangxin.party.coverage import compute

    day = datetime.date(2025, 6, 30)
    po = make_party_org(cast, name="天平支部", parent=cast.tianping_node, covered=[])
    link = PartyOrgLink.objects.create(
        party_org=po, organization=cast.xuhui_org, start_on=day, end_on=day + datetime.timedelta(days=1)
    )
    assert compute([cast.xuhui_org.pk], day) == {cast.xuhui_org.pk: "own"}
    assert compute([cast.xuhui_org.pk], day - datetime.timedelta(days=1)) == {cast.xuhui_org.pk: "none"}
    assert compute([cast.xuhui_org.pk], link.end_on) == {cast.xuhui_org.pk: "none"}
    po.node.is_active = False
    po.node.save()
    assert compute([cast.xuhui_org.pk], day) == {cast.xuhui_org.pk: "none"}
    instructor = make_instructor(cast)
    InstructorAssignment.objects.create(instructor=instructor, organization=cast.xuhui_org, start_on=day)
    assert compute([cast.xuhui_org.pk], day) == {cast.xuhui_org.pk: "instructor"}
    instructor.is_active = False
    instructor.save()
    assert compute([cast.xuhui_org.pk], day) == {cast.xuhui_org.pk: "none"}
