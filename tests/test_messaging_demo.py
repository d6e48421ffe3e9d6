"""demo.messaging: the demo's messages carry their 到达事实 in step with the history the demo sets
on the deliveries (sent days ago, read, replied), so the 到达率 of the demo city has figures."""

import io

import pytest
from django.core.management import call_command

from liangxin.messaging.choices import ChannelKind
from liangxin.messaging.facts import RECEIVED
from liangxin.messaging.models import Delivery, ReachFact

pytestmark = pytest.mark.django_db


def test_the_demo_messages_facts_follow_their_history():
    call_command("seed_demo", orgs=2000, seed=5, snapshots=0, stdout=io.StringIO())
    assert Delivery.objects.exists()
    columns = ("delivery_id", "organization_id", "channel", "received_at", "read_at")
    written = sorted(ReachFact.objects.values_list(*columns))
    assert any(r[3] is not None for r in written) and any(r[4] is not None for r in written)
    for fact in ReachFact.objects.select_related("delivery"):
        received = fact.delivery.state in RECEIVED
        assert fact.received_at == (fact.delivery.sent_at if received else None)
        assert fact.read_at == (fact.delivery.read_at if received and fact.channel != ChannelKind.SMS else None)
    # the same facts as a backfill over the finished rows would write
    ReachFact.objects.all().delete()
    call_command("refresh_reach_facts", stdout=io.StringIO())
    assert sorted(ReachFact.objects.values_list(*columns)) == written
