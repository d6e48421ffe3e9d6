"""Boundary rows for every rule's SQL face (and the measures' conditions).

``test_rules.test_both_faces_of_every_rule_agree`` compares the two faces on a world where no
object sits at a threshold, so ``employees >= 50`` turned into ``> 50`` in the SQL face passed.
Here each threshold gets rows just below, exactly at and just above it — numbers taken from the
policy parameters, never written as literals — and both faces must give exactly the rows the
rule's words name.
"""

import datetime

import pytest

from liangxin.accounts.scoping import scope_for
from liangxin.core.dates import add_months
from liangxin.orgs.models import Organization
from liangxin.party import policy, rules
from liangxin.party import services as party_services
from liangxin.party.models import CommitteeSeat, PartyOrgLink
from liangxin.stats import measures

from .party_helpers import make_member, make_party_org, new_org

TODAY = datetime.date(2026, 11, 24)
DAY = datetime.timedelta(days=1)


def faces(cast, code: str, day: datetime.date = TODAY) -> set[int]:
    """The rule's SQL face and its check face over the whole city; they must agree."""
    rule = rules.RULES[code]
    params, scope = policy.values(), scope_for(cast.city_admin)
    by_sql = set(rules.candidates(rule, scope, params, day).values_list("pk", flat=True))
    anything = rules.Rule(code, "", "", rule.target, lambda p, d: rules.Q(), None)
    everything = rules.candidates(anything, scope, params, day)
    by_check = {obj.pk for obj in everything if rule.check(obj, params, day) is not None}
    assert by_sql == by_check, code
    return by_sql


def limit(key: str) -> int:
    return int(policy.values()[key])


def orgs_around(cast, key: str, prefix: str) -> dict[int, Organization]:
    """Three non-public enterprises with employees one below, at and one above the parameter."""
    n = limit(key)
    return {e: new_org(cast, f"{prefix}{e}人有限公司", None, kind="individual", employees=e) for e in (n - 1, n, n + 1)}


def test_no_fixture_organization_interferes(cast):
    """The cast's own organizations (120 employees) are far from every threshold we test below."""
    for key in ("should_have_members_employees", "should_have_party_org_employees"):
        assert all(abs(o.employees - limit(key)) > 1 for o in Organization.objects.all())


# -- organizations -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "key"),
    [("org_members", "should_have_members_employees"), ("org_party_org", "should_have_party_org_employees")],
)
def test_employee_thresholds_include_the_limit(cast, code, key):
    rows = orgs_around(cast, key, "边界")
    n = limit(key)
    found = faces(cast, code) & {o.pk for o in rows.values()}
    assert found == {rows[n].pk, rows[n + 1].pk}


def test_hundred_rule_is_met_by_own_or_joint_only(cast):
    rows = orgs_around(cast, "should_have_party_org_employees", "覆盖")
    n = limit("should_have_party_org_employees")
    make_party_org(cast, name="联合支部", mode="joint", org_type="joint_branch", covered=[rows[n]])
    make_party_org(cast, name="挂靠支部", mode="attached", covered=[rows[n + 1]])
    found = faces(cast, "org_party_org") & {o.pk for o in rows.values()}
    assert found == {rows[n + 1].pk}


def test_members_rule_counts_only_active_members(cast):
    rows = orgs_around(cast, "should_have_members_employees", "党员")
    n = limit("should_have_members_employees")
    branch = make_party_org(cast, name="党员支部", covered=[])
    make_member(cast, branch, name="预备甲", employer=rows[n], category="probationary")
    gone = make_member(cast, branch, name="不在册", employer=rows[n + 1])
    gone.is_active = False
    gone.save()
    found = faces(cast, "org_members") & {o.pk for o in rows.values()}
    assert found == {rows[n + 1].pk}


def test_own_branch_counts_full_members_at_the_limit(cast):
    n = limit("own_branch_full_members")
    orgs = {k: new_org(cast, f"正式党员{k}名有限公司", None, kind="individual") for k in (n - 1, n, n + 1)}
    joint = make_party_org(cast, name="联合党支部", mode="joint", org_type="joint_branch", covered=list(orgs.values()))
    for k, org in orgs.items():
        for i in range(k):
            make_member(cast, joint, name=f"正式{k}-{i}", employer=org)
        # probationary members never count towards the limit
        make_member(cast, joint, name=f"预备{k}", employer=org, category="probationary")
    assert faces(cast, "org_own_branch") & {o.pk for o in orgs.values()} == {orgs[n].pk, orgs[n + 1].pk}
    # with its own branch the condition is met
    make_party_org(cast, name="单独党支部", covered=[orgs[n + 1]])
    assert faces(cast, "org_own_branch") & {o.pk for o in orgs.values()} == {orgs[n].pk}


def test_no_responsible_node_only_when_nothing_places_it(cast):
    assert faces(cast, "org_no_node") == set()


# -- party organizations --------------------------------------------------------------------------
@pytest.fixture
def small_limits(cast):
    """Member-count parameters set low so boundary branches stay small; the rules read them."""
    for key in ("branch_max_members", "committee_min_members", "branch_committee_full_members"):
        party_services.set_parameter(cast.city_admin, key, 3)
    return cast


def _branch_with(cast, full: int, probationary: int = 1, **values):
    po = make_party_org(cast, name=f"党支部{full}-{probationary}-{values.get('org_type', '')}", covered=[], **values)
    for i in range(full):
        make_member(cast, po, name=f"正式{i}")
    for i in range(probationary):
        make_member(cast, po, name=f"预备{i}", category="probationary")
    return po


