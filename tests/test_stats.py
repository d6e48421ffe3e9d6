"""The statistics engine against a recount in plain Python over raw rows (tests/stats_world.py)."""

import datetime
import random

import pytest
from django.db.models import Q
from django.utils.html import escape

from liangxin.accounts.scoping import scope_for
from liangxin.orgs.queries import filtered_organizations
from liangxin.party import policy
from liangxin.party import services as party_services
from liangxin.stats import engine, snapshots
from liangxin.stats.measures import MEASURE_NAMES, Thresholds

from . import stats_world
from .conftest import client_for, org_values


def _units(cast, w):
    return [
        {"region": cast.city}, {"region": cast.huangpu}, {"region": cast.xuhui}, {"region": cast.nanjing},
        {"region": cast.waitan}, {"region": cast.grid}, {"region": w.grid2}, {"node": cast.huangpu_node},
        {"node": cast.lawyers_node}, {"node": cast.city_node}, {"node": cast.lawyers_node, "region": cast.huangpu},
    ]  # fmt: skip


def _params(unit: dict, filters: dict, day=None) -> dict:
    params = dict(filters)
    if "region" in unit:
        params["region"] = unit["region"].code
    if "node" in unit:
        params["node"] = str(unit["node"].pk)
    if day:
        params["as_of"] = day.isoformat()
    return params


def _check(cast, w, rng, rounds: int, day=None) -> int:
    scope = scope_for(cast.city_admin)
    checked = 0
    for _ in range(rounds):
        unit, filters = rng.choice(_units(cast, w)), stats_world.random_filters(rng, w)
        q = engine.parse_query(_params(unit, filters, day), scope)
        assert not q.errors, q.errors
        report = engine.compute(q)
        expected = stats_world.recount(unit, filters, day)
        got = report.totals
        for name in MEASURE_NAMES:
            want = expected[name] if name == "members" else len(expected[name])
            assert got[name] == want, (name, unit, filters, day, report.source, got[name], want)
        # the children add up to the unit, each equal to its own recount
        for row in report.children[:3]:
            if row.params and "region" in row.params and "node" not in unit:
                child = {"region": next(r for r in _regions() if r.code == row.params["region"])}
                assert row.measures["counted"] == len(stats_world.recount(child, filters, day)["counted"])
        # the lists behind the numbers hold exactly the recount's organizations (today only)
        if day is None:
            for name in rng.sample([m for m in MEASURE_NAMES if m != "members"], 4):
                qs, f = filtered_organizations(scope, {**_params(unit, filters), "stat": name})
                assert not f.errors
                assert set(qs.values_list("pk", flat=True)) == expected[name], (name, unit, filters)
        checked += 1
    return checked


def _regions():
    from liangxin.regions.models import Region

    return list(Region.objects.all())


@pytest.mark.parametrize("seed", [1, 2])
def test_figures_equal_a_recount_over_raw_rows_before_and_after_random_writes(cast, seed):
    rng = random.Random(seed)
    w = stats_world.build(cast, rng)
    assert _check(cast, w, rng, 14) == 14
    stats_world.random_writes(w, rng)
    assert _check(cast, w, rng, 14) == 14  # the cells refreshed where the writes landed, nowhere stale
    party_services.set_parameter(cast.city_admin, "statistical_min_employees", 10)
    assert _check(cast, w, rng, 6) == 6  # another statistical basis: every cell recomputed


def test_figures_as_of_past_dates_equal_a_recount_over_dated_facts(cast):
    rng = random.Random(7)
    w = stats_world.build(cast, rng)
    stats_world.random_writes(w, rng)
    for day in (datetime.date(2023, 6, 30), datetime.date(2024, 12, 31), datetime.date(2025, 9, 30)):
        _check(cast, w, rng, 5, day)  # computed from the facts as they stood
        snapshots.take(day)
        _check(cast, w, rng, 5, day)  # read from the stored snapshot (or, with filters, computed)
        assert engine.compute(engine.parse_query({"as_of": day.isoformat()}, scope_for(cast.city_admin))).source == (
            "snapshot"
        )


