"""平台指标 (liangxin/assessment/measures.py): each measure equals a recount over the raw rows of a
small world whose facts sit at the period's boundaries (the first and last day, the day before and
after), and each answers for many subjects in one pass."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liangxin.assessment import measures
from liangxin.develop.models import Applicant
from liangxin.dues.models import DuesPayment
from liangxin.life.choices import COMMITTEE_ONLY_KINDS, KIND_PARAMETER, MeetingKind
from liangxin.life.models import Meeting
from liangxin.messaging.models import DeliveryTally, Message
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.models import Organization
from liangxin.party import policy
from liangxin.party import rules as party_rules
from liangxin.party.models import CommitteeSeat, PartyOrganization
from liangxin.reporting.models import ReportAssignment, ReportForm, ReportTask

from .party_helpers import make_member, make_party_org

pytestmark = pytest.mark.django_db
D = datetime.date
START, END = D(2024, 1, 1), D(2024, 6, 30)


def rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@pytest.fixture
def world(party_cast):
    c = party_cast
    PartyOrganization.objects.filter(pk=c.branch.pk).update(founded_on=D(2020, 1, 1))
    c.young = make_party_org(c, name="年轻党支部", founded_on=D(2024, 3, 15))
    c.young_member = make_member(c, c.young, name="李青", joined_on=D(2024, 4, 10))
    c.quiet = make_party_org(c, name="沉寂党支部", founded_on=D(2019, 1, 1))
    return c


def nodes(*party_orgs) -> list[ManagementNode]:
    return [ManagementNode.objects.get(pk=po.node_id) for po in party_orgs]


def meeting(po, kind, day, status="held"):
    return Meeting.objects.create(party_org=po, kind=kind, date=day, status=status, topic="学习", place="会议室")


# -- 组织生活 ----------------------------------------------------------------------------------------
def recount_life(po, start, end) -> Decimal | None:
    """Each kind's calendar blocks of its rule's months that end inside [start, end]: held when a
    held meeting of the kind falls in the block; due when held, or when not held and the party
    organization already existed when the block began; kinds needing a committee skipped without one."""
    params = policy.values()
    po = PartyOrganization.objects.get(pk=po.pk)
    seats = CommitteeSeat.objects.filter(party_org=po).exists()
    held_days = {}
    for m in Meeting.objects.filter(party_org=po, status="held"):
        held_days.setdefault(m.kind, []).append(m.date)
    due = held = 0
    for kind in MeetingKind:
        months = int(params[KIND_PARAMETER[kind]])
        if not months or (kind in COMMITTEE_ONLY_KINDS and not seats):
            continue
        for year in range(start.year, end.year + 1):
            for first_month in range(1, 13, months):
                block_start = D(year, first_month, 1)
                last_month = first_month + months - 1
                block_end = D(year, 12, 31) if last_month == 12 else D(year, last_month + 1, 1) - datetime.timedelta(1)
                if not start <= block_end <= end:
                    continue
                was_held = any(block_start <= d <= block_end for d in held_days.get(kind, []))
                if was_held:
                    due, held = due + 1, held + 1
                elif po.founded_on is None or po.founded_on <= block_start:
                    due += 1
    return rate(held, due)


@pytest.fixture
def meetings(world):
    c = world
    meeting(c.branch, MeetingKind.GENERAL, D(2024, 3, 31))  # the last day of Q1 counts
    meeting(c.branch, MeetingKind.LECTURE, D(2024, 7, 1))  # the day after the window
    meeting(c.branch, MeetingKind.LECTURE, D(2023, 12, 31))  # the day before
    for day in (D(2024, 1, 1), D(2024, 2, 29), D(2024, 6, 30)):
        meeting(c.branch, MeetingKind.THEME_DAY, day)
    meeting(c.branch, MeetingKind.THEME_DAY, D(2024, 5, 10), status="planned")  # not held
    meeting(c.young, MeetingKind.THEME_DAY, D(2024, 3, 20))  # founded 15 March: March is its first month
    meeting(c.young, MeetingKind.GENERAL, D(2024, 6, 1))
    return c


def test_life_compliance_is_the_recount_at_the_window_boundaries(meetings):
    c = meetings
    found = measures.compute("life_compliance", nodes(c.branch, c.young, c.quiet), START, END)
    assert found[c.branch.node_id] == recount_life(c.branch, START, END) == Decimal("40.0")  # 4 of 10
    assert found[c.young.node_id] == recount_life(c.young, START, END)
    assert found[c.quiet.node_id] == recount_life(c.quiet, START, END) == Decimal("0.0")


def test_life_compliance_over_two_years_and_a_whole_year(meetings):
    c = meetings
    for start, end in (
        (D(2023, 7, 1), D(2024, 6, 30)),
        (D(2024, 1, 1), D(2024, 12, 31)),
        (D(2024, 3, 31), D(2024, 3, 31)),
    ):
        found = measures.compute("life_compliance", nodes(c.branch, c.young), start, end)
        assert found[c.branch.node_id] == recount_life(c.branch, start, end), (start, end)
        assert found[c.young.node_id] == recount_life(c.young, start, end), (start, end)


def test_a_window_with_no_period_ended_has_no_rate(meetings):
    c = meetings
    found = measures.compute("life_compliance", nodes(c.branch), D(2024, 1, 2), D(2024, 1, 30))
    assert found[c.branch.node_id] is None


def test_meetings_held_counts_the_held_meetings_inside_the_window(meetings):
    c = meetings
    found = measures.compute("meetings_held", nodes(c.branch, c.young, c.quiet), START, END)
    for po in (c.branch, c.young, c.quiet):
        expected = Meeting.objects.filter(party_org=po, status="held", date__gte=START, date__lte=END).count()
        assert found[po.node_id] == Decimal(expected)
    assert found[c.branch.node_id] == 4


# -- 党费 ---------------------------------------------------------------------------------------------
def pay(member, month, due, paid):
    DuesPayment.objects.create(
        member=member, party_org=member.party_org, month=month, amount_due=Decimal(due), amount_paid=Decimal(paid),
        paid_on=month if Decimal(paid) else None,
    )  # fmt: skip


def recount_dues(po, start, end) -> Decimal | None:
    """Months of the window from each member's first expected month (joining, not before the branch's
    first record): paid in full where the month's row has paid ≥ due; a month without a row is unpaid."""
    first_of_branch = DuesPayment.objects.filter(party_org=po).order_by("month").values_list("month", flat=True)
    if not first_of_branch:
        return None
    expected = paid = 0
    for member in po.members.filter(is_active=True):
        own_first = DuesPayment.objects.filter(member=member).order_by("month").values_list("month", flat=True)
        ledger_start = min([first_of_branch[0], *own_first[:1]])
        first = max(member.joined_on.replace(day=1), ledger_start)
        month = start.replace(day=1)
        while month <= end:
            if month >= first:
                expected += 1
                row = DuesPayment.objects.filter(member=member, month=month).first()
                paid += bool(row and row.amount_paid >= row.amount_due)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    return rate(paid, expected)


