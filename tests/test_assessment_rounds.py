"""考核轮次 (liangxin/assessment/rounds.py, results.py): a round driven through the levels of the management
tree by the services — self → review with an adjustment → confirm → publish → objection → answer —, totals
and grades recounted here from the raw rows, thresholds at their boundaries, frozen platform figures,
the lock after publishing, and scope (a street reviews only the subjects under it)."""

import datetime
import io
import re
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import strip_tags
from rest_framework.test import APIClient

from liangxin.accounts.scoping import scope_for
from liangxin.assessment import results, rounds, services
from liangxin.assessment.models import IndicatorSet, IndicatorVersion, RoundEntry, RoundScore
from liangxin.core.models import AuditEntry
from liangxin.life.models import Meeting

from .conftest import _user, client_for
from .party_helpers import make_party_org

pytestmark = pytest.mark.django_db
D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


def leaf(name, weight, **extra):
    return {"name": name, "weight": weight, "item_source": "测试", **extra}


def make_version(c) -> IndicatorVersion:
    """组织生活 (60: 召开次数 computed 0→4 linear 50, 班子履职 scored 0–10 with a note 50), 群众满意 (40: 0–100)."""
    s = IndicatorSet.objects.create(code="test-set", name="测试体系", subject_kind="party_org")
    v = IndicatorVersion.objects.create(indicator_set=s, number=1)
    top = services.add_indicator(c.city_admin, v, leaf("组织生活", "60", method="scored", rule_kind="scale",
                                                      rule_params={"max": "10"}))  # fmt: skip
    services.add_indicator(c.city_admin, v, leaf("召开次数", "50", method="computed", measure="meetings_held",
                           rule_kind="linear", rule_params={"zero_at": "0", "full_at": "4"}), top)  # fmt: skip
    services.add_indicator(c.city_admin, v, leaf("班子履职", "50", method="scored", rule_kind="scale",
                           rule_params={"max": "10"}, note_required="1", evidence_allowed="1"), top)  # fmt: skip
    services.add_indicator(c.city_admin, v, leaf("群众满意", "40", method="scored", rule_kind="scale",
                                                 rule_params={"max": "100"}))  # fmt: skip
    return services.publish(c.city_admin, v)


def meeting(po, day):
    return Meeting.objects.create(party_org=po, kind="general", date=day, status="held", topic="学习", place="会议室")


@pytest.fixture
def world(party_cast):
    c = party_cast
    c.waitan_branch = make_party_org(c, name="外滩餐饮党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.waitan_secretary = _user("waitan_secretary", "secretary", c.waitan_branch.node)
    c.xuhui_branch = make_party_org(c, name="天平软件党支部", parent=c.tianping_node, covered=[c.xuhui_org])
    c.tianping_admin = _user("tianping_admin", "street_admin", c.tianping_node)
    c.version = make_version(c)
    for day in (D(2025, 3, 1), D(2025, 6, 1)):
        meeting(c.branch, day)
    return c


def open_round(c, **values):
    base = {"name": "2025年度测试考核", "version": str(c.version.pk), "period_start": "2025-01-01",
            "period_end": "2025-12-31"}  # fmt: skip
    return rounds.open_round(c.city_admin, scope_for(c.city_admin), {**base, **values})


def entry_of(rnd, po) -> RoundEntry:
    return rnd.entries.select_related("subject", "round", "reviewer", "confirmer").get(subject=po.node)


def row(entry, name) -> RoundScore:
    return entry.scores.select_related("indicator").get(indicator__name=name)


def self_score(user, entry, values: dict):
    for name, (value, note) in values.items():
        rounds.save_self(user, scope_for(user), row(entry, name), value, note)
    return rounds.submit(user, scope_for(user), entry)


def recount(computed_count, board, people) -> Decimal:
    """The total by hand: 60 × (½ × min(count/4, 1) + ½ × board/10) + 40 × people/100."""
    meetings_share = min(Decimal(computed_count) / 4, Decimal(1))
    return (60 * (meetings_share / 2 + Decimal(board) / 10 / 2) + 40 * Decimal(people) / 100).quantize(Decimal("0.01"))


def test_the_round_opens_on_every_subject_with_committees_from_the_tree(world):
    c = world
    rnd = open_round(c)
    jiaxin, waitan, xuhui = entry_of(rnd, c.branch), entry_of(rnd, c.waitan_branch), entry_of(rnd, c.xuhui_branch)
    assert (jiaxin.reviewer, jiaxin.confirmer) == (c.nanjing_node, c.huangpu_node)
    assert (waitan.reviewer, waitan.confirmer) == (c.waitan_node, c.huangpu_node)
    assert (xuhui.reviewer, xuhui.confirmer) == (c.tianping_node, c.xuhui_node)
    assert rnd.entries.count() == 3
    assert row(jiaxin, "召开次数").computed == 2
    assert row(waitan, "召开次数").computed == 0
    assert rnd.entries.first().scores.count() == 3  # the leaves only
    assert AuditEntry.objects.filter(object_type="assessment.round", object_id=str(rnd.pk)).count() == 1


def test_a_draft_version_is_refused(world):
    c = world
    draft = services.new_draft(c.city_admin, c.version)
    with pytest.raises(ValidationError, match="尚未发布"):
        open_round(c, version=str(draft.pk))


def test_only_the_city_opens_a_round(world):
    with pytest.raises(PermissionDenied):
        rounds.open_round(world.district_admin, scope_for(world.district_admin), {})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"good_from": "90"}, "良好分数线：应低于优秀分数线 90"),
        ({"fair_from": "0"}, "一般分数线：应大于 0"),
        ({"period_end": "2024-12-31"}, "考核期止：不应早于考核期起"),
        ({"objection_days": "0"}, "异议期"),
        ({"name": ""}, "轮次名称：请填写"),
    ],
)
def test_bad_round_fields_are_named(world, values, message):
    with pytest.raises(ValidationError, match=message):
        open_round(world, **values)


