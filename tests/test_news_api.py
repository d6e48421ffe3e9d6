"""互动网 API — /api/v1/news/ and /api/v1/info-reports/: the pages' scope and services, answered as JSON."""

import io

from django.utils import timezone

from liangxin.portal import news, reports
from liangxin.portal.models import NewsItem

from .conftest import _user
from .test_api_writes import api

PDF = b"%PDF-1.4\n%%EOF\n"


def _file(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_a_member_lists_only_what_is_published_for_them(party_cast):
    c = party_cast
    member = _user("nanjing_member", "member", c.branch.node)
    shown = news.write(c.district_admin, c.huangpu_node, {"title": "黄浦动态", "category": "news", "body": "正文"})
    news.write(c.xuhui_admin, c.xuhui_node, {"title": "徐汇动态", "category": "news", "body": "正文"})
    news.write(c.street_admin, c.nanjing_node, {"title": "待审核", "category": "news", "body": "正文"})
    data = api(member).get("/api/v1/news/").json()
    assert [r["title"] for r in data["results"]] == ["黄浦动态"]
    assert api(member).get(f"/api/v1/news/{shown.pk}/").json()["body"] == "<p>正文</p>"
    assert [r["title"] for r in api(c.district_admin).get("/api/v1/news/waiting/").json()["results"]] == ["待审核"]


def test_a_forbidden_attachment_is_refused_and_nothing_is_stored(party_cast):
    c = party_cast
    body = {
        "category": "news",
        "title": "动态",
        "body": "正文",
        "attachments": [_file("a.pdf", PDF), _file("b.pdf", b"MZ" * 20)],
    }
    response = api(c.street_admin).post("/api/v1/news/", body, format="multipart")
    assert response.status_code == 400 and "内容不是允许的类型" in str(response.json())
    assert NewsItem.objects.count() == 0
    response = api(c.street_admin).post(
        "/api/v1/news/", {**body, "attachments": [_file("a.pdf", PDF)]}, format="multipart"
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    assert [f["name"] for f in response.json()["files"]] == ["a.pdf"]


def test_the_ranking_figure_is_the_pages(party_cast):
    c = party_cast
    report = reports.submit(c.street_admin, c.nanjing_node, {"kind": "event", "title": "动态", "body": "正文"})
    api(c.district_admin).post(f"/api/v1/info-reports/{report.pk}/adopt/", {"grade": "key"}, format="json")
    data = api(c.district_admin).get("/api/v1/info-reports/ranking/").json()
    assert data["year"] == timezone.localdate().year and data["node_name"] == "黄浦区社会工作党委"
    assert [(r["node_name"], r["adopted"], r["grades"]) for r in data["rows"]] == [
        ("南京东路街道综合党委", 1, {"normal": 0, "key": 1}), ("外滩街道综合党委", 0, {"normal": 0, "key": 0}),
    ]  # fmt: skip
    chain = api(c.street_admin).get(f"/api/v1/info-reports/{report.pk}/").json()["chain"]
    assert [(s["node_name"], s["status"], s["grade"]) for s in chain] == [("黄浦区社会工作党委", "adopted", "key")]
    assert api(c.district_admin).get("/api/v1/info-reports/ranking/", {"node": c.xuhui_node.pk}).status_code == 404
    assert api(c.district_admin).get("/api/v1/info-reports/ranking/", {"year": "二〇二五"}).status_code == 400


def test_the_writer_changes_a_returned_item_and_it_goes_back_to_review(party_cast):
    c = party_cast
    values = {"title": "动态", "category": "news", "body": "正文", "pinned": True}
    item = news.write(c.street_admin, c.nanjing_node, values)
    news.return_item(c.district_admin, item, "请补充时间")
    drafts = api(c.street_admin).get("/api/v1/news/drafts/").json()["results"]
    assert [(r["id"], r["status"], r["return_reason"]) for r in drafts] == [(item.pk, "returned", "请补充时间")]
    response = api(c.street_admin).patch(f"/api/v1/news/{item.pk}/", {"body": "三月一日召开。"}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    # the fields not named are kept; the writer's change is reviewed again
    assert (data["title"], data["pinned"], data["body"]) == ("动态", True, "<p>三月一日召开。</p>")
    assert data["status"] == "pending"
    assert api(c.other_street_admin).patch(f"/api/v1/news/{item.pk}/", {"title": "x"}, format="json").status_code == 404
    response = api(c.street_admin).patch(f"/api/v1/news/{item.pk}/", {"title": ""}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["title"] == ["标题：必填"]


def test_a_published_item_is_refused_a_change_and_a_delete_until_withdrawn(party_cast):
    c = party_cast
    member = _user("nanjing_member", "member", c.branch.node)
    item = news.write(c.street_admin, c.nanjing_node, {"title": "动态", "category": "news", "body": "正文"})
    news.approve(c.district_admin, item)
    response = api(c.street_admin).patch(f"/api/v1/news/{item.pk}/", {"title": "改"}, format="json")
    assert response.status_code == 400 and "请先撤下" in str(response.json()["errors"])
    assert api(c.street_admin).delete(f"/api/v1/news/{item.pk}/").status_code == 400
    assert api(member).post(f"/api/v1/news/{item.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 403
    response = api(c.district_admin).post(f"/api/v1/news/{item.pk}/withdraw/", {}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["reason"] == ["撤下理由：必填"]
    response = api(c.district_admin).post(f"/api/v1/news/{item.pk}/withdraw/", {"reason": "有误"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["withdraw_reason"]) == ("withdrawn", "有误")
    assert api(member).get(f"/api/v1/news/{item.pk}/").status_code == 404
    assert api(c.street_admin).delete(f"/api/v1/news/{item.pk}/").status_code == 400  # kept for the record
    response = api(c.street_admin).patch(f"/api/v1/news/{item.pk}/", {"title": "改"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "pending")


def test_a_district_item_withdrawn_and_changed_is_published_again_and_a_draft_is_deleted(party_cast):
    c = party_cast
    values = {"title": "黄浦动态", "category": "news", "body": "正文", "pinned": True}
    item = news.write(c.district_admin, c.huangpu_node, values)
    api(c.district_admin).post(f"/api/v1/news/{item.pk}/withdraw/", {"reason": "换图"}, format="json")
    body = {"cover": _file("新.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32), "remove": []}
    response = api(c.district_admin).patch(f"/api/v1/news/{item.pk}/", body, format="multipart")
    assert response.status_code == 200, response.json()
    # a multipart change keeps the check boxes it does not send (置顶 stays on)
    data = response.json()
    assert (data["status"], data["pinned"], [f["is_cover"] for f in data["files"]]) == ("published", True, [True])
    waiting = news.write(c.street_admin, c.nanjing_node, {"title": "待审核", "category": "news", "body": "正文"})
    assert api(c.xuhui_admin).delete(f"/api/v1/news/{waiting.pk}/").status_code == 404
    assert api(c.street_admin).delete(f"/api/v1/news/{waiting.pk}/").status_code == 204
    assert not NewsItem.objects.filter(pk=waiting.pk).exists()
