from liangxin.orgs.models import Organization

from .test_member_data import api


def test_party_organization_created_and_updated_through_the_api(cast):
    client = api(cast.street_admin)
    created = client.post(
        "/api/v1/party-organizations/",
        {
            "name": "接口联合党支部",
            "parent": cast.nanjing_node.pk,
            "org_type": "joint_branch",
            "setup_mode": "joint",
            "covers": [cast.org.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["covers"] == [cast.org.pk] and data["name"] == "接口联合党支部"
    assert Organization.objects.get(pk=cast.org.pk).coverage_state == "joint"
    moved = client.patch(f"/api/v1/party-organizations/{data['id']}/", {"covers": []}, format="json")
    assert moved.status_code == 200 and moved.json()["covers"] == []
    assert Organization.objects.get(pk=cast.org.pk).coverage_state == "none"
    outside = client.patch(f"/api/v1/party-organizations/{data['id']}/", {"covers": [cast.xuhui_org.pk]}, format="json")
    assert outside.status_code == 400 and "covers" in outside.json()["errors"]