def test_default_thresholds_are_marked_city_set(world):
    rnd = open_round(world)
    assert (rnd.excellent_from, rnd.good_from, rnd.fair_from, rnd.thresholds_source) == (90, 80, 60, "市级设定")


@pytest.mark.parametrize(
    ("total", "grade"),
    [("90", "excellent"), ("89.99", "good"), ("80", "good"), ("79.99", "fair"), ("60", "fair"), ("59.99", "poor"),
     ("100", "excellent"), ("0", "poor")],
)  # fmt: skip
def test_grades_at_the_thresholds(total, grade):
    assert results.grade_for(Decimal(total), Decimal(90), Decimal(80), Decimal(60)) == grade


def test_ranks_share_equal_totals():
    assert results.ranks({1: Decimal(80), 2: Decimal(90), 3: Decimal(80), 4: Decimal(70)}) == {1: 2, 2: 1, 3: 2, 4: 4}


def drive_to_review(c, rnd):
    jiaxin, waitan, xuhui = entry_of(rnd, c.branch), entry_of(rnd, c.waitan_branch), entry_of(rnd, c.xuhui_branch)
    self_score(c.secretary, jiaxin, {"班子履职": ("8", "班子团结"), "群众满意": ("90", "")})
    self_score(c.waitan_secretary, waitan, {"班子履职": ("10", "很好"), "群众满意": ("100", "")})
    return jiaxin, waitan, xuhui