def test_dues_paid_in_full_is_the_recount_of_the_months(world):
    c = world
    pay(c.member, D(2023, 12, 1), "10", "10")  # before the window: starts the ledger
    pay(c.member, D(2024, 1, 1), "10", "10")
    pay(c.member, D(2024, 2, 1), "10", "9.99")  # one cent short
    pay(c.member, D(2024, 6, 1), "10", "10")
    pay(c.member, D(2024, 7, 1), "10", "10")  # after the window
    pay(c.young_member, D(2024, 4, 1), "5", "5")  # joined in April: expected from April
    found = measures.compute("dues_paid_in_full", nodes(c.branch, c.young, c.quiet), START, END)
    assert found[c.branch.node_id] == recount_dues(c.branch, START, END) == Decimal("33.3")  # 2 of 6
    assert found[c.young.node_id] == recount_dues(c.young, START, END) == Decimal("33.3")  # 1 of 3
    assert found[c.quiet.node_id] is None  # nothing recorded, nobody expected


# -- 发展党员 -----------------------------------------------------------------------------------------
_serial = iter(range(10_000))


def applicant(po, applied_on, approved_on=None):
    n = next(_serial)
    return Applicant.objects.create(
        name=f"申请人{n}", id_number_enc="x", id_masked="x", birth_date=D(2000, 1, 1), sex="M", party_org=po,
        id_hash=f"hash{n}", applied_on=applied_on, approved_on=approved_on,
    )  # fmt: skip


