"""demo.transfers: every state (超期 and 退回 with reasons), external transfers, floating members
with census records (some unconfirmed for over the period), consistent with the rules, fast."""

import io
import random
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.scoping import scope_for
from liangxin.demo.accounts import create_secretary_account
from liangxin.demo.party import build_party_demo
from liangxin.demo.transfers import build_demo
from liangxin.party import policy
from liangxin.party.models import Member
from liangxin.transfers import queries, reminders, rules
from liangxin.transfers.models import Transfer, TransferState

from .conftest import client_for, kept_for_module

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("transfers_demo")]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[dict]:
    with kept_for_module(django_db_blocker):
        call_command("seed_demo", orgs=2000, seed=5, no_party=True, stdout=io.StringIO())
        build_party_demo(random.Random(5), log=lambda _: None)
        create_secretary_account()
        yield build_demo(random.Random(5), lambda _: None)


def test_every_state_and_kind_occurs(built):
    assert built["组织关系转接"] == Transfer.objects.count() >= 40
    pairs = set(Transfer.objects.values_list("kind", "state").annotate(n=Count("pk")).values_list("kind", "state"))
    for kind in ("internal", "out", "in"):
        assert {(kind, "accepted"), (kind, "returned")} <= pairs or kind == "in", pairs
    states = set(Transfer.objects.values_list("state", flat=True))
    assert states == {"initiated", "reviewed", "accepted", "returned"}
    params, today = policy.values(), timezone.localdate()
    overdue = Transfer.objects.filter(queries.overdue_q(params, today))
    assert overdue.exists() and all(rules.is_overdue(t, params, today) for t in overdue)
    assert not Transfer.objects.filter(state="returned", return_reason="").exists()
    assert Transfer.objects.filter(kind="in", member__isnull=True, state__in=["initiated", "reviewed"]).exists()


def test_rows_are_consistent_with_the_rules(built):
    for t in Transfer.objects.prefetch_related("steps"):
        steps = list(t.steps.all())
        assert steps[0].action == "initiate" and steps[0].on == t.issued_on
        assert [s.on for s in steps] == sorted(s.on for s in steps)
        assert t.needs_review == any(s.action == "review" for s in steps) or t.state in ("initiated", "returned")
        if t.state == "accepted":
            assert steps[-1].action == "accept" and t.closed_on == steps[-1].on
            if t.kind == "internal":
                assert t.member.party_org_id == t.to_party_org_id or t.member.transfers.filter(pk__gt=t.pk).exists()
            if t.kind == "out":
                assert not t.member.is_active
        if t.kind == "in":
            assert t.from_party_org_id is None and not t.needs_review
        if t.kind == "out":
            assert t.to_party_org_id is None and t.letter_no
    # at most one open transfer per member (the database constraint held)
    open_members = Transfer.objects.filter(state__in=["initiated", "reviewed"], member__isnull=False)
    assert open_members.values("member").annotate(n=Count("pk")).filter(n__gt=1).count() == 0


def test_members_transferred_out_leave_the_roll_with_their_exit_record(built):
    off = set(Member.objects.filter(is_active=False).values_list("pk", flat=True))
    recorded = Member.objects.filter(exits__state="approved", exits__kind="transfer_out").values_list("pk", flat=True)
    out = Transfer.objects.filter(kind="out", state=TransferState.ACCEPTED)
    assert off and off == set(recorded) == set(out.values_list("member_id", flat=True))


def test_floating_members_have_census_some_late(built):
    params, today = policy.values(), timezone.localdate()
    floating = Member.objects.filter(is_active=True).exclude(floating="").annotate(last_confirmed=queries.last_census())
    assert floating.filter(floating="inflow").exists() and floating.filter(floating="outflow").exists()
    late = floating.filter(queries.unconfirmed_q(params, today))
    assert late.filter(last_confirmed__isnull=False).exists() and late.filter(last_confirmed__isnull=True).exists()
    assert floating.exclude(queries.unconfirmed_q(params, today)).exists()
    assert built["未按期排摸流动党员"] == late.count()


def test_demo_accounts_see_something_on_every_page(built):
    secretary = User.objects.get(username="secretary")
    due = reminders.due_for(secretary, scope_for(secretary), timezone.localdate())
    kinds = {r.kind for r in due}
    assert {"transfer", "floating"} <= kinds
    assert any(r.overdue and r.kind == "transfer" for r in due)
    assert any("被退回" in r.title for r in due)
    client = client_for(secretary)
    for url in ("/transfers/", "/transfers/?overdue=1", "/floating/", "/floating/?unconfirmed=1", "/transfers/due/"):
        page = client.get(url)
        assert page.status_code == 200
        assert "没有符合条件" not in page.content.decode(), url
    due_page = client_for(User.objects.get(username="city_admin")).get("/transfers/due/").content.decode()
    assert "发起组织关系转接" in due_page and "暂无应转接的党员" not in due_page
    member = User.objects.get(username="member")
    mine = reminders.due_for(member, scope_for(member), timezone.localdate())
    assert any("我的组织关系转接" in r.title for r in mine)
    assert client_for(member).get(mine[0].url).status_code == 200


def test_demo_runs_once(built):
    # its speed is measured with the whole demo (seed_demo prints each part's seconds), never asserted here
    assert build_demo(random.Random(5), lambda _: None) == {}
    assert TransferState.ACCEPTED in set(Transfer.objects.values_list("state", flat=True))
