"""The blank-spot page asks a fixed number of queries however many rows it shows (issue 11 §5:
2.9 s at the demo's size, the rule engine asking a few queries per row for its suggestion)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from liangxin.orgs.models import Organization
from liangxin.party import policy, services
from liangxin.party.suggestion import suggest

from .conftest import client_for
from .party_helpers import DAY, make_member, make_party_org, new_org


def _page_queries(user, url: str) -> tuple[int, str]:
    client = client_for(user)
    client.get(url)  # the first request warms the policy values and the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _blank_org(cast, n: int, **overrides) -> Organization:
    return new_org(cast, f"空白点测试{n}号有限公司", None, employees=60 + n, **overrides)


def test_blank_spot_page_queries_do_not_grow_with_rows(cast):
    joint = make_party_org(cast, name="南京东路第一联合党支部", mode="joint", org_type="joint_branch")
    neighbour = new_org(cast, "邻居商店", None, kind="individual", employees=3)
    services.update_party_org(cast.city_admin, joint, name=joint.name, values={}, covered=[neighbour], on=DAY)
    url = "/stats/blank-spots/?list=blank"
    _blank_org(cast, 1)
    few, _ = _page_queries(cast.street_admin, url)
    for n in range(2, 14):  # in the building, in the street, in another street; with and without members
        org = _blank_org(cast, n, carrier=cast.building if n % 3 == 0 else None,
                         operating_region=cast.waitan if n % 4 == 0 else cast.nanjing)  # fmt: skip
        if n % 5 == 0:
            make_member(cast, joint, name=f"党员{n}", employer=org)
    many, page = _page_queries(cast.city_admin, url)
    assert page.count("空白点测试") == 13
    assert "联合组建" in page and "南京东路第一联合党支部" in page and "选派党建指导员" in page
    street, _ = _page_queries(cast.street_admin, url)
    assert many <= few + 2 and street == few, (few, many, street)  # city: one more scope query at most


def test_batched_suggestions_equal_one_by_one(cast):
    from liangxin.party.suggestion import suggest_many

    joint = make_party_org(cast, name="南京东路第一联合党支部", mode="joint", org_type="joint_branch")
    full = make_party_org(cast, name="南京东路第二联合党支部", mode="joint", org_type="joint_branch")
    neighbours = [new_org(cast, f"邻居{n}", None, kind="individual", employees=3) for n in range(6)]
    services.update_party_org(cast.city_admin, joint, name=joint.name, values={}, covered=neighbours[:1], on=DAY)
    services.update_party_org(cast.city_admin, full, name=full.name, values={}, covered=neighbours, on=DAY)
    orgs = [_blank_org(cast, n, carrier=cast.building if n % 2 else None) for n in range(4)]
    for k in range(3):
        make_member(cast, joint, name=f"党员{k}", employer=orgs[0])
    first = orgs[0].pk
    orgs = list(Organization.objects.filter(pk__in=[o.pk for o in orgs]).select_related("operating_region"))
    params = policy.values()
    batched = suggest_many(orgs, params)
    for org in orgs:
        one = suggest(org, params)
        assert (one.mode, one.reason, one.candidates) == (batched[org.pk].mode, batched[org.pk].reason,
                                                          batched[org.pk].candidates)  # fmt: skip
    assert batched[first].mode == "单独组建"
    street_only = [o for o in orgs if not o.carrier_id and o.pk != first]
    # the branch at the limit has no room: only the one with room is named
    assert street_only and all(batched[o.pk].candidates == [joint] for o in street_only)
    in_building = [o for o in orgs if o.carrier_id]  # no joint branch serves the building
    assert in_building and all(batched[o.pk].mode == "选派党建指导员" for o in in_building)
