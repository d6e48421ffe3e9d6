"""Permission matrix entries for 党费 (merged into tests/test_permission_matrix.py's MATRIX).

The branch (南京东路街道) and its member are visible to the city, 黄浦, 南京东路, 黄浦's auditor
and the branch secretary; 徐汇, 外滩 and the lawyers' committee get 404, as if missing. Only
editors (admins over the branch, its secretary) change anything; the auditor gets 403.
"""

import datetime

from .test_permission_matrix import API, ORG_READERS, PARTY_EDIT, PARTY_EDITORS, PARTY_VIEW, expect, invalid_body


def branch(c) -> dict:
    return {"pk": c.branch.pk}


def member(c) -> dict:
    return {"pk": c.member.pk}


def nanjing_node(c) -> dict:
    return {"?": {"node": str(c.nanjing_node.pk)}}


def branch_node(c) -> dict:
    return {"?": {"node": str(c.branch.node.pk)}}


def payment(c) -> dict:
    from liangxin.dues.models import DuesPayment

    row = DuesPayment.objects.create(
        member=c.member, party_org=c.branch, month=datetime.date(2024, 1, 1), amount_due="40.00", amount_paid="40.00"
    )
    return {"pk": row.pk}


# 南京东路's committee: its own subtree's readers (the branch secretary sits below it: 404)
NANJING_NODE = expect(200, xuhui=404, waitan=404, lawyers=404, nobody=403, secretary=404)
# a POST with nothing in it: editors over the branch are told what is missing (400)
EMPTY_SHEET = {**PARTY_EDIT, "city": 400, "huangpu": 400, "nanjing": 400, "secretary": 400}
# saving an empty profile is valid (employed, no base): editors are sent back to the page
EMPTY_PROFILE = {**PARTY_EDIT, "city": 302, "huangpu": 302, "nanjing": 302, "secretary": 302}

ENTRIES: dict = {
    "web:dues_totals": ("get", None, None, ORG_READERS),
    "web:dues_totals NANJING": ("get", nanjing_node, None, NANJING_NODE),
    "web:dues_totals BRANCH": ("get", branch_node, None, PARTY_VIEW),
    "web:dues_list": ("get", None, None, ORG_READERS),
    "web:dues_list BRANCH": ("get", branch_node, None, PARTY_VIEW),
    "web:dues_list_export": ("get", None, None, ORG_READERS),
    "web:dues_list_export NANJING": ("get", nanjing_node, None, NANJING_NODE),
    "web:dues_arrears": ("get", None, None, ORG_READERS),
    "web:dues_arrears NANJING": ("get", nanjing_node, None, NANJING_NODE),
    "web:dues_arrears_export": ("get", None, None, ORG_READERS),
    "web:dues_arrears_export BRANCH": ("get", branch_node, None, PARTY_VIEW),
    "web:dues_branch": ("get", branch, None, PARTY_VIEW),
    "web:dues_branch POST": ("post", branch, None, EMPTY_SHEET),
    "web:dues_branch_export": ("get", branch, None, PARTY_VIEW),
    "web:dues_ledger_export": ("get", branch, None, PARTY_VIEW),
    "web:dues_member": ("get", member, None, PARTY_VIEW),
    "web:dues_member POST": ("post", member, None, EMPTY_PROFILE),
    "web:dues_mine": ("get", None, None, expect(403)),  # the member role only: tests/test_dues_pages.py
    "dues-profile-list": ("get", None, None, {**ORG_READERS, **API}),
    "dues-profile-detail": ("get", member, None, {**PARTY_VIEW, **API}),
    "dues-profile-detail PATCH": ("patch", member, {"dues_base": "4000"}, {**PARTY_EDIT, **API}),
    "dues-payment-list": ("get", None, None, {**ORG_READERS, **API}),
    "dues-payment-detail": ("get", payment, None, {**PARTY_VIEW, **API}),
    "dues-payment-list POST": ("post", None, {"month": "x"}, {**invalid_body(PARTY_EDITORS), **API}),
    "dues-payment-bulk": ("post", None, {"month": "x"}, {**invalid_body(PARTY_EDITORS), **API}),
    "dues-arrears-list": ("get", None, None, {**ORG_READERS, **API}),
    "dues-arrears-list NANJING": ("get", nanjing_node, None, {**NANJING_NODE, **API}),
    "dues-totals-list": ("get", None, None, {**ORG_READERS, **API}),
    "dues-totals-list NANJING": ("get", nanjing_node, None, {**NANJING_NODE, **API}),
}
