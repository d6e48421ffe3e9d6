"""政策文件库: Chinese full-text search behind one seam (SQLite FTS5 / PostgreSQL tsvector), the
services that keep the index current, the readers' scope, and the pages. Every test runs on the
database the suite runs on (``make test`` runs both)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from liangxin.accounts.scoping import scope_for
from liangxin.core import attachments
from liangxin.core.models import AuditEntry
from liangxin.portal import policies, search
from liangxin.portal.models import PolicyAttachment, PolicyDocument

from .conftest import _user, client_for

TODAY = datetime.date(2025, 6, 30)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def values(**overrides) -> dict:
    v = {
        "title": "关于做好两新组织党建工作的通知",
        "number": "沪社工委〔2025〕1号",
        "issuer": "中共上海市社会工作委员会",
        "issued_on": "2025-03-01",
        "category": "city",
        "body": "各区社会工作党委：请认真做好有关工作。",
        "to_everyone": False,
    }
    v.update(overrides)
    return v


def publish(cast, node=None, actor=None, **overrides) -> PolicyDocument:
    return policies.publish(actor or cast.city_admin, node or cast.city_node, values(**overrides), today=TODAY)


def titles(text, queryset=None) -> list[str]:
    page = search.search(text, queryset if queryset is not None else PolicyDocument.objects.all())
    return [h.document.title for h in page.hits]


# -- the seam's terms --------------------------------------------------------------------------------
def test_terms_hold_jiebas_words_and_the_pairs_inside_longer_words():
    found = search.terms("党建工作指导员")
    assert {"党建", "工作", "指导员", "指导", "导员", "员"} <= set(found)


def test_a_long_query_word_is_asked_as_its_pairs():
    assert search.parse("指导员").terms == ("指导", "导员")
    assert search.parse("覆盖").terms == ("覆盖",)
    assert search.parse("，。！").terms == ()


def test_full_width_letters_and_case_are_folded_for_both_text_and_query():
    assert search.fold("ＰＰＴ课件ABC") == "ppt课件abc"
    assert search.parse("ＰＰＴ").terms == ("ppt",)


# -- search on the database in use ------------------------------------------------------------------
def test_a_word_inside_a_phrase_is_found(cast):
    publish(cast, title="关于推进两个覆盖工作的意见", body="全面推进两个覆盖工作。")
    publish(cast, title="加强两新组织党建工作", body="加强两新组织党建工作，提升组织力。")
    publish(cast, title="党费收缴办法", body="按月交纳党费。")
    assert titles("覆盖") == ["关于推进两个覆盖工作的意见"]
    assert titles("党建") == ["加强两新组织党建工作"]
    assert titles("两新组织党建") == ["加强两新组织党建工作"]


def test_a_pair_inside_a_word_jieba_keeps_whole_is_found(cast):
    # search mode cuts 指导员 into 指导 and 指导员 only: 导员 is found through the pairs
    publish(cast, title="党建工作指导员管理办法", body="党建工作指导员由街道选派。")
    assert titles("导员") == ["党建工作指导员管理办法"]
    assert titles("工作指导员") == ["党建工作指导员管理办法"]
    assert titles("指导员管理") == ["党建工作指导员管理办法"]


def test_a_single_character_is_found(cast):
    publish(cast, title="组织生活会制度", body="每年召开一次组织生活会。", issuer="市委组织部")
    publish(cast, title="党费收缴办法", body="按月交纳党费。", issuer="市委组织部")
    assert titles("会") == ["组织生活会制度"]


def test_every_word_of_the_query_must_occur(cast):
    publish(cast, title="两新组织党建工作要点", body="两个覆盖。")
    publish(cast, title="党费收缴办法", body="两新组织党员按月交纳党费。")
    assert titles("两新组织 党费") == ["党费收缴办法"]
    assert titles("党费 出国") == []


def test_more_matches_rank_first(cast):
    publish(cast, title="通知甲", body="覆盖。" + "其他工作安排。" * 5)
    publish(cast, title="通知乙", body="覆盖，覆盖，再覆盖。" + "其他工作安排。" * 5)
    publish(cast, title="通知丙", body="覆盖覆盖。" + "其他工作安排。" * 5)
    assert titles("覆盖") == ["通知乙", "通知丙", "通知甲"]


def test_a_title_match_ranks_above_a_body_match(cast):
    publish(cast, title="学习资料汇编", body="本汇编收录了关于党建指导员的文件。" * 2)
    publish(cast, title="党建指导员工作规范", body="本规范适用于各街道。" * 2)
    assert titles("指导员") == ["党建指导员工作规范", "学习资料汇编"]


def test_highlighting_marks_the_words_and_escapes_the_text(cast):
    publish(cast, title="<b>覆盖</b>通知", body='<script>alert("x")</script>推进两个覆盖工作 & 其他')
    hit = search.search("覆盖", PolicyDocument.objects.all()).hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>覆盖</mark>&lt;/b&gt;通知"
    assert hit.snippet_html == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;推进两个<mark>覆盖</mark>工作 &amp; 其他"
    )


def test_adjacent_words_are_marked_as_one_and_a_long_text_is_cut_around_the_first_match():
    query = search.parse("两新组织党建")
    assert search.highlight("加强两新组织党建工作", query) == "加强<mark>两新组织党建</mark>工作"
    text = "甲" * 300 + "党建" + "乙" * 300
    snippet = search.highlight(text, query, width=40)
    assert snippet == "…" + "甲" * 10 + "<mark>党建</mark>" + "乙" * 28 + "…"


def test_search_is_limited_to_the_queryset_given(cast):
    kept = publish(cast, title="覆盖甲")
    publish(cast, title="覆盖乙")
    assert titles("覆盖", PolicyDocument.objects.filter(pk=kept.pk)) == ["覆盖甲"]


def test_paging_gives_the_total_and_the_slice(cast):
    for i in range(5):
        publish(cast, title=f"覆盖通知{i}", body="覆盖" * (i + 1) + "其他内容。" * 3)
    page = search.search("覆盖", PolicyDocument.objects.all(), limit=2, offset=2)
    assert page.total == 5
    assert [h.document.title for h in page.hits] == ["覆盖通知2", "覆盖通知1"]


def test_editing_reindexes_and_old_words_are_no_longer_found(cast):
    doc = publish(cast, title="两个覆盖工作意见", body="两个覆盖。")
    policies.edit(cast.city_admin, doc, values(title="党费收缴办法", body="按月交纳党费。"), today=TODAY)
    assert titles("覆盖") == []
    assert titles("党费") == ["党费收缴办法"]


def test_deleting_unindexes_and_is_audited(cast):
    doc = publish(cast, title="两个覆盖工作意见")
    pk = doc.pk
    policies.delete(cast.city_admin, doc)
    assert titles("覆盖") == []
    assert PolicyDocument.objects.filter(pk=pk).exists() is False
    entry = AuditEntry.objects.filter(object_type="portal.policydocument", object_id=str(pk)).latest("id")
    assert entry.detail == "删除政策文件：两个覆盖工作意见"
    table = search.FTS_TABLE if connection.vendor == "sqlite" else search.TSV_TABLE
    key = "rowid" if connection.vendor == "sqlite" else "document_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {key} = %s", [pk])
        assert cursor.fetchone()[0] == 0


def test_rebuild_index_finds_documents_loaded_around_the_services(cast):
    PolicyDocument.objects.create(
        title="批量导入的覆盖文件",
        issuer="某机关",
        issued_on=TODAY,
        category="study",
        body="两个覆盖",
        node=cast.city_node,
    )
    assert titles("覆盖") == []
    assert search.rebuild_index() == 1
    assert titles("覆盖") == ["批量导入的覆盖文件"]


def test_postgres_ranks_by_a_words_first_four_occurrences_and_the_migration_cuts_alike(cast):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's ranking vector")
    doc = publish(cast, title="覆盖通知", body="两个覆盖。" * 6 + "其他工作安排。")

    def vector() -> list[tuple]:  # each word: its number of occurrences and their weights
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT u.lexeme, array_length(u.positions, 1), u.weights FROM {search.TSV_TABLE}, "
                "unnest(rank_terms) AS u WHERE document_id = %s ORDER BY 1",
                [doc.pk],
            )
            return cursor.fetchall()

    indexed = vector()
    # twice in the head (the word and its pair), then the first two of the body's six
    assert ("覆盖", 4, ["A", "A", "D", "D"]) in indexed
    assert ("两个", 4, ["D", "D", "D", "D"]) in indexed
    # as 0004 stored it (every occurrence), then cut by migration 0006's SQL: the same vector
    _, head, _, words = search._row(doc)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {search.TSV_TABLE} SET rank_terms = setweight(to_tsvector('simple', %s), 'A') "
            "|| to_tsvector('simple', %s) WHERE document_id = %s",
            [head, words, doc.pk],
        )
    assert ("两个", 6, ["D"] * 6) in vector()
    with connection.schema_editor() as editor:
        search.cap_rank_vectors(editor)
    assert vector() == indexed


# -- services: bad input ----------------------------------------------------------------------------
def test_bad_fields_are_refused_in_chinese_per_field(cast):
    with pytest.raises(ValidationError) as caught:
        policies.publish(
            cast.city_admin, cast.city_node,
            values(title=" ", issuer="", issued_on="2025-13-01", category="x", body=""), today=TODAY,
        )  # fmt: skip
    assert caught.value.message_dict == {
        "title": ["标题：必填"],
        "issuer": ["发文机关：必填"],
        "issued_on": ["发文日期：必填，格式为 年-月-日（如 2024-03-01）"],
        "category": ["类别：请选择 中央文件、市级文件、区级文件、街道文件、工作制度、学习资料 之一"],
        "body": ["正文：必填"],
    }
    assert PolicyDocument.objects.count() == 0


def test_a_date_after_today_is_refused(cast):
    with pytest.raises(ValidationError) as caught:
        publish(cast, issued_on="2025-07-01")
    assert caught.value.message_dict == {"issued_on": ["发文日期：不能晚于今天（2025-06-30）"]}


def _stored_files() -> list:
    return sorted(p.name for p in attachments.storage_dir(policies.ATTACHMENT_FOLDER).iterdir())


def test_a_forbidden_attachment_renamed_pdf_is_refused_with_nothing_stored(cast):
    before = _stored_files()
    script = SimpleUploadedFile("通知.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        policies.publish(cast.city_admin, cast.city_node, values(), attachment=script, today=TODAY)
    assert caught.value.message_dict == {
        "attachment": [
            "附件：附件「通知.pdf」的内容不是允许的类型（只接受PDF、办公文档和图片："
            ".doc、.docx、.jpeg、.jpg、.pdf、.png、.ppt、.pptx、.xls、.xlsx）"
        ]
    }
    assert PolicyDocument.objects.count() == 0
    assert PolicyAttachment.objects.count() == 0
    assert _stored_files() == before
    assert titles("党建") == []


def test_an_attachment_is_stored_encrypted_and_replaced_on_edit(cast, django_capture_on_commit_callbacks):
    doc = policies.publish(
        cast.city_admin, cast.city_node, values(), attachment=SimpleUploadedFile("原文.pdf", PDF), today=TODAY
    )
    first = doc.attachment.stored_name
    assert doc.attachment.name == "原文.pdf"
    assert policies.attachment_path(doc.attachment).read_bytes() != PDF  # encrypted at rest
    with django_capture_on_commit_callbacks(execute=True):
        policies.edit(cast.city_admin, doc, values(), attachment=SimpleUploadedFile("修订.pdf", PDF), today=TODAY)
    assert PolicyAttachment.objects.get(document=doc).name == "修订.pdf"
    assert first not in _stored_files()


# -- scope ------------------------------------------------------------------------------------------
def test_committee_administrators_publish_and_others_do_not(party_cast):
    c = party_cast
    publishers = {
        u.username for u in (c.city_admin, c.street_admin, c.industry_admin) if scope_for(u).can_publish_policies
    }
    others = {u.username for u in (c.auditor, c.secretary, c.nobody) if scope_for(u).can_publish_policies}
    assert (publishers, others) == ({"city_admin", "nanjing_admin", "lawyers_admin"}, set())


def test_a_streets_documents_reach_its_subtree_and_no_other_street(party_cast):
    c = party_cast
    member_user = _user("wanghong", "member", c.branch.node)
    nanjing = publish(c, node=c.nanjing_node, actor=c.street_admin, title="南京东路街道覆盖工作方案")
    waitan = publish(c, node=c.waitan_node, actor=c.other_street_admin, title="外滩街道覆盖工作方案")
    city = publish(c, title="全市覆盖工作意见", to_everyone=True)

    def seen(user) -> list[str]:
        return sorted(titles("覆盖", scope_for(user).policy_documents()))

    assert seen(c.secretary) == ["全市覆盖工作意见", "南京东路街道覆盖工作方案"]
    assert seen(member_user) == ["全市覆盖工作意见", "南京东路街道覆盖工作方案"]
    assert seen(c.other_street_admin) == ["全市覆盖工作意见", "外滩街道覆盖工作方案"]
    assert seen(c.district_admin) == ["全市覆盖工作意见", "南京东路街道覆盖工作方案", "外滩街道覆盖工作方案"]
    assert seen(c.auditor) == ["全市覆盖工作意见", "南京东路街道覆盖工作方案", "外滩街道覆盖工作方案"]
    assert seen(c.nobody) == ["全市覆盖工作意见"]
    # not openable either: another street's document answers 404 like a missing one
    client = client_for(c.secretary)
    assert client.get(f"/portal/policies/{waitan.pk}/").status_code == 404
    assert client.get(f"/portal/policies/{nanjing.pk}/").status_code == 200
    assert client.get(f"/portal/policies/{city.pk}/").status_code == 200


def test_a_district_edits_its_streets_documents_and_a_street_not_the_districts(party_cast):
    c = party_cast
    street_doc = publish(c, node=c.nanjing_node, actor=c.street_admin)
    district_doc = publish(c, node=c.huangpu_node, actor=c.district_admin)
    assert set(scope_for(c.district_admin).policy_documents("change")) == {street_doc, district_doc}
    assert set(scope_for(c.street_admin).policy_documents("change")) == {street_doc}
    assert set(scope_for(c.street_admin).policy_documents("view")) == {street_doc, district_doc}


# -- pages ------------------------------------------------------------------------------------------
def test_the_list_searches_filters_and_highlights(party_cast):
    c = party_cast
    publish(c, title="关于推进两个覆盖工作的意见", body="全面推进两个覆盖工作。", to_everyone=True, category="central")
    publish(c, title="覆盖工作学习资料", body="覆盖", to_everyone=True, category="study", issued_on="2024-05-01")
    client = client_for(c.secretary)
    page = client.get("/portal/policies/", {"q": "覆盖", "category": "central"}).content.decode()
    assert "关于推进两个<mark>覆盖</mark>工作的意见" in page
    assert "覆盖工作学习资料" not in page
    page = client.get("/portal/policies/", {"year": "2024"}).content.decode()
    assert "覆盖工作学习资料" in page and "关于推进两个覆盖工作的意见" not in page
    assert client.get("/portal/policies/", {"year": "今年"}).status_code == 400


def test_publishing_through_the_page_with_a_forbidden_file_shows_the_reason(party_cast):
    c = party_cast
    client = client_for(c.street_admin)
    data = {**values(), "node": c.nanjing_node.pk, "attachment": SimpleUploadedFile("a.pdf", b"MZ\x90\x00")}
    response = client.post("/portal/policies/new/", data)
    assert response.status_code == 400
    assert "附件「a.pdf」的内容不是允许的类型" in response.content.decode()
    assert PolicyDocument.objects.count() == 0
    data["attachment"] = SimpleUploadedFile("原文.pdf", PDF)
    response = client.post("/portal/policies/new/", data)
    doc = PolicyDocument.objects.get()
    assert response.status_code == 302 and response.url == f"/portal/policies/{doc.pk}/"
    assert (doc.node, doc.publisher, doc.attachment.name) == (c.nanjing_node, c.street_admin, "原文.pdf")
    download = client_for(c.secretary).get(f"/portal/policies/{doc.pk}/attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_deleting_through_the_page_is_for_the_documents_publishers(party_cast, django_capture_on_commit_callbacks):
    c = party_cast
    doc = publish(c, node=c.waitan_node, actor=c.other_street_admin, title="外滩街道覆盖工作方案")
    url = f"/portal/policies/{doc.pk}/delete/"
    assert client_for(c.street_admin).post(url).status_code == 404  # another street's: as if missing
    assert client_for(c.auditor).post(url).status_code == 403  # reads it, may not publish
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(c.other_street_admin).post(url)
    assert (response.status_code, response.url) == (302, "/portal/policies/")
    assert PolicyDocument.objects.filter(pk=doc.pk).exists() is False


# -- API --------------------------------------------------------------------------------------------
def _api(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_the_api_searches_with_snippets_and_pages_by_position(party_cast):
    c = party_cast
    for i in range(3):
        publish(c, title=f"覆盖通知{i}", body="推进<两个>" + "覆盖" * (i + 1) + "工作。", to_everyone=True)
    client = _api(c.secretary)
    first = client.get("/api/v1/policy-documents/", {"q": "覆盖", "page_size": 2}).json()
    assert [d["title"] for d in first["results"]] == ["覆盖通知2", "覆盖通知1"]
    assert first["results"][0]["snippet"] == "推进&lt;两个&gt;<mark>覆盖覆盖覆盖</mark>工作。"
    assert first["results"][0]["title_html"] == "<mark>覆盖</mark>通知2"
    second = client.get(first["next"]).json()
    assert ([d["title"] for d in second["results"]], second["next"]) == (["覆盖通知0"], None)
    plain = client.get("/api/v1/policy-documents/").json()
    assert [d["snippet"] for d in plain["results"]] == [None, None, None]


def test_the_api_refuses_a_forbidden_attachment_with_nothing_stored(party_cast):
    c = party_cast
    before = _stored_files()
    upload = SimpleUploadedFile("通知.pdf", b"<html><script>alert(1)</script></html>")
    response = _api(c.street_admin).post(
        "/api/v1/policy-documents/", {**values(), "node": c.nanjing_node.pk, "attachment": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["attachment"][0].startswith("附件：附件「通知.pdf」的内容不是允许的类型")
    assert (PolicyDocument.objects.count(), _stored_files()) == (0, before)


def test_the_api_reads_the_full_text_and_hides_another_streets_documents(party_cast):
    c = party_cast
    own = publish(c, node=c.nanjing_node, actor=c.street_admin, body="第一条\n第二条")
    other = publish(c, node=c.waitan_node, actor=c.other_street_admin)
    client = _api(c.secretary)
    assert client.get(f"/api/v1/policy-documents/{own.pk}/").json()["body"] == "第一条\n第二条"
    assert client.get(f"/api/v1/policy-documents/{other.pk}/").status_code == 404
    assert client.patch(f"/api/v1/policy-documents/{own.pk}/", {"title": "x"}, format="json").status_code == 403
