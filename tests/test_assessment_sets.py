"""指标体系 (liangxin/assessment): the shipped sets, drafts, publishing with its checks, and the rule
that a published version is never changed — in the services, the pages and the API."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from liangxin.assessment import defaults, services
from liangxin.assessment.models import Indicator, IndicatorSet, IndicatorVersion
from liangxin.core.models import AuditEntry

from .conftest import client_for

pytestmark = pytest.mark.django_db


def leaf(**overrides) -> dict:
    values = {
        "name": "按期换届", "weight": "100", "method": "scored", "rule_kind": "pass_fail",
        "rule_params": {"threshold": "1", "direction": "gte"}, "item_source": "市级设定（细化指标）",
    }  # fmt: skip
    values.update(overrides)
    return values


def published(code="five-good") -> IndicatorVersion:
    return IndicatorSet.objects.get(code=code).versions.get(number=1)


def draft_of(cast, code="five-good") -> IndicatorVersion:
    return services.new_draft(cast.city_admin, published(code))


def test_the_shipped_sets_are_published_and_pass_every_check(db):
    sets = {s.code: s for s in IndicatorSet.objects.all()}
    assert set(sets) == {"five-good", "ten-haves", "positions", "effectiveness"}
    for indicator_set in sets.values():
        version = indicator_set.versions.get()
        assert version.status == "published"
        assert services.problems(version) == []
    five = published("five-good")
    top = list(Indicator.objects.filter(version=five, parent=None).order_by("order").values_list("name", flat=True))
    assert top == ["领导班子好", "党员队伍好", "工作机制好", "发展业绩好", "群众反映好"]
    ten = Indicator.objects.filter(version=published("ten-haves"))
    assert ten.count() == 10 and {i.rule_kind for i in ten} == {"pass_fail"}
    assert Indicator.objects.filter(version=published("positions")).count() == 6
    assert sets["effectiveness"].subject_kind == "committee"


def test_every_shipped_item_cites_a_seed_or_the_city_and_every_weight_the_city(db):
    seeds = ("北京社会领域党建", "黄浦区2015年", "探索实践 破解难题", "大力推进新社会组织党建工作")
    for item in Indicator.objects.all():
        assert item.weight_source == "市级设定"
        assert any(seed in item.item_source for seed in seeds) or item.item_source == "市级设定（细化指标）", item.name
    for item in Indicator.objects.filter(parent=None, version=published("five-good")):
        assert "北京社会领域党建" in item.item_source


def test_installing_again_changes_nothing(db):
    before = Indicator.objects.count()
    from django.apps import apps

    assert defaults.install(apps.get_model) == []
    assert Indicator.objects.count() == before


def test_a_new_draft_copies_the_published_tree(cast):
    source = published()
    draft = draft_of(cast)
    assert (draft.number, draft.status, draft.based_on) == (2, "draft", source)

    def shape(version):
        return sorted(
            (i.name, i.parent.name if i.parent else "", i.order, i.weight, i.rule_kind, json.dumps(i.rule_params))
            for i in Indicator.objects.filter(version=version).select_related("parent")
        )

    assert shape(draft) == shape(source)
    assert AuditEntry.objects.filter(object_type="assessment.indicatorversion", object_id=str(draft.pk)).exists()


def test_one_draft_at_a_time_and_only_from_a_published_version(cast):
    draft = draft_of(cast)
    with pytest.raises(ValidationError, match="已有草稿（第2版）"):
        services.new_draft(cast.city_admin, published())
    with pytest.raises(ValidationError, match="只能由已发布的版本新建草稿"):
        services.new_draft(cast.city_admin, draft)


def test_a_published_version_is_never_changed_by_any_service(cast):
    version = published()
    item = Indicator.objects.filter(version=version, parent=None).first()
    calls = [
        lambda: services.add_indicator(cast.city_admin, version, leaf()),
        lambda: services.update_indicator(cast.city_admin, item, leaf(name="改名")),
        lambda: services.remove_indicator(cast.city_admin, item),
        lambda: services.move_indicator(cast.city_admin, item, 1),
        lambda: services.publish(cast.city_admin, version),
    ]
    before = list(Indicator.objects.filter(version=version).values())
    for call in calls:
        with pytest.raises(ValidationError, match="第1版已发布，不能修改"):
            call()
    assert list(Indicator.objects.filter(version=version).values()) == before


def test_a_version_published_meanwhile_is_seen_by_the_service(cast):
    draft = draft_of(cast)
    stale = IndicatorVersion.objects.get(pk=draft.pk)
    services.publish(cast.city_admin, draft)
    with pytest.raises(ValidationError, match="已发布"):
        services.add_indicator(cast.city_admin, stale, leaf())


def test_publishing_checks_that_sibling_weights_sum_to_100_naming_the_parent(cast):
    draft = draft_of(cast)
    team = Indicator.objects.get(version=draft, name="党员队伍好")
    dues = Indicator.objects.get(version=draft, parent=team, name="党费按月足额交纳")
    services.update_indicator(cast.city_admin, dues, {**vars(dues), "weight": "40"})
    services.update_indicator(cast.city_admin, team, {**vars(team), "weight": "25"})
    assert services.problems(draft) == [
        "一级指标权重合计应为 100，现为 105",
        "「党员队伍好」的下级指标权重合计应为 100，现为 90",
    ]
    with pytest.raises(ValidationError) as caught:
        services.publish(cast.city_admin, draft)
    assert "「党员队伍好」的下级指标权重合计应为 100，现为 90" in caught.value.messages
    assert IndicatorVersion.objects.get(pk=draft.pk).status == "draft"


def test_publishing_exactly_100_passes_and_freezes(cast):
    draft = draft_of(cast, "positions")
    items = list(Indicator.objects.filter(version=draft).order_by("order"))
    services.update_indicator(cast.city_admin, items[0], {**vars(items[0]), "weight": "16.5"})
    assert services.problems(draft) == ["一级指标权重合计应为 100，现为 99.5"]
    services.update_indicator(cast.city_admin, items[1], {**vars(items[1]), "weight": "17.5"})
    assert services.problems(draft) == []
    services.publish(cast.city_admin, draft)
    draft.refresh_from_db()
    assert (draft.status, draft.published_by) == ("published", cast.city_admin)


def test_an_empty_draft_or_an_incomplete_leaf_is_not_published(cast):
    draft = draft_of(cast, "ten-haves")
    for item in Indicator.objects.filter(version=draft):
        services.remove_indicator(cast.city_admin, item)
    assert services.problems(draft) == ["尚无指标：至少设一个一级指标"]
    services.add_indicator(cast.city_admin, draft, leaf())
    Indicator.objects.filter(version=draft).update(rule_kind="")  # as a row written before the checks
    assert services.problems(draft) == ["「按期换届」评分规则：人工评分的指标应为人工打分、达标判定之一"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": " "}, "指标名称：请填写"),
        ({"weight": "0"}, "权重：应大于 0、不超过 100"),
        ({"weight": "100.001"}, "权重：应大于 0、不超过 100"),
        ({"weight": "abc"}, "权重：应为数字"),
        ({"item_source": ""}, "指标出处：请填写"),
        ({"method": "guess"}, "取值方式：应为"),
        ({"rule_kind": "linear"}, "评分规则：人工评分的指标应为人工打分、达标判定之一"),
        ({"method": "computed", "rule_kind": "scale"}, "评分规则：平台计算的指标应为"),
        (
            {"method": "computed", "measure": "stats_org_coverage"},
            "平台指标：请从适用于本指标体系评估对象的平台指标中选择",
        ),
        ({"method": "computed", "measure": "nothing"}, "平台指标：请从"),
        ({"rule_params": {"threshold": "x", "direction": "gte"}}, "达标门槛：应为数字"),
    ],
)
def test_indicator_fields_are_checked_in_chinese(cast, overrides, message):
    draft = draft_of(cast)
    with pytest.raises(ValidationError) as caught:
        services.add_indicator(cast.city_admin, draft, leaf(**overrides))
    assert message in caught.value.messages[0]


def test_adding_removing_and_moving_keep_the_order(cast):
    draft = draft_of(cast)
    team = Indicator.objects.get(version=draft, name="群众反映好")
    new = services.add_indicator(cast.city_admin, draft, leaf(name="走访群众", weight="50"), parent=team)
    assert new.order == 2
    services.move_indicator(cast.city_admin, new, -1)
    names = list(Indicator.objects.filter(parent=team).order_by("order").values_list("name", "order"))
    assert names == [("走访群众", 1), ("职工群众评议满意度", 2)]
    services.move_indicator(cast.city_admin, new, -1)  # already first: nothing moves
    assert Indicator.objects.get(pk=new.pk).order == 1
    services.remove_indicator(cast.city_admin, new)
    assert list(Indicator.objects.filter(parent=team).values_list("order", flat=True)) == [1]


def test_a_leaf_given_a_child_becomes_an_inner_indicator(cast):
    draft = draft_of(cast)
    item = Indicator.objects.get(version=draft, name="职工群众评议满意度")
    services.add_indicator(cast.city_admin, draft, leaf(name="满意度测评"), parent=item)
    item.refresh_from_db()
    assert (item.method, item.rule_kind, item.rule_params) == ("", "", {})
    assert services.problems(draft) == []


def test_removing_an_indicator_removes_what_is_under_it(cast):
    draft = draft_of(cast)
    team = Indicator.objects.get(version=draft, name="党员队伍好")
    services.remove_indicator(cast.city_admin, team)
    assert not Indicator.objects.filter(version=draft, name="党费按月足额交纳").exists()
    entry = AuditEntry.objects.filter(object_type="assessment.indicator").latest("id")
    assert "删除指标「党员队伍好」及其 2 个下级指标" in entry.detail


def test_the_weight_is_stored_as_typed(cast):
    draft = draft_of(cast)
    made = services.add_indicator(cast.city_admin, draft, leaf(weight="12.5"))
    assert Indicator.objects.get(pk=made.pk).weight == Decimal("12.5")


# -- the faces -------------------------------------------------------------------------------
def test_the_api_refuses_to_change_a_published_version(cast):
    client = client_for(cast.city_admin)
    version = published()
    item = Indicator.objects.filter(version=version).first()
    add = client.post(f"/api/v1/assessment/versions/{version.pk}/indicators/", leaf(), content_type="application/json")
    edit = client.patch(f"/api/v1/assessment/indicators/{item.pk}/", {"name": "改"}, content_type="application/json")
    gone = client.delete(f"/api/v1/assessment/indicators/{item.pk}/")
    for response in (add, edit, gone):
        assert response.status_code == 400
        assert "已发布，不能修改" in json.dumps(response.json(), ensure_ascii=False)
    assert Indicator.objects.filter(pk=item.pk, name=item.name).exists()


def test_the_api_tree_shows_weights_rules_and_sources(cast):
    version = published("five-good")
    body = client_for(cast.street_admin).get(f"/api/v1/assessment/versions/{version.pk}/").json()
    assert [i["name"] for i in body["indicators"]] == [
        "领导班子好",
        "党员队伍好",
        "工作机制好",
        "发展业绩好",
        "群众反映好",
    ]
    team = body["indicators"][1]
    assert team["weight"] == "20.00" and team["weight_source"] == "市级设定"
    dues = team["children"][0]
    assert (
        dues["measure"] == "dues_paid_in_full"
        and dues["rule_text"] == "不低于 95% 得 100%；不低于 80% 得 50%；其余不得分"
    )


def test_a_street_reads_but_cannot_edit(cast):
    draft = draft_of(cast)
    client = client_for(cast.street_admin)
    page = client.get(f"/assessment/versions/{draft.pk}/")
    assert page.status_code == 200
    assert "职工群众评议满意度" in page.content.decode()
    for control in ("发布此版本", "新增一级指标", "加下级", "新建草稿"):
        assert control not in page.content.decode()
    assert client.post(f"/assessment/versions/{draft.pk}/publish/").status_code == 403
    response = client.post(
        f"/api/v1/assessment/versions/{draft.pk}/indicators/", leaf(), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Indicator.objects.filter(version=draft, name="按期换届").exists()


def test_the_page_publishes_a_draft_and_then_offers_no_edit(cast):
    draft = draft_of(cast, "positions")
    client = client_for(cast.city_admin)
    page = client.get(f"/assessment/versions/{draft.pk}/").content.decode()
    assert "发布此版本" in page and "新增一级指标" in page
    assert client.post(f"/assessment/versions/{draft.pk}/publish/").status_code == 302
    page = client.get(f"/assessment/versions/{draft.pk}/").content.decode()
    assert "发布此版本" not in page and "新增一级指标" not in page and "新建草稿" in page


def test_the_demo_installs_the_sets_again_after_they_are_gone(db):
    import random

    from liangxin.demo import assessment as demo_assessment

    IndicatorSet.objects.all().delete()
    said = []
    demo_assessment.build_demo(random.Random(1), said.append)
    assert IndicatorSet.objects.count() == 4 and "五个好" in said[0]


def test_the_page_adds_an_indicator_with_bands_typed_one_a_line(cast):
    draft = draft_of(cast)
    team = Indicator.objects.get(version=draft, name="群众反映好")
    client = client_for(cast.city_admin)
    form = {
        "name": "走访率", "weight": "40", "method": "scored", "rule_kind": "scale", "max": "5",
        "item_source": "市级设定（细化指标）", "weight_source": "市级设定", "note_required": "on",
    }  # fmt: skip
    response = client.post(f"/assessment/versions/{draft.pk}/add/?parent={team.pk}", form)
    assert response.status_code == 302
    made = Indicator.objects.get(version=draft, name="走访率")
    assert (made.parent, made.rule_params, made.note_required) == (team, {"max": "5"}, True)
    satisfaction = Indicator.objects.get(version=draft, name="职工群众评议满意度")
    edit = {
        "name": "满意度", "weight": "60", "method": "computed", "measure": "life_compliance", "rule_kind": "bands",
        "direction": "gte", "bands": "95 100\n80，50\n", "item_source": "市级设定（细化指标）",
    }  # fmt: skip
    assert client.post(f"/assessment/indicators/{satisfaction.pk}/edit/", edit).status_code == 302
    satisfaction.refresh_from_db()
    assert satisfaction.rule_params == {
        "direction": "gte", "bands": [{"threshold": "95", "share": "100"}, {"threshold": "80", "share": "50"}],
    }  # fmt: skip
    page = client.get(f"/assessment/indicators/{satisfaction.pk}/edit/").content.decode()
    assert "95 100\n80 50" in page
    bad = client.post(f"/assessment/indicators/{satisfaction.pk}/edit/", {**edit, "bands": "95"})
    assert bad.status_code == 400 and "分档第1行：应写成“门槛 得分比例”" in bad.content.decode()


def test_the_preview_shows_the_value_and_score_for_a_subject_in_scope(party_cast):
    c = party_cast
    leaf_item = published().indicators.get(name="\u201c三会一课\u201d按期召开")
    client = client_for(c.street_admin)
    page = client.get(f"/assessment/indicators/{leaf_item.pk}/preview/").content.decode()
    assert c.branch.node.name in page
    url = f"/assessment/indicators/{leaf_item.pk}/preview/?subject={c.branch.node_id}&start=2024-01-01&end=2024-06-30"
    page = client.get(url).content.decode()
    assert 'id="preview-share">0.00%' in page  # no meeting held: 0 of 10 periods
    assert client_for(c.other_street_admin).get(url).status_code == 404
    assert client.get(url.replace("2024-06-30", "2023-06-30")).status_code == 400
    api = client.get(f"/api/v1/assessment/indicators/{leaf_item.pk}/preview/?subject={c.branch.node_id}"
                     "&start=2024-01-01&end=2024-06-30").json()  # fmt: skip
    assert (api["value"], api["share"]) == ("0.00", "0.00")
    scored = published().indicators.get(name="班子团结、书记履职")
    assert client.get(f"/assessment/indicators/{scored.pk}/preview/").status_code == 403


def _read_text(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", html))


def test_the_pages_read_in_chinese_and_name_no_code(party_cast):
    import re

    c = party_cast
    draft = draft_of(c)
    item = draft.indicators.get(name="党费按月足额交纳")
    client = client_for(c.city_admin)
    pages = [
        "/assessment/", f"/assessment/versions/{draft.pk}/", f"/assessment/versions/{published().pk}/",
        f"/assessment/versions/{published('effectiveness').pk}/", f"/assessment/versions/{draft.pk}/add/",
        f"/assessment/indicators/{item.pk}/edit/",
        f"/assessment/indicators/{published().indicators.get(name='党费按月足额交纳').pk}/preview/?subject={c.branch.node_id}",
    ]  # fmt: skip
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _read_text(response.content.decode())
        words = [w for w in re.findall(r"(?<![A-Za-z0-9_.])[A-Za-z]{2,}(?![A-Za-z0-9_])", text) if w not in {"API"}]
        assert words == [], (url, words)
        for code in ("dues_paid_in_full", "pass_fail", "gte", "five-good", "rule_params"):
            assert code not in text, (url, code)


def test_the_list_asks_the_same_queries_for_more_sets(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.district_admin)
    client.get("/assessment/")  # the session and the scope, once
    with CaptureQueriesContext(connection) as before:
        assert client.get("/assessment/").status_code == 200
        assert client.get("/api/v1/assessment/indicator-sets/").status_code == 200
    for code in ("five-good", "positions"):
        draft_of(cast, code)
    with CaptureQueriesContext(connection) as after:
        client.get("/assessment/")
        client.get("/api/v1/assessment/indicator-sets/")
    assert len(after) == len(before)


def test_the_page_refuses_to_change_a_published_indicator(cast):
    item = published("positions").indicators.get(order=1)
    client = client_for(cast.city_admin)
    form = {"name": "改过", "weight": "17", "method": "scored", "rule_kind": "pass_fail", "threshold": "1",
            "direction": "gte", "item_source": "市级设定（细化指标）"}  # fmt: skip
    response = client.post(f"/assessment/indicators/{item.pk}/edit/", form)
    assert response.status_code == 400 and "已发布，不能修改" in response.content.decode()
    client.post(f"/assessment/indicators/{item.pk}/remove/")
    client.post(f"/assessment/indicators/{item.pk}/move/", {"step": "down"})
    assert published("positions").indicators.get(pk=item.pk).name == item.name
    assert published("positions").indicators.count() == 6
