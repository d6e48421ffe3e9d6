"""The scope seam (accounts/scoping/): every permission decision is a Scope method, and the seam
sits above the domain apps — they never import it (a domain service that must know who acts
receives the Scope from its page, endpoint, task or command)."""

import ast
import datetime
import pathlib
from types import SimpleNamespace

import pytest
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.scoping import Scope, scope_for
from liangxin.develop.models import StepKind
from liangxin.life.models import Meeting
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.party.models import Member
from liangxin.transfers import services as transfer_services
from liangxin.web.views.transfers import find_party_org, party_org_search

from .conftest import _user
from .party_helpers import make_party_org

ROOT = pathlib.Path(__file__).resolve().parent.parent / "liangxin"
SEAM = "liangxin.accounts.scoping"
FACES = {"accounts", "web", "api", "demo"}  # the seam's own app, the two faces, and the demo (an entry point too)


def fresh(user) -> Scope:
    """The scope as a new request would build it (scope_for caches on the user object)."""
    return scope_for(User.objects.get(pk=user.pk))


@pytest.fixture
def world(party_cast):
    c = party_cast
    c.waitan_branch = make_party_org(c, name="外滩餐饮管理有限公司党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.waitan_secretary = _user("waitan_secretary", "secretary", c.waitan_branch.node)
    c.tianping_branch = make_party_org(c, name="天平软件有限公司党支部", parent=c.tianping_node, covered=[c.xuhui_org])
    return c


def _transfer(c):
    """An internal transfer started by the sending secretary: it waits for their committee's review."""
    return transfer_services.initiate(
        c.secretary, scope_for(c.secretary), c.member, kind="internal",
        to_party_org=c.waitan_branch, issued_on=timezone.localdate(),
    )  # fmt: skip


# -- transfers ----------------------------------------------------------------------------------------
def test_the_sending_committee_reviews_a_transfer_and_no_one_else(world):
    c = world
    t = _transfer(c)
    assert t.needs_review
    for reviewer in (c.street_admin, c.district_admin, c.city_admin):
        scope = fresh(reviewer)
        assert scope.is_transfer_reviewer(t)
        assert scope.transfer_actions(t) == {"review", "return"}
    for other in (c.secretary, c.waitan_secretary, c.other_street_admin, c.auditor, c.xuhui_admin):
        scope = fresh(other)
        assert not scope.is_transfer_reviewer(t)
        assert scope.transfer_actions(t) == set()
    # the receiving end may accept, but only once the review is done
    assert fresh(c.waitan_secretary).may_accept_transfer(t)
    assert not fresh(c.secretary).may_accept_transfer(t)
    assert fresh(c.secretary).is_transfer_sender(t) and not fresh(c.secretary).is_transfer_receiver(t)


def test_a_transfer_is_seen_by_both_ends_only(world):
    c = world
    t = _transfer(c)
    for user in (c.secretary, c.waitan_secretary, c.street_admin, c.other_street_admin, c.auditor):
        assert fresh(user).transfers().filter(pk=t.pk).exists()
        assert fresh(user).can_read_transfers
    assert not fresh(c.xuhui_admin).transfers().filter(pk=t.pk).exists()
    assert not fresh(c.nobody).can_read_transfers


def test_transfer_targets_are_platform_wide_but_the_party_orgs_in_scope_are_not(world):
    c = world
    scope = fresh(c.secretary)
    assert not scope.party_orgs("view").filter(pk=c.tianping_branch.pk).exists()
    assert scope.transfer_targets().filter(pk=c.tianping_branch.pk).exists()
    found, missing = find_party_org(scope, c.tianping_branch.pk)
    assert (found, missing) == (c.tianping_branch, None)
    assert find_party_org(scope, 999_999) == (None, "转入党组织不存在（编号 999999）")
    assert c.tianping_branch in party_org_search(scope, "天平软件")
    ManagementNode.objects.filter(pk=c.tianping_branch.node_id).update(is_active=False)
    assert party_org_search(scope, "天平软件") == []  # the picker offers active ones only


# -- dues -------------------------------------------------------------------------------------------
def test_dues_home_is_the_highest_node_a_user_reads(world):
    c = world
    assert fresh(c.secretary).dues_home() == c.branch.node
    assert fresh(c.street_admin).dues_home() == c.nanjing_node
    assert fresh(c.auditor).dues_home() == c.huangpu_node
    assert fresh(c.city_admin).dues_home() == c.city_node
    assert fresh(c.nobody).dues_home() is None


def test_a_member_reads_their_own_dues_and_changes_nothing(world):
    c = world
    wang = _user("wanghong", "member", c.branch.node)
    Member.objects.filter(pk=c.member.pk).update(user=wang)
    scope = fresh(wang)
    assert list(scope.dues_members("view")) == [c.member]
    assert not scope.dues_members("change").exists()
    assert set(fresh(c.secretary).dues_members("change")) == {c.member}
    assert not fresh(c.nobody).dues_members("view").exists()


# -- a secretary's own party organizations -----------------------------------------------------------
def test_own_party_orgs_are_the_secretarys_active_ones(world):
    c = world
    _user_grant = c.secretary.assignments.create(role="secretary", node=c.waitan_branch.node)
    assert _user_grant.pk
    assert list(fresh(c.secretary).own_party_orgs()) == sorted([c.branch, c.waitan_branch], key=lambda p: p.node.path)
    # a grant that ended: the node was closed (a scope built before sees it gone as well)
    before = fresh(c.secretary)
    ManagementNode.objects.filter(pk=c.waitan_branch.node_id).update(is_active=False)
    assert list(before.own_party_orgs()) == [c.branch]
    assert list(fresh(c.secretary).own_party_orgs()) == [c.branch]
    # a grant ahead of its party organization: the node exists, the party organization not yet
    future = ManagementNode.objects.create(name="筹建中党支部", kind=NodeKind.GRASSROOTS, parent=c.nanjing_node)
    c.secretary.assignments.create(role="secretary", node=future)
    assert list(fresh(c.secretary).own_party_orgs()) == [c.branch]
    # not the ones below a committee, and nothing for an admin
    assert not fresh(c.street_admin).own_party_orgs().exists()
    assert not fresh(c.street_admin).is_secretary and fresh(c.secretary).is_secretary


# -- life, develop, exits -----------------------------------------------------------------------------------
def test_meetings_are_read_with_their_party_org_and_changed_by_those_who_act_for_it(world):
    c = world
    meeting = Meeting.objects.create(party_org=c.branch, kind="general", date=datetime.date(2025, 3, 1), topic="学习")
    for reader in (c.secretary, c.street_admin, c.auditor):
        assert fresh(reader).meetings().filter(pk=meeting.pk).exists()
    assert not fresh(c.waitan_secretary).meetings().filter(pk=meeting.pk).exists()
    assert fresh(c.secretary).acts_for(c.branch) and fresh(c.street_admin).acts_for(c.branch)
    assert not fresh(c.auditor).acts_for(c.branch)
    assert not fresh(c.waitan_secretary).acts_for(c.branch)
    assert not fresh(c.secretary).acts_for(None)


def test_the_rollup_opens_on_the_readers_first_node(world):
    c = world
    assert fresh(c.city_admin).rollup_home() == c.city_node
    assert fresh(c.street_admin).rollup_home() == c.nanjing_node
    assert fresh(c.secretary).rollup_home() is None


def test_the_upper_committee_records_prereview_and_approval(world):
    c = world
    applicant = SimpleNamespace(party_org=c.branch)
    for kind in (StepKind.PREREVIEW, StepKind.APPROVAL):
        assert fresh(c.street_admin).may_record_step(applicant, kind)
        assert not fresh(c.secretary).may_record_step(applicant, kind)
        assert not fresh(c.other_street_admin).may_record_step(applicant, kind)
    assert fresh(c.secretary).may_record_step(applicant, StepKind.TALK)


def test_the_deciding_committee_is_the_deepest_holding_the_branch(world):
    c = world
    path = c.branch.node.path
    assert fresh(c.street_admin).deciding_committee_id(path) == c.nanjing_node.pk
    assert fresh(c.district_admin).deciding_committee_id(path) == c.huangpu_node.pk
    assert fresh(c.other_street_admin).deciding_committee_id(path) is None
    c.district_admin.assignments.create(role="street_admin", node=c.nanjing_node)
    assert fresh(c.district_admin).deciding_committee_id(path) == c.nanjing_node.pk


def test_carrier_territory_is_the_city_or_the_editors_streets(cast):
    assert fresh(cast.city_admin).carrier_territory() is None
    assert fresh(cast.street_admin).carrier_territory() == [cast.nanjing.path]
    assert fresh(cast.auditor).carrier_territory() == []


# -- the seam above the domain ---------------------------------------------------------------------------
def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _is_entry_point(path: pathlib.Path) -> bool:
    """A task or a management command builds the scope of the user it runs for, like a page."""
    return path.name == "tasks.py" or "commands" in path.parts


def test_no_domain_module_imports_the_seam():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        app = path.relative_to(ROOT).parts[0]
        if app in FACES or not (ROOT / app).is_dir() or _is_entry_point(path):
            continue
        if any(name == SEAM or name.startswith(SEAM + ".") for name in _imports(ast.parse(path.read_text()))):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_seam_imports_at_module_level_only():
    inline = []
    for path in sorted((ROOT / "accounts" / "scoping").glob("*.py")):
        tree = ast.parse(path.read_text())
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top:
                inline.append(f"{path.name}:{node.lineno}")
    assert inline == []
