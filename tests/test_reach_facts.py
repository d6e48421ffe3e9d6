"""到达事实 written by the real services — fan-out, sending, reading, replying, recall, 通知下达 —
and the figures read from them: each test fails when a stored fact is wrong or stale."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.circulars import services as circulars
from liangxin.circulars.models import CircularReceipt
from liangxin.messaging import compose, facts, rates, reach, services
from liangxin.messaging.channels import Outcome
from liangxin.messaging.choices import ChannelKind, DeliveryState
from liangxin.messaging.models import Delivery, DeliveryTally, ReachFact
from liangxin.messaging.services import Recipient
from liangxin.party.models import Member
from liangxin.stats import engine

from .party_helpers import make_member, make_party_org
from .test_reach import counts_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = reach.Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
APRIL = reach.Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))


@pytest.fixture(autouse=True, params=["walk deliveries", "per organization"])
def form(request, monkeypatch):
    """Both forms of the condition, as in test_reach."""
    monkeypatch.setattr(reach, "_per_organization", lambda counted: request.param == "per organization")
    return request.param


class Recorded:
    """E-mail and SMS recorded as sent (nothing leaves the test)."""

    atomic = True

    def send(self, delivery):
        return Outcome(DeliveryState.SENT)

    def wait_until(self, now):
        return None


OFFLINE = {ChannelKind.EMAIL: Recorded(), ChannelKind.SMS: Recorded()}


def send(c, recipients, channels=(ChannelKind.INBOX,)):
    """A message of the street to ``recipients``, fanned out and sent by the services."""
    message = services.create_message(c.street_admin, c.nanjing_node, "通知", "正文")
    services.queue_message(c.street_admin, message, recipients, list(channels))
    services.send_pending(message.pk, channels=OFFLINE)
    return message


def member_recipient(member, **addresses):
    key = f"user:{member.user_id}" if member.user_id else f"member:{member.pk}"
    return Recipient(key=key, name=member.name, user_id=member.user_id, member_id=member.pk, addresses=addresses)


def figures(c, period):
    q = engine.parse_query({}, scope_for(c.city_admin))
    result = reach.reach(q, period)
    never = set(reach.never_reached(q, period).values_list("pk", flat=True))
    return result, never


def today() -> reach.Period:
    day = timezone.localdate()
    return reach.Period(day, day)


def sent_on(message, moment: datetime.datetime) -> None:
    """Move the message's sending time (as if the worker had sent it then) and sync the facts."""
    Delivery.objects.filter(message=message).update(sent_at=moment)
    facts.sync(Delivery.objects.filter(message=message))


def at(day: str, hms: str = "10:00:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hms}").replace(tzinfo=SHANGHAI)