def test_party_org_member_thresholds(small_limits):
    c = small_limits
    max_members, committee_from = limit("branch_max_members"), limit("committee_min_members")
    full_from = limit("branch_committee_full_members")
    # one probationary each: n_members = full + 1, so full and all-member counts differ
    branches = {k: _branch_with(c, k) for k in range(max(max_members, committee_from, full_from) - 2, full_from + 2)}
    members = {k: k + 1 for k in branches}
    ids = {po.pk for po in branches.values()}
    assert faces(c, "po_general_branch") & ids == {branches[k].pk for k in branches if members[k] > max_members}
    assert faces(c, "po_committee_possible") & ids == {branches[k].pk for k in branches if members[k] >= committee_from}
    assert faces(c, "po_needs_committee") & ids == {branches[k].pk for k in branches if k >= full_from}
    # the boundary is really exercised on both sides
    assert {members[k] for k in branches} >= {max_members, max_members + 1, committee_from - 1, committee_from}
    assert {k for k in branches} >= {full_from - 1, full_from}


def test_a_committee_seat_or_a_committee_type_ends_the_findings(small_limits):
    c = small_limits
    full_from, committee_from = limit("branch_committee_full_members"), limit("committee_min_members")
    seated = _branch_with(c, full_from)
    CommitteeSeat.objects.create(party_org=seated, member=seated.members.first(), position="secretary")
    committee = _branch_with(c, max(full_from, committee_from) + 1, org_type="committee")
    assert seated.pk not in faces(c, "po_needs_committee")
    assert committee.pk not in faces(c, "po_committee_possible")
    # a committee (基层党委) is not a branch: the general-branch rule does not apply to it
    assert committee.pk not in faces(c, "po_general_branch")


def test_joint_limit_counts_links_in_force(cast):
    n = limit("joint_branch_max_orgs")
    orgs = [new_org(cast, f"联建{i}有限公司", None, kind="individual") for i in range(2 * n + 3)]
    at = make_party_org(cast, name="恰好上限", mode="joint", org_type="joint_branch", covered=orgs[:n])
    over = make_party_org(cast, name="超过上限", mode="joint", org_type="joint_branch", covered=orgs[n : 2 * n + 1])
    # an ended link does not count
    PartyOrgLink.objects.create(party_org=at, organization=orgs[-1], start_on=TODAY - 60 * DAY, end_on=TODAY - DAY)
    single = make_party_org(cast, name="单独支部超上限", covered=orgs[: n + 1])
    found = faces(cast, "po_joint_limit")
    assert found == {over.pk}
    assert single.pk not in found


def test_term_reminder_window_edges_on_both_faces(cast):
    first = limit("term_remind_months_first")
    edge = add_months(TODAY, first)
    rows = {d: make_party_org(cast, name=f"换届{d}", term_end=edge + d * DAY) for d in (-1, 0, 1)}
    overdue = make_party_org(cast, name="已届满", term_end=TODAY - DAY)
    found = faces(cast, "po_term")
    assert found == {rows[-1].pk, rows[0].pk, overdue.pk}


# -- members -------------------------------------------------------------------------------------------
def test_transfer_reminder_at_exactly_the_months(party_cast):
    c = party_cast
    months = limit("transfer_after_months")
    edge = add_months(TODAY, -months)
    rows = {
        d: make_member(c, c.branch, name=f"在外{d}", employer=c.waitan_org, employed_since=edge + d * DAY)
        for d in (-1, 0, 1)
    }
    # employed where the membership is held: no reminder whatever the date
    home = make_member(c, c.branch, name="在本单位", employer=c.org, employed_since=edge - DAY)
    found = faces(c, "member_transfer")
    assert found == {rows[-1].pk, rows[0].pk}
    assert home.pk not in found


def test_floating_without_inflow_party_org(party_cast):
    c = party_cast
    out = make_member(c, c.branch, name="流出", floating="outflow", floating_card_no="LD9")
    placed = make_member(
        c, c.branch, name="已落实", floating="outflow", floating_card_no="LD8", inflow_party_org=c.branch
    )
    found = faces(c, "member_floating")
    assert out.pk in found and placed.pk not in found


# -- the measures behind every coverage figure ------------------------------------------------------
def test_measures_count_exactly_at_each_threshold(cast):
    party_services.set_parameter(cast.city_admin, "statistical_min_employees", 10)
    params = policy.values()
    t = measures.Thresholds.of(params)
    Organization.objects.all().delete()
    sizes = sorted({n + d for n in (t.basis, t.members_from, t.party_org_from) for d in (-1, 0, 1)})
    orgs = [new_org(cast, f"规模{e}人有限公司", None, kind="individual", employees=e) for e in sizes]
    social = new_org(cast, "规模社团", None, kind="association", employees=t.party_org_from, industry="S")
    got = Organization.objects.aggregate(**measures.aggregates(t))
    counted = [o for o in orgs if o.employees >= t.basis]
    assert got["counted"] == len(counted) + (social.employees >= t.basis)
    assert got["below_basis"] == len([o for o in orgs if o.employees < t.basis])
    assert got["econ_50"] == len([o for o in counted if o.employees >= t.members_from])
    assert got["econ_100"] == len([o for o in counted if o.employees >= t.party_org_from])
    # nobody has members or a party organization: every one of them is a blank spot of its kind
    assert got["blank_50"] == got["econ_50"] + 1 and got["blank_100"] == got["econ_100"] + 1
    assert got["econ_50_member"] == got["econ_100_org"] == 0