def test_a_round_through_the_levels(world):
    c = world
    rnd = open_round(c)
    jiaxin, waitan, xuhui = drive_to_review(c, rnd)
    sec = c.secretary
    # xuhui's branch has no secretary account: its street cannot self-assess for it
    with pytest.raises(PermissionDenied):
        rounds.save_self(c.tianping_admin, scope_for(c.tianping_admin), row(xuhui, "群众满意"), "50", "")
    xuhui_secretary = _user("tianping_secretary", "secretary", c.xuhui_branch.node)
    self_score(xuhui_secretary, xuhui, {"班子履职": ("5", "一般"), "群众满意": ("60", "")})
    rounds.advance(c.city_admin, scope_for(c.city_admin), rnd)

    # review: 南京东路 adjusts its branch's score with a reason, returns it once, then passes
    nanjing = scope_for(c.street_admin)
    with pytest.raises(ValidationError, match="调整理由：请填写"):
        rounds.adjust(c.street_admin, nanjing, row(jiaxin, "班子履职"), "6", "")
    rounds.adjust(c.street_admin, nanjing, row(jiaxin, "班子履职"), "6", "会议记录不全")
    rounds.return_entry(c.street_admin, nanjing, entry_of(rnd, c.branch), "请补充群众评议材料")
    jiaxin = entry_of(rnd, c.branch)
    assert (jiaxin.state, jiaxin.return_reason) == ("returned", "请补充群众评议材料")
    rounds.save_self(sec, scope_for(sec), row(jiaxin, "群众满意"), "85", "")
    rounds.submit(sec, scope_for(sec), jiaxin)
    rounds.pass_review(c.street_admin, nanjing, entry_of(rnd, c.branch))
    # 外滩's street reviews its own branch only
    with pytest.raises(PermissionDenied):
        rounds.pass_review(c.other_street_admin, scope_for(c.other_street_admin), entry_of(rnd, c.branch))
    with pytest.raises(PermissionDenied):  # the district does not review for its street
        rounds.pass_review(c.district_admin, scope_for(c.district_admin), entry_of(rnd, c.waitan_branch))
    rounds.pass_review(c.other_street_admin, scope_for(c.other_street_admin), entry_of(rnd, c.waitan_branch))
    with pytest.raises(ValidationError, match="尚有 1 个对象未审核通过（天平软件党支部）"):
        rounds.advance(c.city_admin, scope_for(c.city_admin), rnd)
    rounds.pass_review(c.tianping_admin, scope_for(c.tianping_admin), entry_of(rnd, c.xuhui_branch))
    rounds.advance(c.city_admin, scope_for(c.city_admin), rnd)

    # confirm: 黄浦 confirms its streets' branches, 徐汇 its own
    with pytest.raises(PermissionDenied):
        rounds.confirm(c.street_admin, nanjing, entry_of(rnd, c.branch))
    for entry in (entry_of(rnd, c.branch), entry_of(rnd, c.waitan_branch)):
        rounds.confirm(c.district_admin, scope_for(c.district_admin), entry)
    with pytest.raises(PermissionDenied):
        rounds.confirm(c.district_admin, scope_for(c.district_admin), entry_of(rnd, c.xuhui_branch))
    rounds.confirm(c.xuhui_admin, scope_for(c.xuhui_admin), entry_of(rnd, c.xuhui_branch))
    rnd = rounds.advance(c.city_admin, scope_for(c.city_admin), rnd)
    assert rnd.state == "published"

    # totals and grades: recounted from the raw values
    expected = {c.branch.node_id: recount(2, 6, 85), c.waitan_branch.node_id: recount(0, 10, 100),
                c.xuhui_branch.node_id: recount(0, 5, 60)}  # fmt: skip
    stored = {e.subject_id: e.total for e in rnd.entries.all()}
    assert stored == expected
    assert {e.subject_id: e.grade for e in rnd.entries.all()} == {
        k: results.grade_for(v, Decimal(90), Decimal(80), Decimal(60)) for k, v in expected.items()
    }
    found = results.results(rnd)
    jiaxin_result = found[entry_of(rnd, c.branch).pk]
    assert jiaxin_result.total == expected[c.branch.node_id] == Decimal("67.00")  # 60×(¼+0.3)+34
    assert (jiaxin_result.rank, jiaxin_result.rank_of) == (1, 1)
    # lost: 召开次数 30×½ = 15, 班子履职 30×0.4 = 12, 群众满意 40×0.15 = 6
    assert [(x.indicator.name, x.points) for x in jiaxin_result.pulled] == [
        ("召开次数", Decimal("15.00")), ("班子履职", Decimal("12.00")), ("群众满意", Decimal("6.00")),
    ]  # fmt: skip
    dist = {r.name: r.counts for r in results.distribution(found.values(), [c.huangpu_node, c.xuhui_node])}
    # 嘉信 67 一般, 外滩 30×0+30+40 = 70 一般, 天平 0+15+24 = 39 较差
    assert dist == {
        "黄浦区社会工作党委": {"excellent": 0, "good": 0, "fair": 2, "poor": 0},
        "徐汇区社会工作党委": {"excellent": 0, "good": 0, "fair": 0, "poor": 1},
    }

    # locked: no change after publishing
    with pytest.raises(ValidationError, match="已发布，结果已锁定"):
        rounds.save_self(sec, scope_for(sec), row(entry_of(rnd, c.branch), "群众满意"), "100", "")
    with pytest.raises(ValidationError, match="已锁定"):
        rounds.refresh(c.city_admin, scope_for(c.city_admin), rnd)

    # objection within the period, answered by the confirming committee
    objection = rounds.raise_objection(sec, scope_for(sec), entry_of(rnd, c.branch), "会议次数漏计一次")
    with pytest.raises(ValidationError, match="已有一条异议待答复"):
        rounds.raise_objection(sec, scope_for(sec), entry_of(rnd, c.branch), "再议")
    with pytest.raises(PermissionDenied):
        rounds.answer_objection(c.street_admin, nanjing, objection, "不予调整")
    with pytest.raises(ValidationError, match="期满后才能结束"):
        rounds.advance(c.city_admin, scope_for(c.city_admin), rnd)
    rounds.answer_objection(c.district_admin, scope_for(c.district_admin), objection, "经核，台账无第三次会议记录")
    objection.refresh_from_db()
    assert objection.answered_by == c.district_admin
    type(rnd).objects.filter(pk=rnd.pk).update(published_at=timezone.now() - datetime.timedelta(days=8))
    with pytest.raises(ValidationError, match="异议期已过：异议期 7 天"):
        rounds.raise_objection(sec, scope_for(sec), entry_of(rnd, c.branch), "迟到的异议")
    rnd.refresh_from_db()
    assert rounds.advance(c.city_admin, scope_for(c.city_admin), rnd).state == "closed"
    history = AuditEntry.objects.filter(object_type="assessment.roundentry", object_id=str(jiaxin.pk))
    assert history.filter(detail__startswith="审核调整：班子履职；理由：会议记录不全").count() == 1


