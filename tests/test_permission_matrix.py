"""Every URL of the product × every role, inside and outside the object's scope.

A URL added without an entry in MATRIX fails ``test_every_url_has_a_matrix_entry``.
Outside scope answers exactly like a missing object (404); visible but not changeable is 403.
"""

import importlib
import json
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from .conftest import client_for

USERS = ["anon", "city", "huangpu", "xuhui", "nanjing", "waitan", "lawyers", "auditor", "secretary", "nobody"]
USER_ATTR = {
    "anon": None, "city": "city_admin", "huangpu": "district_admin", "xuhui": "xuhui_admin",
    "nanjing": "street_admin", "waitan": "other_street_admin", "lawyers": "industry_admin",
    "auditor": "auditor", "secretary": "secretary", "nobody": "nobody",
}  # fmt: skip


def expect(default: int, anon: int = 302, **overrides) -> dict[str, int]:
    """``default`` for users not named; the secretary reads no registry unless named."""
    table = {u: default for u in USERS}
    table["anon"] = anon
    if default == 200:
        table["secretary"] = 403
    table.update(overrides)
    return table


READERS = expect(200, nobody=403)
ORG_READERS = expect(200, nobody=403, secretary=200)
EVERYONE = expect(200, secretary=200)
VIEW_ORG = expect(200, xuhui=404, waitan=404, lawyers=404, nobody=403, secretary=200)
EDIT_ORG = {**VIEW_ORG, "auditor": 403, "secretary": 403}
EDIT_ORG_ACTION = {k: (302 if v == 200 else v) for k, v in EDIT_ORG.items()}
ORG_EDITORS = expect(200, auditor=403, nobody=403)
CITY_ONLY = expect(403, city=200)
ACCOUNT_MANAGERS = expect(403, city=200, huangpu=200, xuhui=200)
PARTY_VIEW = VIEW_ORG
PARTY_EDIT = {**VIEW_ORG, "auditor": 403}
PARTY_EDIT_ACTION = {k: (302 if v == 200 else v) for k, v in PARTY_EDIT.items()}
PARTY_EDITORS = expect(200, auditor=403, nobody=403, secretary=200)
API = {"anon": 401}
# the API documents: the admin roles and the auditor, who hold tokens to use the API
API_DOCS = expect(200, anon=401, nobody=403)
IMPORTERS = expect(200, auditor=403, nobody=403, secretary=200)
# an import job belongs to the district admin who ran it: other importers get 404, as if missing
OWN_JOB = expect(404, huangpu=200, auditor=403, nobody=403)


# A statistic counts every organization of its unit: 外滩街道 is open to the city, 黄浦 and
# 外滩 (and 黄浦's auditor); to anyone else it is a Chinese error (400), never figures. The lawyers'
# committee has no territory: a region it names narrows its own node (its organizations there).
WAITAN_STATS = expect(400, city=200, huangpu=200, waitan=200, auditor=200, lawyers=200, nobody=403, secretary=403)
LAWYERS_STATS = expect(400, city=200, lawyers=200, nobody=403, secretary=403)


def huangpu_notice(c) -> dict:
    """A notice to the district admin: anyone else gets 404, as if it did not exist."""
    from liangxin.inbox.models import Notice

    return {"pk": Notice.objects.create(recipient=c.district_admin, kind="message", title="通知").pk}


def waitan_stats(c) -> dict:
    return {"?": {"region": c.waitan.code}}


def lawyers_stats(c) -> dict:
    return {"?": {"node": str(c.lawyers_node.pk)}}


def huangpu_job(c) -> dict:
    from liangxin.imports.models import ImportJob

    job = ImportJob.objects.create(
        kind="organizations", file_name="台账.csv", file_sha256="0" * 64, stored_path="/nonexistent",
        actor=c.district_admin, status="done",
    )  # fmt: skip
    return {"pk": job.pk}


