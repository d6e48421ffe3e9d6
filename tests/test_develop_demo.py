"""The 发展党员 demo: applicants at every stage whose dates obey every rule, members for those admitted,
plans per district, and something due for the demo secretary."""

import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.scoping import scope_for
from liangxin.demo import develop as demo
from liangxin.develop import reminders, rules
from liangxin.develop.models import Applicant, ApplicantStep, Quota, Stage
from liangxin.party import policy
from liangxin.party.validation import age_on

from .conftest import client_for, kept_for_module

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("develop_demo")]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with kept_for_module(django_db_blocker):
        from liangxin.demo.accounts import create_secretary_account
        from liangxin.demo.party import build_party_demo

        call_command("seed_demo", orgs=2000, seed=3, no_party=True, snapshots=0, stdout=io.StringIO())
        rng = random.Random(3)
        build_party_demo(rng, log=lambda s: None)
        create_secretary_account()
        yield demo.build_demo(rng, lambda s: None)


def test_every_stage_occurs_and_the_counts_are_returned(built):
    stages = set(Applicant.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert built[Stage.APPLICANT.label] == Applicant.objects.filter(stage=Stage.APPLICANT).count()
    assert built["发展环节记录"] == ApplicantStep.objects.count()
    assert Applicant.objects.filter(stage=Stage.CANDIDATE, voted_on__isnull=False).exists()
    assert Applicant.objects.filter(stage=Stage.PROBATIONARY, extension_months__gt=0).exists()
    assert Quota.objects.filter(node__kind="district").count() == 16


def test_every_date_obeys_the_rules(built):
    params, today = policy.values(), timezone.localdate()
    low, high = rules.num(params, "cultivation_contacts_min"), rules.num(params, "cultivation_contacts_max")
    applicants = Applicant.objects.prefetch_related("contacts", "introducers", "steps").select_related("member")
    for a in applicants:
        assert age_on(a.birth_date, a.applied_on) >= rules.num(params, "minimum_age")
        dates = [s.on for s in a.steps.all()]
        assert dates == sorted(dates) and max(dates) <= today, a
        if a.talked_on:
            assert rules.talk_late(a.applied_on, a.talked_on, params) is None
        if a.activist_on:
            assert rules.check_contacts(list(a.contacts.all()), a.party_org_id, params) == [] or a.stage in (
                Stage.FULL, Stage.STOPPED)  # fmt: skip
            assert low <= a.contacts.count() <= high
        if a.candidate_on:
            assert rules.check_cultivation(a.activist_on, a.candidate_on, params) is None
        if a.introducers_on:
            assert a.introducers.count() == rules.num(params, "introducers_required")
        if a.approved_on:
            assert rules.check_approval(a.voted_on, a.approved_on, params) == (None, None)
            assert a.probation_end == rules.probation_end(a.voted_on, params, a.extension_months)
            assert a.member.joined_on == a.voted_on and a.member.id_hash == a.id_hash
            assert a.member.category == ("full" if a.stage == Stage.FULL else "probationary")
        for s in a.steps.all():
            if s.kind == "vote":
                names = ["应到会有表决权的正式党员（名）", "实到有表决权的党员（名）", "赞成（票）"]
                entitled, present, favour = (int(s.facts[n]) for n in names)  # jsonb keeps no key order
                assert rules.check_vote(entitled, present, favour, entitled, params).passed
        if a.extension_months:
            assert rules.check_extension(a.extension_months, params) is None
        if a.stage == Stage.FULL:
            assert a.full_on == a.probation_end <= today and a.member.full_on == a.full_on


def test_the_demo_secretary_has_every_situation_and_something_due(built):
    secretary = User.objects.get(username="secretary")
    branch = secretary.assignments.get().node.party_org
    mine = Applicant.objects.filter(party_org=branch)
    assert set(mine.values_list("stage", flat=True)) == set(Stage.values)
    due = reminders.due_for(secretary, scope_for(secretary), timezone.localdate())
    assert due and all(r.url.startswith("/develop/") for r in due)
    page = client_for(secretary).get("/develop/pipeline/").content.decode()
    assert branch.name in page


def test_pages_show_the_demo(built):
    admin = User.objects.get(username="city_admin")
    client = client_for(admin)
    assert "发展党员" in client.get("/develop/").content.decode()
    assert client.get("/develop/pipeline/").status_code == 200
    assert "上海市社会工作党委" in client.get("/develop/quotas/").content.decode()
    a = Applicant.objects.filter(stage=Stage.PROBATIONARY).first()
    assert a.name in client.get(f"/develop/{a.pk}/").content.decode()