def test_submit_names_missing_scores_and_notes(world):
    c = world
    rnd = open_round(c)
    jiaxin = entry_of(rnd, c.branch)
    sec = scope_for(c.secretary)
    rounds.save_self(c.secretary, sec, row(jiaxin, "班子履职"), "8", "")
    with pytest.raises(ValidationError) as caught:
        rounds.submit(c.secretary, sec, jiaxin)
    assert caught.value.messages == [
        "「上海嘉信信息科技有限公司党支部」指标「班子履职」须填写自评说明",
        "「上海嘉信信息科技有限公司党支部」指标「群众满意」尚未自评打分",
    ]


def test_a_score_outside_the_scale_is_refused(world):
    c = world
    rnd = open_round(c)
    with pytest.raises(ValidationError, match="指标「班子履职」评分：应在 0 至 10 之间，收到 11"):
        rounds.save_self(c.secretary, scope_for(c.secretary), row(entry_of(rnd, c.branch), "班子履职"), "11", "x")
    with pytest.raises(ValidationError, match="由平台计算"):
        rounds.save_self(c.secretary, scope_for(c.secretary), row(entry_of(rnd, c.branch), "召开次数"), "4", "")


def test_evidence_is_checked_and_stored(world, settings, tmp_path):
    c = world
    settings.VAR_DIR = tmp_path
    rnd = open_round(c)
    target = row(entry_of(rnd, c.branch), "班子履职")
    with pytest.raises(ValidationError, match="扩展名"):
        rounds.save_self(c.secretary, scope_for(c.secretary), target, "8", "好",
                         [SimpleUploadedFile("a.pdf", PNG)])  # fmt: skip
    rounds.save_self(c.secretary, scope_for(c.secretary), target, "8", "好", [SimpleUploadedFile("照片.png", PNG)])
    assert list(target.evidence.values_list("name", flat=True)) == ["照片.png"]
    with pytest.raises(ValidationError, match="不需上传"):
        rounds.save_self(c.secretary, scope_for(c.secretary), row(entry_of(rnd, c.branch), "群众满意"), "8", "",
                         [SimpleUploadedFile("b.png", PNG)])  # fmt: skip


def test_platform_figures_are_frozen_until_taken_again_before_review(world):
    c = world
    rnd = open_round(c)
    meeting(c.branch, D(2025, 9, 1))
    assert row(entry_of(rnd, c.branch), "召开次数").computed == 2
    assert rounds.refresh(c.city_admin, scope_for(c.city_admin), rnd) == 1
    assert row(entry_of(rnd, c.branch), "召开次数").computed == 3
    assert AuditEntry.objects.filter(object_type="assessment.round", detail__startswith="重新取数").count() == 1
    with pytest.raises(PermissionDenied):
        rounds.refresh(c.district_admin, scope_for(c.district_admin), rnd)
    rounds.advance(c.city_admin, scope_for(c.city_admin), rnd)
    meeting(c.branch, D(2025, 10, 1))
    with pytest.raises(ValidationError, match="审核开始后不能重新取数"):
        rounds.refresh(c.city_admin, scope_for(c.city_admin), rnd)
    assert row(entry_of(rnd, c.branch), "召开次数").computed == 3


