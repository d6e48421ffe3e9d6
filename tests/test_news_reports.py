"""信息报送: a branch or a street reports to the committee above, which 采用 (with a grade) or 退回
(with a reason), passes it further up (the chain kept) or publishes it as a 工作动态; the 采用排名
of a committee's child nodes per year equals a recount over the raw rows (31 December vs 1 January)."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liangxin.accounts.scoping import scope_for
from liangxin.portal import reports
from liangxin.portal.models import InfoReport, InfoReportFile, InfoReview, NewsStatus, ReportStatus

from .conftest import _user, client_for
from .party_helpers import make_party_org

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def values(**overrides) -> dict:
    v = {"kind": "experience", "title": "支部建在楼宇里的做法", "body": "我们在楼宇设立联合党支部。"}
    return {**v, **overrides}


@pytest.fixture
def world(party_cast):
    c = party_cast
    c.member_user = _user("nanjing_member", "member", c.branch.node)
    return c


def test_a_branch_reports_to_its_street_which_adopts_and_passes_it_up(world):
    c = world
    report = reports.submit(c.secretary, c.branch.node, values())
    assert (report.at_node, report.status) == (c.nanjing_node, ReportStatus.PENDING)
    assert scope_for(c.street_admin).may_review_report(report)
    assert not scope_for(c.district_admin).may_review_report(report)  # it has not reached the district
    assert scope_for(c.district_admin).info_reports().filter(pk=report.pk).exists()  # but the district reads it
    assert not scope_for(c.other_street_admin).info_reports().filter(pk=report.pk).exists()
    assert not scope_for(c.member_user).info_reports().exists()

    with pytest.raises(ValidationError):
        reports.pass_up(c.street_admin, report)  # adopt first
    reports.adopt(c.street_admin, report, "key")
    reports.pass_up(c.street_admin, report)
    report.refresh_from_db()
    assert (report.at_node, report.status) == (c.huangpu_node, ReportStatus.PENDING)
    assert scope_for(c.district_admin).may_review_report(report)
    assert not scope_for(c.street_admin).may_review_report(report)
    reports.adopt(c.district_admin, report, "normal")
    reports.pass_up(c.district_admin, report)
    reports.return_report(c.city_admin, report, "本市已有同类经验")
    chain = [(r.node, r.status, r.grade, r.reason) for r in report.reviews.order_by("sent_at", "id")]
    assert chain == [
        (c.nanjing_node, "adopted", "key", ""),
        (c.huangpu_node, "adopted", "normal", ""),
        (c.city_node, "returned", "", "本市已有同类经验"),
    ]
    report.refresh_from_db()
    assert (report.at_node, report.status) == (c.city_node, ReportStatus.RETURNED)
    with pytest.raises(ValidationError):
        reports.resubmit(c.secretary, report, values())  # returned above its first level: the chain stands
    with pytest.raises(ValidationError):
        reports.pass_up(c.city_admin, report)


def test_the_top_has_nobody_to_pass_to(world):
    c = world
    report = reports.submit(c.street_admin, c.nanjing_node, values())
    reports.adopt(c.district_admin, report, "normal")
    reports.pass_up(c.district_admin, report)
    reports.adopt(c.city_admin, report, "key")
    with pytest.raises(ValidationError) as refused:
        reports.pass_up(c.city_admin, report)
    assert refused.value.messages == ["上海市社会工作党委没有上级党委，无法继续报送"]


def test_a_returned_report_is_changed_and_sent_again(world):
    c = world
    report = reports.submit(c.street_admin, c.nanjing_node, values(kind="problem"))
    with pytest.raises(ValidationError) as refused:
        reports.adopt(c.district_admin, report, "gold")
    assert list(refused.value.message_dict) == ["grade"]
    reports.return_report(c.district_admin, report, "请写明涉及的企业数")
    reports.resubmit(c.street_admin, report, values(kind="problem", body="涉及企业十二家。"))
    report.refresh_from_db()
    assert (report.status, report.body) == (ReportStatus.PENDING, "<p>涉及企业十二家。</p>")
    assert [(r.status, r.reason) for r in report.reviews.order_by("id")] == [
        ("returned", "请写明涉及的企业数"), ("pending", ""),
    ]  # fmt: skip


def test_publishing_makes_a_news_item_with_its_source(world):
    c = world
    report = reports.submit(c.secretary, c.branch.node, values())
    with pytest.raises(ValidationError):
        reports.publish(c.street_admin, report)  # not adopted yet
    reports.adopt(c.street_admin, report, "normal")
    item = reports.publish(c.street_admin, report)
    # the street publishes: like anything the street writes, the district reviews it first
    assert (item.node, item.status, item.review_node, item.source_report) == (
        c.nanjing_node, NewsStatus.PENDING, c.huangpu_node, report,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        reports.publish(c.street_admin, report)  # once
    reports.pass_up(c.street_admin, report)
    reports.adopt(c.district_admin, report, "key")
    other = reports.submit(c.street_admin, c.nanjing_node, values(title="街道的经验"))
    reports.adopt(c.district_admin, other, "key")
    published = reports.publish(c.district_admin, other)
    assert (published.node, published.status) == (c.huangpu_node, NewsStatus.PUBLISHED)
    assert scope_for(c.member_user).published_news().filter(pk=published.pk).exists()


def test_who_may_write_and_forbidden_files(world, settings, tmp_path):
    c = world
    settings.VAR_DIR = tmp_path
    exe = SimpleUploadedFile("材料.docx", b"MZ" + b"\x00" * 60)
    with pytest.raises(ValidationError):
        reports.submit(c.secretary, c.branch.node, values(), [SimpleUploadedFile("a.pdf", PDF), exe])
    assert (InfoReport.objects.count(), InfoReview.objects.count(), InfoReportFile.objects.count()) == (0, 0, 0)
    assert [scope_for(u).can_write_reports for u in (c.secretary, c.street_admin, c.district_admin, c.member_user)] == [
        True, True, False, False,
    ]  # fmt: skip
    with pytest.raises(ValidationError):
        reports.submit(c.city_admin, c.city_node, values())  # nobody above the city
    report = reports.submit(c.secretary, c.branch.node, values(), [SimpleUploadedFile("材料.pdf", PDF)])
    assert [f.name for f in report.files.all()] == ["材料.pdf"]


# -- the figure ------------------------------------------------------------------------------------
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _adopted(c, actor_node_admin, writer, node, grade, at: datetime.datetime, via=None) -> InfoReport:
    report = reports.submit(writer, node, values(title=f"信息{at:%m%d%H%M}"))
    if via is not None:
        reports.adopt(via, report, "normal", now=at - datetime.timedelta(days=1))
        reports.pass_up(via, report)
    reports.adopt(actor_node_admin, report, grade, now=at)
    return report


def recount(node, year: int) -> dict:
    """The figure from the raw rows, as a person would count them: every review at ``node`` with
    its decision in ``year`` (Shanghai time), by the child of ``node`` the report came from."""
    out: dict = {}
    for review in InfoReview.objects.filter(node=node, status="adopted").select_related("report__node"):
        if timezone.localtime(review.decided_at, SHANGHAI).year != year:
            continue
        child = next(n for n in review.report.node.ancestors() if n.parent_id == node.pk)
        out.setdefault(child.name, {"normal": 0, "key": 0})[review.grade] += 1
    return out


def test_the_ranking_equals_a_recount_with_year_boundaries(world, settings):
    c = world
    settings.TIME_ZONE = "Asia/Shanghai"
    timezone.activate(SHANGHAI)
    waitan_branch = make_party_org(c, name="外滩餐饮党支部", parent=c.waitan_node)
    waitan_secretary = _user("waitan_secretary", "secretary", waitan_branch.node)
    last_minute = datetime.datetime(2024, 12, 31, 23, 59, 30, tzinfo=SHANGHAI)
    first_minute = datetime.datetime(2025, 1, 1, 0, 0, 0, tzinfo=SHANGHAI)
    mid = datetime.datetime(2025, 6, 1, 10, tzinfo=SHANGHAI)
    _adopted(c, c.district_admin, c.street_admin, c.nanjing_node, "key", last_minute)
    _adopted(c, c.district_admin, c.street_admin, c.nanjing_node, "normal", first_minute)
    _adopted(c, c.district_admin, c.street_admin, c.nanjing_node, "key", mid)
    # a branch's report counts for its street once the street passed it up and the district adopted it
    _adopted(c, c.district_admin, waitan_secretary, waitan_branch.node, "key", mid, via=c.other_street_admin)
    _adopted(c, c.district_admin, waitan_secretary, waitan_branch.node, "key", first_minute, via=c.other_street_admin)
    returned = reports.submit(c.other_street_admin, c.waitan_node, values())
    reports.return_report(c.district_admin, returned, "重复")
    reports.submit(c.street_admin, c.nanjing_node, values())  # waiting: received, not adopted

    for year in (2024, 2025):
        rows = reports.adoption_ranking(c.huangpu_node, year)
        figure = {r.node.name: dict(r.grades) for r in rows if r.adopted}
        assert figure == recount(c.huangpu_node, year)
        assert all(r.adopted == sum(r.grades.values()) for r in rows)
    rows = reports.adoption_ranking(c.huangpu_node, 2025)
    assert [(r.node.name, r.adopted, r.grades) for r in rows] == [
        ("外滩街道综合党委", 2, {"normal": 0, "key": 2}),
        ("南京东路街道综合党委", 2, {"normal": 1, "key": 1}),
    ]
    assert [r.received for r in rows] == [2, 2]
    # this year: the returned one was received (decided) and the waiting one too (sent), neither adopted
    now = reports.adoption_ranking(c.huangpu_node, timezone.localdate().year)
    assert [(r.node.name, r.received, r.adopted) for r in now] == [
        ("南京东路街道综合党委", 1, 0), ("外滩街道综合党委", 1, 0),
    ]  # fmt: skip
    assert [(r.node.name, r.adopted) for r in reports.adoption_ranking(c.huangpu_node, 2024)] == [
        ("南京东路街道综合党委", 1), ("外滩街道综合党委", 0),
    ]  # fmt: skip
    # the street's own ranking: its adoption of the branch's reports (the day before the district's)
    waitan = reports.adoption_ranking(c.waitan_node, 2025)
    assert [(r.node.name, r.adopted) for r in waitan] == [("外滩餐饮党支部", 1)]
    assert recount(c.waitan_node, 2024) == {"外滩餐饮党支部": {"normal": 1, "key": 0}}


def test_the_ranking_page_and_its_export(world):
    c = world
    report = reports.submit(c.street_admin, c.nanjing_node, values())
    reports.adopt(c.district_admin, report, "key")
    year = timezone.localdate().year
    page = client_for(c.district_admin).get("/portal/reports/ranking/", {"year": year}).content.decode()
    assert "南京东路街道综合党委" in page and "外滩街道综合党委" in page
    response = client_for(c.district_admin).get("/portal/reports/ranking/export.xlsx", {"year": year})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[-1]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] is not None]
    assert rows[1][:6] == (1, "南京东路街道综合党委", 1, 1, 0, 1)
    # a committee outside the user's subtree is 404; the secretary has no ranking
    assert client_for(c.district_admin).get("/portal/reports/ranking/", {"node": c.xuhui_node.pk}).status_code == 404
    assert client_for(c.secretary).get("/portal/reports/ranking/").status_code == 403
    assert client_for(c.district_admin).get("/portal/reports/ranking/", {"node": "²"}).status_code == 400


def test_the_report_pages_walk_the_chain(world):
    c = world
    response = client_for(c.secretary).post(
        "/portal/reports/new/", {"node": c.branch.node.pk, "kind": "event", "title": "主题党日", "body": "走进社区。"}
    )
    report = InfoReport.objects.get()
    assert response.status_code == 302
    assert client_for(c.district_admin).post(f"/portal/reports/{report.pk}/adopt/", {"grade": "key"}).status_code == 403
    assert client_for(c.street_admin).post(f"/portal/reports/{report.pk}/adopt/", {"grade": "key"}).status_code == 302
    assert client_for(c.street_admin).post(f"/portal/reports/{report.pk}/pass-up/").status_code == 302
    page = client_for(c.district_admin).get(f"/portal/reports/{report.pk}/").content.decode()
    assert "重点采用" in page and "南京东路街道综合党委" in page and "采用等级" in page
    assert client_for(c.district_admin).post(f"/portal/reports/{report.pk}/return/", {"reason": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.PENDING  # the empty reason was refused
    waiting = client_for(c.district_admin).get("/portal/reports/", {"box": "review", "status": "pending"})
    assert "主题党日" in waiting.content.decode()
    assert client_for(c.other_street_admin).get(f"/portal/reports/{report.pk}/").status_code == 404


def test_resubmitting_and_publishing_on_the_pages(world):
    c = world
    report = reports.submit(c.secretary, c.branch.node, values())
    assert client_for(c.secretary).post(f"/portal/reports/{report.pk}/edit/", {}).status_code == 400
    reports.return_report(c.street_admin, report, "请补充照片")
    page = client_for(c.secretary).get(f"/portal/reports/{report.pk}/").content.decode()
    assert "请补充照片" in page and "修改后重新报送" in page
    form = {"kind": "experience", "title": "支部建在楼宇里的做法（补充）", "body": "补充了照片说明。"}
    assert client_for(c.secretary).post(f"/portal/reports/{report.pk}/edit/", form).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.title) == (ReportStatus.PENDING, "支部建在楼宇里的做法（补充）")
    client_for(c.street_admin).post(f"/portal/reports/{report.pk}/adopt/", {"grade": "normal"})
    assert client_for(c.street_admin).post(f"/portal/reports/{report.pk}/publish/").status_code == 302
    report.refresh_from_db()
    assert (report.news_item.status, report.news_item.review_node) == (NewsStatus.PENDING, c.huangpu_node)
    page = client_for(c.street_admin).get(f"/portal/reports/{report.pk}/").content.decode()
    assert "已发布为" in page and "报送上级" in page