def test_applicants_and_new_members_count_their_dates_inside_the_window(world):
    c = world
    applicant(c.branch, D(2023, 12, 31), approved_on=D(2024, 1, 1))
    applicant(c.branch, D(2024, 1, 1), approved_on=D(2024, 7, 1))
    applicant(c.branch, D(2024, 6, 30))
    applicant(c.branch, D(2024, 7, 1))
    applicant(c.young, D(2024, 6, 30), approved_on=D(2024, 6, 30))
    subjects = nodes(c.branch, c.young, c.quiet)
    applied = measures.compute("new_applicants", subjects, START, END)
    approved = measures.compute("new_members", subjects, START, END)
    for po in (c.branch, c.young, c.quiet):
        rows = list(Applicant.objects.filter(party_org=po))
        assert applied[po.node_id] == sum(START <= a.applied_on <= END for a in rows)
        assert approved[po.node_id] == sum(a.approved_on is not None and START <= a.approved_on <= END for a in rows)
    assert (applied[c.branch.node_id], approved[c.branch.node_id]) == (2, 1)


def test_open_findings_are_the_rule_engine_s_findings_today(world):
    c = world
    for i in range(7):  # seven full members and no committee: "应设支委会"
        make_member(c, c.quiet, name=f"党员{i}")
    # a term ending within the first reminder's months: 提醒, not counted; the quiet branch's ended: 必须
    PartyOrganization.objects.filter(pk=c.branch.pk).update(
        term_end=timezone.localdate() + datetime.timedelta(days=150)
    )
    PartyOrganization.objects.filter(pk=c.quiet.pk).update(term_end=D(2024, 1, 1))
    found = measures.compute("open_findings", nodes(c.branch, c.quiet), START, END)
    params, today = policy.values(), timezone.localdate()
    for po in (c.branch, c.quiet):
        annotated = party_rules.party_org_facts(PartyOrganization.objects.filter(pk=po.pk)).get()
        listed = party_rules.findings_for(annotated, "party_org", params, today)
        assert found[po.node_id] == sum(f.level in ("must", "should") for f in listed)
    assert (found[c.branch.node_id], found[c.quiet.node_id]) == (0, 2)


# -- committees ---------------------------------------------------------------------------------------
def test_coverage_rates_count_by_responsible_node(world):
    c = world
    Organization.objects.filter(pk__in=[c.org.pk, c.waitan_org.pk]).update(above_scale=True)
    subjects = [c.nanjing_node, c.huangpu_node, c.city_node, c.xuhui_node]
    today = timezone.localdate()
    found = {
        name: measures.compute(name, subjects, START, today) for name in ("stats_org_coverage", "stats_above_scale")
    }
    blank = measures.compute("blank_spots", subjects, START, today)
    for node in subjects:
        orgs = [
            o for o in Organization.objects.filter(status="operating").select_related("responsible_node")
            if o.responsible_node and o.responsible_node.path.startswith(node.path)
        ]  # fmt: skip
        above = [o for o in orgs if o.sector == "economic" and o.above_scale and o.employees is not None]
        covered = sum(o.coverage_state in ("own", "joint") for o in orgs)
        assert found["stats_org_coverage"][node.pk] == rate(covered, len(orgs)), node.name
        above_covered = sum(o.coverage_state in ("own", "joint") for o in above)
        assert found["stats_above_scale"][node.pk] == rate(above_covered, len(above)), node.name
        assert blank[node.pk] == sum(o.coverage_state == "none" for o in orgs), node.name
    assert found["stats_org_coverage"][c.nanjing_node.pk] == Decimal("100.0")
    assert found["stats_above_scale"][c.huangpu_node.pk] == Decimal("50.0")
    assert found["stats_above_scale"][c.xuhui_node.pk] is None


def task(c, deadline, title):
    form, _ = ReportForm.objects.get_or_create(name="季度报表")
    return ReportTask.objects.create(
        form=form, title=title, node=c.city_node, period_start=START, period_end=END, deadline=deadline,
        addressee_rule="children",
    )  # fmt: skip