def invalid_body(table: dict[str, int]) -> dict[str, int]:
    """Those allowed to post get 400 for an invalid body; the others keep their refusal."""
    return {user: 400 if status == 200 else status for user, status in table.items()}


def huangpu_export(c) -> dict:
    """A finished background export of the district admin (anyone else: 404, as if missing)."""
    from django.conf import settings

    from liangxin.imports.models import ExportJob

    settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = settings.EXPORT_DIR / "matrix.csv"
    path.write_text("组织名称\n")
    job = ExportJob.objects.create(
        list_name="organizations", title="两新组织名录", actor=c.district_admin, status="done",
        file_format="csv", file_path=str(path), finished_at=timezone.now(),
    )  # fmt: skip
    return {"pk": job.pk}


def nanjing_instructor(c) -> dict:
    from .party_helpers import make_instructor

    return {"pk": make_instructor(c).pk}


INSTRUCTOR_EDITORS = expect(200, auditor=403, nobody=403)
# an instructor of 南京东路街道综合党委: seen like the street's registry, outside it 404
NANJING_INSTRUCTOR = {**READERS, "xuhui": 404, "waitan": 404, "lawyers": 404}
INSTRUCTOR_ACT = {**NANJING_INSTRUCTOR, "auditor": 403}


# url name → (method, kwargs builder, body, expected per user)
MATRIX = {
    "web:login": ("get", None, None, expect(302, anon=200)),
    "web:logout": ("post", None, None, expect(302)),
    "web:party_list": ("get", None, None, ORG_READERS),
    "web:party_create": ("get", None, None, PARTY_EDITORS),
    "web:party_export": ("get", None, None, ORG_READERS),
    "web:party_detail": ("get", lambda c: {"pk": c.branch.pk}, None, PARTY_VIEW),
    "web:party_edit": ("get", lambda c: {"pk": c.branch.pk}, None, PARTY_EDIT),
    "web:member_list": ("get", None, None, ORG_READERS),
    "web:member_create": ("get", None, None, PARTY_EDITORS),
    "web:member_export": ("get", None, None, ORG_READERS),
    "web:member_detail": ("get", lambda c: {"pk": c.member.pk}, None, PARTY_VIEW),
    "web:member_detail POST": ("post", lambda c: {"pk": c.member.pk}, None, {**PARTY_VIEW, "auditor": 403}),
    "web:member_edit": ("get", lambda c: {"pk": c.member.pk}, None, PARTY_EDIT),
    # 不接收短信/邮件: GET leads back to the page; a POST without channel answers 400 to those who may record it
    "web:member_opt_out": ("get", lambda c: {"pk": c.member.pk}, None, PARTY_EDIT_ACTION),
    "web:member_opt_out POST": ("post", lambda c: {"pk": c.member.pk}, None, invalid_body(PARTY_EDIT)),
    "web:finding_list": ("get", None, None, ORG_READERS),
    "web:party_committee": (
        "post",
        lambda c: {"pk": c.branch.pk},
        None,
        {**PARTY_EDIT, "city": 302, "huangpu": 302, "nanjing": 302, "secretary": 302},
    ),
    "web:instructor_list": ("get", None, None, READERS),
    # the branch has a member: editors are refused with a message (302 back), others as usual
    "web:party_deactivate": (
        "post",
        lambda c: {"pk": c.branch.pk},
        None,
        {**PARTY_EDIT, "city": 302, "huangpu": 302, "nanjing": 302, "secretary": 302},
    ),
    "web:instructor_list POST": ("post", None, None, expect(302, auditor=403, nobody=403, secretary=403)),
    "web:org_instructors": ("post", lambda c: {"pk": c.org.pk}, None, {**EDIT_ORG_ACTION}),
    "web:finding_export": ("get", None, None, ORG_READERS),
    "web:policy": ("get", None, None, READERS),
    "web:policy POST": ("post", None, None, expect(403, city=302)),
    "web:profile": ("get", None, None, EVERYONE),
    "web:home": ("get", None, None, EVERYONE),
    "web:org_list": ("get", None, None, ORG_READERS),
    "web:org_export": ("get", None, None, ORG_READERS),
    "web:org_create": ("get", None, None, ORG_EDITORS),
    "web:org_carrier_options": ("get", None, None, READERS),
    "web:org_detail": ("get", lambda c: {"pk": c.org.pk}, None, VIEW_ORG),
    "web:org_edit": ("get", lambda c: {"pk": c.org.pk}, None, EDIT_ORG),
    "web:org_deactivate": ("get", lambda c: {"pk": c.org.pk}, None, EDIT_ORG_ACTION),
    "web:org_restore": ("get", lambda c: {"pk": c.org.pk}, None, EDIT_ORG_ACTION),
    "web:org_opt_out": ("get", lambda c: {"pk": c.org.pk}, None, EDIT_ORG_ACTION),
    "web:org_opt_out POST": ("post", lambda c: {"pk": c.org.pk}, None, invalid_body(EDIT_ORG)),
    "web:region_list": ("get", None, None, READERS),
    "web:region_create": ("get", None, None, CITY_ONLY),
    "web:region_export": ("get", None, None, READERS),
    "web:region_edit": ("get", lambda c: {"pk": c.nanjing.pk}, None, CITY_ONLY),
    "web:carrier_list": ("get", None, None, READERS),
    "web:carrier_export": ("get", None, None, READERS),
    "web:carrier_create": ("get", None, None, expect(200, lawyers=403, auditor=403, nobody=403)),
    "web:carrier_edit": (
        "get",
        lambda c: {"pk": c.building.pk},
        None,
        expect(200, xuhui=404, waitan=404, lawyers=403, auditor=403, nobody=403),
    ),
    "web:node_list": ("get", None, None, READERS),
    "web:node_create": ("get", None, None, CITY_ONLY),
    "web:node_edit": ("get", lambda c: {"pk": c.nanjing_node.pk}, None, CITY_ONLY),
    "web:account_list": ("get", None, None, ACCOUNT_MANAGERS),
    "web:account_create": ("get", None, None, ACCOUNT_MANAGERS),
    "web:account_edit": ("get", lambda c: {"pk": c.street_admin.pk}, None, {**ACCOUNT_MANAGERS, "xuhui": 404}),
    "web:audit_list": ("get", None, None, expect(200, lawyers=403, nobody=403)),
    # list exports: the same permission as their list page
    "web:node_export": ("get", None, None, READERS),
    "web:account_export": ("get", None, None, ACCOUNT_MANAGERS),
    "web:audit_export": ("get", None, None, expect(200, lawyers=403, nobody=403)),
    "web:instructor_export": ("get", None, None, READERS),
    # bulk import: a user's own jobs; templates of the kinds the user may import
    "web:import_list": ("get", None, None, IMPORTERS),
    "web:import_list POST": ("post", None, None, invalid_body(IMPORTERS)),
    "web:import_detail": ("get", huangpu_job, None, OWN_JOB),
    "web:import_detail POST": ("post", huangpu_job, None, {**OWN_JOB, "huangpu": 302}),
    "web:import_errors": ("get", huangpu_job, None, OWN_JOB),
    "web:import_report": ("get", huangpu_job, None, OWN_JOB),
    "web:import_template": ("get", lambda c: {"kind": "organizations"}, None, {**IMPORTERS, "secretary": 404}),
    "web:export_detail": ("get", huangpu_export, None, expect(404, huangpu=200, secretary=404)),
    "web:export_download": ("get", huangpu_export, None, expect(404, huangpu=200, secretary=404)),
    "web:stats_dashboard": ("get", None, None, READERS),
    "web:stats_dashboard WAITAN": ("get", waitan_stats, None, WAITAN_STATS),
    "web:stats_export": ("get", None, None, READERS),
    "web:stats_export WAITAN": ("get", waitan_stats, None, WAITAN_STATS),
    "web:stats_blank_spots": ("get", None, None, READERS),
    "web:stats_blank_spots WAITAN": ("get", waitan_stats, None, WAITAN_STATS),
    "web:stats_blank_spot_export": ("get", None, None, READERS),
    "web:stats_blank_spot_export WAITAN": ("get", waitan_stats, None, WAITAN_STATS),
    "web:stats_dashboard LAWYERS": ("get", lawyers_stats, None, LAWYERS_STATS),
    "web:inbox": ("get", None, None, EVERYONE),
    "web:my_membership": ("get", None, None, expect(403)),  # the member role only: tests/test_inbox.py
    "web:inbox POST": ("post", None, None, expect(302, secretary=302)),
    "web:inbox_open": ("get", huangpu_notice, None, expect(404, huangpu=302, secretary=404)),
    "notice-list": ("get", None, None, {**EVERYONE, **API}),
    "notice-detail": ("get", huangpu_notice, None, {**expect(404, huangpu=200, secretary=404), **API}),
    "notice-read": ("post", huangpu_notice, None, {**expect(404, huangpu=200, secretary=404), **API}),
    "stats-coverage": ("get", None, None, {**READERS, **API}),
    "stats-coverage WAITAN": ("get", waitan_stats, None, {**WAITAN_STATS, **API}),
    "stats-coverage LAWYERS": ("get", lawyers_stats, None, {**LAWYERS_STATS, **API}),
    "stats-blank-spots": ("get", None, None, {**READERS, **API}),
    "stats-blank-spots WAITAN": ("get", waitan_stats, None, {**WAITAN_STATS, **API}),
    "import-job-list": ("get", None, None, {**IMPORTERS, **API}),
    "import-job-list POST": ("post", None, None, {**invalid_body(IMPORTERS), **API}),
    "import-job-detail": ("get", huangpu_job, None, {**OWN_JOB, **API}),
    "import-job-errors": ("get", huangpu_job, None, {**OWN_JOB, **API}),
    "api-schema": ("get", None, None, API_DOCS),
    "api-docs": ("get", None, None, API_DOCS),
    "api-redoc": ("get", None, None, API_DOCS),
    "api-root": ("get", None, None, expect(200, secretary=200, **API)),
    "region-list": ("get", None, None, {**READERS, **API}),
    "region-detail": ("get", lambda c: {"code": c.nanjing.code}, None, {**READERS, "xuhui": 404, "waitan": 404, **API}),
    "carrier-list": ("get", None, None, {**READERS, **API}),
    "carrier-detail": ("get", lambda c: {"pk": c.building.pk}, None, {**READERS, "xuhui": 404, "waitan": 404, **API}),
    "party-organization-list": ("get", None, None, {**ORG_READERS, **API}),
    "party-organization-detail": ("get", lambda c: {"pk": c.branch.pk}, None, {**PARTY_VIEW, **API}),
    "party-organization-detail PATCH": (
        "patch",
        lambda c: {"pk": c.branch.pk},
        {"approval_doc_no": "沪委〔2024〕1号"},
        {**PARTY_EDIT, **API},
    ),
    "party-organization-list POST": ("post", None, {"name": "x"}, {**invalid_body(PARTY_EDITORS), **API}),
    "member-list": ("get", None, None, {**ORG_READERS, **API}),
    "member-detail": ("get", lambda c: {"pk": c.member.pk}, None, {**PARTY_VIEW, **API}),
    "member-detail PATCH": ("patch", lambda c: {"pk": c.member.pk}, {"phone": "13800000000"}, {**PARTY_EDIT, **API}),
    "member-opt-out POST": ("post", lambda c: {"pk": c.member.pk}, {}, {**invalid_body(PARTY_EDIT), **API}),
    "member-list POST": ("post", None, {"name": "x"}, {**invalid_body(PARTY_EDITORS), **API}),
    "organization-list": ("get", None, None, {**ORG_READERS, **API}),
    "organization-detail": ("get", lambda c: {"pk": c.org.pk}, None, {**VIEW_ORG, **API}),
    "organization-detail PATCH": ("patch", lambda c: {"pk": c.org.pk}, {"employees": 130}, {**EDIT_ORG, **API}),
    "organization-opt-out POST": ("post", lambda c: {"pk": c.org.pk}, {}, {**invalid_body(EDIT_ORG), **API}),
    "organization-list POST": ("post", None, {"name": "x"}, {**invalid_body(ORG_EDITORS), **API}),
    # 问题清单 and 党建指导员: as their pages (web:finding_list, web:instructor_list)
    "finding-list": ("get", None, None, {**ORG_READERS, **API}),
    "instructor-list": ("get", None, None, {**READERS, **API}),
    "instructor-list POST": ("post", None, {"name": "x"}, {**invalid_body(INSTRUCTOR_EDITORS), **API}),
    "instructor-detail": ("get", nanjing_instructor, None, {**NANJING_INSTRUCTOR, **API}),
    # incomplete bodies: those who may act get 400 and nothing changes between users
    "instructor-assign": ("post", nanjing_instructor, {}, {**invalid_body(INSTRUCTOR_ACT), **API}),
    "instructor-end-assignment": ("post", nanjing_instructor, {}, {**invalid_body(INSTRUCTOR_ACT), **API}),
}


