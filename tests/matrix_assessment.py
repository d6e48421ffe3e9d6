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