def test_the_change_from_last_years_round(world):
    c = world
    last = open_round(c, name="2024年度", period_start="2024-01-01", period_end="2024-12-31")
    type(last).objects.filter(pk=last.pk).update(state="closed")
    RoundEntry.objects.filter(round=last, subject=c.branch.node).update(total=Decimal("50.00"))
    rnd = open_round(c)
    found = results.results(rnd)
    jiaxin = found[entry_of(rnd, c.branch).pk]
    assert jiaxin.previous == Decimal("50.00")
    assert jiaxin.change == jiaxin.total - Decimal("50.00")


def test_scope_a_street_sees_only_its_own_subjects(world):
    c = world
    rnd = open_round(c)
    assert set(scope_for(c.street_admin).round_entries().filter(round=rnd)) == {entry_of(rnd, c.branch)}
    assert set(scope_for(c.other_street_admin).round_entries().filter(round=rnd)) == {entry_of(rnd, c.waitan_branch)}
    assert scope_for(c.district_admin).round_entries().filter(round=rnd).count() == 2
    assert scope_for(c.secretary).round_entries().filter(round=rnd).count() == 1
    assert scope_for(c.nobody).round_entries().count() == 0
    sheet = f"/assessment/entries/{entry_of(rnd, c.branch).pk}/"
    assert client_for(c.street_admin).get(sheet).status_code == 200
    assert client_for(c.other_street_admin).get(sheet).status_code == 404
    api = f"/api/v1/assessment/entries/{entry_of(rnd, c.branch).pk}/"
    assert client_for(c.other_street_admin).get(api).status_code == 404
    assert client_for(c.street_admin).get(api).status_code == 200


def test_my_tasks(world):
    c = world
    rnd = open_round(c)
    assert list(scope_for(c.secretary).my_round_entries()["self"]) == [entry_of(rnd, c.branch)]
    self_score(c.secretary, entry_of(rnd, c.branch), {"班子履职": ("8", "好"), "群众满意": ("90", "")})
    assert list(scope_for(c.street_admin).my_round_entries()["review"]) == []  # review has not started
    rounds.advance(c.city_admin, scope_for(c.city_admin), rnd)
    assert list(scope_for(c.street_admin).my_round_entries()["review"]) == [entry_of(rnd, c.branch)]
    assert list(scope_for(c.other_street_admin).my_round_entries()["review"]) == []


def published_round(c):
    rnd = open_round(c)
    entries = {po: entry_of(rnd, po) for po in (c.branch, c.waitan_branch, c.xuhui_branch)}
    self_score(c.secretary, entries[c.branch], {"班子履职": ("8", "好"), "群众满意": ("90", "")})
    self_score(c.waitan_secretary, entries[c.waitan_branch], {"班子履职": ("10", "好"), "群众满意": ("100", "")})
    tianping_secretary = _user("tianping_secretary", "secretary", c.xuhui_branch.node)
    self_score(tianping_secretary, entries[c.xuhui_branch], {"班子履职": ("5", "一般"), "群众满意": ("60", "")})
    city = scope_for(c.city_admin)
    rounds.advance(c.city_admin, city, rnd)
    for po, admin in (
        (c.branch, c.street_admin),
        (c.waitan_branch, c.other_street_admin),
        (c.xuhui_branch, c.tianping_admin),
    ):
        rounds.pass_review(admin, scope_for(admin), entry_of(rnd, po))
    rounds.advance(c.city_admin, city, rnd)
    for po, admin in (
        (c.branch, c.district_admin),
        (c.waitan_branch, c.district_admin),
        (c.xuhui_branch, c.xuhui_admin),
    ):
        rounds.confirm(admin, scope_for(admin), entry_of(rnd, po))
    return rounds.advance(c.city_admin, city, rnd)


