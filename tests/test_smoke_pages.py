from .conftest import client_for


def test_pages_render_for_city_admin(cast):
    client = client_for(cast.city_admin)
    for url in [
        "/",
        "/orgs/",
        "/orgs/new/",
        f"/orgs/{cast.org.pk}/",
        f"/orgs/{cast.org.pk}/edit/",
        "/regions/",
        "/carriers/",
        "/nodes/",
        "/accounts/",
        "/audit/",
        "/me/",
        "/regions/new/",
        "/carriers/new/",
        "/nodes/new/",
        "/accounts/new/",
        f"/accounts/{cast.street_admin.pk}/",
        "/api/v1/organizations/",
        "/api/v1/openapi.json",
        "/api/v1/docs/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:3000])