def test_reports_on_time_counts_assignments_whose_deadline_fell_in_the_window(world):
    c = world
    answers = {
        (D(2024, 1, 1), c.nanjing_node): "submitted", (D(2024, 6, 30), c.nanjing_node): "late",
        (D(2023, 12, 31), c.nanjing_node): "pending", (D(2024, 7, 1), c.nanjing_node): "pending",
        (D(2024, 3, 1), c.nanjing_node): "returned", (D(2024, 3, 1), c.waitan_node): "submitted",
    }  # fmt: skip
    tasks = {}
    for (deadline, node), state in answers.items():
        tasks.setdefault(deadline, task(c, deadline, f"任务{deadline}"))
        ReportAssignment.objects.create(task=tasks[deadline], node=node, state=state)
    subjects = [c.nanjing_node, c.waitan_node, c.huangpu_node]
    found = measures.compute("reports_on_time", subjects, START, END)
    for node in subjects:
        rows = ReportAssignment.objects.filter(node=node, task__deadline__gte=START, task__deadline__lte=END)
        assert found[node.pk] == rate(rows.filter(state="submitted").count(), rows.count())
    assert found[c.nanjing_node.pk] == Decimal("33.3")
    assert found[c.huangpu_node.pk] is None  # the district answered nothing itself


def test_message_read_rate_sums_the_stored_counts_of_the_subtree(world):
    c = world
    tz = timezone.get_current_timezone()

    def message(day, hour=0):
        sent = datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)
        return Message.objects.create(title="通知", body="正文", sender=c.city_admin, node=c.city_node, sent_at=sent)

    rows = [
        (message(D(2024, 1, 1)), c.branch.node_id, 10, 4),
        (message(D(2024, 6, 30), 23), c.nanjing_node.pk, 5, 5),
        (message(D(2024, 7, 1)), c.branch.node_id, 10, 0),  # sent the day after
        (message(D(2023, 12, 31), 23), c.young.node_id, 10, 0),  # sent the day before
        (message(D(2024, 3, 1)), c.tianping_node.pk, 8, 2),
    ]
    for msg, node_key, received, read in rows:
        DeliveryTally.objects.create(message=msg, node_key=node_key, deliveries=received, received=received, read=read)
    subjects = [c.nanjing_node, c.huangpu_node, c.city_node, c.waitan_node]
    found = measures.compute("message_read_rate", subjects, START, END)
    paths = dict(ManagementNode.objects.values_list("pk", "path"))
    for node in subjects:
        inside = [
            (received, read) for msg, key, received, read in rows
            if START <= timezone.localtime(msg.sent_at, tz).date() <= END and paths[key].startswith(node.path)
        ]  # fmt: skip
        assert found[node.pk] == rate(sum(r for _, r in inside), sum(r for r, _ in inside)), node.name
    assert found[c.nanjing_node.pk] == Decimal("60.0")  # 9 of 15
    assert found[c.waitan_node.pk] is None


# -- the registry --------------------------------------------------------------------------------------
def test_every_measure_is_named_in_chinese_with_a_kind_and_unit():
    for m in measures.MEASURES.values():
        assert m.subject_kind in ("party_org", "committee") and m.unit in ("rate", "times", "count")
        assert m.label and not any("a" <= ch.lower() <= "z" for ch in m.label)


@pytest.mark.parametrize("name", [m for m, found in measures.MEASURES.items() if found.subject_kind == "party_org"])
def test_a_party_organization_measure_asks_the_same_queries_for_one_or_many(world, name):
    c = world
    alone, several = nodes(c.branch), nodes(c.branch, c.young, c.quiet)
    with CaptureQueriesContext(connection) as one:
        measures.compute(name, alone, START, END)
    with CaptureQueriesContext(connection) as many:
        measures.compute(name, several, START, END)
    assert len(many) == len(one)


@pytest.mark.parametrize("name", ["reports_on_time", "message_read_rate"])
def test_a_committee_measure_asks_the_same_queries_for_one_or_many(world, name):
    c = world
    with CaptureQueriesContext(connection) as one:
        measures.compute(name, [c.nanjing_node], START, END)
    with CaptureQueriesContext(connection) as many:
        measures.compute(name, [c.nanjing_node, c.huangpu_node, c.city_node], START, END)
    assert len(many) == len(one)


def test_many_subjects_are_measured_in_batches_with_the_same_answers(meetings, monkeypatch):
    c = meetings
    subjects = nodes(c.branch, c.young, c.quiet)
    whole = measures.compute("meetings_held", subjects, START, END)
    monkeypatch.setattr(measures, "BATCH", 2)
    assert measures.compute("meetings_held", subjects, START, END) == whole
