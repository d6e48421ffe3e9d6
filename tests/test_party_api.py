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


def test_moving_a_party_organization_through_the_api_is_audited_and_re_derives_its_organizations(party_cast):
    from liangxin.core.models import AuditEntry

    c = party_cast
    assert Organization.objects.get(pk=c.org.pk).responsible_node == c.nanjing_node
    response = api(c.city_admin).patch(
        f"/api/v1/party-organizations/{c.branch.pk}/", {"parent": c.lawyers_node.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["parent"] == c.lawyers_node.pk
    entry = AuditEntry.objects.filter(object_type="party.partyorganization", object_id=str(c.branch.pk)).latest("id")
    assert entry.changes == {"上级党组织": ["南京东路街道综合党委", "上海市律师行业党委"]}
    assert Organization.objects.get(pk=c.org.pk).responsible_node == c.lawyers_node


def test_a_party_organization_cannot_be_moved_under_itself_through_the_api(party_cast):
    c = party_cast
    response = api(c.city_admin).patch(
        f"/api/v1/party-organizations/{c.branch.pk}/", {"parent": c.branch.node.pk}, format="json"
    )
    assert response.status_code == 400 and "parent" in response.json()["errors"]
