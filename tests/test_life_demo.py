"""demo.life: organization life for seed_demo's party organizations that passes the rules the
services enforce, with a realistic spread of compliance, notices for the demo member, and files."""

import io
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from liangxin.demo.accounts import create_secretary_account
from liangxin.demo.life import build_demo, delete_demo
from liangxin.demo.party import build_party_demo
from liangxin.inbox.models import Notice
from liangxin.life import attachments, compliance
from liangxin.life.models import Attachment, Attendance, Meeting
from liangxin.party.models import PartyOrganization

pytestmark = pytest.mark.django_db


@pytest.fixture
def built() -> dict:
    call_command("seed_demo", orgs=2000, seed=5, no_party=True, snapshots=0, stdout=io.StringIO())
    build_party_demo(random.Random(5), log=lambda _: None)
    create_secretary_account()
    messages: list[str] = []
    counts = build_demo(random.Random(5), messages.append)
    assert messages and "次会议" in messages[0]
    return counts


def test_the_demo_passes_the_rules_spreads_compliance_and_serves_the_demo_accounts(built):
    """One world for three checks (building it is the slow part)."""
    meetings_pass_the_rules(built)
    most_comply_some_miss_months_a_few_hold_nothing()
    the_demo_secretary_and_member_have_something_to_see()


def meetings_pass_the_rules(built):
    today = timezone.localdate()
    assert built["组织生活会议"] == Meeting.objects.count() > 0
    assert built["参会记录"] == Attendance.objects.count() > 0
    assert not Meeting.objects.filter(status="held", date__gt=today).exists()
    assert not Meeting.objects.filter(status="planned", date__lt=today).exists()
    assert not Meeting.objects.filter(party_org__founded_on__gt=F("date")).exists()
    # attendees are members of the meeting's party organization; leave has a reason
    assert not Attendance.objects.exclude(member__party_org=F("meeting__party_org")).exists()
    assert not Attendance.objects.filter(status="excused", reason="").exists()
    assert not Attendance.objects.exclude(meeting__status="held").exists()
    held = Meeting.objects.filter(status="held")
    assert held.filter(attendance__status="present").distinct().count() == held.exclude(attendance=None).count()
    assert set(Meeting.objects.values_list("kind", flat=True)) >= {"general", "lecture", "theme_day", "review"}
    assert Meeting.objects.filter(status="planned").count() == built["计划召开的会议"] > 0


def most_comply_some_miss_months_a_few_hold_nothing():
    today = timezone.localdate()
    year = today.year - 1  # the demo covers last year whole
    items = compliance.assessments(PartyOrganization.objects.all(), year, "", today)
    states = Counter(a.state for a in items)
    assessed = states["compliant"] + states["missing"]
    assert 0.3 < states["compliant"] / assessed < 0.9, states
    with_meetings = set(Meeting.objects.filter(date__year=year).values_list("party_org_id", flat=True))
    silent = [a for a in items if a.facts.id not in with_meetings and a.due]
    assert 0 < len(silent) < 0.2 * len(items)
    missed = sorted(len(a.missing) / a.due for a in items if a.due)
    assert missed[len(missed) // 2] < 0.1  # the median party organization misses little


def the_demo_secretary_and_member_have_something_to_see():
    from liangxin.accounts.models import User

    secretary = User.objects.get(username="secretary")
    branch = PartyOrganization.objects.get(node=secretary.assignments.get().node)
    today = timezone.localdate()
    assert Meeting.objects.filter(party_org=branch, status="planned", date__gt=today).count() == 2
    member = User.objects.filter(username="member").first()
    if member is not None:
        assert Notice.objects.filter(recipient=member, kind="meeting").count() == 2
    files = Attachment.objects.filter(meeting__party_org=branch)
    assert sorted(files.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    for found in files:
        from liangxin.core import files as stored_files  # stored encrypted: read through the seam

        data = stored_files.open_read(attachments.path_of(found.stored_name)).read()
        assert attachments.check(found.name, len(data), data[:16]).content_type == found.content_type
    last_year = compliance.assessments(PartyOrganization.objects.filter(pk=branch.pk), today.year - 1, "", today)
    assert last_year[0].state in ("compliant", "pending")  # the demo secretary's branch keeps its records


def test_it_runs_once_and_is_removed_with_its_files(built):
    assert build_demo(random.Random(5), lambda _: None) == {}
    paths = [attachments.path_of(n) for n in Attachment.objects.values_list("stored_name", flat=True)]
    delete_demo()
    assert not Meeting.objects.exists() and not Attendance.objects.exists() and not Attachment.objects.exists()
    assert paths and not any(p.exists() for p in paths)