def test_a_street_admin_never_counts_another_street(cast):
    rng = random.Random(3)
    stats_world.build(cast, rng)
    scope = scope_for(cast.street_admin)
    q = engine.parse_query({}, scope)
    assert q.region == cast.nanjing
    report = engine.compute(q)
    assert report.totals["counted"] == len(stats_world.recount({"region": cast.nanjing}, {})["counted"])
    for params in ({"region": cast.waitan.code}, {"region": cast.huangpu.code}, {"node": str(cast.waitan_node.pk)},
                   {"region": "999999"}):  # fmt: skip
        q = engine.parse_query(params, scope)
        assert q.errors and "不在您的权限范围内" in "".join(q.errors.values())
    not_a_number = engine.parse_query({"node": "abc"}, scope).errors
    assert not_a_number == {"node": "「党组织（管理节点）」应为编号（正整数），收到「abc」"}
    # the API answers the same and refuses the same
    client = client_for(cast.street_admin)
    body = client.get("/api/v1/stats/coverage/").json()
    assert body["unit"]["region"] == cast.nanjing.code
    assert body["measures"]["counted"]["value"] == report.totals["counted"]
    refused = client.get("/api/v1/stats/coverage/", {"region": cast.waitan.code})
    assert refused.status_code == 400 and "region" in refused.json()["errors"]
    # the other street really holds organizations, and they are really left out
    waitan = len(stats_world.recount({"region": cast.waitan}, {})["counted"])
    assert waitan > 0
    city = len(stats_world.recount({"region": cast.city}, {})["counted"])
    assert report.totals["counted"] <= city - waitan


def test_bad_input_is_a_chinese_message_never_a_500(cast):
    client = client_for(cast.city_admin)
    for params in ({"region": "12345x"}, {"kind": "bank"}, {"size": "huge"}, {"above_scale": "maybe"},
                   {"as_of": "2025-13-01"}, {"as_of": "2999-01-01"}, {"carrier": "99999"}, {"node": "0"}):  # fmt: skip
        api = client.get("/api/v1/stats/coverage/", params)
        assert api.status_code == 400, params
        assert api.json()["errors"], params
        page = client.get("/stats/", params)
        assert page.status_code == 400 and page.context["errors"], params
        # the page shows exactly the reasons the API gives, word for word
        shown = page.content.decode()
        for messages in api.json()["errors"].values():
            for message in messages:
                assert escape(message) in shown, (params, message)


def test_page_api_and_export_show_the_same_figures(cast):
    import io

    import openpyxl

    rng = random.Random(11)
    stats_world.build(cast, rng)
    client = client_for(cast.district_admin)
    for params in ({}, {"industry": "C"}, {"kind": "private", "region": cast.nanjing.code}):
        api = client.get("/api/v1/stats/coverage/", params).json()
        page = client.get("/stats/", params)
        assert page.status_code == 200
        report = page.context["report"]
        assert {name: m["value"] for name, m in api["measures"].items()} == report.totals
        assert [r["percent"] for r in api["rates"]] == [float(r.percent) if r.percent is not None else None
                                                       for r in report.rates]  # fmt: skip
        assert [c["measures"] for c in api["children"]] == [c.measures for c in report.children]
        export = client.get("/stats/export.xlsx", params)
        book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
        sheet = book.worksheets[-1]
        header = [c.value for c in sheet[1]]
        total = [c.value for c in sheet[2]]
        assert total[0] == "合计"
        for name, measure in api["measures"].items():
            assert total[header.index(measure["label"])] == measure["value"], name
        shown = page.content.decode()
        # the world has counted organizations under every one of these filters, so a rate exists
        assert api["measures"]["counted"]["value"] > 0, params
        assert f"{api['rates'][0]['percent']}" in shown


def test_snapshot_command_defaults_to_last_month_end(cast):
    import io

    from django.core.management import call_command

    from liangxin.stats.models import Snapshot

    out = io.StringIO()
    call_command("snapshot_stats", stdout=out)
    assert Snapshot.objects.get().as_of == snapshots.last_month_end()
    call_command("snapshot_stats", "--as-of", "2025-12-31", stdout=out)
    call_command("snapshot_stats", "--as-of", "2025-12-31", stdout=out)  # again: replaced, not doubled
    assert Snapshot.objects.filter(as_of=datetime.date(2025, 12, 31)).count() == 1
    assert snapshots.last_month_end(datetime.date(2026, 1, 5)) == datetime.date(2025, 12, 31)
    assert snapshots.month_ends(3, datetime.date(2026, 3, 15)) == [
        datetime.date(2025, 12, 31), datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)
    ]  # fmt: skip
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("snapshot_stats", "--as-of", "31/12/2025", stdout=out)


