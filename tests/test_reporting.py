"""报送任务: sending, pre-filled figures, answering, returning, collecting, 汇总上报, scope."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core.models import AuditEntry
from liangxin.develop.models import Applicant
from liangxin.dues.models import DuesPayment
from liangxin.inbox.models import Notice
from liangxin.life.models import Meeting
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.models import Organization
from liangxin.party.models import Member, PartyOrganization
from liangxin.reporting import services
from liangxin.reporting.choices import AssignmentState
from liangxin.reporting.models import ReportAssignment, ReportSubmission
from liangxin.transfers.models import Transfer

from . import reporting_world as world

TODAY = datetime.date(2026, 4, 2)
DEADLINE = datetime.date(2026, 4, 15)
ON_TIME = timezone.make_aware(datetime.datetime(2026, 4, 10, 9, 0))
LATE = timezone.make_aware(datetime.datetime(2026, 4, 20, 9, 0))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def w(party_cast):
    return world.build(party_cast)


def send(c, node=None, form_name=world.QUARTERLY, rule="kinds", kinds=("grassroots",), sender=None):
    return services.create_task(
        sender or c.city_admin, node or c.city_node, world.form(form_name), title="2026年一季度报送",
        period_start=world.Q1[0], period_end=world.Q1[1], deadline=DEADLINE, rule=rule, kinds=list(kinds), today=TODAY,
    )  # fmt: skip


def full_answer(assignment, **overrides) -> services.Answer:
    values = {f.key: "" for f in services.fields_of(assignment.task.form)}
    values.update(work_summary="正常开展", filled_on="2026-04-05", activities="2", new_party_orgs="1",
                  progress="按计划推进")  # fmt: skip
    values = {k: v for k, v in values.items() if k in {f.key for f in services.fields_of(assignment.task.form)}}
    values.update(overrides)
    return services.Answer(values=values)


# -- the pre-filled figures, recomputed over raw rows -----------------------------------------------------------
def under(path: str, node_path: str) -> bool:
    return path.startswith(node_path)


def expected_figures(node: ManagementNode) -> dict[str, Decimal]:
    """Every pre-filled figure of the quarterly form for ``node``, from the rows themselves."""
    start, end = world.Q1
    members = [m for m in Member.objects.select_related("party_org__node") if m.is_active and
               under(m.party_org.node.path, node.path)]  # fmt: skip
    applicants = [a for a in Applicant.objects.select_related("party_org__node") if
                  under(a.party_org.node.path, node.path)]  # fmt: skip
    meetings = [m for m in Meeting.objects.select_related("party_org__node") if under(m.party_org.node.path, node.path)
                and m.status == "held" and start <= m.date <= end]  # fmt: skip
    payments = [p for p in DuesPayment.objects.select_related("member__party_org__node") if p.member.is_active
                and under(p.member.party_org.node.path, node.path) and start <= p.month <= end]  # fmt: skip
    transfers = [t for t in Transfer.objects.select_related("from_party_org__node", "to_party_org__node")
                 if t.state == "accepted" and t.closed_on and start <= t.closed_on <= end]  # fmt: skip
    out = {
        "members_full": sum(m.category == "full" for m in members),
        "members_probationary": sum(m.category == "probationary" for m in members),
        "floating_out": sum(m.floating == "outflow" for m in members),
        "floating_in": sum(m.floating == "inflow" for m in members),
        "transfers_in": sum(under(t.to_party_org.node.path, node.path) for t in transfers if t.to_party_org),
        "transfers_out": sum(under(t.from_party_org.node.path, node.path) for t in transfers if t.from_party_org),
        "dues_paid": sum((p.amount_paid for p in payments), Decimal(0)),
        "dues_owed": sum((p.amount_due - p.amount_paid for p in payments), Decimal(0)),
    }
    for stage in ("applicant", "activist", "candidate"):
        out[f"applicants_{stage}"] = sum(a.stage == stage for a in applicants)
    for kind in ("general", "committee", "lecture", "theme_day"):
        out[f"meetings_{kind}"] = sum(m.kind == kind for m in meetings)
    return {k: Decimal(v) for k, v in out.items()}


def test_prefilled_values_equal_the_measures_recomputed_over_raw_rows(w):
    task = send(w)
    checked = 0
    for assignment in task.assignments.select_related("node", "task__form"):
        got = {k: Decimal(v) for k, v in services.prefill(assignment).items()}
        assert got == expected_figures(assignment.node)
        checked += 1
    assert checked == PartyOrganization.objects.count()
    # and the figures are not all zero: the world puts something in each
    nanjing = expected_figures(w.nanjing_node)
    assert nanjing["members_full"] > 0 and nanjing["dues_owed"] > 0 and nanjing["meetings_general"] > 0
    assert nanjing["transfers_in"] == 1 and expected_figures(w.waitan_node)["transfers_out"] == 1


def test_coverage_prefill_equals_the_organizations_counted_under_the_node(w):
    # a period ending today: the stocks are today's
    task = services.create_task(
        w.city_admin, w.city_node, world.form(world.MONTHLY), title="本月", period_start=world.Q1[0],
        period_end=timezone.localdate(), deadline=DEADLINE, rule="children", today=TODAY,
    )  # fmt: skip
    for assignment in task.assignments.select_related("node", "task__form"):
        node = assignment.node
        orgs = [o for o in Organization.objects.select_related("responsible_node") if o.responsible_node and
                under(o.responsible_node.path, node.path) and o.status == "operating"]  # fmt: skip
        got = services.prefill(assignment)
        assert Decimal(got["orgs_counted"]) == len(orgs)
        assert Decimal(got["orgs_covered"]) == sum(o.coverage_state in ("own", "joint") for o in orgs)
        assert Decimal(got["orgs_blank"]) == sum(o.coverage_state == "none" for o in orgs)
        party_orgs = PartyOrganization.objects.filter(node__path__startswith=node.path, node__is_active=True)
        assert Decimal(got["party_orgs"]) == party_orgs.count()


def test_stock_prefills_of_a_past_period_are_the_statistics_as_of_its_last_day(w):
    from liangxin.stats import engine

    # a branch founded after the quarter: counted today, not as of the quarter's end
    PartyOrganization.objects.filter(pk=w.tp1.pk).update(founded_on=datetime.date(2026, 5, 1))
    task = send(w, form_name=world.MONTHLY, rule="children")
    for a in task.assignments.select_related("node", "task__form"):
        got = services.prefill(a)
        as_of = engine.compute(engine.StatsQuery(node=a.node, as_of=world.Q1[1]))
        assert {k: Decimal(got[k]) for k in ("orgs_counted", "orgs_covered", "orgs_blank")} == {
            "orgs_counted": as_of.totals["counted"], "orgs_covered": as_of.totals["org_covered"],
            "orgs_blank": as_of.totals["blank"],
        }  # fmt: skip
    xuhui = assignment_of(task, w.xuhui_node)
    today_count = PartyOrganization.objects.filter(node__path__startswith=w.xuhui_node.path).count()
    assert Decimal(services.prefill(xuhui)["party_orgs"]) == today_count - 1


# -- sending -----------------------------------------------------------------------------------------------------
def test_a_task_reaches_children_or_every_node_of_a_kind_in_the_subtree_only(w):
    children = send(w, node=w.huangpu_node, rule="children", sender=w.district_admin)
    assert {a.node for a in children.assignments.all()} == {w.nanjing_node, w.waitan_node}
    branches = send(w, node=w.huangpu_node, sender=w.district_admin)
    assert {a.node for a in branches.assignments.all()} == {w.branch.node, w.nj1.node, w.nj2.node, w.wt1.node}
    assert all(a.state == AssignmentState.PENDING for a in branches.assignments.all())
    entry = AuditEntry.objects.filter(object_type="reporting.reporttask", object_id=str(branches.pk)).get()
    assert "报送单位 4 个" in entry.detail


def test_a_task_without_addressees_or_with_a_past_deadline_is_refused_and_nothing_is_stored(w):
    with pytest.raises(ValidationError) as e:
        send(w, node=w.tianping_node, rule="kinds", kinds=("street",), sender=w.xuhui_admin)
    assert "没有可报送的单位" in str(e.value)
    with pytest.raises(ValidationError) as e:
        services.create_task(w.city_admin, w.city_node, world.form(), title="", period_start=world.Q1[1],
                             period_end=world.Q1[0], deadline=TODAY - datetime.timedelta(days=1), rule="kinds",
                             kinds=[], today=TODAY)  # fmt: skip
    assert set(e.value.message_dict) == {"title", "period_end", "deadline", "addressee_kinds"}
    assert not ReportAssignment.objects.exists()


# -- answering -----------------------------------------------------------------------------------------------------
def assignment_of(task, node) -> ReportAssignment:
    return task.assignments.select_related("task__form", "node").get(node=node)


def test_a_submission_keeps_the_prefilled_figures_and_a_correction_needs_a_note(w):
    task = send(w)
    a = assignment_of(task, w.nj1.node)
    measured = services.prefill(a)
    wrong = str(int(measured["members_full"]) + 1)
    with pytest.raises(ValidationError) as e:
        services.submit(w.nj1_secretary, a, full_answer(a, members_full=wrong), now=ON_TIME)
    assert "请填写更正说明" in e.value.message_dict["members_full"][0]
    assert not ReportSubmission.objects.exists()
    answer = full_answer(a, members_full=wrong, work_summary="  开展党课两次，主题党日三次。\n下季度：换届。 ")
    answer.notes = {"members_full": "一名党员组织关系在途"}
    s = services.submit(w.nj1_secretary, a, answer, now=ON_TIME)
    assert s.prefilled == measured and s.values["members_full"] == wrong and s.version == 1 and not s.late
    assert s.corrections == {"members_full": "一名党员组织关系在途"}
    assert s.values["work_summary"] == "开展党课两次，主题党日三次。\n下季度：换届。"  # as written, trimmed
    assert s.values["dues_paid"] == measured["dues_paid"]  # left blank: the platform's figure
    a.refresh_from_db()
    assert a.state == AssignmentState.SUBMITTED and a.version == 1


def test_bad_values_are_named_in_chinese_and_nothing_is_stored(w):
    task = send(w, node=w.huangpu_node, form_name=world.MONTHLY, rule="children", sender=w.district_admin)
    a = assignment_of(task, w.nanjing_node)
    answer = full_answer(a, new_party_orgs="三", progress="不知道")
    answer.values["nonsense"] = "1"
    with pytest.raises(ValidationError) as e:
        services.submit(w.street_admin, a, answer, now=ON_TIME)
    errors = e.value.message_dict
    assert "应为数字" in errors["new_party_orgs"][0] and "应为以下选项之一" in errors["progress"][0]
    assert "nonsense" in errors["__all__"][0]
    assert not ReportSubmission.objects.exists()
    a.refresh_from_db()
    assert a.state == AssignmentState.PENDING


def test_after_the_deadline_a_submission_is_late_and_a_closed_task_refuses(w):
    task = send(w)
    late = assignment_of(task, w.nj2.node)
    s = services.submit(w.nj2_secretary, late, full_answer(late), now=LATE)
    assert s.late
    late.refresh_from_db()
    assert late.state == AssignmentState.LATE
    services.close_task(w.city_admin, task)
    a = assignment_of(task, w.nj1.node)
    with pytest.raises(ValidationError) as e:
        services.submit(w.nj1_secretary, a, full_answer(a), now=ON_TIME)
    assert "已关闭" in str(e.value)
    assert ReportSubmission.objects.filter(assignment=a).count() == 0


def test_a_returned_report_is_resubmitted_as_a_new_version_and_both_are_kept(w):
    task = send(w)
    a = assignment_of(task, w.nj1.node)
    services.submit(w.nj1_secretary, a, full_answer(a), now=ON_TIME)
    with pytest.raises(ValidationError):
        services.submit(w.nj1_secretary, a, full_answer(a), now=ON_TIME)  # answered: returned first
    with pytest.raises(ValidationError) as e:
        services.return_submission(w.city_admin, a, "  ")
    assert "退回原因" in str(e.value)
    services.return_submission(w.city_admin, a, "工作小结过于简单")
    a.refresh_from_db()
    assert a.state == AssignmentState.RETURNED
    assert Notice.objects.filter(recipient=w.nj1_secretary, key__startswith="reporting-return:").count() == 1
    services.submit(w.nj1_secretary, a, full_answer(a, work_summary="补充了三项工作"), now=LATE)
    versions = list(a.submissions.order_by("version").values_list("version", "returned_reason", "late"))
    assert versions == [(1, "工作小结过于简单", False), (2, "", True)]
    a.refresh_from_db()
    assert a.state == AssignmentState.LATE and a.version == 2


def test_remind_reaches_the_unanswered_nodes_admins_once_per_assignment_through_the_messages_channels(w):
    from django.core import mail

    from liangxin.messaging import services as messaging
    from liangxin.messaging.models import Delivery

    task = send(w)
    a = assignment_of(task, w.nj1.node)
    services.submit(w.nj1_secretary, a, full_answer(a), now=ON_TIME)
    w.nj2_secretary.email, w.nj2_secretary.phone = "nj2@example.org", "13800000002"
    w.nj2_secretary.save()
    done = services.remind(w.city_admin, task, today=LATE.date())
    assert done.nodes == 4  # the cast's branch too
    message = done.message
    assert message.get_source_display() == "报送任务" and message.title.startswith("已逾期")
    notice = Notice.objects.get(recipient=w.nj2_secretary, title__contains="已逾期")
    # the inbox went at once and opens the node's answer page
    assert notice.url == f"/reporting/mine/{assignment_of(task, w.nj2.node).pk}/"
    mine = Delivery.objects.filter(message=message, user=w.nj2_secretary)
    assert sorted(mine.values_list("channel", "address", "state")) == [
        ("email", "nj2@example.org", "queued"), ("inbox", "", "delivered"), ("sms", "13800000002", "queued"),
    ]  # fmt: skip
    # who answered is not reminded; a second 催报 reminds nobody and sends nothing
    assert not Delivery.objects.filter(message=message, user=w.nj1_secretary).exists()
    again = services.remind(w.city_admin, task, today=LATE.date())
    assert (again.nodes, again.message) == (0, None)
    # the worker sends the rest (the SMS waits for its gateway's hours)
    messaging.send_pending(message.pk)
    assert [m.to for m in mail.outbox] == [["nj2@example.org"]]


# -- collecting ----------------------------------------------------------------------------------------------------
def test_the_collected_sheet_equals_the_answers_row_for_row_with_subtotals_recounted(w):
    task = send(w)
    answers = {}
    for n, branch in enumerate([w.nj1, w.nj2, w.wt1, w.tp1]):
        a = assignment_of(task, branch.node)
        answer = full_answer(a, activities=str(n + 1))
        services.submit(w.city_admin, a, answer, now=ON_TIME if n != 2 else LATE)
        answers[branch.node.pk] = ReportSubmission.objects.get(assignment=a).values
    # w.branch (the cast's own) has not answered: a row without values, outside every sum
    collected = services.collect(task)
    assert [r.node_id for r in collected.rows] == list(
        ReportAssignment.objects.filter(task=task).order_by("node__path").values_list("node_id", flat=True)
    )
    for row in collected.rows:
        assert row.values == answers.get(row.node_id, {})
        assert row.late == (row.node_id == w.wt1.node.pk)
    keys = collected.summable
    assert "activities" in keys and "work_summary" not in keys

    def recount(node) -> dict[str, Decimal]:
        out = dict.fromkeys(keys, Decimal(0))
        for node_id, values in answers.items():
            if ManagementNode.objects.get(pk=node_id).path.startswith(node.path):
                for k in keys:
                    out[k] += Decimal(values[k] or 0)
        return out

    by_node = {s.node_id: s for s in collected.subtotals}
    assert set(by_node) == {w.huangpu_node.pk, w.xuhui_node.pk, w.nanjing_node.pk, w.waitan_node.pk,
                            w.tianping_node.pk}  # fmt: skip
    for node in (w.huangpu_node, w.xuhui_node, w.nanjing_node, w.waitan_node, w.tianping_node):
        assert by_node[node.pk].sums == recount(node)
    assert collected.total.sums == recount(w.city_node)
    assert (by_node[w.nanjing_node.pk].answered, by_node[w.nanjing_node.pk].expected) == (2, 3)
    # the sheet: each subtotal right after its subtree's rows, the total last
    sheet = collected.sheet()
    labels = [getattr(item, "node_name", None) or item.label for item in sheet]
    assert labels[-1] == "合计"
    assert labels.index("南京东路街道综合党委小计") > labels.index("新世界党支部")
    assert labels.index("南京东路街道综合党委小计") < labels.index("外滩餐饮党支部")
    assert labels.index("黄浦区社会工作党委小计") > labels.index("外滩街道综合党委小计")


# -- the pages ------------------------------------------------------------------------------------------------------
def page_task(w):
    """A task from 黄浦 to its streets, sent through the page (deadline in the future: today's)."""
    from .conftest import client_for

    today = timezone.localdate()
    response = client_for(w.district_admin).post("/reporting/new/", {
        "node": w.huangpu_node.pk, "form": world.form(world.MONTHLY).pk, "title": "覆盖月报",
        "period_start": today.replace(day=1).isoformat(), "period_end": today.isoformat(),
        "deadline": (today + datetime.timedelta(days=3)).isoformat(), "rule": "children",
    })  # fmt: skip
    assert response.status_code == 302
    from liangxin.reporting.models import ReportTask

    return ReportTask.objects.get(title="覆盖月报")


def test_send_answer_with_a_correction_return_and_collect_through_the_pages(w):
    from openpyxl import load_workbook

    from .conftest import client_for

    task = page_task(w)
    a = assignment_of(task, w.nanjing_node)
    street = client_for(w.street_admin)
    assert "覆盖月报" in street.get("/reporting/mine/").content.decode()
    measured = services.prefill(a)
    form_page = street.get(f"/reporting/mine/{a.pk}/").content.decode()
    assert f"平台数据：{measured['orgs_counted']}" in form_page
    answer = {"orgs_counted": str(int(measured["orgs_counted"]) + 2), "new_party_orgs": "1", "progress": "进度滞后"}
    refused = street.post(f"/reporting/mine/{a.pk}/", answer)
    assert refused.status_code == 400 and "请填写更正说明" in refused.content.decode()
    done = street.post(f"/reporting/mine/{a.pk}/", {**answer, "note_orgs_counted": "两家新注册企业尚未入库"})
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.state == AssignmentState.SUBMITTED
    # the other street cannot read or answer 南京东路's assignment: as if missing
    other = client_for(w.other_street_admin)
    assert other.get(f"/reporting/mine/{a.pk}/").status_code == 404
    assert other.post(f"/reporting/mine/{a.pk}/", answer).status_code == 404
    district = client_for(w.district_admin)
    detail = district.get(f"/reporting/{task.pk}/").content.decode()
    assert "已提交 1" in detail and "未提交 1" in detail
    returned = district.post(f"/reporting/assignments/{a.pk}/", {"reason": "请核实纳入统计数"})
    assert returned.status_code == 302
    a.refresh_from_db()
    assert a.state == AssignmentState.RETURNED
    assert "请核实纳入统计数" in street.get(f"/reporting/mine/{a.pk}/").content.decode()
    street.post(f"/reporting/mine/{a.pk}/", {**answer, "note_orgs_counted": "已核实", "new_party_orgs": "2"})
    response = district.get(f"/reporting/{task.pk}/collect.xlsx")
    assert response.status_code == 200
    import io

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book["数据"].iter_rows(values_only=True))
    header = rows[0]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    nanjing = by_name["南京东路街道综合党委"]
    assert nanjing["本月新建党组织（个）"] == 2 and nanjing["版本"] == 2 and nanjing["含更正"] == "是"
    assert nanjing["纳入统计的两新组织（个）"] == int(measured["orgs_counted"]) + 2
    assert by_name["外滩街道综合党委"]["状态"] == "未提交"
    assert by_name["合计"]["本月新建党组织（个）"] == 2 and by_name["合计"]["已报/应报"] == "1/2"
    assert AuditEntry.objects.filter(action="export", object_type="reporting.reporttask").count() == 1


