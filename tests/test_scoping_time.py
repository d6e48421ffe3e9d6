"""Scope over time: links, instructor assignments, roles, employment and transfers that ended,
begin in the future or were undone. DOMAIN.md: a secretary sees the organizations their party
organization *covers*, an instructor those *assigned* to them — facts in force today, the same
in-force rule as coverage (``party.coverage.active_on``: started on or before today, not ended
by today). Every case is asked of the scope and of the page, so neither face can drift.
"""

import datetime

import pytest
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.orgs import services as org_services
from liangxin.party import services as party_services
from liangxin.party.models import Instructor, InstructorAssignment, PartyOrgLink
from liangxin.transfers import services as transfer_services

from .conftest import _user, client_for
from .party_helpers import make_member, make_party_org

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def fresh(user) -> User:
    """A new user object: the scope is cached per object, as it is per request."""
    return User.objects.get(pk=user.pk)


def org_ids(user) -> set[int]:
    return set(scope_for(fresh(user)).organizations().values_list("pk", flat=True))


def member_ids(user) -> set[int]:
    return set(scope_for(fresh(user)).members().values_list("pk", flat=True))


def page_status(user, org) -> int:
    return client_for(fresh(user)).get(f"/orgs/{org.pk}/").status_code


# -- links (党组织覆盖) ------------------------------------------------------------------------------
@pytest.fixture
def waitan_branch(party_cast):
    """A branch in 外滩街道 whose secretary sees by coverage only: 嘉信 is neither in its subtree
    nor in a territory of theirs, so only a link in force can show it."""
    c = party_cast
    c.waitan_branch = make_party_org(
        c, name="外滩联合党支部", parent=c.waitan_node, mode="joint", covered=[c.waitan_org]
    )
    c.waitan_secretary = _user("waitan_secretary", "secretary", c.waitan_branch.node)
    return c


def _link(c, start_on, end_on=None) -> PartyOrgLink:
    return PartyOrgLink.objects.create(party_org=c.waitan_branch, organization=c.org, start_on=start_on, end_on=end_on)


def test_secretary_sees_an_organization_while_its_link_is_in_force(waitan_branch):
    c = waitan_branch
    assert c.org.pk not in org_ids(c.waitan_secretary)
    _link(c, today() - 30 * DAY)
    assert c.org.pk in org_ids(c.waitan_secretary)
    assert page_status(c.waitan_secretary, c.org) == 200


def test_secretary_loses_sight_when_the_link_ended(waitan_branch):
    """The issue's mutant: dropping "the link has not ended" left the secretary seeing it."""
    c = waitan_branch
    _link(c, today() - 60 * DAY, end_on=today() - 10 * DAY)
    assert c.org.pk not in org_ids(c.waitan_secretary)
    assert page_status(c.waitan_secretary, c.org) == 404
    # the organization the branch still covers stays in sight
    assert c.waitan_org.pk in org_ids(c.waitan_secretary)


def test_secretary_loses_sight_when_the_link_ends_through_the_service(waitan_branch):
    c = waitan_branch
    party_services.set_links(c.waitan_branch, [c.org, c.waitan_org], today() - 20 * DAY)
    assert c.org.pk in org_ids(c.waitan_secretary)
    party_services.set_links(c.waitan_branch, [c.waitan_org], today() - 5 * DAY)
    assert PartyOrgLink.objects.filter(party_org=c.waitan_branch, organization=c.org).get().end_on == today() - 5 * DAY
    assert c.org.pk not in org_ids(c.waitan_secretary)


def test_a_link_ending_today_is_no_longer_in_force(waitan_branch):
    c = waitan_branch
    _link(c, today() - 60 * DAY, end_on=today())
    assert c.org.pk not in org_ids(c.waitan_secretary)


def test_a_link_ending_tomorrow_is_still_in_force(waitan_branch):
    c = waitan_branch
    _link(c, today() - 60 * DAY, end_on=today() + DAY)
    assert c.org.pk in org_ids(c.waitan_secretary)
    assert page_status(c.waitan_secretary, c.org) == 200