@pytest.fixture
def people(party_cast):
    """王红 (嘉信) with an account; 李四 (外滩餐饮) with an account."""
    c = party_cast
    c.wang_user = User.objects.create_user(username="wanghong", password="x")
    Member.objects.filter(pk=c.member.pk).update(user=c.wang_user, phone="13700000001")
    c.member.refresh_from_db()
    c.waitan_branch = make_party_org(c, name="外滩餐饮党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.li_user = User.objects.create_user(username="lisi", password="x")
    c.lisi = make_member(c, c.waitan_branch, name="李四", employer=c.waitan_org, user=c.li_user)
    return c


def test_the_fan_out_writes_whom_each_delivery_reaches(people):
    c = people
    message = send(c, [member_recipient(c.member), member_recipient(c.lisi)])
    got = set(ReachFact.objects.filter(delivery__message=message).values_list("delivery__member_id", "organization_id"))
    assert got == {(c.member.pk, c.org.pk), (c.lisi.pk, c.waitan_org.pk)}
    for fact in ReachFact.objects.filter(delivery__message=message).select_related("delivery"):
        assert fact.received_at == fact.delivery.sent_at is not None and fact.read_at is None
    nodes = dict(Delivery.objects.filter(message=message).values_list("member_id", "recipient_node_id"))
    assert nodes == {c.member.pk: c.branch.node_id, c.lisi.pk: c.waitan_branch.node_id}


def test_the_node_read_with_the_member_by_the_resolution_is_the_one_the_insert_would_look_up(people):
    """A target of members hands each recipient's node over (read with the member); an account
    without its member in the target gets it looked up. Both equal the raw rows, and a fan-out of
    the same people without the handed-over node."""
    from liangxin.messaging import targets

    c = people
    c.third = make_member(c, c.branch, name="张三", employer=c.org)  # no account: a member:… key
    resolution = targets.resolve(targets.Target(people=["members"]), scope_for(c.city_admin))
    handed = list(resolution.recipients())
    assert {r.member_id: r.node_id for r in handed} == {
        m.pk: m.party_org.node_id for m in Member.objects.select_related("party_org")
    }
    everyone = (ChannelKind.LOG,)  # the log channel reaches the member without an account too
    message = send(c, handed, everyone)
    unhanded = [Recipient(**{**{k: getattr(r, k) for k in r.__slots__}, "node_id": None}) for r in handed]
    looked_up = send(c, unhanded, everyone)
    expected = {m.pk: m.party_org.node_id for m in Member.objects.select_related("party_org")}
    for m in (message, looked_up):
        assert dict(Delivery.objects.filter(message=m).values_list("member_id", "recipient_node_id")) == expected
    assert expected[c.lisi.pk] == c.waitan_branch.node_id != c.branch.node_id == expected[c.member.pk]


def test_a_member_who_moved_after_the_message_still_reaches_the_old_employer(people):
    c = people
    send(c, [member_recipient(c.member)])
    Member.objects.filter(pk=c.member.pk).update(employer=c.waitan_org, party_org=c.waitan_branch)
    result, never = figures(c, today())
    assert c.org.pk not in never and c.waitan_org.pk in never
    assert result.total.reached == 1
    # the per-sub-node counts keep the branch the member sat in when it was sent
    city = {r.label: r.deliveries for r in rates.by_child(Delivery.objects.get().message, c.huangpu_node).children}
    assert city == {"南京东路街道综合党委": 1, "外滩街道综合党委": 0}


def test_the_sending_time_decides_the_period_at_its_edge(people):
    c = people
    message = send(c, [member_recipient(c.member)])
    sent_on(message, at("2026-03-31", "23:59:59"))
    assert figures(c, MARCH)[0].total.reached == 1 and figures(c, APRIL)[0].total.reached == 0
    sent_on(message, at("2026-04-01", "00:00:00"))
    assert figures(c, MARCH)[0].total.reached == 0 and figures(c, APRIL)[0].total.reached == 1


def test_a_read_after_the_period_makes_the_period_read_reached(people):
    c = people
    message = send(c, [member_recipient(c.member)])
    sent_on(message, at("2026-03-20"))
    before = figures(c, MARCH)[0].total
    assert (before.reached, before.read) == (1, 0)
    compose.open_delivery(Delivery.objects.get(message=message))  # opened today, long after March
    after = figures(c, MARCH)[0].total
    assert (after.reached, after.read) == (1, 1)
    assert ReachFact.objects.get().read_at == Delivery.objects.get().read_at is not None


def test_a_reply_reads_it_too(people):
    c = people
    message = services.create_message(c.street_admin, c.nanjing_node, "通知", "正文", reply_kind="ack")
    services.queue_message(c.street_admin, message, [member_recipient(c.member)], [ChannelKind.INBOX])
    services.send_pending(message.pk)
    compose.reply(Delivery.objects.get(message=message), "")
    assert figures(c, today())[0].total.read == 1


def test_a_recalled_message_reaches_only_those_who_had_read_it(people):
    c = people
    message = send(c, [member_recipient(c.member), member_recipient(c.lisi)])
    assert figures(c, today())[0].total.reached == 2
    compose.open_delivery(Delivery.objects.get(message=message, member=c.lisi))
    message.refresh_from_db()
    compose.recall(c.street_admin, message)
    result, never = figures(c, today())
    assert (result.total.reached, result.total.read) == (1, 1)
    assert c.org.pk in never and c.waitan_org.pk not in never
    recalled = ReachFact.objects.get(delivery__member=c.member)
    assert recalled.received_at is None


def test_an_sms_is_received_and_never_read(people):
    c = people
    message = send(c, [member_recipient(c.member, sms="13700000001")], channels=[ChannelKind.SMS])
    delivery = Delivery.objects.get(message=message)
    assert delivery.channel == ChannelKind.SMS and delivery.state == DeliveryState.SENT
    compose.open_delivery(delivery)  # whatever marks it read, an SMS is not read-reached
    assert Delivery.objects.get().read_at is not None and ReachFact.objects.get().read_at is None
    result = figures(c, today())[0].total
    assert (result.reached, result.read) == (1, 0)


def test_a_failed_delivery_reaches_no_one(people):
    c = people

    class Failing(Recorded):
        def send(self, delivery):
            return Outcome(DeliveryState.FAILED, "号码无效")

    message = services.create_message(c.street_admin, c.nanjing_node, "通知", "正文")
    services.queue_message(c.street_admin, message, [member_recipient(c.member, sms="1")], [ChannelKind.SMS])
    services.send_pending(message.pk, channels={ChannelKind.SMS: Failing()})
    assert ReachFact.objects.get().received_at is None and figures(c, today())[0].total.reached == 0


def test_a_notice_down_the_tree_reaches_what_its_secretaries_cover(people):
    c = people
    circular = circulars.send_circular(
        c.district_admin, scope_for(c.district_admin).circular_sender_nodes(), c.huangpu_node,
        {"title": "关于开展主题党日活动的通知", "number": "黄社工委〔2026〕12号", "issuer": "", "body": "请认真组织。"},
        (), circulars.Addressees(circulars.AddressMode.KINDS, kinds=("grassroots",)),
    )  # fmt: skip
    assert Delivery.objects.filter(message=circular.message, user=c.secretary).exists()
    result, never = figures(c, today())
    assert c.org.pk not in never  # 嘉信: its branch's secretary received the notice
    assert (result.total.reached, result.total.read) == (1, 0)
    circulars.open_receipt(c.secretary, CircularReceipt.objects.get(circular=circular, node=c.branch.node))
    assert figures(c, today())[0].total.read == 1


def test_a_link_that_starts_after_the_message_does_not_count_for_it(people):
    c = people
    RoleAssignment.objects.create(user=c.li_user, role="secretary", node=c.waitan_branch.node)
    message = send(c, [member_recipient(c.lisi)])
    later = make_party_org(c, name="新联合党支部", covered=[c.xuhui_org], mode="joint")
    RoleAssignment.objects.create(user=c.li_user, role="secretary", node=later.node)
    assert set(ReachFact.objects.filter(delivery__message=message).values_list("organization_id", flat=True)) == {
        c.waitan_org.pk
    }
    assert c.xuhui_org.pk in figures(c, today())[1]


def test_backfill_writes_the_same_facts_as_the_fan_out(people):
    c = people
    message = send(c, [member_recipient(c.member), member_recipient(c.lisi)])
    compose.open_delivery(Delivery.objects.get(message=message, member=c.lisi))
    columns = ("delivery_id", "organization_id", "channel", "received_at", "read_at")
    written = sorted(ReachFact.objects.values_list(*columns))
    nodes = sorted(Delivery.objects.values_list("pk", "recipient_node_id"))
    ReachFact.objects.all().delete()
    Delivery.objects.update(recipient_node=None)
    out = io.StringIO()
    call_command("refresh_reach_facts", stdout=out)
    assert "新增 2 条" in out.getvalue()
    assert sorted(ReachFact.objects.values_list(*columns)) == written
    assert sorted(Delivery.objects.values_list("pk", "recipient_node_id")) == nodes
    call_command("refresh_reach_facts", stdout=out)  # again: nothing new, nothing lost
    assert sorted(ReachFact.objects.values_list(*columns)) == written


def test_a_rerun_of_the_fan_out_adds_neither_deliveries_nor_facts(people):
    c = people
    message = send(c, [member_recipient(c.member)])
    services.create_deliveries(message, [member_recipient(c.member), member_recipient(c.lisi)], [ChannelKind.INBOX])
    assert Delivery.objects.filter(message=message).count() == 2
    assert sorted(ReachFact.objects.values_list("organization_id", flat=True)) == sorted([c.org.pk, c.waitan_org.pk])


# -- 投递统计: the per-node counts kept as deliveries change ------------------------------------
def recount_tally(message) -> dict[int, tuple[int, int, int, int]]:
    """Per recipient node (0: none): (deliveries, received, read, replied), from raw rows."""
    out: dict[int, list[int]] = {}
    for d in Delivery.objects.filter(message=message):
        row = out.setdefault(d.recipient_node_id or 0, [0, 0, 0, 0])
        for i, value in enumerate(counts_of(d)):
            row[i] += value
    return {node: tuple(v) for node, v in out.items()}


def tallied(message) -> dict[int, tuple[int, int, int, int]]:
    rows = DeliveryTally.objects.filter(message=message)
    return {t.node_key: (t.deliveries, t.received, t.read, t.replied) for t in rows}


def test_the_tally_follows_every_change_of_the_services(people):
    c = people
    nobody = c.nobody  # no role, no member: node 0
    message = services.create_message(c.street_admin, c.nanjing_node, "通知", "正文", reply_kind="ack")
    recipients = [
        member_recipient(c.member, sms="13700000001"),
        member_recipient(c.lisi),
        Recipient(key=f"user:{nobody.pk}", name="无名", user_id=nobody.pk),
    ]
    services.queue_message(c.street_admin, message, recipients, [ChannelKind.INBOX, ChannelKind.SMS])
    assert tallied(message) == recount_tally(message)
    assert sum(v[0] for v in tallied(message).values()) == 4 and 0 in tallied(message)
    # a rerun of the fan-out adds no delivery and counts none twice
    services.create_deliveries(message, recipients, [ChannelKind.INBOX, ChannelKind.SMS])
    assert tallied(message) == recount_tally(message)
    services.send_pending(message.pk, channels=OFFLINE)
    assert tallied(message) == recount_tally(message)
    assert tallied(message)[c.branch.node_id] == (2, 2, 0, 0)
    sms = Delivery.objects.get(message=message, channel=ChannelKind.SMS)
    compose.open_delivery(sms)  # opened, but an SMS is never read
    compose.open_delivery(Delivery.objects.get(message=message, member=c.lisi))
    compose.open_delivery(Delivery.objects.get(message=message, member=c.lisi))  # the second opening is no news
    compose.reply(Delivery.objects.get(message=message, member=c.member, channel=ChannelKind.INBOX), "")
    compose.reply(Delivery.objects.get(message=message, member=c.member, channel=ChannelKind.INBOX), "")
    assert tallied(message) == recount_tally(message)
    assert tallied(message)[c.branch.node_id] == (2, 2, 1, 1)
    assert tallied(message)[c.waitan_branch.node_id] == (1, 1, 1, 0)
    message.refresh_from_db()
    compose.recall(c.street_admin, message)  # withdraws what was not opened: nobody's inbox
    assert tallied(message) == recount_tally(message)
    assert tallied(message)[0] == (1, 0, 0, 0) and tallied(message)[c.branch.node_id] == (2, 2, 1, 1)
    facts.sync(Delivery.objects.filter(message=message))  # nothing changed: nothing moves
    assert tallied(message) == recount_tally(message)


def test_one_sync_moves_a_nodes_counts_by_each_deliverys_own_change_without_recounting(people, monkeypatch):
    c = people
    extra = [
        member_recipient(make_member(
            c, c.branch, name=f"党员{i}", employer=c.org, user=User.objects.create_user(username=f"dy{i}", password="x")
        ))
        for i in range(3)
    ]  # fmt: skip
    message = send(c, [member_recipient(c.member), *extra, member_recipient(c.lisi)])
    at_branch = Delivery.objects.filter(message=message, recipient_node_id=c.branch.node_id).order_by("pk")
    assert tallied(message)[c.branch.node_id] == (4, 4, 0, 0)

    def recount(message_ids):
        if list(message_ids):
            raise AssertionError("a counted node was recounted instead of moved")

    monkeypatch.setattr(facts, "retally", recount)
    now = timezone.now()
    first, second, third, _ = at_branch
    # three transitions at one node in one call: read; read and replied; recalled (no longer received)
    Delivery.objects.filter(pk=first.pk).update(state="read", read_at=now)
    Delivery.objects.filter(pk=second.pk).update(state="replied", read_at=now, replied_at=now)
    Delivery.objects.filter(pk=third.pk).update(state="recalled")
    facts.sync(Delivery.objects.filter(message=message))
    assert tallied(message) == recount_tally(message)
    assert tallied(message)[c.branch.node_id] == (4, 3, 2, 1)
    assert tallied(message)[c.waitan_branch.node_id] == (1, 1, 0, 0)  # another node: untouched


def test_refreshing_the_facts_recounts_the_tally_without_doubling_it(people):
    c = people
    message = send(c, [member_recipient(c.member), member_recipient(c.lisi)])
    compose.open_delivery(Delivery.objects.get(message=message, member=c.lisi))
    expected = recount_tally(message)
    assert tallied(message) == expected
    call_command("refresh_reach_facts", stdout=io.StringIO())
    call_command("refresh_reach_facts", stdout=io.StringIO())
    assert tallied(message) == expected
    # rows changed around the services (a restore, a hand edit) are counted afresh by the refresh
    Delivery.objects.filter(message=message, member=c.member).update(read_at=timezone.now(), state="read")
    DeliveryTally.objects.filter(message=message).update(read=99)
    call_command("refresh_reach_facts", stdout=io.StringIO())
    assert tallied(message) == recount_tally(message) != expected


def test_a_delivery_made_around_the_fan_out_is_counted_when_it_changes(people):
    c = people
    message = send(c, [member_recipient(c.member)])
    stray = Delivery.objects.create(
        message=message, recipient_key="x:1", idempotency_key="x-1", channel="inbox", state="sent",
        member=c.lisi, recipient_node_id=c.waitan_branch.node_id,
    )  # fmt: skip
    assert c.waitan_branch.node_id not in tallied(message)
    compose.open_delivery(stray)
    assert tallied(message) == recount_tally(message)