# -- the API --------------------------------------------------------------------------------------------------------
def test_the_api_answers_and_collects_as_figures_and_keeps_other_streets_out(w):
    from .test_api_writes import api

    task = page_task(w)
    a = assignment_of(task, w.nanjing_node)
    other = assignment_of(task, w.waitan_node)
    street = api(w.street_admin)
    form = street.get(f"/api/v1/report-assignments/{a.pk}/").json()
    measured = {f["key"]: f["measured"] for f in form["fields"] if f["kind"] == "prefilled"}
    assert {k: Decimal(str(v)) for k, v in measured.items()} == {k: Decimal(v) for k, v in services.prefill(a).items()}
    assert street.get(f"/api/v1/report-assignments/{other.pk}/").status_code == 404
    assert (
        street.post(f"/api/v1/report-assignments/{other.pk}/submit/", {"values": {}}, format="json").status_code == 404
    )
    bad = street.post(
        f"/api/v1/report-assignments/{a.pk}/submit/", {"values": {"new_party_orgs": "很多"}}, format="json"
    )
    assert bad.status_code == 400 and "应为数字" in bad.json()["errors"]["new_party_orgs"][0]
    body = {"values": {"new_party_orgs": "3", "progress": "按计划推进"}}
    assert street.post(f"/api/v1/report-assignments/{a.pk}/submit/", body, format="json").status_code == 200
    services.close_task(w.district_admin, task)
    closed = api(w.other_street_admin).post(f"/api/v1/report-assignments/{other.pk}/submit/", body, format="json")
    assert closed.status_code == 400 and "已关闭" in closed.json()["errors"]["non_field_errors"][0]
    figures = api(w.district_admin).get(f"/api/v1/report-tasks/{task.pk}/collected/").json()
    rows = {r["node"]: r for r in figures["rows"]}
    assert rows[w.nanjing_node.pk]["values"]["new_party_orgs"] == 3
    assert rows[w.waitan_node.pk]["values"] == {} and rows[w.waitan_node.pk]["state"] == "pending"
    assert figures["total"]["sums"]["new_party_orgs"] == 3 and figures["total"]["expected"] == 2


