"""Permission matrix entries for 发展党员 (merged into tests/test_permission_matrix.py's MATRIX).

The applicant belongs to the cast's branch in 南京东路街道: 徐汇, 外滩 and the lawyers' committee get
404 (outside scope), the 黄浦 auditor reads but may not change (403), the branch's secretary acts.
"""

import datetime

from django.utils import timezone

# imported while test_permission_matrix is loading: its helpers above the merge are defined
from .test_permission_matrix import API, ORG_READERS, PARTY_EDITORS, READERS, expect, invalid_body

PARTY_VIEW = expect(200, xuhui=404, waitan=404, lawyers=404, nobody=403, secretary=200)
PARTY_EDIT = {**PARTY_VIEW, "auditor": 403}
# a step posted without its inputs: those who may act get 400 with the Chinese reasons
STEP_REFUSED = {**invalid_body(PARTY_EDIT)}
QUOTA_EDITORS = expect(302, auditor=403, nobody=403, secretary=403)
NANJING_QUOTA_VIEW = expect(200, xuhui=404, waitan=404, lawyers=404, nobody=403, secretary=403)
NANJING_QUOTA_EDIT = {**NANJING_QUOTA_VIEW, "auditor": 403}


def branch_applicant(c) -> dict:
    from liangxin.accounts.scoping import scope_for
    from liangxin.develop import services

    from .party_helpers import id_number

    values = {"name": "李明", "party_org": c.branch, "applied_on": timezone.localdate() - datetime.timedelta(days=5)}
    applicant = services.register(c.city_admin, scope_for(c.city_admin), values, id_number("19980101"))
    return {"pk": applicant.pk}


def nanjing_quota(c) -> dict:
    from liangxin.develop.models import Quota

    return {"pk": Quota.objects.create(node=c.nanjing_node, year=timezone.localdate().year, quota=3).pk}


ENTRIES: dict = {
    "web:develop_applicants": ("get", None, None, ORG_READERS),
    "web:develop_applicant_export": ("get", None, None, ORG_READERS),
    "web:develop_applicant_create": ("get", None, None, PARTY_EDITORS),
    "web:develop_applicant_create POST": ("post", None, None, invalid_body(PARTY_EDITORS)),
    "web:develop_applicant_detail": ("get", branch_applicant, None, PARTY_VIEW),
    "web:develop_applicant_edit": ("get", branch_applicant, None, PARTY_EDIT),
    "web:develop_applicant_edit POST": ("post", branch_applicant, None, invalid_body(PARTY_EDIT)),
    "web:develop_applicant_step": ("post", branch_applicant, None, STEP_REFUSED),
    "web:develop_pipeline": ("get", None, None, ORG_READERS),
    "web:develop_pipeline NANJING": (
        "get",
        lambda c: {"?": {"node": str(c.nanjing_node.pk)}},
        None,
        expect(200, xuhui=404, waitan=404, lawyers=404, nobody=403, secretary=404),
    ),
    "web:develop_quotas": ("get", None, None, READERS),
    "web:develop_quotas POST": ("post", None, None, QUOTA_EDITORS),
    "develop-applicant-list": ("get", None, None, {**ORG_READERS, **API}),
    "develop-applicant-list POST": ("post", None, {"name": "x"}, {**invalid_body(PARTY_EDITORS), **API}),
    "develop-applicant-detail": ("get", branch_applicant, None, {**PARTY_VIEW, **API}),
    "develop-applicant-detail PATCH": ("patch", branch_applicant, {"phone": "13800000000"}, {**PARTY_EDIT, **API}),
    "develop-applicant-steps": ("get", branch_applicant, None, {**PARTY_VIEW, **API}),
    "develop-applicant-steps POST": ("post", branch_applicant, {"step": "talk"}, {**STEP_REFUSED, **API}),
    "develop-pipeline-list": ("get", None, None, {**ORG_READERS, **API}),
    "develop-pipeline-list NANJING": (
        "get",
        lambda c: {"?": {"node": str(c.nanjing_node.pk)}},
        None,
        {**expect(200, xuhui=404, waitan=404, lawyers=404, nobody=403, secretary=404), **API},
    ),
    "develop-quota-list": ("get", None, None, {**READERS, **API}),
    "develop-quota-list POST": ("post", None, {"quota": 1}, {**expect(400, auditor=403, nobody=403, secretary=403),
                                                             **API}),
    "develop-quota-detail": ("get", nanjing_quota, None, {**NANJING_QUOTA_VIEW, **API}),
    "develop-quota-detail PATCH": ("patch", nanjing_quota, {"quota": 5}, {**NANJING_QUOTA_EDIT, **API}),
}  # fmt: skip
