"""述职报告 (liangxin/duty_reports): every assembled figure equals a recount over the raw rows of a small
world or the existing API's answer for the same node and period; the snapshot is frozen once
submitted; only the level above reviews; the text is sanitised; the Word file holds figures and text."""

import datetime
import io
import random
import re
from decimal import ROUND_HALF_UP, Decimal

import docx
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core.models import AuditEntry
from liangxin.develop.models import Applicant
from liangxin.dues.models import DuesPayment
from liangxin.duty_reports import figures, services
from liangxin.duty_reports.choices import ReportStatus
from liangxin.duty_reports.models import DutyReport
from liangxin.life.models import Meeting
from liangxin.messaging.models import Message
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.models import Organization
from liangxin.party import policy
from liangxin.party import rules as party_rules
from liangxin.party.models import Member, PartyOrganization, PartyOrgLink
from liangxin.reporting.models import ReportAssignment, ReportForm, ReportTask
from liangxin.stats.measures import RATES

from . import stats_world
from .conftest import client_for
from .party_helpers import make_party_org
from .test_api_writes import api
from .test_reach import at, deliver

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = timezone.localdate()
TEXTS = {"practice": "抓覆盖，消除空白点。", "problems": "部分楼宇空白。", "plans": "明年补齐。"}


def rate(numerator: int, denominator: int) -> str | None:
    if not denominator:
        return None
    return str((Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@pytest.fixture
def world(party_cast):
    party_cast.world = stats_world.build(party_cast, random.Random(11), n_orgs=70)
    return party_cast


def _written(c, node=None, year=None):
    report = services.create(c.street_admin if node is None else c.district_admin, node or c.nanjing_node,
                             year or TODAY.year)  # fmt: skip
    return services.update_text(c.street_admin if node is None else c.district_admin, report, TEXTS)


# -- the figures ------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", [TODAY.year - 1, TODAY.year])
def test_coverage_and_blank_spots_equal_a_recount_of_the_raw_rows(world, year):
    c = world
    for node in (c.nanjing_node, c.huangpu_node):
        got = figures.assemble(node, year, TODAY)
        end = min(D(year, 12, 31), TODAY)
        now = stats_world.recount({"node": node}, {}, end if end < TODAY else None)
        before = stats_world.recount({"node": node}, {}, D(year - 1, 12, 31))
        for r, spec in zip(got["coverage"], RATES, strict=True):
            assert r["key"] == spec.key
            assert (r["numerator"], r["denominator"]) == (len(now[spec.numerator]), len(now[spec.denominator]))
            assert r["percent"] == rate(len(now[spec.numerator]), len(now[spec.denominator]))
            assert r["previous_percent"] == rate(len(before[spec.numerator]), len(before[spec.denominator]))
            if r["percent"] is not None and r["previous_percent"] is not None:
                assert Decimal(r["change"]) == Decimal(r["percent"]) - Decimal(r["previous_percent"])
        closed = (before["blank"] & now["counted"]) - now["blank"]
        assert got["blank"] == {"start": len(before["blank"]), "end": len(now["blank"]), "closed": len(closed)}
        assert got["as_of"] == end.isoformat()


def test_blank_spots_closed_counts_an_organization_covered_during_the_year(party_cast):
    c = party_cast
    Organization.objects.filter(pk=c.org.pk).update(founded_on=D(2020, 1, 1))
    PartyOrgLink.objects.filter(organization=c.org).update(start_on=D(TODAY.year, 1, 1))
    last_year = TODAY.year - 1
    # 嘉信 is covered by the branch from 1 January: a blank spot at the end of last year, closed this year
    got = figures.assemble(c.nanjing_node, TODAY.year, TODAY)
    assert got["blank"] == {"start": 1, "end": 0, "closed": 1}
    assert figures.assemble(c.nanjing_node, last_year, TODAY)["blank"]["closed"] == 0


def test_development_counts_the_year_by_its_boundaries(party_cast):
    c = party_cast
    other = make_party_org(c, name="外滩某党支部", parent=c.waitan_node)
    y = TODAY.year - 1
    days = [D(y - 1, 12, 31), D(y, 1, 1), D(y, 6, 30), D(y, 12, 31), D(y + 1, 1, 1)]
    for i, day in enumerate(days):
        for po in (c.branch, other):
            Applicant.objects.create(
                name=f"申请人{po.pk}-{i}", id_number_enc="x", id_masked="x", birth_date=D(2000, 1, 1), sex="M",
                party_org=po, id_hash=f"h{po.pk}-{i}", applied_on=day, approved_on=days[-1 - i],
            )  # fmt: skip
    got = figures.assemble(c.nanjing_node, y, TODAY)["develop"]
    paths = dict(ManagementNode.objects.values_list("pk", "path"))
    rows = [
        (a.applied_on, a.approved_on)
        for a in Applicant.objects.select_related("party_org")
        if paths[a.party_org.node_id].startswith(c.nanjing_node.path)
    ]
    assert got == {
        "applied": sum(D(y, 1, 1) <= a <= D(y, 12, 31) for a, _ in rows),
        "approved": sum(b is not None and D(y, 1, 1) <= b <= D(y, 12, 31) for _, b in rows),
    }
    assert got == {"applied": 3, "approved": 3}


def test_life_dues_and_reach_equal_the_api_for_the_same_node_and_year(world):
    c = world
    Member.objects.filter(pk=c.member.pk).update(dues_base=5000)
    month = D(TODAY.year, 1, 1)
    DuesPayment.objects.create(
        member=c.member, party_org=c.branch, month=month, amount_due=Decimal(25), amount_paid=Decimal(25), paid_on=month
    )  # fmt: skip
    Meeting.objects.create(party_org=c.branch, kind="theme_day", date=month, status="held", topic="学习", place="室")
    message = Message.objects.create(title="通知", body="正文", sender=c.city_admin, node=c.city_node)
    nanjing_orgs = Organization.objects.filter(
        operating_region=c.nanjing, responsible_node=c.nanjing_node, status="operating"
    ).order_by("pk")[:4]
    for i, org in enumerate(nanjing_orgs):
        sent = at(f"{TODAY.year}-01-0{i + 2}")
        deliver(message, org=org, sent_at=sent, read_at=sent if i < 2 else None)
    deliver(message, org=c.org, sent_at=at(f"{TODAY.year - 1}-12-31", "23:59:00"))  # before the year
    got = figures.assemble(c.nanjing_node, TODAY.year, TODAY)
    assert got["reach"]["reached"] >= 1 and got["reach"]["read"] >= 1 and Decimal(got["dues"]["paid"]) >= 25
    client = api(c.street_admin)
    life = client.get(f"/api/v1/life/rollup/?node={c.nanjing_node.pk}&year={TODAY.year}").json()["total"]
    assert {k: life[k] for k in ("all", "assessed", "compliant", "missing", "pending")} == {
        k: got["life"][k] for k in ("all", "assessed", "compliant", "missing", "pending")
    }
    assert got["life"]["share"] == (None if life["share"] is None else str(life["share"]))
    dues = client.get(f"/api/v1/dues/totals/?node={c.nanjing_node.pk}&year={TODAY.year}").json()["total"]
    assert (got["dues"]["due"], got["dues"]["paid"], got["dues"]["owed"]) == (
        str(Decimal(str(dues["due"]))), str(Decimal(str(dues["paid"]))), str(Decimal(str(dues["unpaid"]))),
    )  # fmt: skip
    start = D(TODAY.year, 1, 1).isoformat()
    reach = client.get(f"/api/v1/stats/reach/?node={c.nanjing_node.pk}&from={start}&to={TODAY.isoformat()}").json()
    total = reach["total"]
    assert (got["reach"]["counted"], got["reach"]["reached"], got["reach"]["read"]) == (
        total["counted"], total["reached"], total["read"],
    )  # fmt: skip


def test_findings_are_the_rule_engine_s_over_the_subtree_by_responsibility(world):
    c = world
    params, got = policy.values(), figures.assemble(c.nanjing_node, TODAY.year, TODAY)["findings"]
    paths = dict(ManagementNode.objects.values_list("pk", "path"))
    inside = c.nanjing_node.path
    want = dict.fromkeys(party_rules.LEVEL_LABELS, 0)
    objects = [
        *[("organization", o) for o in party_rules.organization_facts(Organization.objects.filter(status="operating"))
          if o.responsible_node_id and paths[o.responsible_node_id].startswith(inside)],
        *[("party_org", p) for p in party_rules.party_org_facts(PartyOrganization.objects.filter(node__is_active=True))
          if paths[p.node_id].startswith(inside)],
        *[("member", m) for m in party_rules.member_facts(Member.objects.filter(is_active=True))
          if paths[PartyOrganization.objects.get(pk=m.party_org_id).node_id].startswith(inside)],
    ]  # fmt: skip
    for target, obj in objects:
        for finding in party_rules.findings_for(obj, target, params, TODAY):
            want[finding.level] += 1
    assert got == want
    assert sum(want.values()) > 0


def test_reports_on_time_counts_the_committee_s_own_assignments_due_in_the_year(party_cast):
    c = party_cast
    y = TODAY.year - 1
    form = ReportForm.objects.create(name="季报")
    states = {D(y - 1, 12, 31): "submitted", D(y, 1, 1): "submitted", D(y, 6, 1): "late", D(y, 12, 31): "pending"}
    for deadline, state in states.items():
        task = ReportTask.objects.create(
            form=form, title="季报", node=c.city_node, period_start=deadline, period_end=deadline, deadline=deadline,
            addressee_rule="children",
        )  # fmt: skip
        ReportAssignment.objects.create(task=task, node=c.nanjing_node, state=state)
    assert figures.assemble(c.nanjing_node, y, TODAY)["reports"] == {"on_time_share": rate(1, 3)}


def test_no_assessment_round_shows_the_seam_s_text(party_cast):
    got = figures.assemble(party_cast.nanjing_node, TODAY.year, TODAY)
    assert got["assessment"] is None
    assert ("考核结果", "年度考核", figures.NO_ASSESSMENT) in figures.rows(got)


# -- the snapshot and the workflow ------------------------------------------------------------------
def _add_approved(c):
    return Applicant.objects.create(
        name="新党员", id_number_enc="x", id_masked="x", birth_date=D(2000, 1, 1), sex="M", party_org=c.branch,
        id_hash=f"h-new-{Applicant.objects.count()}", applied_on=TODAY, approved_on=TODAY,
    )  # fmt: skip


def test_the_figures_are_frozen_once_submitted(party_cast):
    c = party_cast
    report = _written(c)
    _add_approved(c)
    report = services.refresh(c.street_admin, report)  # a draft is refreshed: the fact is in
    assert report.figures["develop"]["approved"] == 1
    services.submit(c.street_admin, report)
    frozen = DutyReport.objects.get(pk=report.pk).figures
    _add_approved(c)
    assert figures.assemble(c.nanjing_node, TODAY.year, TODAY)["develop"]["approved"] == 2
    assert DutyReport.objects.get(pk=report.pk).figures == frozen
    with pytest.raises(ValidationError, match="不能更新数据"):
        services.refresh(c.street_admin, report)
    with pytest.raises(ValidationError, match="不能修改"):
        services.update_text(c.street_admin, report, {"plans": "改"})
    response = api(c.street_admin).post(f"/api/v1/duty-reports/{report.pk}/refresh/")
    assert response.status_code == 400
    assert DutyReport.objects.get(pk=report.pk).figures == frozen
    # the page's step is refused the same way, nothing changed
    page = client_for(c.street_admin).post(f"/duty-reports/{report.pk}/refresh/", follow=True)
    assert "未办理" in page.content.decode()
    assert DutyReport.objects.get(pk=report.pk).figures == frozen


def test_refresh_is_audited(party_cast):
    c = party_cast
    report = _written(c)
    before = AuditEntry.objects.count()
    services.refresh(c.street_admin, report)
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.object_id == str(report.pk) and "更新" in entry.detail


def test_submit_needs_the_three_sections(party_cast):
    c = party_cast
    report = services.create(c.street_admin, c.nanjing_node, TODAY.year)
    services.update_text(c.street_admin, report, {"practice": "有", "problems": "<p> </p>"})
    with pytest.raises(ValidationError, match="存在的问题、下一步打算"):
        services.submit(c.street_admin, report)
    assert DutyReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_only_the_level_above_reviews_and_the_history_is_kept(party_cast):
    c = party_cast
    report = services.submit(c.street_admin, _written(c))
    url = f"/api/v1/duty-reports/{report.pk}/review/"
    # a sibling street does not see it; the city sees it but does not review; the author does not review
    assert api(c.other_street_admin).post(url, {"decision": "approve"}, format="json").status_code == 404
    assert api(c.city_admin).post(url, {"decision": "approve"}, format="json").status_code == 403
    assert api(c.street_admin).post(url, {"decision": "approve"}, format="json").status_code == 403
    assert api(c.district_admin).post(url, {"decision": "return"}, format="json").status_code == 400  # no reason
    assert DutyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    response = api(c.district_admin).post(url, {"decision": "return", "comment": "补充空白点"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    services.update_text(c.street_admin, report, {"problems": "补充：空白点三个。"})
    services.submit(c.street_admin, report)
    response = api(c.district_admin).post(url, {"decision": "approve", "comment": "同意"}, format="json")
    assert response.json()["status"] == "approved"
    history = [(r["action"], r["comment"]) for r in response.json()["reviews"]]
    assert history == [("submit", ""), ("return", "补充空白点"), ("submit", ""), ("approve", "同意")]
    with pytest.raises(ValidationError, match="不在待审阅状态"):
        services.review(c.district_admin, report, "approve", "")


def test_the_waiting_list_is_the_reviewer_s(party_cast):
    c = party_cast
    report = services.submit(c.street_admin, _written(c))
    assert [r["id"] for r in api(c.district_admin).get("/api/v1/duty-reports/?waiting=1").json()["results"]] == [
        report.pk
    ]
    assert api(c.city_admin).get("/api/v1/duty-reports/?waiting=1").json()["results"] == []
    page = client_for(c.district_admin).get("/duty-reports/").content.decode()
    assert "待我审阅" in page and c.nanjing_node.name in page


def test_a_draft_is_not_read_above_and_a_sibling_never_reads(party_cast):
    c = party_cast
    report = _written(c)
    for user in (c.district_admin, c.city_admin, c.other_street_admin):
        assert api(user).get(f"/api/v1/duty-reports/{report.pk}/").status_code == 404
    services.submit(c.street_admin, report)
    assert api(c.district_admin).get(f"/api/v1/duty-reports/{report.pk}/").status_code == 200
    assert api(c.other_street_admin).get(f"/api/v1/duty-reports/{report.pk}/").status_code == 404


def test_one_report_per_committee_and_year_and_no_report_without_a_level_above(party_cast):
    c = party_cast
    services.create(c.street_admin, c.nanjing_node, TODAY.year)
    with pytest.raises(ValidationError, match="已经建立"):
        services.create(c.street_admin, c.nanjing_node, TODAY.year)
    with pytest.raises(ValidationError, match="没有上级党委"):
        services.create(c.city_admin, c.city_node, TODAY.year)
    with pytest.raises(ValidationError, match="年度"):
        services.create(c.street_admin, c.nanjing_node, TODAY.year + 1)
    with pytest.raises(ValidationError, match="只有党委"):
        services.create(c.secretary, c.branch.node, TODAY.year)


def test_the_text_is_sanitised(party_cast):
    c = party_cast
    report = services.create(c.street_admin, c.nanjing_node, TODAY.year)
    body = '<p onclick="x()">做法<script>alert(1)</script><a href="javascript:alert(1)">链接</a></p>'
    response = api(c.street_admin).patch(f"/api/v1/duty-reports/{report.pk}/", {"practice": body}, format="json")
    stored = DutyReport.objects.get(pk=report.pk).practice
    assert response.status_code == 200
    assert "<script" not in stored and "onclick" not in stored and "javascript" not in stored
    assert "做法" in stored and "链接" in stored
    page = client_for(c.street_admin).get(f"/duty-reports/{report.pk}/").content.decode()
    assert "<script>alert(1)" not in page


def test_the_word_file_opens_and_holds_the_figures_and_the_text(party_cast):
    c = party_cast
    report = services.submit(c.street_admin, _written(c))
    response = api(c.district_admin).get(f"/api/v1/duty-reports/{report.pk}/word/")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for label in ("党的组织覆盖率", "年内消除空白点", "年内发展党员", "按时完成率", "到达率", figures.NO_ASSESSMENT):
        assert any(label in cell for cell in cells), label
    for section_text in TEXTS.values():
        assert section_text in text
    assert "党委书记（签字）" in text and c.nanjing_node.name in text
    assert AuditEntry.objects.filter(object_id=str(report.pk), action="export").exists()


def test_the_pages_create_edit_submit_print(party_cast):
    c = party_cast
    client = client_for(c.street_admin)
    response = client.post("/duty-reports/new/", {"node": c.nanjing_node.pk, "year": "二〇二五"})
    assert response.status_code == 400 and "年度" in response.content.decode()
    response = client.post("/duty-reports/new/", {"node": c.nanjing_node.pk, "year": str(TODAY.year)})
    report = DutyReport.objects.get(node=c.nanjing_node, year=TODAY.year)
    assert response.status_code == 302
    client.post(f"/duty-reports/{report.pk}/edit/", TEXTS)
    client.post(f"/duty-reports/{report.pk}/submit/")
    assert DutyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    printed = client_for(c.district_admin).get(f"/duty-reports/{report.pk}/print/").content.decode()
    assert "css/print.css" in printed and TEXTS["plans"] in printed and "党委书记（签字）" in printed
    client_for(c.district_admin).post(f"/duty-reports/{report.pk}/review/", {"decision": "return", "comment": "再改"})
    assert DutyReport.objects.get(pk=report.pk).status == ReportStatus.RETURNED


def test_the_pages_read_in_chinese(party_cast):
    from .test_browser_text import foreign_words  # noqa: PLC0415 (the crawl's own check; chromium not needed)

    c = party_cast
    report = services.submit(c.street_admin, _written(c))
    draft = services.create(c.district_admin, c.huangpu_node, TODAY.year)
    logins = {u.username for u in (c.street_admin, c.district_admin)}
    pages = [
        (c.street_admin, "/duty-reports/"), (c.street_admin, "/duty-reports/new/"),
        (c.street_admin, f"/duty-reports/{report.pk}/"), (c.district_admin, f"/duty-reports/{report.pk}/"),
        (c.district_admin, f"/duty-reports/{report.pk}/print/"), (c.district_admin, f"/duty-reports/{draft.pk}/edit/"),
        (c.district_admin, "/duty-reports/"),
    ]  # fmt: skip
    for user, url in pages:
        html = client_for(user).get(url).content.decode()
        body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", body)
        assert foreign_words(text, logins) == [], url


def test_the_assessment_result_is_the_published_rounds_of_the_year(party_cast):
    """Only a round published (or past its objections) whose period ends in the year, as it locked
    the committee's total and grade; the latest first."""
    from liangxin.assessment.choices import RoundState
    from liangxin.assessment.models import IndicatorVersion, Round, RoundEntry

    c = party_cast
    shipped = IndicatorVersion.objects.filter(indicator_set__subject_kind="committee", published_at__isnull=False)
    version = shipped.first()
    assert version is not None  # the shipped 效能评估
    y = TODAY.year

    def entry(name, state, end, total, grade, subject=c.nanjing_node):
        rnd = Round.objects.create(
            name=name, version=version, period_start=D(end.year, 1, 1), period_end=end, state=state,
            node=c.city_node, created_by=c.city_admin,
        )  # fmt: skip
        RoundEntry.objects.create(
            round=rnd, subject=subject, reviewer=c.huangpu_node, confirmer=c.city_node, total=total, grade=grade
        )

    entry("在审轮次", RoundState.CONFIRM, D(y, 12, 31), Decimal("99.00"), "excellent")
    entry("上年轮次", RoundState.CLOSED, D(y - 1, 12, 31), Decimal("70.00"), "fair")
    entry("别的街道", RoundState.PUBLISHED, D(y, 12, 31), Decimal("60.00"), "fair", subject=c.waitan_node)
    assert figures.assessment_result(c.nanjing_node, y) is None
    entry("年中评估", RoundState.CLOSED, D(y, 6, 30), Decimal("81.50"), "good")
    entry("年度效能评估", RoundState.PUBLISHED, D(y, 12, 31), Decimal("90.00"), "excellent")
    got = figures.assemble(c.nanjing_node, y, TODAY)["assessment"]
    assert got == {"text": "年度效能评估：90.00分，优秀；年中评估：81.50分，良好"}
    assert ("考核结果", "年度考核", got["text"]) in figures.rows({"assessment": got})