def test_a_link_beginning_in_the_future_is_not_yet_in_force(waitan_branch):
    c = waitan_branch
    _link(c, today() + DAY)
    assert c.org.pk not in org_ids(c.waitan_secretary)
    assert page_status(c.waitan_secretary, c.org) == 404


def test_a_link_beginning_today_is_in_force(waitan_branch):
    c = waitan_branch
    _link(c, today())
    assert c.org.pk in org_ids(c.waitan_secretary)


def test_a_deactivated_branch_loses_its_organizations_and_its_secretary_all_sight(waitan_branch):
    c = waitan_branch
    _link(c, today() - 30 * DAY)
    party_services.deactivate_party_org(c.city_admin, c.waitan_branch, today() - DAY, "企业注销")
    assert org_ids(c.waitan_secretary) == set()
    assert not scope_for(fresh(c.waitan_secretary)).party_orgs().exists()


def test_a_ended_link_of_another_branch_in_the_subtree_does_not_count(waitan_branch):
    """A sub-branch's ended link hides the organization from the secretary above as well."""
    c = waitan_branch
    sub = make_party_org(c, name="外滩联合党支部第一党小组", parent=c.waitan_branch.node, covered=[])
    PartyOrgLink.objects.create(party_org=sub, organization=c.org, start_on=today() - 60 * DAY, end_on=today() - DAY)
    assert c.org.pk not in org_ids(c.waitan_secretary)
    PartyOrgLink.objects.create(party_org=sub, organization=c.org, start_on=today() - DAY)
    assert c.org.pk in org_ids(c.waitan_secretary)


# -- instructor assignments (指导员选派) -------------------------------------------------------------
@pytest.fixture
def instructor(cast):
    """An instructor of 外滩 (their node gives no sight of 嘉信 in 南京东路街道)."""
    cast.instructor_login = _user("li_instructor", "instructor", cast.waitan_node)
    cast.instructor = Instructor.objects.create(name="李指导", node=cast.waitan_node, user=cast.instructor_login)
    return cast


def _assign(c, start_on, end_on=None) -> InstructorAssignment:
    return InstructorAssignment.objects.create(
        instructor=c.instructor, organization=c.org, start_on=start_on, end_on=end_on
    )


@pytest.mark.parametrize(
    ("start", "end", "sees"),
    [
        (-30, None, True),  # in force
        (-60, -10, False),  # ended
        (-60, 0, False),  # ends today
        (-60, 1, True),  # ends tomorrow: still in force
        (1, None, False),  # begins tomorrow
        (0, None, True),  # begins today
    ],
)
def test_instructor_sees_an_organization_while_the_assignment_is_in_force(instructor, start, end, sees):
    c = instructor
    _assign(c, today() + start * DAY, None if end is None else today() + end * DAY)
    assert (c.org.pk in org_ids(c.instructor_login)) is sees
    assert page_status(c.instructor_login, c.org) == (200 if sees else 404)


def test_instructor_assignment_ended_through_the_service(instructor):
    c = instructor
    assignment = party_services.assign_instructor(c.city_admin, c.instructor, c.org, today() - 90 * DAY)
    assert c.org.pk in org_ids(c.instructor_login)
    party_services.end_assignment(c.city_admin, assignment, today() - DAY)
    assert c.org.pk not in org_ids(c.instructor_login)


def test_instructor_sees_only_their_own_assignments(instructor):
    c = instructor
    other = Instructor.objects.create(name="王指导", node=c.waitan_node)
    InstructorAssignment.objects.create(instructor=other, organization=c.org, start_on=today() - 30 * DAY)
    assert c.org.pk not in org_ids(c.instructor_login)


# -- role assignments ------------------------------------------------------------------------------------
def test_a_removed_role_takes_its_sight_with_it(cast):
    """A role that was undone (the assignment deleted) leaves nothing behind."""
    assert org_ids(cast.street_admin) == {cast.org.pk}
    RoleAssignment.objects.filter(user=cast.street_admin).delete()
    assert org_ids(cast.street_admin) == set()
    # with no role left the registry itself is closed to them
    assert page_status(cast.street_admin, cast.org) == 403


