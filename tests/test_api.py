"""The API: token auth, same scope, same validation, same Chinese messages as the pages."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from liangxin.core.models import AuditEntry
from liangxin.orgs.models import Organization

from .conftest import CODES, client_for


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


BODY = {"name": "上海接口测试有限公司", "credit_code": CODES[3], "kind": "private", "industry": "C",
        "employees": 12, "operating_region": "310101002"}  # fmt: skip


def test_token_auth_and_chinese_errors(cast):
    assert APIClient().get("/api/v1/organizations/").json() == {"detail": "未登录或令牌无效"}
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get("/api/v1/organizations/").status_code == 401


def test_create_validates_like_the_form(cast):
    client = api(cast.street_admin)
    response = client.post("/api/v1/organizations/", {**BODY, "credit_code": "91310101MA1FPX0004", "employees": -3})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "校验位错误" in errors["credit_code"][0] and "不能为负数" in errors["employees"][0]
    outside = client.post("/api/v1/organizations/", {**BODY, "operating_region": "310104003"})
    assert "管辖范围" in outside.json()["errors"]["operating_region"][0]
    unknown = client.post("/api/v1/organizations/", {**BODY, "kind": "martian"})
    assert "kind" in unknown.json()["errors"]
    assert not Organization.objects.filter(name=BODY["name"]).exists()


def test_create_and_update_are_audited(cast):
    client = api(cast.street_admin)
    created = client.post("/api/v1/organizations/", {**BODY, "credit_code": CODES[3].lower()})
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["credit_code"] == CODES[3] and data["responsible_node"]["name"] == "南京东路街道综合党委"
    updated = client.patch(f"/api/v1/organizations/{data['id']}/", {"employees": "１５"}, format="json")
    assert updated.status_code == 200 and updated.json()["employees"] == 15
    entry = AuditEntry.objects.filter(object_id=str(data["id"])).latest("id")
    assert entry.changes == {"从业人员数": [12, 15]} and entry.origin.startswith("API ")


def test_list_filters_sort_and_keyset_pages(cast):
    client = api(cast.city_admin)
    names = lambda r: [o["name"] for o in r.json()["results"]]  # noqa: E731
    assert names(client.get("/api/v1/organizations/", {"region": "310104"})) == ["天平软件有限公司"]
    assert names(client.get("/api/v1/organizations/", {"q": "TPRJ"})) == ["天平软件有限公司"]
    first = client.get("/api/v1/organizations/", {"page_size": 2, "sort": "name"})
    assert len(first.json()["results"]) == 2 and first.json()["previous"] is None
    second = client.get(first.json()["next"])
    assert len(second.json()["results"]) == 1 and second.json()["next"] is None
    back = client.get(second.json()["previous"])
    assert names(back) == names(first)
    bad = client.get("/api/v1/organizations/", {"above_scale": "maybe"})
    assert bad.status_code == 400 and "规模以上" in bad.json()["errors"]["above_scale"][0]


def test_regions_and_carriers_are_scoped(cast):
    codes = {r["code"] for r in api(cast.street_admin).get("/api/v1/regions/").json()["results"]}
    assert codes == {"310101002", "310101002001"}
    carriers = api(cast.xuhui_admin).get("/api/v1/carriers/").json()["results"]
    assert [c["name"] for c in carriers] == ["天平科技园"]
    assert api(cast.city_admin).get("/api/v1/regions/", {"level": "9"}).status_code == 400


def test_openapi_document_lists_the_endpoints(cast):
    client = APIClient()
    client.force_authenticate(cast.district_admin)
    doc = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/organizations/", "/api/v1/organizations/{id}/", "/api/v1/regions/{code}/",
            "/api/v1/carriers/"} <= set(doc["paths"])  # fmt: skip
    params = {p["name"] for p in doc["paths"]["/api/v1/organizations/"]["get"]["parameters"]}
    assert {"region", "kind", "q", "cursor", "sort"} <= params


def test_api_docs_are_served_offline(cast):
    client = APIClient()
    client.force_authenticate(cast.auditor)
    page = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in page.lower() and "/static/drf_spectacular_sidecar/" in page


def test_api_docs_are_offered_to_the_admin_roles_and_the_auditor_only(party_cast):
    """The menu shows 「API 文档」 to those who hold tokens to use it; the documents refuse the rest."""
    from .test_life_services import member_account

    c = party_cast
    member = member_account(c, c.member, "wanghong")
    readers = [c.city_admin, c.district_admin, c.street_admin, c.industry_admin, c.auditor]
    for user in readers:
        client = client_for(user)
        assert 'href="/api/v1/docs/"' in client.get("/").content.decode(), user.username
        for url in ("/api/v1/docs/", "/api/v1/redoc/", "/api/v1/openapi.json"):
            assert client.get(url).status_code == 200, (user.username, url)
    for user in (c.secretary, member, c.nobody):
        client = client_for(user)
        assert "/api/v1/docs/" not in client.get("/").content.decode(), user.username
        assert "/api/v1/docs/" not in client.get("/me/").content.decode(), user.username
        for url in ("/api/v1/docs/", "/api/v1/redoc/", "/api/v1/openapi.json"):
            assert client.get(url).status_code == 403, (user.username, url)
    for url in ("/api/v1/docs/", "/api/v1/redoc/", "/api/v1/openapi.json"):
        assert APIClient().get(url).status_code == 401
