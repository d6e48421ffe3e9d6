"""A list export whose filter names an object outside the user's scope never fails: a list
narrowed by that object is empty (or the filter is refused back to the list), and a filter that
picks the node the list is about answers 404 like the node's own page."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .conftest import client_for


def rows(response) -> list[tuple]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book["数据"].iter_rows(values_only=True))[1:]


@pytest.mark.parametrize(
    ("name", "param"),
    [
        ("web:member_export", "party_org"),
        ("transfers_export", "party_org"),
        ("transfers_floating_export", "party_org"),
    ],
)
def test_a_list_narrowed_by_a_party_org_outside_scope_is_empty(party_cast, name, param):
    c = party_cast
    url = reverse(name if ":" in name else f"web:{name}")
    assert rows(client_for(c.xuhui_admin).get(url, {param: c.branch.pk})) == []


def test_a_carrier_list_narrowed_by_a_street_outside_scope_is_empty(cast):
    assert rows(client_for(cast.xuhui_admin).get(reverse("web:carrier_export"), {"region": "310101002"})) == []


def test_a_region_export_under_a_region_outside_scope_is_the_scope(cast):
    found = rows(client_for(cast.xuhui_admin).get(reverse("web:region_export"), {"parent": "310101"}))
    assert {r[0] for r in found} == {"310104", "310104003"}


@pytest.mark.parametrize(("param", "value"), [("region", "310101002"), ("node", "huangpu"), ("carrier", "building")])
def test_the_organization_export_refuses_a_filter_outside_scope_back_to_the_list(cast, param, value):
    value = {"huangpu": cast.huangpu_node.pk, "building": cast.building.pk}.get(value, value)
    response = client_for(cast.xuhui_admin).get(reverse("web:org_export"), {param: value})
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:org_list"))


@pytest.mark.parametrize("name", ["web:dues_list_export", "web:dues_arrears_export"])
def test_a_dues_export_of_a_node_outside_scope_is_not_found(party_cast, name):
    c = party_cast
    response = client_for(c.xuhui_admin).get(reverse(name), {"node": c.huangpu_node.pk})
    assert response.status_code == 404