def test_the_pages_drive_a_sheet(world, settings, tmp_path):
    c = world
    settings.VAR_DIR = tmp_path
    rnd = open_round(c)
    entry = entry_of(rnd, c.branch)
    secretary = client_for(c.secretary)
    page = secretary.get(f"/assessment/entries/{entry.pk}/").content.decode()
    assert "提交自评" in page and "班子履职自评分" in page
    score = row(entry, "班子履职")
    png = SimpleUploadedFile("会议照片.png", PNG)
    response = secretary.post(
        f"/assessment/scores/{score.pk}/self/", {"value": "7", "note": "按期换届", "evidence": png}
    )
    assert response.status_code == 302
    score.refresh_from_db()
    assert (score.self_value, score.self_note, score.evidence.count()) == (7, "按期换届", 1)
    evidence = score.evidence.get()
    assert client_for(c.street_admin).get(f"/assessment/evidence/{evidence.pk}/").status_code == 200
    assert client_for(c.other_street_admin).get(f"/assessment/evidence/{evidence.pk}/").status_code == 404
    follow = secretary.post(f"/assessment/entries/{entry.pk}/submit/", follow=True).content.decode()
    assert "未办理：「上海嘉信信息科技有限公司党支部」指标「群众满意」尚未自评打分" in follow
    tasks = client_for(c.secretary).get("/assessment/tasks/").content.decode()
    assert "上海嘉信信息科技有限公司党支部" in tasks


def test_the_round_page_drills_down_by_node_and_grade(world):
    c = world
    rnd = published_round(c)
    city = client_for(c.city_admin)
    page = city.get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert "黄浦区社会工作党委" in page and "徐汇区社会工作党委" in page
    # 徐汇: 天平 39 较差; 黄浦: 嘉信 60×(¼+0.4)+36 = 75 一般, 外滩 70 一般
    drill = city.get(f"/assessment/rounds/{rnd.pk}/?node={c.huangpu_node.pk}&grade=fair").content.decode()
    assert "上海嘉信信息科技有限公司党支部" in drill and "外滩餐饮党支部" in drill and "天平软件党支部" not in drill
    drill = city.get(f"/assessment/rounds/{rnd.pk}/?node={c.xuhui_node.pk}&grade=poor").content.decode()
    assert "天平软件党支部" in drill and "外滩餐饮党支部" not in drill
    assert city.get(f"/assessment/rounds/{rnd.pk}/?node=x").status_code == 400
    by_reviewer = city.get(f"/assessment/rounds/{rnd.pk}/?reviewer={c.waitan_node.pk}&state=confirmed").content.decode()
    assert "外滩餐饮党支部" in by_reviewer and "上海嘉信信息科技有限公司党支部" not in by_reviewer
    assert "?reviewer=" in page  # the progress figures open their lists
    street = client_for(c.street_admin).get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert "上海嘉信信息科技有限公司党支部" in street and "外滩餐饮党支部" not in street


def test_the_export_holds_the_recounted_totals(world):
    c = world
    rnd = published_round(c)
    response = client_for(c.district_admin).get(f"/assessment/rounds/{rnd.pk}/export/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[-1]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_name) == {"上海嘉信信息科技有限公司党支部", "外滩餐饮党支部"}  # 黄浦's own subjects
    assert Decimal(str(by_name["上海嘉信信息科技有限公司党支部"]["总分"])) == recount(2, 8, 90)
    assert by_name["外滩餐饮党支部"]["等次"] == "一般"
    assert AuditEntry.objects.filter(action="export", object_type="assessment.round").count() == 1


def test_the_api_refuses_a_change_after_publishing(world):
    c = world
    rnd = published_round(c)
    entry = entry_of(rnd, c.branch)
    score = row(entry, "班子履职")
    api = APIClient()
    api.force_authenticate(c.secretary)
    response = api.post(f"/api/v1/assessment/scores/{score.pk}/self/", {"value": "10", "note": "x"}, format="json")
    assert response.status_code == 400
    assert "已锁定" in response.content.decode()
    city = APIClient()
    city.force_authenticate(c.city_admin)
    assert city.post(f"/api/v1/assessment/rounds/{rnd.pk}/refresh/", {}, format="json").status_code == 400
    detail = city.get(f"/api/v1/assessment/rounds/{rnd.pk}/").json()
    totals = {r["subject_name"]: Decimal(r["total"]) for r in detail["results"]}
    assert totals["上海嘉信信息科技有限公司党支部"] == recount(2, 8, 90)
    other = APIClient()
    other.force_authenticate(c.other_street_admin)
    assert other.post(f"/api/v1/assessment/entries/{entry.pk}/object/", {"text": "x"}, format="json").status_code == 404


WORD = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z]{2,}(?![A-Za-z0-9_])")
ALLOWED = {"API", "Excel", "PDF", "PNG", "JPEG"}  # as tests/test_browser_text.py allows


