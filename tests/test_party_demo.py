"""build_party_demo: party data shaped like the seeds, stored the way the services store it,
with coverage and responsible nodes equal to what the rules derive."""

import datetime
import io
import random
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from liangxin.accounts.models import User
from liangxin.accounts.scoping import scope_for
from liangxin.core import crypto
from liangxin.core.dates import add_months
from liangxin.demo.party import build_party_demo
from liangxin.mgmt.models import COMMITTEE_KINDS
from liangxin.orgs.choices import CoverageState, OrgStatus
from liangxin.orgs.models import Organization
from liangxin.orgs.responsibility import responsible_node_for, street_committee_lookup
from liangxin.party import coverage, policy, rules
from liangxin.party.choices import MemberCategory, PartyOrgType, SetupMode
from liangxin.party.models import CommitteeSeat, Instructor, InstructorAssignment, Member, PartyOrganization
from liangxin.party.queries import covering_party_nodes
from liangxin.party.validation import age_on, derived_from_id
from liangxin.regions import shanghai

from .conftest import kept_for_module

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("party_demo")]
DISTRICT_CODES = {code for code, _, _ in shanghai.DISTRICTS}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[dict]:
    with kept_for_module(django_db_blocker):
        call_command("seed_demo", orgs=2000, seed=3, no_party=True, stdout=io.StringIO())
        messages: list[str] = []
        counts = build_party_demo(random.Random(3), log=messages.append)
        assert messages, "progress is logged"
        yield counts


def operating():
    return Organization.objects.filter(status=OrgStatus.OPERATING)


def test_every_type_and_mode_occurs(built):
    party_orgs = PartyOrganization.objects.all()
    assert set(party_orgs.values_list("org_type", flat=True)) == set(PartyOrgType.values)
    assert set(party_orgs.values_list("setup_mode", flat=True)) == set(SetupMode.values) - {SetupMode.DISPATCHED}
    assert built["party_orgs"] == party_orgs.count()
    assert built["members"] == Member.objects.count()
    assert built["committee_seats"] == CommitteeSeat.objects.count() > 0
    assert built["instructors"] == Instructor.objects.count() > 0
    assert built["assignments"] == InstructorAssignment.objects.count() > 0


def test_identity_numbers_are_valid_unique_and_stored_like_save_member(built):
    numbers = set()
    for member in Member.objects.all():
        number = crypto.decrypt(member.id_number_enc)
        assert ric.is_valid(number), number
        assert number[:6] in DISTRICT_CODES
        assert member.id_hash == crypto.lookup_hash(number)
        assert member.id_masked == crypto.mask_id_number(number)
        assert {"birth_date": member.birth_date, "sex": member.sex} == derived_from_id(number)
        assert datetime.date(1950, 1, 1) <= member.birth_date <= datetime.date(2003, 12, 31)
        assert age_on(member.birth_date, member.joined_on) >= 18
        numbers.add(number)
    assert len(numbers) == Member.objects.count()


def test_members_dates_and_shares(built):
    today = datetime.date.today()
    members = list(Member.objects.select_related("employer"))
    probationary = [m for m in members if m.category == MemberCategory.PROBATIONARY]
    assert 0 < len(probationary) < 0.12 * len(members)
    assert all(m.full_on is None and m.joined_on > today - datetime.timedelta(days=366) for m in probationary)
    full = [m for m in members if m.category == MemberCategory.FULL]
    assert all(m.joined_on < m.full_on <= today for m in full)
    assert all(m.employer.founded_on <= m.employed_since < today for m in members if m.employer)
    retired = [m for m in members if m.employer is None]  # past retirement age, the membership kept
    assert retired and all(m.employed_since is None and age_on(m.birth_date, today) >= 60 for m in retired)
    assert any(m.floating == "outflow" and m.floating_card_no for m in members)
    assert sum(m.dues_base is not None for m in members) > 0.8 * len(members)


def test_members_are_about_one_percent_of_employees(built):
    employees = sum(operating().values_list("employees", flat=True))
    assert 0.7 * employees / 100 <= Member.objects.count() <= 1.3 * employees / 100


def test_stored_coverage_equals_the_rule(built):
    stored = dict(Organization.objects.values_list("pk", "coverage_state"))
    ids = sorted(stored)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        assert coverage.compute(chunk) == {pk: stored[pk] for pk in chunk}


def test_responsible_nodes_follow_the_rule(built):
    covered = list(
        operating()
        .filter(coverage_state__in=[CoverageState.OWN, CoverageState.JOINT])
        .select_related("operating_region", "registered_region", "attachment_node", "responsible_node")
    )
    lookup = street_committee_lookup()
    for org in random.Random(5).sample(covered, min(200, len(covered))):
        expected = responsible_node_for(org, lookup, covering_nodes=covering_party_nodes(org.pk))
        assert (org.responsible_node, org.responsible_basis) == expected, org.name


def test_coverage_looks_like_the_seeds(built):
    large = operating().filter(employees__gte=100)
    if large.count() >= 10:
        share = large.filter(coverage_state__in=[CoverageState.OWN, CoverageState.JOINT]).count() / large.count()
        assert 0.9 <= share <= 1.0
    states = set(operating().values_list("coverage_state", flat=True))
    assert {CoverageState.INSTRUCTOR, CoverageState.ATTACHED, CoverageState.NONE} <= states
    medium = operating().filter(employees__gte=50)
    with_members = medium.filter(employed_members__isnull=False).distinct().count()
    assert with_members >= 0.8 * medium.count()


def test_party_orgs_are_real_nodes_with_terms_and_officers(built):
    today = datetime.date.today()
    years = policy.values()
    for party_org in PartyOrganization.objects.select_related("node__parent", "secretary"):
        node = party_org.node
        assert node.kind == "grassroots" and node.parent.kind in COMMITTEE_KINDS
        assert node.path == f"{node.parent.path}{node.pk}/"
        key = {"committee": "term_years_committee", "general_branch": "term_years_general_branch"}
        term = int(years[key.get(party_org.org_type, "term_years_branch")])
        assert add_months(today, -60) <= party_org.term_start <= today
        assert party_org.term_end == add_months(party_org.term_start, 12 * term)
        assert party_org.founded_on <= party_org.term_start
        if party_org.secretary:
            assert party_org.secretary.party_org_id == party_org.pk
            assert party_org.secretary.category == MemberCategory.FULL
        assert all(link.start_on <= today and link.end_on is None for link in party_org.links.all())
    with_members = PartyOrganization.objects.filter(members__isnull=False).distinct()
    assert with_members.filter(secretary__isnull=False).count() >= 0.9 * with_members.count()


def test_findings_show_for_the_demo_rules(built):
    scope = scope_for(User.objects.get(username="city_admin"))
    params, today = policy.values(), datetime.date.today()
    for code in ("po_joint_limit", "po_term", "member_transfer", "member_floating"):
        assert rules.candidates(rules.RULES[code], scope, params, today).exists(), code
