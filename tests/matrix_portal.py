"""Permission matrix entries for 互动网 — 政策文件库 (merged into tests/test_permission_matrix.py's MATRIX).

Every signed-in user has the library. A document 南京东路街道 published for its own subtree is read
by the committees above it (city, 黄浦), the street, 黄浦's auditor and the branch secretary below
it; 徐汇, 外滩, the lawyers' committee and a user without a role get 404, as if it were missing.
Committee administrators publish (others 403) and change what lies in their subtree.
"""

import datetime

from .test_permission_matrix import API, EVERYONE, ORG_EDITORS, expect, invalid_body

# the 南京东路 document: read by its subtree and the committees above it
NANJING_DOC = expect(200, xuhui=404, waitan=404, lawyers=404, nobody=404, secretary=200)
# changed by its street and the committees above it; publishers elsewhere do not see it (404)
NANJING_DOC_EDIT = expect(404, city=200, huangpu=200, nanjing=200, auditor=403, secretary=403, nobody=403)
# the API: the document is looked up first (404 outside the reader's scope), then changing it is
# refused to those who only read it (403)
NANJING_DOC_API_EDIT = {**NANJING_DOC, "auditor": 403, "secretary": 403}
# the city deletes the 外滩 document first: every other publisher then finds nothing (404)
DELETED_ONCE = expect(404, city=302, auditor=403, secretary=403, nobody=403)


def _doc(c, node, actor, **extra):
    from liangxin.portal import policies

    values = {
        "title": "关于做好两个覆盖工作的通知", "number": "", "issuer": "街道综合党委", "issued_on": "2025-03-01",
        "category": "street", "body": "请各党组织做好两个覆盖工作。", **extra,
    }  # fmt: skip
    return policies.publish(actor, node, values, today=datetime.date(2025, 6, 30))


def nanjing_doc(c) -> dict:
    return {"pk": _doc(c, c.nanjing_node, c.street_admin).pk}


def nanjing_doc_with_file(c) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liangxin.portal import policies

    doc = _doc(c, c.nanjing_node, c.street_admin)
    policies.edit(
        c.street_admin, doc, {**{k: getattr(doc, k) for k in policies.EDITABLE}},
        attachment=SimpleUploadedFile("原文.pdf", b"%PDF-1.4\n%%EOF\n"), today=datetime.date(2025, 6, 30),
    )  # fmt: skip
    return {"pk": doc.pk}


def waitan_doc(c) -> dict:
    return {"pk": _doc(c, c.waitan_node, c.other_street_admin).pk}


def search_q(c) -> dict:
    _doc(c, c.nanjing_node, c.street_admin)
    return {"?": {"q": "覆盖", "category": "street"}}


ENTRIES: dict = {
    "web:policy_doc_list": ("get", None, None, EVERYONE),
    "web:policy_doc_list SEARCH": ("get", search_q, None, EVERYONE),
    "web:policy_doc_create": ("get", None, None, ORG_EDITORS),
    "web:policy_doc_create POST": ("post", None, None, invalid_body(ORG_EDITORS)),
    "web:policy_doc_detail": ("get", nanjing_doc, None, NANJING_DOC),
    "web:policy_doc_attachment": ("get", nanjing_doc_with_file, None, NANJING_DOC),
    "web:policy_doc_edit": ("get", nanjing_doc, None, NANJING_DOC_EDIT),
    "web:policy_doc_edit POST": ("post", nanjing_doc, None, invalid_body(NANJING_DOC_EDIT)),
    "web:policy_doc_delete": (
        "get",
        nanjing_doc,
        None,
        {**NANJING_DOC_EDIT, "city": 302, "huangpu": 302, "nanjing": 302},
    ),
    "web:policy_doc_delete POST": ("post", waitan_doc, None, DELETED_ONCE),
    "policy-document-list": ("get", None, None, {**EVERYONE, **API}),
    "policy-document-list SEARCH": ("get", search_q, None, {**EVERYONE, **API}),
    "policy-document-list POST": ("post", None, {"title": ""}, {**invalid_body(ORG_EDITORS), **API}),
    "policy-document-detail": ("get", nanjing_doc, None, {**NANJING_DOC, **API}),
    "policy-document-detail PATCH": (
        "patch",
        nanjing_doc,
        {"title": ""},
        {**invalid_body(NANJING_DOC_API_EDIT), **API},
    ),
    "policy-document-detail PUT": ("put", nanjing_doc, {"title": "x"}, {**invalid_body(NANJING_DOC_API_EDIT), **API}),
    # the city deletes it first: for everyone after, it is gone (404)
    "policy-document-detail DELETE": ("delete", waitan_doc, None, {**expect(404, city=204), **API}),
    "policy-document-attachment": ("get", nanjing_doc_with_file, None, {**NANJING_DOC, **API}),
}
