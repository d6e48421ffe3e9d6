"""The region parameter (and the management-node one): one parser, one scope question, one subtree
filter, for the organization list and statistics alike."""

import pytest

from liangxin.accounts.scoping import scope_for
from liangxin.core.params import BadParameter, parse_region_code
from liangxin.mgmt.queries import in_node_subtree
from liangxin.orgs.models import Organization
from liangxin.orgs.queries import filtered_organizations
from liangxin.regions.queries import in_region_subtree
from liangxin.stats import engine

from .test_api import api
from .test_scoping import attached_lawfirm

BAD_CODES = ["12345x", "abc", "3101010", "3101010020011", "31010100200", "1.5", "²"]


@pytest.mark.parametrize("text", BAD_CODES)
def test_a_code_that_is_not_one_is_a_chinese_400_naming_the_parameter(cast, text):
    client = api(cast.city_admin)
    for url in ("/api/v1/organizations/", "/api/v1/stats/coverage/", "/api/v1/stats/blank-spots/"):
        response = client.get(url, {"region": text})
        assert response.status_code == 400, (url, text)
        (reason,) = response.json()["errors"]["region"]
        assert reason.startswith("「区划代码」应为 6、9 或 12 位数字的区划代码"), (url, reason)


def test_the_syntax_forgives_what_people_type():
    assert parse_region_code({"region": " ３１０１０１ "}, "region", "区划代码") == "310101"
    assert parse_region_code({"region": "310101-002"}, "region", "区划代码") == "310101002"
    assert parse_region_code({"region": ""}, "region", "区划代码") is None
    with pytest.raises(BadParameter) as refused:
        parse_region_code({"r": "x" * 50}, "r", "经营地")
    assert refused.value.name == "r" and refused.value.reason.endswith("收到「xxxxxxxxxxxxxxxxxxxx…」")


def test_outside_scope_or_unknown_is_refused_as_before(cast):
    client = api(cast.street_admin)
    for code in (cast.tianping.code, cast.waitan.code, cast.huangpu.code, "999999"):
        for url in ("/api/v1/organizations/", "/api/v1/stats/coverage/"):
            response = client.get(url, {"region": code})
            assert response.status_code == 400, (url, code)
            assert response.json()["errors"]["region"] == [f"区划代码「{code}」不存在或不在您的权限范围内"]
    # inside: a grid of their street
    assert client.get("/api/v1/organizations/", {"region": cast.grid.code}).status_code == 200
    assert client.get("/api/v1/stats/coverage/", {"region": cast.grid.code}).status_code == 200


def test_node_parameter_is_parsed_once(cast):
    client = api(cast.street_admin)
    for url, label in (("/api/v1/organizations/", "管理节点"), ("/api/v1/stats/coverage/", "党组织（管理节点）")):
        bad = client.get(url, {"node": "abc"}).json()["errors"]["node"]
        assert bad == [f"「{label}」应为编号（正整数），收到「abc」"]
        outside = client.get(url, {"node": cast.waitan_node.pk}).json()["errors"]["node"]
        assert outside == [f"{label}「{cast.waitan_node.pk}」不存在或不在您的权限范围内"]


def test_the_list_and_the_figure_name_the_same_organizations(cast):
    attached_lawfirm(cast)
    scope = scope_for(cast.city_admin)
    units = [{"region": r.code} for r in (cast.city, cast.huangpu, cast.nanjing, cast.waitan, cast.grid, cast.tianping)]
    units += [{"node": str(cast.lawyers_node.pk), "region": cast.huangpu.code}, {"node": str(cast.huangpu_node.pk)}]
    for unit in units:
        figure = engine.compute(engine.parse_query(unit, scope)).totals["counted"]
        qs, f = filtered_organizations(scope, {**unit, "stat": "counted"})
        assert not f.errors and qs.count() == figure, unit


def test_the_subtree_filters_match_the_tree(cast):
    attached_lawfirm(cast)
    for region in (cast.city, cast.huangpu, cast.nanjing, cast.grid, cast.tianping):
        by_path = Organization.objects.filter(operating_region__path__startswith=region.path)
        assert set(Organization.objects.filter(in_region_subtree(region))) == set(by_path), region
    for node in (cast.city_node, cast.huangpu_node, cast.lawyers_node, cast.tianping_node):
        by_path = Organization.objects.filter(responsible_node__path__startswith=node.path)
        assert set(Organization.objects.filter(in_node_subtree(node))) == set(by_path), node


def test_an_industry_committee_names_a_region_to_narrow_its_own_organizations(cast):
    """DOMAIN.md: an industry committee's scope is a set of organizations (by industry), not a
    territory. A region it names narrows that set — in its list and in its statistics alike — and
    is never a unit of its own (that would count organizations it cannot see)."""
    firm = attached_lawfirm(cast)
    client = api(cast.industry_admin)
    names = lambda r: [o["name"] for o in r.json()["results"]]  # noqa: E731
    assert names(client.get("/api/v1/organizations/", {"region": cast.waitan.code})) == [firm.name]
    assert names(client.get("/api/v1/organizations/", {"region": cast.tianping.code})) == []
    for region, expected in ((cast.waitan, 1), (cast.huangpu, 1), (cast.tianping, 0)):
        body = client.get("/api/v1/stats/coverage/", {"region": region.code}).json()
        assert body["unit"] == {"label": f"{cast.lawyers_node.name} · {region.name}", "region": region.code,
                                "node": cast.lawyers_node.pk}  # fmt: skip
        listed = client.get("/api/v1/organizations/", {"region": region.code, "stat": "counted"})
        assert body["measures"]["counted"]["value"] == len(names(listed)) == expected, region
        # the same figure as naming its node with the region
        both = client.get("/api/v1/stats/coverage/", {"region": region.code, "node": cast.lawyers_node.pk})
        assert both.json()["measures"] == body["measures"]
    # the organizations of 外滩 it is not responsible for are in no figure of theirs
    assert Organization.objects.filter(operating_region=cast.waitan).count() == 2
