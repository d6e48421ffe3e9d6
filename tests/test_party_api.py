from liangxin.orgs.models import Organization

from .test_api_writes import api as client_of  # one token a user, however often it is asked for
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


def test_the_findings_api_lists_what_the_page_lists_for_every_rule(party_cast):
    from django.utils import timezone

    from liangxin.accounts.scoping import scope_for
    from liangxin.party import policy, rules

    c = party_cast
    params, day = policy.values(), timezone.localdate()
    for user in (c.city_admin, c.street_admin, c.xuhui_admin, c.secretary):
        scope = scope_for(user)
        for code, rule in rules.RULES.items():
            expected = [
                o.pk for o in rules.candidates(rule, scope, params, day).order_by("pk") if rule.check(o, params, day)
            ]
            body = client_of(user).get("/api/v1/findings/", {"rule": code, "page_size": 500}).json()
            assert [f["object_id"] for f in body["results"]] == expected, (user, code)
            assert all(f["rule"] == code and f["text"] for f in body["results"])
    refused = client_of(c.city_admin).get("/api/v1/findings/", {"rule": "nope"})
    assert refused.status_code == 400 and "「规则」应为" in refused.json()["errors"]["rule"][0]


def test_instructors_are_added_assigned_and_released_through_the_api_within_scope(party_cast):
    from liangxin.core.models import AuditEntry

    c = party_cast
    client = client_of(c.street_admin)
    created = client.post("/api/v1/instructors/", {"name": "王指导", "node": c.nanjing_node.pk}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.post(f"/api/v1/instructors/{pk}/assign/", {"organization": c.xuhui_org.pk}).status_code == 404
    assigned = client.post(f"/api/v1/instructors/{pk}/assign/", {"organization": c.org.pk}, format="json")
    assert assigned.status_code == 201 and [a["organization"] for a in assigned.json()["assignments"]] == [c.org.pk]
    assignment = assigned.json()["assignments"][0]["id"]
    ended = client.post(f"/api/v1/instructors/{pk}/end-assignment/", {"assignment": assignment}, format="json")
    assert ended.status_code == 200 and ended.json()["assignments"] == []
    details = list(AuditEntry.objects.filter(object_id=str(c.org.pk)).values_list("detail", flat=True))
    assert any("选派党建指导员：王指导" in d for d in details) and any("结束选派" in d for d in details)
    assert client_of(c.xuhui_admin).get(f"/api/v1/instructors/{pk}/").status_code == 404
    outside = client_of(c.xuhui_admin).post("/api/v1/instructors/", {"name": "李指导", "node": c.nanjing_node.pk})
    assert outside.status_code == 400
