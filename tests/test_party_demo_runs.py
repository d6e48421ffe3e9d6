"""The party demo as a whole command: an exact member total, a second run refused, and the demo
logins coherent with the records. Each test seeds its own city (test_party_demo shares one)."""

import io
import random

import pytest
from django.core.management import call_command

from liangxin.accounts.models import User
from liangxin.demo.party import build_party_demo
from liangxin.party.models import CommitteeSeat, Member

pytestmark = pytest.mark.django_db


def test_members_total_is_exact_when_given_and_a_second_run_is_refused():
    call_command("seed_demo", orgs=500, seed=4, no_party=True, stdout=io.StringIO())
    counts = build_party_demo(random.Random(4), members=120, log=lambda _: None)
    assert counts["members"] == Member.objects.count() == 120
    with pytest.raises(RuntimeError):
        build_party_demo(random.Random(4), log=lambda _: None)


def test_demo_cast_is_coherent():
    """The demo logins are the people the records name (issue 11 §5): the ``secretary`` login is
    the branch's recorded 书记, the ``member`` login another member; nobody retired is employed."""
    call_command("seed_demo", orgs=3000, seed=2026, snapshots=0, stdout=io.StringIO())
    assert_cast_is_coherent()


def assert_cast_is_coherent() -> None:
    """The checks of test_demo_cast_is_coherent, on whatever demo the database holds."""
    from liangxin.dues.models import DuesCategory, DuesProfile

    secretary = User.objects.get(username="secretary")
    branch = secretary.assignments.get().node.party_org
    assert branch.secretary is not None
    assert branch.secretary.user == secretary and secretary.full_name == branch.secretary.name
    member = Member.objects.get(user__username="member")
    assert member.party_org == branch and member != branch.secretary
    assert member.user.full_name == member.name
    assert not CommitteeSeat.objects.filter(member=member, position="书记").exists()
    retired = DuesProfile.objects.filter(category=DuesCategory.RETIRED)
    assert retired.exists()  # the pension rule still has members to show it
    assert not retired.filter(member__employer__isnull=False).exists()
    assert not Member.objects.filter(employer__isnull=True, employed_since__isnull=False).exists()
