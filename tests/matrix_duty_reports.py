"""Permission matrix entries for 述职报告 (merged into tests/test_permission_matrix.py).

南京东路街道综合党委's report: its administrator writes it (a draft is read by 南京东路 only: the
committees above get 404 until it is submitted); once submitted, 黄浦 (the level above) reviews it,
the city and 黄浦's auditor read it, and 外滩 (a sibling street), 徐汇 and the lawyers' committee get
404. The city administrator writes no report (no level above) and the auditor writes none; the
branch secretary and a user without a role read none (403).
"""

from .test_permission_matrix import API, READERS, expect, invalid_body

WRITERS = expect(200, city=403, auditor=403, nobody=403)
DRAFT = expect(404, nanjing=200, secretary=403, nobody=403)
DRAFT_STEP = expect(404, nanjing=302, secretary=403, nobody=403)
SUBMITTED = expect(404, city=200, huangpu=200, nanjing=200, auditor=200, secretary=403, nobody=403)
REVIEW = expect(404, city=403, huangpu=200, nanjing=403, auditor=403, secretary=403, nobody=403)


def _draft(c):
    from liangxin.duty_reports import services

    return services.create(c.street_admin, c.nanjing_node, c.today_year)


def nanjing_draft(c) -> dict:
    c.today_year = _year()
    return {"pk": _draft(c).pk}


def nanjing_submitted(c) -> dict:
    from liangxin.duty_reports import services

    c.today_year = _year()
    report = _draft(c)
    services.update_text(
        c.street_admin, report, {"practice": "抓覆盖。", "problems": "空白点多。", "plans": "补空白。"}
    )
    return {"pk": services.submit(c.street_admin, report).pk}


def _year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _redirected(table: dict) -> dict:
    return {k: (302 if v == 200 else v) for k, v in table.items()}


ENTRIES: dict = {
    "web:duty_list": ("get", None, None, READERS),
    "web:duty_create": ("get", None, None, WRITERS),
    "web:duty_create POST": ("post", None, None, invalid_body(WRITERS)),
    "web:duty_detail": ("get", nanjing_submitted, None, SUBMITTED),
    "web:duty_detail DRAFT": ("get", nanjing_draft, None, DRAFT),
    "web:duty_print": ("get", nanjing_submitted, None, SUBMITTED),
    "web:duty_word": ("get", nanjing_submitted, None, SUBMITTED),
    "web:duty_edit": ("get", nanjing_draft, None, DRAFT),
    "web:duty_edit POST": ("post", nanjing_draft, None, DRAFT_STEP),  # nothing typed: saved, back to the page
    "web:duty_refresh": ("post", nanjing_draft, None, DRAFT_STEP),
    "web:duty_submit": ("post", nanjing_draft, None, DRAFT_STEP),  # refused (no text): back to the page
    "web:duty_review": ("get", nanjing_submitted, None, _redirected(REVIEW)),
    "web:duty_review POST": ("post", nanjing_submitted, None, invalid_body(REVIEW)),
    "duty-report-list": ("get", None, None, {**READERS, **API}),
    "duty-report-list POST": ("post", None, {}, {**invalid_body(WRITERS), **API}),
    "duty-report-detail": ("get", nanjing_submitted, None, {**SUBMITTED, **API}),
    "duty-report-detail PATCH": ("patch", nanjing_draft, {}, {**DRAFT, **API}),
    "duty-report-refresh": ("post", nanjing_draft, {}, {**DRAFT, **API}),
    "duty-report-submit": ("post", nanjing_draft, {}, {**invalid_body(DRAFT), **API}),
    "duty-report-review": ("post", nanjing_submitted, {}, {**invalid_body(REVIEW), **API}),
    "duty-report-word": ("get", nanjing_submitted, None, {**SUBMITTED, **API}),
}