def words_shown(html: str) -> set[str]:
    """The Latin words a reader sees on the page (scripts, styles and tags removed; the user's login
    name is data)."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return {w for w in WORD.findall(unescape(strip_tags(html))) if w not in ALLOWED}


def test_the_pages_read_in_chinese(world):
    c = world
    rnd = published_round(c)
    entry = entry_of(rnd, c.branch)
    rounds.raise_objection(c.secretary, scope_for(c.secretary), entry, "会议次数漏计")
    pages = {
        c.city_admin: ["/assessment/rounds/", "/assessment/rounds/new/", f"/assessment/rounds/{rnd.pk}/",
                       "/assessment/tasks/", f"/assessment/entries/{entry.pk}/"],
        c.district_admin: [f"/assessment/entries/{entry.pk}/", "/assessment/tasks/", f"/assessment/rounds/{rnd.pk}/"],
        c.secretary: [f"/assessment/entries/{entry.pk}/", "/assessment/tasks/"],
    }  # fmt: skip
    logins = {c.city_admin.username, c.district_admin.username, c.secretary.username}
    for user, urls in pages.items():
        for url in urls:
            response = client_for(user).get(url)
            assert response.status_code == 200, url
            assert words_shown(response.content.decode()) - logins == set(), url


def test_ranks_are_among_the_subjects_of_the_same_reviewer(world):
    c = world
    second = make_party_org(c, name="新世界大厦联合党支部", parent=c.nanjing_node)
    rnd = open_round(c)
    # 嘉信 (2 meetings) and the joint branch (none) under 南京东路; 外滩 alone under its street
    for po, people in ((c.branch, "50"), (second, "50"), (c.waitan_branch, "10")):
        RoundScore.objects.filter(entry=entry_of(rnd, po), indicator__name="群众满意").update(
            self_value=Decimal(people)
        )
    jiaxin, joint, waitan = entry_of(rnd, c.branch), entry_of(rnd, second), entry_of(rnd, c.waitan_branch)
    asked = results.results(rnd, [joint])
    assert list(asked) == [joint.pk]
    assert (asked[joint.pk].rank, asked[joint.pk].rank_of) == (2, 2)
    everyone = results.results(rnd)
    assert (everyone[jiaxin.pk].rank, everyone[jiaxin.pk].rank_of) == (1, 2)
    assert (everyone[waitan.pk].rank, everyone[waitan.pk].rank_of) == (1, 1)
    assert everyone[joint.pk].total == recount(0, 0, 50) and everyone[jiaxin.pk].total == recount(2, 0, 50)


def test_committees_are_reviewed_and_confirmed_by_the_committees_above_them(world):
    c = world
    effectiveness = IndicatorSet.objects.get(code="effectiveness").versions.get(number=1)
    rnd = open_round(c, version=str(effectiveness.pk))
    pairs = {
        e.subject.name: (e.reviewer.name, e.confirmer.name)
        for e in rnd.entries.select_related("subject", "reviewer", "confirmer")
    }
    city, huangpu, xuhui = "上海市社会工作党委", "黄浦区社会工作党委", "徐汇区社会工作党委"
    assert pairs == {
        huangpu: (city, city),
        xuhui: (city, city),
        "上海市律师行业党委": (city, city),
        "南京东路街道综合党委": (huangpu, city),
        "外滩街道综合党委": (huangpu, city),
        "天平路街道综合党委": (xuhui, city),
    }  # fmt: skip  (the city itself has no committee above it: not a subject)
    street = rnd.entries.select_related("subject").get(subject=c.nanjing_node)
    assert scope_for(c.street_admin).may_self_assess(street)
    assert not scope_for(c.other_street_admin).may_self_assess(street)
    assert scope_for(c.district_admin).may_review(street) and scope_for(c.city_admin).may_confirm(street)