# -- 汇总上报 -----------------------------------------------------------------------------------------------------
def test_a_districts_rolled_up_answer_is_the_sum_of_its_streets(w):
    city_task = send(w, rule="children")  # the city asks its districts (and the industry committee)
    district_task = send(w, node=w.huangpu_node, rule="children", sender=w.district_admin)  # 黄浦 asks its streets
    streets = {}
    for n, street in enumerate([w.nanjing_node, w.waitan_node]):
        a = assignment_of(district_task, street)
        answer = full_answer(a, activities=str(3 + n), members_full=str(10 + n), dues_paid="120.5")
        answer.notes = {"members_full": "按实有人数", "dues_paid": "含补交"}
        services.submit(w.district_admin, a, answer, now=ON_TIME)
        streets[street.pk] = ReportSubmission.objects.get(assignment=a).values
    huangpu = assignment_of(city_task, w.huangpu_node)
    s = services.rollup(w.district_admin, huangpu, district_task, now=ON_TIME)
    keys = services.collect(district_task).summable
    for key in keys:
        assert Decimal(s.values[key]) == sum(Decimal(v[key]) for v in streets.values()), key
    assert s.values["activities"] == "7" and s.values["dues_paid"] == "241"
    assert s.rolled_up_from == district_task and s.corrections["members_full"].startswith("汇总下级报送")
    # and it is 黄浦's row of the city's collected sheet
    row = next(r for r in services.collect(city_task).rows if r.node_id == w.huangpu_node.pk)
    assert row.values == s.values and row.state == AssignmentState.SUBMITTED


