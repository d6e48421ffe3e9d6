"""Permission matrix entries for 互动网 — 工作动态/通知公告 and 信息报送 (merged into
tests/test_permission_matrix.py's MATRIX).

A 南京东路街道 item waiting for review is seen by its street and the committees above (and 黄浦's
auditor), reviewed by 黄浦 only; once published it is read by the branch secretary below too;
徐汇, 外滩, the lawyers' committee and a user without a role get 404. A report the 嘉信 branch
sent is at 南京东路街道: read by the branch, the street, the committees above and the auditor,
reviewed by the street only.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from .test_permission_matrix import API, EVERYONE, ORG_READERS, READERS, expect, invalid_body

WRITERS = expect(200, auditor=403, nobody=403, secretary=200)
WAITING = expect(200, xuhui=404, waitan=404, lawyers=404, nobody=404, secretary=404)
PUBLISHED = {**WAITING, "secretary": 200}
NEWS_EDIT = expect(404, city=200, huangpu=200, nanjing=200, auditor=403, secretary=403, nobody=403)
# a waiting item is changed by its street and the committees above; the branch below does not see it
NEWS_EDIT_WAITING = expect(404, city=200, huangpu=200, nanjing=200, auditor=403, nobody=403)
# a published item is neither changed in place nor deleted: those who manage it are sent back to its page
PUBLISHED_REFUSED = {**NEWS_EDIT, "city": 302, "huangpu": 302, "nanjing": 302}
# 撤下 without a reason is refused (back to the page): the street, 黄浦 (its reviewer) and the city manage it
WITHDRAW_REFUSED = expect(404, city=302, huangpu=302, nanjing=302, auditor=403, secretary=403)
API_REFUSED = {k: (400 if v == 302 else v) for k, v in WITHDRAW_REFUSED.items()}
# the city deletes the 外滩 item first: every other writer then finds nothing (404)
DELETED_ONCE = expect(404, city=302, auditor=403, nobody=403)
# 黄浦 approves it (then it is published: the street and the secretary read it, but it is not theirs to review)
APPROVED_ONCE = expect(404, city=403, huangpu=302, nanjing=403, auditor=403, secretary=403)
# without a reason 黄浦's return is refused (back to the page): the item stays waiting
RETURN_REFUSED = expect(404, city=403, huangpu=302, nanjing=403, auditor=403)

REPORT_VIEW = expect(200, xuhui=404, waitan=404, lawyers=404, nobody=403, secretary=200)
REPORT_WRITERS = expect(403, nanjing=200, waitan=200, secretary=200)
# the report waits at 南京东路: only its administrators take a step (each refused here: 302 back)
REPORT_STEP = expect(404, city=403, huangpu=403, nanjing=302, auditor=403, secretary=403, nobody=403)
RESUBMIT = expect(403, waitan=404, secretary=200)


def _item(c, node, actor):
    from liangxin.portal import news

    return news.write(
        actor, node, {"title": "南京东路街道推进两个覆盖工作", "category": "news", "body": "街道召开推进会。"}
    )


def waiting_item(c) -> dict:
    return {"pk": _item(c, c.nanjing_node, c.street_admin).pk}


def published_item(c) -> dict:
    from liangxin.portal import news

    item = _item(c, c.nanjing_node, c.street_admin)
    news.approve(c.district_admin, item)
    return {"pk": item.pk}


def published_file(c) -> dict:
    from liangxin.portal import news

    item = news.write(
        c.street_admin, c.nanjing_node, {"title": "有附件的动态", "category": "news", "body": "见附件。"},
        files=[SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%%EOF\n")],
    )  # fmt: skip
    news.approve(c.district_admin, item)
    return {"pk": item.pk, "file_pk": item.files.get().pk}


def waitan_item(c) -> dict:
    return {"pk": _item(c, c.waitan_node, c.other_street_admin).pk}


def branch_report(c, files=()) -> dict:
    from liangxin.portal import reports

    values = {"kind": "experience", "title": "支部建在楼宇里", "body": "我们的做法。"}
    report = reports.submit(c.secretary, c.branch.node, values, list(files))
    return {"pk": report.pk}


def branch_report_file(c) -> dict:
    found = branch_report(c, [SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%%EOF\n")])
    from liangxin.portal.models import InfoReportFile

    return {**found, "file_pk": InfoReportFile.objects.get(report_id=found["pk"]).pk}


ENTRIES: dict = {
    "web:portal_home": ("get", None, None, EVERYONE),
    "web:news_list": ("get", None, None, EVERYONE),
    "web:news_drafts": ("get", None, None, WRITERS),
    "web:news_create": ("get", None, None, WRITERS),
    "web:news_create POST": ("post", None, None, invalid_body(WRITERS)),
    "web:news_detail": ("get", published_item, None, PUBLISHED),
    "web:news_detail WAITING": ("get", waiting_item, None, WAITING),
    "web:news_file": ("get", published_file, None, PUBLISHED),
    "web:news_edit": ("get", waiting_item, None, NEWS_EDIT_WAITING),
    "web:news_edit PUBLISHED": ("get", published_item, None, PUBLISHED_REFUSED),
    "web:news_edit POST": ("post", published_item, None, invalid_body(NEWS_EDIT)),
    "web:news_delete": ("get", published_item, None, PUBLISHED_REFUSED),
    "web:news_delete POST": ("post", waitan_item, None, DELETED_ONCE),
    "web:news_delete POST PUBLISHED": ("post", published_item, None, PUBLISHED_REFUSED),
    "web:news_withdraw": ("post", published_item, None, WITHDRAW_REFUSED),
    "web:news_approve": ("post", waiting_item, None, APPROVED_ONCE),
    "web:news_return": ("post", waiting_item, None, RETURN_REFUSED),
    "web:info_report_list": ("get", None, None, ORG_READERS),
    "web:info_report_create": ("get", None, None, REPORT_WRITERS),
    "web:info_report_create POST": ("post", None, None, invalid_body(REPORT_WRITERS)),
    "web:info_report_ranking": ("get", None, None, READERS),
    "web:info_report_ranking_export": ("get", None, None, READERS),
    "web:info_report_detail": ("get", branch_report, None, REPORT_VIEW),
    "web:info_report_file": ("get", branch_report_file, None, REPORT_VIEW),
    "web:info_report_resubmit": ("get", branch_report, None, RESUBMIT),
    "web:info_report_resubmit POST": ("post", branch_report, None, invalid_body(RESUBMIT)),
    "web:info_report_adopt": ("post", branch_report, None, REPORT_STEP),
    "web:info_report_return": ("post", branch_report, None, REPORT_STEP),
    "web:info_report_pass_up": ("post", branch_report, None, REPORT_STEP),
    "web:info_report_publish": ("post", branch_report, None, REPORT_STEP),
    "news-item-list": ("get", None, None, {**EVERYONE, **API}),
    "news-item-list POST": ("post", None, {"title": ""}, {**invalid_body(WRITERS), **API}),
    "news-item-waiting": ("get", None, None, {**EVERYONE, **API}),
    "news-item-drafts": ("get", None, None, {**WRITERS, **API}),
    "news-item-detail PATCH": (
        "patch",
        waiting_item,
        {"title": ""},
        {**invalid_body(NEWS_EDIT_WAITING), "nobody": 404, **API},
    ),
    "news-item-detail PATCH PUBLISHED": ("patch", published_item, {"title": "改"}, {**API_REFUSED, **API}),
    "news-item-detail DELETE": ("delete", waitan_item, None, {**expect(404, city=204), **API}),
    "news-item-detail DELETE PUBLISHED": ("delete", published_item, None, {**API_REFUSED, **API}),
    "news-item-withdraw": ("post", published_item, {}, {**API_REFUSED, **API}),
    "news-item-detail": ("get", published_item, None, {**PUBLISHED, **API}),
    "news-item-approve": ("post", waiting_item, {}, {**APPROVED_ONCE, "huangpu": 200, **API}),
    "news-item-return": ("post", waiting_item, {}, {**RETURN_REFUSED, "huangpu": 400, **API}),
    "info-report-list": ("get", None, None, {**ORG_READERS, **API}),
    "info-report-list POST": ("post", None, {"title": ""}, {**invalid_body(REPORT_WRITERS), **API}),
    "info-report-detail": ("get", branch_report, None, {**REPORT_VIEW, **API}),
    "info-report-ranking": ("get", None, None, {**READERS, **API}),
    "info-report-adopt": ("post", branch_report, {}, {**REPORT_STEP, "nanjing": 400, **API}),
    "info-report-return": ("post", branch_report, {}, {**REPORT_STEP, "nanjing": 400, **API}),
    "info-report-pass-up": ("post", branch_report, {}, {**REPORT_STEP, "nanjing": 400, **API}),
    "info-report-publish": ("post", branch_report, {}, {**REPORT_STEP, "nanjing": 400, **API}),
}
