"""Permission matrix entries for 考核评估 — 指标体系 (merged into tests/test_permission_matrix.py).

The committees' administrators (city, districts, streets, the lawyers' committee) and the auditor read
the sets; the secretary and a user without a role get 403. Only the city administrator changes a draft,
publishes and opens a new draft (everyone else 403, before any lookup or body check). 试算 takes a
subject of the caller's subtree: the branch under 南京东路 is found by the city, 黄浦 (and its auditor)
and 南京东路; 徐汇, 外滩 and the lawyers' committee get 404, as if it did not exist.
"""

from .test_permission_matrix import API, CITY_ONLY, READERS, expect, invalid_body

CITY_ACTS = expect(403, city=302)  # a page's step: back to the version page
BRANCH_SUBJECT = {**READERS, "xuhui": 404, "waitan": 404, "lawyers": 404}
CITY_API = {**expect(403, city=400), **API}  # the city's body is refused (400), everyone else 403


def _published(c):
    from liangxin.assessment.models import IndicatorSet

    return IndicatorSet.objects.get(code="five-good").versions.get(number=1)


def _draft(c):
    from liangxin.assessment import services

    return services.current_draft(_published(c).indicator_set) or services.new_draft(c.city_admin, _published(c))


def published(c) -> dict:
    return {"pk": _published(c).pk}


def draft(c) -> dict:
    return {"pk": _draft(c).pk}


def draft_indicator(c) -> dict:
    return {"pk": _draft(c).indicators.get(name="职工群众评议满意度").pk}


def computed_leaf(c) -> dict:
    return {"pk": _published(c).indicators.get(name="党费按月足额交纳").pk}


def preview_branch(c) -> dict:
    return {**computed_leaf(c), "?": {"subject": str(c.branch.node_id), "start": "2024-01-01", "end": "2024-06-30"}}


ENTRIES: dict = {
    "web:assessment_sets": ("get", None, None, READERS),
    "web:assessment_version": ("get", published, None, READERS),
    "web:assessment_version DRAFT": ("get", draft, None, READERS),
    "web:assessment_publish": ("post", draft, None, CITY_ACTS),
    "web:assessment_new_draft": ("post", published, None, CITY_ACTS),
    "web:assessment_indicator_add": ("get", draft, None, CITY_ONLY),
    "web:assessment_indicator_add POST": ("post", draft, None, invalid_body(CITY_ONLY)),
    "web:assessment_indicator_edit": ("get", draft_indicator, None, CITY_ONLY),
    "web:assessment_indicator_edit POST": ("post", draft_indicator, None, invalid_body(CITY_ONLY)),
    "web:assessment_indicator_remove": ("post", draft_indicator, None, CITY_ACTS),
    "web:assessment_indicator_move": ("post", draft_indicator, None, CITY_ACTS),
    "web:assessment_preview": ("get", computed_leaf, None, READERS),
    "web:assessment_preview SUBJECT": ("get", preview_branch, None, BRANCH_SUBJECT),
    "assessment-set-list": ("get", None, None, {**READERS, **API}),
    "assessment-set-detail": ("get", lambda c: {"pk": _published(c).indicator_set_id}, None, {**READERS, **API}),
    "assessment-version-detail": ("get", published, None, {**READERS, **API}),
    "assessment-version-indicators": ("post", draft, {}, CITY_API),
    "assessment-version-publish": ("post", published, {}, CITY_API),  # published already: refused
    "assessment-version-new-draft": ("post", published, {}, {**expect(403, city=201), **API}),
    "assessment-indicator-detail": ("get", draft_indicator, None, {**READERS, **API}),
    "assessment-indicator-detail PATCH": ("patch", draft_indicator, {"name": ""}, CITY_API),
    "assessment-indicator-detail DELETE": ("delete", draft_indicator, None, {**expect(403, city=204), **API}),
    "assessment-indicator-move": ("post", draft_indicator, {}, CITY_API),
    "assessment-indicator-preview": ("get", preview_branch, None, {**BRANCH_SUBJECT, **API}),
}


# -- 考核轮次 --------------------------------------------------------------------------------------------
# A round on 五个好 over the branch under 南京东路 (the only party organization of the cast): 南京东路
# reviews it, 黄浦 confirms, its secretary self-assesses. Rounds are read by the committees, the auditor
# and the secretary; the sheet by whoever sees the branch (404 for 徐汇, 外滩, the lawyers). A step that
# is not the user's side answers 403 before any check of the body; the side's own bodies and steps out of
# stage are refused (page: back to the sheet, 302; API: 400).
ROUND_READERS = expect(200, nobody=403, secretary=200)
SHEET = expect(200, xuhui=404, waitan=404, lawyers=404, nobody=403, secretary=200)