# the daily-work modules keep their entries beside their code's tests
for _module in (
    "matrix_life",
    "matrix_develop",
    "matrix_transfers",
    "matrix_dues",
    "matrix_exits",
    "matrix_messaging",
    "matrix_segments",
    "matrix_circulars",
    "matrix_reach",
    "matrix_portal",
    "matrix_news",
    "matrix_reporting",
    "matrix_qa",
    "matrix_assessment",
    "matrix_yearend",
    "matrix_duty_reports",
):
    MATRIX.update(importlib.import_module(f"tests.{_module}").ENTRIES)


def all_url_names(resolver=None, namespace="") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin is for the superuser only: test_admin_is_superuser_only
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= all_url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_has_a_matrix_entry():
    covered = {key.split(" ")[0] for key in MATRIX}
    missing = sorted(all_url_names() - covered)
    assert missing == [], f"URL 没有权限矩阵条目：{missing}"


@pytest.mark.parametrize("entry", sorted(MATRIX))
def test_permission_matrix(party_cast, entry):
    cast = party_cast
    from django.urls import reverse

    method, kwargs, body, expected = MATRIX[entry]
    path_kwargs = kwargs(cast) if kwargs else {}
    query = path_kwargs.pop("?", None)  # a query string for pages whose scope is a parameter
    url = reverse(entry.split(" ")[0], kwargs=path_kwargs or None)
    if query:
        url += "?" + urlencode(query)
    wrong = {}
    for user_key in USERS:
        user = getattr(cast, USER_ATTR[user_key]) if USER_ATTR[user_key] else None
        client = client_for(user)
        if body is not None:
            response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
        else:
            response = getattr(client, method)(url)
        if response.status_code != expected[user_key]:
            wrong[user_key] = (response.status_code, expected[user_key])
    assert wrong == {}, f"{entry} {url}: (实际, 期望) {wrong}"


def test_admin_is_superuser_only(cast):
    assert client_for(cast.city_admin).get("/admin/").status_code == 302
    cast.nobody.is_superuser = cast.nobody.is_staff = True
    cast.nobody.save()
    assert client_for(cast.nobody).get("/admin/").status_code == 200


@pytest.mark.parametrize("user_key", USERS)
def test_admin_login_is_the_product_login(party_cast, user_key):
    cast = party_cast
    """/admin/login/ (outside MATRIX, as the admin namespace is) leads every user to the product's login."""
    user = getattr(cast, USER_ATTR[user_key]) if USER_ATTR[user_key] else None
    response = client_for(user).get("/admin/login/")
    assert response.status_code == 302 and response.url == "/login/?next=%2Fadmin%2F"
