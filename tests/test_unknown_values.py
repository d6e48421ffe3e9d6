"""Values a ledger did not give (issue 11 §1): stored as unknown (未填), counted in the basis but
in no size threshold, shown beside the rates and drillable, found as data-quality findings,
filtered in the organization list, completed by hand."""

import datetime

import pytest

from liangxin.accounts.scoping import scope_for
from liangxin.core.pagination import keyset_page
from liangxin.orgs.models import Organization
from liangxin.orgs.queries import filtered_organizations
from liangxin.party import policy, rules
from liangxin.party import services as party_services
from liangxin.stats import engine

from .conftest import client_for
from .ledgers import code_for
from .party_helpers import new_org

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def unknowns(cast):
    """cast.org 120 employees; two enterprises of unknown size (one flagged above-scale), one
    with industry and kind unknown."""
    cast.size_unknown = new_org(cast, "上海未知规模一有限公司", None, kind="individual", employees=None)
    cast.size_unknown_above = new_org(
        cast, "上海未知规模二有限公司", None, kind="individual", employees=None, above_scale=True
    )
    cast.kind_unknown = new_org(
        cast, "上海未知类型有限公司", code_for(900), kind="unknown", industry="unknown", employees=5
    )  # only a 个体工商户 may lack a code, so an organization of unknown kind has one
    return cast


def _totals(cast, **params):
    q = engine.parse_query({"region": cast.city.code, **params}, scope_for(cast.city_admin))
    assert not q.errors, q.errors
    return engine.compute(q)


@pytest.mark.parametrize("basis", [0, 10, 30])
def test_unknown_size_is_in_the_basis_and_in_no_size_threshold(unknowns, basis):
    c = unknowns
    party_services.set_parameter(c.city_admin, "statistical_min_employees", basis)
    report = _totals(c)
    t = report.totals
    # 3 cast organizations of 120 employees, the two of unknown size; the 5-employee one only at basis 0
    assert t["counted"] == 3 + 2 + (1 if basis == 0 else 0)
    assert (t["size_unknown"], t["econ_size_unknown"]) == (2, 2)
    assert t["econ_50"] == t["econ_100"] == 3  # the cast's three; unknown size in neither
    assert t["econ_above"] == 0  # flagged above-scale but of unknown size: in no size threshold
    assert t["below_basis"] == (1 if basis >= 10 else 0)  # only a known size is below the line
    beside = {r.key: r.beside for r in report.rates}
    assert beside == {"org_coverage": 0, "work_coverage": 0, "dual_members": 2, "dual_org": 2, "above_scale": 2,
                      "key_units": 0, "has_member": 0}  # fmt: skip


def test_the_dashboard_shows_the_unknown_size_count_and_it_drills_down_to_the_list(unknowns):
    c = unknowns
    page = client_for(c.city_admin).get("/stats/", {"region": c.city.code}).content.decode()
    assert page.count("家非公企业从业人员数未填，未计入本项") == 3
    assert "stat=econ_size_unknown" in page and "从业人员数未填的组织" in page
    qs, f = filtered_organizations(scope_for(c.city_admin), {"region": c.city.code, "stat": "econ_size_unknown"})
    assert set(qs.values_list("pk", flat=True)) == {c.size_unknown.pk, c.size_unknown_above.pk}


def test_unknown_industry_and_kind_are_their_own_rows(unknowns):
    c = unknowns
    report = _totals(c)
    by_kind = {row.label: row.measures["counted"] for row in report.by_kind}
    assert by_kind["未填"] == 1
    industry = _totals(c, industry="unknown").totals
    assert industry["counted"] == 1


def test_unknown_values_are_findings_whose_two_faces_agree(unknowns):
    c = unknowns
    params, scope = policy.values(), scope_for(c.city_admin)
    expected = {
        "org_employees_unknown": {c.size_unknown.pk, c.size_unknown_above.pk},
        "org_industry_unknown": {c.kind_unknown.pk},
        "org_kind_unknown": {c.kind_unknown.pk},
    }
    for code, pks in expected.items():
        rule = rules.RULES[code]
        assert set(rules.candidates(rule, scope, params, TODAY).values_list("pk", flat=True)) == pks
        facts = rules.organization_facts(Organization.objects.filter(pk__in=pks | {c.org.pk}))
        assert {o.pk for o in facts if rule.check(o, params, TODAY) is not None} == pks
    # the size rules never fire on an unknown size, on either face
    for code in ("org_party_org", "org_members"):
        found = set(rules.candidates(rules.RULES[code], scope, params, TODAY).values_list("pk", flat=True))
        assert c.size_unknown.pk not in found
    page = client_for(c.city_admin).get("/findings/", {"rule": "org_employees_unknown"}).content.decode()
    assert "上海未知规模一有限公司" in page and "从业人员数未填" in page


def test_the_organization_list_filters_unknown_values(unknowns):
    c = unknowns
    client = client_for(c.city_admin)
    page = client.get("/orgs/", {"size": "unknown"}).content.decode()
    assert "上海未知规模一有限公司" in page and "上海嘉信信息科技有限公司" not in page
    assert "从业人员数未填" in page  # offered in the filter form and said in the table
    page = client.get("/orgs/", {"industry": "unknown"}).content.decode()
    assert "上海未知类型有限公司" in page and "上海未知规模一有限公司" not in page


def test_a_blank_employee_count_in_the_edit_form_is_unknown(cast):
    from .test_org_pages import FORM, post_form

    client = client_for(cast.street_admin)
    post_form(client, cast, "/orgs/new/", employees="")
    org = Organization.objects.get(name=FORM["name"])
    assert org.employees is None
    page = client.get(f"/orgs/{org.pk}/").content.decode()
    assert "未填" in page
    post_form(client, cast, f"/orgs/{org.pk}/edit/", employees="0")
    org.refresh_from_db()
    assert org.employees == 0  # a real 0 stays 0


@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_over_unknown_employees_visit_every_row_once(unknowns, descending):
    qs = Organization.objects.all()
    seen, cursor = [], None
    while True:
        page = keyset_page(qs, "employees", descending, cursor, 2)
        seen += [o.pk for o in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(qs.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))
    # and back again
    page = keyset_page(qs, "employees", descending, None, 2)
    second = keyset_page(qs, "employees", descending, page.next_cursor, 2)
    back = keyset_page(qs, "employees", descending, second.prev_cursor, 2)
    assert [o.pk for o in back.rows] == [o.pk for o in page.rows]


def test_an_exported_list_with_unknown_values_imports_back_unchanged(unknowns, tmp_path):
    from django.urls import reverse

    from .test_imports import reasons, run

    c = unknowns
    response = client_for(c.city_admin).get(reverse("web:org_export"))
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    job = run(c.city_admin, "organizations", str(path))
    assert (job.created, job.updated, job.rejected) == (0, 0, 0), reasons(job)
    assert job.unchanged == Organization.objects.count()
    assert Organization.objects.get(pk=c.size_unknown.pk).employees is None
