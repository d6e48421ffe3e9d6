"""互动网 — 工作动态 and 通知公告: who writes, who reviews (the committee above a street or a party
organization), who reads (published, for a subtree or for everyone), files checked by content,
and the pages (the portal's landing page, the lists, an item's page, the review steps)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from liangxin.accounts.scoping import scope_for
from liangxin.core import attachments
from liangxin.core.models import AuditEntry
from liangxin.portal import news
from liangxin.portal.models import NewsFile, NewsItem, NewsStatus

from .conftest import _user, client_for
from .party_helpers import make_party_org

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def values(**overrides) -> dict:
    v = {
        "title": "南京东路街道开展两个覆盖工作推进会",
        "category": "news",
        "body": "街道召开推进会，部署两个覆盖工作。",
    }
    return {**v, **overrides}


@pytest.fixture
def world(party_cast):
    """The cast, a member of the 南京东路 branch, a branch (and its member) in 外滩 and in 徐汇."""
    c = party_cast
    c.member_user = _user("nanjing_member", "member", c.branch.node)
    c.waitan_branch = make_party_org(c, name="外滩餐饮党支部", parent=c.waitan_node)
    c.waitan_member = _user("waitan_member", "member", c.waitan_branch.node)
    c.xuhui_branch = make_party_org(c, name="天平软件党支部", parent=c.tianping_node)
    c.xuhui_member = _user("xuhui_member", "member", c.xuhui_branch.node)
    return c


def reads(user, item) -> bool:
    return scope_for(user).published_news().filter(pk=item.pk).exists()


def sees(user, item) -> bool:
    return scope_for(user).news_items().filter(pk=item.pk).exists()


def test_a_streets_item_is_invisible_until_the_district_approves_it(world):
    c = world
    item = news.write(c.street_admin, c.nanjing_node, values())
    assert (item.status, item.review_node) == (NewsStatus.PENDING, c.huangpu_node)
    assert [reads(u, item) for u in (c.member_user, c.secretary, c.district_admin, c.street_admin)] == [False] * 4
    # waiting: its writers and the committees above see it; the branch below and the neighbours do not
    assert [sees(u, item) for u in (c.street_admin, c.district_admin, c.city_admin, c.auditor)] == [True] * 4
    assert [sees(u, item) for u in (c.member_user, c.secretary, c.other_street_admin, c.xuhui_admin)] == [False] * 4
    assert scope_for(c.district_admin).may_review_news(item)
    assert not scope_for(c.street_admin).may_review_news(item)
    assert not scope_for(c.city_admin).may_review_news(item)  # the level above reviews, not the city

    news.approve(c.district_admin, item)
    item.refresh_from_db()
    assert item.status == NewsStatus.PUBLISHED and item.published_at is not None
    assert [reads(u, item) for u in (c.member_user, c.secretary, c.street_admin, c.district_admin)] == [True] * 4
    # published for the street's subtree only: another street's or another district's member never reads it
    assert [reads(u, item) for u in (c.waitan_member, c.xuhui_member, c.other_street_admin, c.industry_admin)] == [
        False
    ] * 4


def test_a_returned_item_keeps_its_reason_and_a_change_sends_it_back_to_review(world):
    c = world
    item = news.write(c.street_admin, c.nanjing_node, values())
    with pytest.raises(ValidationError) as refused:
        news.return_item(c.district_admin, item, "  ")
    assert refused.value.message_dict == {"reason": ["退回理由：必填"]}
    news.return_item(c.district_admin, item, "请补充参会人数")
    item.refresh_from_db()
    assert (item.status, item.return_reason, item.reviewer) == (NewsStatus.RETURNED, "请补充参会人数", c.district_admin)
    assert not reads(c.member_user, item)
    with pytest.raises(ValidationError):
        news.approve(c.district_admin, item)  # not waiting any more

    news.edit(c.street_admin, item, values(body="街道召开推进会，三十人参加。"), resubmit=True)
    item.refresh_from_db()
    assert (item.status, item.return_reason) == (NewsStatus.PENDING, "")
    entries = AuditEntry.objects.filter(object_type="portal.newsitem", object_id=str(item.pk)).order_by("id")
    assert [e.detail.split("：")[0] for e in entries] == ["提交审核工作动态", "退回", "重新提交审核"]


def test_a_district_publishes_at_once_for_its_subtree_or_for_everyone(world):
    c = world
    own = news.write(c.district_admin, c.huangpu_node, values(title="黄浦区通知", category="notice"))
    everyone = news.write(c.district_admin, c.huangpu_node, values(title="全市可见", to_everyone=True))
    assert own.status == everyone.status == NewsStatus.PUBLISHED
    assert [reads(u, own) for u in (c.member_user, c.waitan_member, c.xuhui_member, c.nobody)] == [
        True, True, False, False,
    ]  # fmt: skip
    assert [reads(u, everyone) for u in (c.member_user, c.xuhui_member, c.industry_admin)] == [True, True, True]


def test_a_secretarys_item_is_reviewed_by_its_street_committee(world):
    c = world
    item = news.write(c.secretary, c.branch.node, values(title="支部主题党日"))
    assert item.review_node == c.nanjing_node
    assert scope_for(c.street_admin).may_review_news(item)
    assert not scope_for(c.district_admin).may_review_news(item)
    assert list(scope_for(c.street_admin).news_to_review()) == [item]
    assert sees(c.secretary, item) and not reads(c.member_user, item)


def test_the_body_is_sanitised_and_plain_text_becomes_paragraphs(world):
    c = world
    item = news.write(c.city_admin, c.city_node, values(body='<p onclick="x()">好</p><script>alert(1)</script>'))
    assert item.body == "<p>好</p>"
    item = news.write(c.city_admin, c.city_node, values(body="第一段\n\n第二段"))
    assert item.body == "<p>第一段</p><p>第二段</p>"
    with pytest.raises(ValidationError) as refused:
        news.write(c.city_admin, c.city_node, values(body="<script>x</script>", category="blog", title=""))
    assert set(refused.value.message_dict) == {"body", "category", "title"}


def test_forbidden_files_are_refused_and_nothing_is_stored(world, settings, tmp_path):
    c = world
    settings.VAR_DIR = tmp_path
    exe = SimpleUploadedFile("总结.pdf", b"MZ\x90\x00" + b"\x00" * 40)
    with pytest.raises(ValidationError) as refused:
        news.write(c.city_admin, c.city_node, values(), files=[SimpleUploadedFile("a.pdf", PDF), exe])
    assert "内容不是允许的类型" in refused.value.message_dict["attachments"][0]
    with pytest.raises(ValidationError) as refused:
        news.write(c.city_admin, c.city_node, values(), cover=SimpleUploadedFile("题图.pdf", PDF))
    assert "题图只接受照片" in refused.value.message_dict["cover"][0]
    assert (NewsItem.objects.count(), NewsFile.objects.count()) == (0, 0)
    assert not (tmp_path / "portal").exists() or list((tmp_path / "portal").iterdir()) == []

    item = news.write(
        c.city_admin, c.city_node, values(), cover=SimpleUploadedFile("题图.png", PNG),
        files=[SimpleUploadedFile("材料.pdf", PDF)],
    )  # fmt: skip
    assert sorted((f.name, f.is_cover) for f in item.files.all()) == [("材料.pdf", False), ("题图.png", True)]
    stored = attachments.path_of(item.files.get(is_cover=True).stored_name, "portal")
    assert stored.exists()


def test_the_review_node_is_the_nearest_committee_above(world):
    c = world
    sub = make_party_org(c, name="嘉信第一党小组支部", parent=c.branch.node)
    assert news.review_node_for(sub.node) == c.nanjing_node
    assert news.review_node_for(c.nanjing_node) == c.huangpu_node
    assert news.review_node_for(c.city_node) is None
    assert [news.needs_review(n) for n in (c.city_node, c.huangpu_node, c.lawyers_node, c.nanjing_node)] == [
        False, False, False, True,
    ]  # fmt: skip


# -- pages -----------------------------------------------------------------------------------------
def test_the_portal_home_lists_what_the_member_reads(world):
    c = world
    mine = news.write(c.district_admin, c.huangpu_node, values(title="黄浦区工作动态"))
    news.write(c.district_admin, c.huangpu_node, values(title="黄浦区公告", category="notice", pinned=True))
    news.write(c.xuhui_admin, c.xuhui_node, values(title="徐汇区工作动态"))
    news.write(c.street_admin, c.nanjing_node, values(title="街道待审核动态"))
    page = client_for(c.member_user).get("/portal/").content.decode()
    assert "黄浦区工作动态" in page and "黄浦区公告" in page and "政策文件库" in page
    assert "徐汇区工作动态" not in page and "街道待审核动态" not in page
    assert client_for(c.member_user).get(f"/portal/news/{mine.pk}/").status_code == 200
    assert client_for(c.xuhui_member).get(f"/portal/news/{mine.pk}/").status_code == 404


def test_the_list_finds_a_word_inside_a_phrase_and_pages(world):
    c = world
    news.write(c.city_admin, c.city_node, values(title="推进两个覆盖工作"))
    news.write(c.city_admin, c.city_node, values(title="党费收缴情况", body="按时收缴党费。"))
    page = client_for(c.member_user).get("/portal/news/", {"q": "覆盖"}).content.decode()
    assert "推进两个覆盖工作" in page and "党费收缴情况" not in page
    assert client_for(c.member_user).get("/portal/news/", {"category": "blog"}).status_code == 400


def test_the_district_approves_and_returns_on_the_page(world):
    c = world
    first = news.write(c.street_admin, c.nanjing_node, values(title="第一条"))
    second = news.write(c.street_admin, c.nanjing_node, values(title="第二条"))
    assert "审核通过并发布" in client_for(c.district_admin).get(f"/portal/news/{first.pk}/").content.decode()
    assert client_for(c.street_admin).post(f"/portal/news/{first.pk}/approve/").status_code == 403
    assert client_for(c.xuhui_admin).post(f"/portal/news/{first.pk}/approve/").status_code == 404
    assert client_for(c.district_admin).post(f"/portal/news/{first.pk}/approve/").status_code == 302
    client_for(c.district_admin).post(f"/portal/news/{second.pk}/return/", {"reason": "标题不准确"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.return_reason) == ("published", "returned", "标题不准确")
    drafts = client_for(c.street_admin).get("/portal/news/drafts/").content.decode()
    assert "标题不准确" in drafts and "第一条" not in drafts


def test_writing_on_the_page_with_a_bad_file_answers_in_chinese(world, settings, tmp_path):
    c = world
    settings.VAR_DIR = tmp_path
    data = {"node": c.nanjing_node.pk, "category": "news", "title": "标题", "body": "正文"}
    bad = SimpleUploadedFile("照片.jpg", b"<?php echo 1; ?>")
    response = client_for(c.street_admin).post("/portal/news/new/", {**data, "attachments": [bad]})
    assert response.status_code == 400 and "内容不是允许的类型" in response.content.decode()
    assert NewsItem.objects.count() == 0
    response = client_for(c.street_admin).post("/portal/news/new/", {**data, "node": c.huangpu_node.pk})
    assert response.status_code == 400 and NewsItem.objects.count() == 0  # not the street's own node
    response = client_for(c.street_admin).post("/portal/news/new/", data)
    item = NewsItem.objects.get()
    assert response.status_code == 302 and item.status == NewsStatus.PENDING


def test_a_published_item_is_withdrawn_before_it_is_changed_and_then_reviewed_again(world):
    c = world
    item = news.write(c.street_admin, c.nanjing_node, values())
    news.approve(c.district_admin, item, now=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC))
    form = {"category": "news", "title": "改过的标题", "body": "正文"}
    response = client_for(c.street_admin).post(f"/portal/news/{item.pk}/edit/", form)
    assert response.status_code == 400 and "请先撤下" in response.content.decode()
    assert client_for(c.street_admin).get(f"/portal/news/{item.pk}/edit/").status_code == 302  # back to its page
    item.refresh_from_db()
    assert (item.title, item.status) == (values()["title"], NewsStatus.PUBLISHED)
    # 黄浦 published it and takes it down; the reason is kept and the readers no longer see it
    assert client_for(c.district_admin).post(f"/portal/news/{item.pk}/withdraw/", {"reason": ""}).status_code == 302
    item.refresh_from_db()
    assert item.status == NewsStatus.PUBLISHED  # no reason: refused
    client_for(c.district_admin).post(f"/portal/news/{item.pk}/withdraw/", {"reason": "时间写错了"})
    item.refresh_from_db()
    assert (item.status, item.withdraw_reason) == (NewsStatus.WITHDRAWN, "时间写错了")
    assert not reads(c.member_user, item) and sees(c.street_admin, item)
    page = client_for(c.street_admin).get(f"/portal/news/{item.pk}/").content.decode()
    assert "撤下理由：时间写错了" in page and "修改后保存即重新提交审核" in page
    # the street changes it: back to 黄浦's review; 黄浦's own correction leaves it waiting
    assert client_for(c.street_admin).post(f"/portal/news/{item.pk}/edit/", form).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.status, item.withdraw_reason) == ("改过的标题", NewsStatus.PENDING, "")
    assert client_for(c.district_admin).post(f"/portal/news/{item.pk}/edit/", form).status_code == 302
    item.refresh_from_db()
    assert item.status == NewsStatus.PENDING  # the reviewer's own correction is no resubmission
    assert client_for(c.other_street_admin).post(f"/portal/news/{item.pk}/edit/", form).status_code == 404
    details = list(AuditEntry.objects.filter(object_type="portal.newsitem").values_list("detail", flat=True))
    assert "撤下：时间写错了" in details


def test_only_an_item_never_published_is_deleted(world):
    c = world
    item = news.write(c.street_admin, c.nanjing_node, values())
    news.approve(c.district_admin, item)
    assert client_for(c.street_admin).post(f"/portal/news/{item.pk}/delete/").status_code == 302
    assert NewsItem.objects.filter(pk=item.pk).exists()  # refused: a published item is withdrawn
    news.withdraw(c.district_admin, item, "重复发布")
    with pytest.raises(ValidationError, match="留作记录"):
        news.delete(c.street_admin, item)
    with pytest.raises(ValidationError, match="只有已发布的信息可以撤下"):
        news.withdraw(c.district_admin, item, "再撤一次")
    returned = news.write(c.street_admin, c.nanjing_node, values(title="退回的稿件"))
    news.return_item(c.district_admin, returned, "请补充")
    assert client_for(c.secretary).post(f"/portal/news/{returned.pk}/delete/").status_code == 404
    assert client_for(c.street_admin).post(f"/portal/news/{returned.pk}/delete/").status_code == 302
    assert not NewsItem.objects.filter(pk=returned.pk).exists()


def test_a_secretary_withdraws_their_branchs_item_but_not_the_streets(world):
    c = world
    branch_item = news.write(c.secretary, c.branch.node, values(title="支部动态"))
    news.approve(c.street_admin, branch_item)
    street_item = news.write(c.street_admin, c.nanjing_node, values(title="街道动态"))
    news.approve(c.district_admin, street_item)
    secretary = scope_for(c.secretary)
    assert (secretary.may_withdraw_news(branch_item), secretary.may_withdraw_news(street_item)) == (True, False)
    street_url, branch_url = f"/portal/news/{street_item.pk}/withdraw/", f"/portal/news/{branch_item.pk}/withdraw/"
    assert client_for(c.secretary).post(street_url, {"reason": "x"}).status_code == 403
    assert client_for(c.other_street_admin).post(branch_url, {"reason": "x"}).status_code == 404
    assert client_for(c.secretary).post(branch_url, {"reason": "写错"}).status_code == 302
    branch_item.refresh_from_db()
    assert branch_item.status == NewsStatus.WITHDRAWN
    # changed by its writer: to the street's review again, never straight back to the portal
    news.edit(c.secretary, branch_item, values(title="支部动态（更正）"), resubmit=True)
    assert (branch_item.status, branch_item.review_node) == (NewsStatus.PENDING, c.nanjing_node)


def test_an_edit_replaces_the_cover_and_drops_a_named_file(
    world, settings, tmp_path, django_capture_on_commit_callbacks
):
    c = world
    settings.VAR_DIR = tmp_path
    item = news.write(
        c.city_admin, c.city_node, values(), cover=SimpleUploadedFile("旧题图.png", PNG),
        files=[SimpleUploadedFile("甲.pdf", PDF), SimpleUploadedFile("乙.pdf", PDF)],
    )  # fmt: skip
    old_cover = item.files.get(is_cover=True)
    first = item.files.get(name="甲.pdf")
    news.withdraw(c.city_admin, item, "更换题图")
    with django_capture_on_commit_callbacks(execute=True):
        news.edit(
            c.city_admin, item, values(), resubmit=True, cover=SimpleUploadedFile("新题图.png", PNG), remove=[first.pk]
        )
    assert item.status == NewsStatus.PUBLISHED  # the city's item is published again at once
    assert sorted(f.name for f in item.files.all()) == ["乙.pdf", "新题图.png"]
    assert not attachments.path_of(old_cover.stored_name, "portal").exists()
    detail = AuditEntry.objects.filter(object_type="portal.newsitem").order_by("-id").first().detail
    assert "删除附件：甲.pdf" in detail and "删除题图：旧题图.png" in detail
    page = client_for(c.member_user).get(f"/portal/news/{item.pk}/").content.decode()
    assert "乙.pdf" in page and 'alt="题图"' in page
    download = client_for(c.member_user).get(f"/portal/news/{item.pk}/files/{item.files.get(name='乙.pdf').pk}/")
    assert b"".join(download.streaming_content) == PDF