def test_rollup_is_refused_for_another_form_or_a_node_that_did_not_send_it(w):
    city_task = send(w, rule="children")
    other_form = send(w, node=w.huangpu_node, rule="children", sender=w.district_admin, form_name=world.MONTHLY)
    huangpu = assignment_of(city_task, w.huangpu_node)
    with pytest.raises(ValidationError) as e:
        services.rollup(w.district_admin, huangpu, other_form, now=ON_TIME)
    assert "报送表单不同" in str(e.value)
    xuhui_task = send(w, node=w.xuhui_node, rule="children", sender=w.xuhui_admin)
    with pytest.raises(ValidationError) as e:
        services.rollup(w.district_admin, huangpu, xuhui_task, now=ON_TIME)
    assert "本单位发起" in str(e.value)
    same_form = send(w, node=w.huangpu_node, rule="children", sender=w.district_admin)
    with pytest.raises(ValidationError) as e:
        services.rollup(w.district_admin, huangpu, same_form, now=ON_TIME)
    assert "无可汇总" in str(e.value)
    assert not ReportSubmission.objects.filter(assignment=huangpu).exists()


def test_the_district_rolls_up_from_its_answer_page(w):
    from .conftest import client_for

    city_task = send(w, rule="children")
    district_task = send(w, node=w.huangpu_node, rule="children", sender=w.district_admin)
    a = assignment_of(district_task, w.nanjing_node)
    answer = full_answer(a, activities="4")
    services.submit(w.street_admin, a, answer, now=ON_TIME)
    huangpu = assignment_of(city_task, w.huangpu_node)
    district = client_for(w.district_admin)
    page = district.get(f"/reporting/mine/{huangpu.pk}/").content.decode()
    assert "汇总上报" in page and district_task.title in page
    # the street cannot roll up into 黄浦's assignment: not theirs, as if missing
    url = f"/reporting/mine/{huangpu.pk}/rollup/"
    assert client_for(w.street_admin).post(url, {"source": district_task.pk}).status_code == 404
    assert district.post(url, {"source": district_task.pk}).status_code == 302
    s = ReportSubmission.objects.get(assignment=huangpu)
    assert s.values["activities"] == "4" and s.rolled_up_from_id == district_task.pk