def test_a_role_on_a_deactivated_committee_gives_nothing(cast):
    cast.nanjing_node.is_active = False
    cast.nanjing_node.save()
    assert org_ids(cast.street_admin) == set()
    assert not scope_for(fresh(cast.street_admin)).stats_regions().exists()


def test_a_role_moved_to_another_committee_follows_it(cast):
    RoleAssignment.objects.filter(user=cast.street_admin).update(node=cast.waitan_node)
    assert org_ids(cast.street_admin) == {cast.waitan_org.pk}


def test_secretary_of_a_deactivated_branch_sees_no_members(party_cast):
    c = party_cast
    assert member_ids(c.secretary) == {c.member.pk}
    c.member.is_active = False
    c.member.save()
    party_services.deactivate_party_org(c.city_admin, c.branch, today(), "企业注销")
    assert member_ids(c.secretary) == set()
    assert org_ids(c.secretary) == set()


# -- responsibility and place over time --------------------------------------------------------------
def test_an_organization_that_moved_away_leaves_the_old_street(cast):
    """经营地迁出: the old street neither sees nor edits it; the new street does both."""
    org_services.update_organization(
        cast.city_admin, cast.org, {"operating_region": cast.waitan, "registered_region": cast.waitan}
    )
    assert cast.org.pk not in org_ids(cast.street_admin)
    assert cast.org.pk in org_ids(cast.other_street_admin)
    assert scope_for(fresh(cast.other_street_admin)).organizations("change").filter(pk=cast.org.pk).exists()


# -- employment and transfers ---------------------------------------------------------------------------
@pytest.fixture
def two_branches(party_cast):
    c = party_cast
    c.waitan_branch = make_party_org(c, name="外滩餐饮管理有限公司党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.waitan_secretary = _user("waitan_secretary", "secretary", c.waitan_branch.node)
    return c


def test_employment_gives_no_sight_of_a_member_held_elsewhere(two_branches):
    """Members are seen where their membership is held, never by where they work (past or present)."""
    c = two_branches
    worker = make_member(c, c.branch, name="李四", employer=c.waitan_org)
    assert worker.pk not in member_ids(c.waitan_secretary)
    assert worker.pk in member_ids(c.secretary)
    # the employment ends (new employer): still the holding branch's member, still unseen elsewhere
    party_services.save_member(c.city_admin, worker, {"employer": c.org}, None)
    assert worker.pk not in member_ids(c.waitan_secretary)
    assert worker.pk in member_ids(c.secretary)


def _transfer(c):
    return transfer_services.initiate(
        c.street_admin, scope_for(fresh(c.street_admin)), c.member, kind="internal",
        to_party_org=c.waitan_branch, issued_on=today(),
    )  # fmt: skip


def test_a_transfer_in_progress_moves_nothing(two_branches):
    c = two_branches
    t = _transfer(c)
    assert c.member.pk in member_ids(c.secretary)
    assert c.member.pk not in member_ids(c.waitan_secretary)
    # both ends see the transfer itself
    assert scope_for(fresh(c.waitan_secretary)).transfers().filter(pk=t.pk).exists()
    assert scope_for(fresh(c.secretary)).transfers().filter(pk=t.pk).exists()


def test_an_accepted_transfer_moves_the_member_to_the_receiving_secretary(two_branches):
    c = two_branches
    t = _transfer(c)
    transfer_services.accept(c.waitan_secretary, scope_for(fresh(c.waitan_secretary)), t)
    assert c.member.pk not in member_ids(c.secretary)
    assert c.member.pk in member_ids(c.waitan_secretary)
    assert client_for(fresh(c.secretary)).get(f"/members/{c.member.pk}/").status_code == 404


def test_a_returned_transfer_leaves_the_member_where_they_were(two_branches):
    c = two_branches
    t = _transfer(c)
    transfer_services.return_transfer(c.waitan_secretary, scope_for(fresh(c.waitan_secretary)), t, reason="未报到")
    assert c.member.pk in member_ids(c.secretary)
    assert c.member.pk not in member_ids(c.waitan_secretary)