def _side(user: str, code: int) -> dict:
    return {**expect(403, xuhui=404, waitan=404, lawyers=404), user: code}


def _round(c):
    from liangxin.accounts.scoping import scope_for
    from liangxin.assessment import rounds
    from liangxin.assessment.models import Round

    found = Round.objects.filter(name="矩阵考核").first()
    if found:
        return found
    values = {"name": "矩阵考核", "version": str(_published(c).pk), "period_start": "2025-01-01",
              "period_end": "2025-12-31"}  # fmt: skip
    return rounds.open_round(c.city_admin, scope_for(c.city_admin), values)


def a_round(c) -> dict:
    return {"pk": _round(c).pk}


def _entry(c):
    return _round(c).entries.get(subject=c.branch.node)


def an_entry(c) -> dict:
    return {"pk": _entry(c).pk}


def a_score(c) -> dict:
    return {"pk": _entry(c).scores.get(indicator__name="班子团结、书记履职").pk}


def an_objection(c) -> dict:
    from liangxin.assessment.models import Objection

    return {"pk": Objection.objects.create(entry=_entry(c), text="有异议").pk}


def an_evidence(c) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liangxin.accounts.scoping import scope_for
    from liangxin.assessment import rounds
    from liangxin.assessment.models import RoundScore

    score = RoundScore.objects.get(pk=a_score(c)["pk"])
    png = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    rounds.save_self(c.secretary, scope_for(c.secretary), score, "8", "好", [png])
    return {"pk": score.evidence.get().pk}


ENTRIES.update({
    "web:assessment_rounds": ("get", None, None, ROUND_READERS),
    "web:assessment_tasks": ("get", None, None, ROUND_READERS),
    "web:assessment_round_start": ("get", None, None, CITY_ONLY),
    "web:assessment_round_start POST": ("post", None, None, invalid_body(CITY_ONLY)),
    "web:assessment_round": ("get", a_round, None, ROUND_READERS),
    "web:assessment_round_advance": ("post", a_round, None, CITY_ACTS),
    "web:assessment_round_refresh": ("post", a_round, None, CITY_ACTS),
    "web:assessment_round_export": ("get", a_round, None, ROUND_READERS),
    "web:assessment_entry": ("get", an_entry, None, SHEET),
    "web:assessment_entry_submit": ("post", an_entry, None, _side("secretary", 302)),
    "web:assessment_entry_return": ("post", an_entry, None, _side("nanjing", 302)),
    "web:assessment_entry_pass": ("post", an_entry, None, _side("nanjing", 302)),
    "web:assessment_entry_confirm": ("post", an_entry, None, _side("huangpu", 302)),
    "web:assessment_entry_object": ("post", an_entry, None, _side("secretary", 302)),
    "web:assessment_score_self": ("post", a_score, None, _side("secretary", 302)),
    "web:assessment_score_adjust": ("post", a_score, None, _side("nanjing", 302)),
    "web:assessment_objection_answer": ("post", an_objection, None, _side("huangpu", 302)),
    "web:assessment_evidence": ("get", an_evidence, None, SHEET),
    "assessment-round-list": ("get", None, None, {**ROUND_READERS, **API}),
    "assessment-round-list POST": ("post", None, {}, CITY_API),
    "assessment-round-detail": ("get", a_round, None, {**ROUND_READERS, **API}),
    "assessment-round-advance": ("post", a_round, {}, {**expect(403, city=200), **API}),
    "assessment-round-refresh": ("post", a_round, {}, {**expect(403, city=200), **API}),
    "assessment-entry-list": ("get", None, None, {**ROUND_READERS, **API}),
    "assessment-entry-detail": ("get", an_entry, None, {**SHEET, **API}),
    "assessment-entry-submit": ("post", an_entry, {}, {**_side("secretary", 400), **API}),
    "assessment-entry-return": ("post", an_entry, {}, {**_side("nanjing", 400), **API}),
    "assessment-entry-pass": ("post", an_entry, {}, {**_side("nanjing", 400), **API}),
    "assessment-entry-confirm": ("post", an_entry, {}, {**_side("huangpu", 400), **API}),
    "assessment-entry-object": ("post", an_entry, {}, {**_side("secretary", 400), **API}),
    "assessment-score-detail": ("get", a_score, None, {**SHEET, **API}),
    "assessment-score-self": ("post", a_score, {"value": "99"}, {**_side("secretary", 400), **API}),
    "assessment-score-adjust": ("post", a_score, {}, {**_side("nanjing", 400), **API}),
    "assessment-objection-detail": ("get", an_objection, None, {**SHEET, **API}),
    "assessment-objection-answer": ("post", an_objection, {}, {**_side("huangpu", 400), **API}),
})  # fmt: skip