def test_a_file_answer_is_checked_stored_and_read_only_by_the_node_and_the_tasks_readers(w, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import client_for

    settings.VAR_DIR = tmp_path
    task = send(w, node=w.huangpu_node, form_name=world.MONTHLY, rule="children", sender=w.district_admin)
    a = assignment_of(task, w.nanjing_node)
    values = {"new_party_orgs": "1", "progress": "按计划推进"}
    fake = services.Answer(values=values, files={"evidence": SimpleUploadedFile("说明.png", b"MZ not a picture")})
    with pytest.raises(ValidationError):
        services.submit(w.street_admin, a, fake, now=ON_TIME)
    assert not ReportSubmission.objects.exists() and not list((tmp_path / "reporting").glob("*"))
    good = services.Answer(values=values, files={"evidence": SimpleUploadedFile("合影.png", PNG, "image/png")})
    s = services.submit(w.street_admin, a, good, now=ON_TIME)
    assert s.values["evidence"]["name"] == "合影.png"
    stored = list((tmp_path / "reporting").glob("*"))
    assert len(stored) == 1 and PNG not in stored[0].read_bytes()  # encrypted at rest
    url = f"/reporting/submissions/{s.pk}/files/evidence/"
    for user, status in ((w.street_admin, 200), (w.district_admin, 200), (w.other_street_admin, 404)):
        response = client_for(user).get(url)
        assert response.status_code == status
        if status == 200:
            assert b"".join(response.streaming_content) == PNG


# -- the scope ------------------------------------------------------------------------------------------------------
def test_a_task_is_managed_by_its_node_read_above_and_answered_by_each_node_alone(w):
    from liangxin.accounts.scoping import scope_for

    task = send(w, node=w.huangpu_node, rule="children", sender=w.district_admin)

    def sees(user) -> tuple[bool, bool, set]:
        scope = scope_for(user)
        return (scope.report_tasks("view").filter(pk=task.pk).exists(), scope.may_manage_report(task),
                {a.node for a in scope.report_assignments().filter(task=task)})  # fmt: skip

    assert sees(w.district_admin) == (True, True, set())
    assert sees(w.city_admin) == (True, False, set())
    assert sees(w.auditor) == (True, False, set())
    assert sees(w.street_admin) == (False, False, {w.nanjing_node})
    assert sees(w.other_street_admin) == (False, False, {w.waitan_node})
    assert sees(w.xuhui_admin) == (False, False, set())
    assert sees(w.nj1_secretary) == (False, False, set())


def test_an_unanswered_task_is_due_for_the_nodes_admin_and_overdue_after_its_deadline(w):
    from liangxin.accounts.scoping import scope_for
    from liangxin.inbox import reminders

    task = send(w)
    mine = [r for r in reminders.due_for(w.nj1_secretary, scope_for(w.nj1_secretary), TODAY) if r.kind == "report"]
    assert [(r.due_on, r.overdue) for r in mine] == [(DEADLINE, False)]
    late = [
        r for r in reminders.due_for(w.nj1_secretary, scope_for(w.nj1_secretary), LATE.date()) if r.kind == "report"
    ]
    assert [r.overdue for r in late] == [True]
    a = assignment_of(task, w.nj1.node)
    services.submit(w.nj1_secretary, a, full_answer(a), now=ON_TIME)
    done = [
        r for r in reminders.due_for(w.nj1_secretary, scope_for(w.nj1_secretary), LATE.date()) if r.kind == "report"
    ]
    assert done == []


def test_the_daily_command_reminds_the_overdue_nodes_once(w):
    import io

    from django.core.management import call_command

    from liangxin.messaging.models import Message

    task = send(w)
    a = assignment_of(task, w.nj1.node)
    services.submit(w.nj1_secretary, a, full_answer(a), now=ON_TIME)
    task.__class__.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    out = io.StringIO()
    call_command("remind_overdue_reports", stdout=out)
    assert out.getvalue().strip() == "催报 1 个任务、4 个单位"
    message = Message.objects.get(source="report")
    assert message.sender == w.city_admin and message.title.startswith("已逾期")
    assert Notice.objects.filter(recipient=w.nj2_secretary, title__contains="已逾期").count() == 1
    call_command("remind_overdue_reports", stdout=out)
    assert Message.objects.filter(source="report").count() == 1