def test_a_write_is_in_the_next_answer(cast):
    """No stale cell: every write path bumps its region in the same transaction."""
    from liangxin.orgs import services
    from liangxin.orgs.models import Organization

    scope = scope_for(cast.city_admin)

    def counted(region):
        return engine.compute(engine.parse_query({"region": region.code}, scope)).totals["counted"]

    before = counted(cast.nanjing), counted(cast.waitan)
    Organization.objects.filter(pk=cast.org.pk).update(operating_region=cast.waitan)  # a queryset update
    assert (counted(cast.nanjing), counted(cast.waitan)) == (before[0] - 1, before[1] + 1)
    org = Organization.objects.get(pk=cast.org.pk)
    services.deactivate_organization(cast.city_admin, org, "deregistered", datetime.date.today(), "注销")  # a service
    assert counted(cast.waitan) == before[1]
    report = engine.compute(engine.parse_query({"region": cast.waitan.code}, scope))
    assert report.totals["deregistered"] == 1


def test_trend_reads_each_snapshot_like_the_dashboard_as_of_that_day(cast):
    rng = random.Random(13)
    stats_world.build(cast, rng)
    days = [datetime.date(2024, 12, 31), datetime.date(2025, 6, 30), datetime.date(2025, 12, 31)]
    for day in days:
        snapshots.take(day)
    scope = scope_for(cast.city_admin)
    units = [
        {"region": cast.huangpu.code},
        {"region": cast.city.code, "kind": "private"},
        {"node": str(cast.huangpu_node.pk)},
        {"region": cast.nanjing.code, "carrier_kind": "building"},
    ]
    for params in units:
        points = engine.trend(engine.parse_query(params, scope))
        assert [p["as_of"] for p in points] == [d.isoformat() for d in days]
        for point, day in zip(points, days, strict=True):
            report = engine.compute(engine.parse_query({**params, "as_of": day.isoformat()}, scope))
            assert report.source == "snapshot"
            assert point["counted"] == report.totals["counted"]
            assert point["org_coverage"] == (float(report.rate("org_coverage").percent)
                                             if report.rate("org_coverage").percent is not None else None)  # fmt: skip


def test_regions_left_stale_are_counted_from_the_organizations(cast, monkeypatch):
    """A region a writer holds is not refreshed (PostgreSQL skips locked rows): the answer then
    takes its figures from the organizations, in the same snapshot as the cells of the others."""
    from liangxin.stats import cube

    rng = random.Random(17)
    w = stats_world.build(cast, rng)
    _check(cast, w, rng, 3)  # cells built
    stats_world.random_writes(w, rng)
    monkeypatch.setattr(cube, "ensure_fresh", lambda regions, t: 0)
    assert cube.stale(Q(), Thresholds.of(policy.values()))  # the writes left regions stale
    assert _check(cast, w, rng, 10) == 10


def test_a_reused_answer_follows_the_region_tree_and_carriers(cast):
    """Answers are reused only while every region under the unit keeps its version; moving a
    grid or retyping a carrier bumps the regions concerned."""
    from liangxin.orgs import services
    from liangxin.regions.models import Region

    rng = random.Random(19)
    stats_world.build(cast, rng)
    scope = scope_for(cast.city_admin)

    def report(code):
        return engine.compute(engine.parse_query({"region": code}, scope))

    first = report(cast.waitan.code)
    assert report(cast.waitan.code) == first  # the same answer again, from the cache
    assert "第一网格" not in [r.label for r in first.children]
    grid = Region.objects.get(pk=cast.grid.pk)
    grid.parent = cast.waitan
    grid.save()  # 第一网格 now lies under 外滩街道
    moved = report(cast.waitan.code)
    assert "第一网格" in [r.label for r in moved.children]
    assert moved.totals["counted"] == len(stats_world.recount({"region": cast.waitan}, {})["counted"])
    before = {r.label: r.measures["counted"] for r in report(cast.city.code).by_carrier_kind}
    cast.building.kind = "park"
    cast.building.save()
    after = {r.label: r.measures["counted"] for r in report(cast.city.code).by_carrier_kind}
    assert after.get("商务楼宇", 0) == 0 and after["园区"] == before.get("园区", 0) + before.get("商务楼宇", 0)
    services.create_organization(cast.city_admin, org_values(cast, name="新来的公司", operating_region=cast.waitan))
    assert report(cast.waitan.code).totals["counted"] == moved.totals["counted"] + 1
