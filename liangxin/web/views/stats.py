"""Dashboards (覆盖统计) and blank-spot lists (空白点): the HTML face of ``liangxin.stats``."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header

from liangxin.core.pagination import keyset_page
from liangxin.core.xlsx import Column
from liangxin.messaging import reach
from liangxin.orgs.choices import SIZE_BAND_CHOICES, Industry, OrgKind, Sector
from liangxin.party import policy
from liangxin.party.suggestion import suggest_many
from liangxin.regions.models import CarrierKind
from liangxin.reporting import brief, yearend, yearend_files
from liangxin.stats import blank_spots, engine
from liangxin.stats.measures import MEASURE_LABELS, RATE_BY_KEY
from liangxin.stats.models import Snapshot

from ..base import ScopedView, export_response

# the per-child table: the rate it may be sorted by, worst first by default
CHILD_SORTS = {"org_coverage": "组织覆盖率", "work_coverage": "工作覆盖率", "dual_members": "有党员达标率",
               "dual_org": "建党组织达标率", "blank": "空白点数", "counted": "组织数"}  # fmt: skip


def list_url(q: engine.StatsQuery, row_params: dict | None, measure: str) -> str | None:
    """The organization list behind one number (None when there is no such list)."""
    if q.as_of is not None or row_params is None:
        return None  # lists show today's organizations; a past figure has none to open
    params = {**q.unit_params(), **q.filter_params(), **row_params, "stat": measure}
    return reverse("web:org_list") + "?" + urlencode(params)


def _form_context(q: engine.StatsQuery, scope) -> dict:
    trail = []
    if q.region is not None:
        allowed = set(scope.stats_regions().filter(code__in=q.region.ancestor_codes).values_list("code", flat=True))
        trail = [r for r in q.region.ancestors() if r.code in allowed]
    return {
        "q": q,
        "trail": trail,
        "sector_choices": Sector.choices, "kind_choices": OrgKind.choices, "industry_choices": Industry.choices,
        "size_choices": SIZE_BAND_CHOICES, "carrier_kind_choices": CarrierKind.choices,
        "snapshots": Snapshot.objects.order_by("-as_of")[:36],
        "errors": q.errors,
    }  # fmt: skip


class Dashboard(ScopedView):
    required = "can_read_stats"

    def get(self, request):
        q = engine.parse_query(request.GET, self.scope)
        context = _form_context(q, self.scope)
        period = reach.parse_period(request.GET, q.errors)  # a wrong period is refused like a wrong unit
        if q.errors:
            return render(request, "web/stats/dashboard.html", context, status=400)
        report = engine.compute(q)
        sort = request.GET.get("sort") if request.GET.get("sort") in CHILD_SORTS else "org_coverage"
        children = sorted(report.children, key=lambda row: _sort_key(row, sort))
        data = engine.as_dict(report)
        base = {**q.unit_params(), **q.filter_params()}
        data["list_base"] = None if q.as_of else reverse("web:org_list") + "?" + urlencode(base)
        data["trend"] = engine.trend(q)
        params = policy.values()
        context.update(
            report=report, children=children, sort=sort, sorts=CHILD_SORTS, chart_data=data,
            query=urlencode({k: v for k, v in request.GET.items() if k != "sort"}),
            basis=int(params["statistical_min_employees"]),
            members_from=int(params["should_have_members_employees"]),
            party_org_from=int(params["should_have_party_org_employees"]),
            target=params["coverage_target_percent"],
            labels=MEASURE_LABELS, rate_defs=RATE_BY_KEY,
            child_links=[(row, _drill_row(q, row)) for row in children],
            kind_links=[(row, _drill_row(q, row)) for row in report.by_kind],
            carrier_kind_links=[(row, _drill_row(q, row)) for row in report.by_carrier_kind],
            carrier_links=[(row, _drill_row(q, row)) for row in report.by_carrier],
            total_links=_drill_row(q, {}),
            child_dashboards={row.label: _dashboard_url(q, row) for row in children},
            **_reach_context(q, period, report),
        )  # fmt: skip
        return render(request, "web/stats/dashboard.html", context)


def _reach_context(q: engine.StatsQuery, period: reach.Period, report: engine.Report) -> dict:
    """到达率 beside the coverage rates: the unit's, its children's, and the links to the lists of
    organizations never reached (each row's list has exactly its count of rows)."""
    result = reach.reach(q, period, report)
    base = {**q.unit_params(), **q.filter_params(), **period.params()}

    def never_url(row: reach.ReachRow) -> str | None:
        if row.params is None:
            return None
        return reverse("web:stats_reach_never") + "?" + urlencode({**base, **row.params})

    return {
        "reach": result, "period": period, "channel_choices": reach.CHANNEL_CHOICES,
        "reach_labels": {"reached": reach.REACHED_LABEL, "read": reach.READ_LABEL},
        "reach_definitions": {"reached": reach.REACHED_DEFINITION, "read": reach.READ_DEFINITION},
        "reach_total_never": never_url(result.total),
        "reach_children": [(row, never_url(row)) for row in result.children],
    }  # fmt: skip


def _sort_key(row: engine.Row, sort: str):
    if sort in ("blank", "counted"):
        return (-row.measures[sort], row.label)
    rate = row.rate(sort).percent
    return (rate is None, rate if rate is not None else 0, row.label)  # worst first, empty last


def _drill_row(q: engine.StatsQuery, row) -> dict[str, str | None]:
    params = row if isinstance(row, dict) else row.params
    return {name: list_url(q, params, name) for name in MEASURE_LABELS}


def _dashboard_url(q: engine.StatsQuery, row: engine.Row) -> str | None:
    if row.params is None:
        return None
    params = {**q.unit_params(), **q.filter_params(), **row.params}
    if q.as_of:
        params["as_of"] = q.as_of.isoformat()
    return reverse("web:stats_dashboard") + "?" + urlencode(params)


class DashboardExport(ScopedView):
    """The dashboard's tables in one sheet: the unit, its children, kinds, carrier types, carriers."""

    required = "can_read_stats"

    def get(self, request):
        q = engine.parse_query(request.GET, self.scope)
        if q.errors:
            return render(request, "web/stats/dashboard.html", _form_context(q, self.scope), status=400)
        report = engine.compute(q)
        rows = [
            ("合计", report.child_label, row) for row in [engine.Row(q.unit_label, report.totals, {}, report.rates)]
        ]
        rows += [(report.child_label, r.label, r) for r in report.children]
        rows += [("组织类型", r.label, r) for r in report.by_kind]
        rows += [("载体类型", r.label, r) for r in report.by_carrier_kind]
        rows += [("载体", r.label, r) for r in report.by_carrier]
        columns = [
            Column("分组", lambda x: x[0], 12),
            Column("名称", lambda x: x[1] if x[0] != "合计" else q.unit_label, 28),
        ]
        for name, label in MEASURE_LABELS.items():
            columns.append(Column(label, lambda x, n=name: x[2].measures[n], 12, "number"))
        for key, rate in RATE_BY_KEY.items():
            columns.append(Column(f"{rate.label}（%）", lambda x, k=key: x[2].rate(k).percent, 14, "number"))
        filter_text = "；".join(f"{a}：{b}" for a, b in q.describe())
        return export_response(
            request, title="覆盖统计", object_type="stats.coverage", filter_text=filter_text, columns=columns, rows=rows
        )


class BlankSpots(ScopedView):
    required = "can_read_stats"
    page_size = 50

    def get(self, request):
        q = engine.parse_query(request.GET, self.scope)
        which = request.GET.get("list") if request.GET.get("list") in blank_spots.LISTS else "blank"
        context = {**_form_context(q, self.scope), "which": which, "lists": blank_spots.LISTS}
        if q.errors:
            return render(request, "web/stats/blank_spots.html", context, status=400)
        else:
            qs = blank_spots.blank_spots(q, which)
            page = keyset_page(qs, "employees", True, request.GET.get("cursor"), self.page_size)
            suggestions = suggest_many(page.rows, policy.values())  # the page's in three queries, not per row
            context.update(
                page=page, total=qs.count(),
                rows=[(org, suggestions[org.pk]) for org in page.rows],
                query=urlencode({k: v for k, v in request.GET.items() if k != "cursor"}),
            )  # fmt: skip
        return render(request, "web/stats/blank_spots.html", context)


class BlankSpotExport(ScopedView):
    required = "can_read_stats"

    def get(self, request):
        q = engine.parse_query(request.GET, self.scope)
        which = request.GET.get("list") if request.GET.get("list") in blank_spots.LISTS else "blank"
        if q.errors:
            context = {**_form_context(q, self.scope), "which": which}
            return render(request, "web/stats/blank_spots.html", context, status=400)
        params = policy.values()
        limit = blank_spots.SUGGEST_AT_MOST

        def rows():
            chunk: list = []
            for i, org in enumerate(blank_spots.blank_spots(q, which).iterator(chunk_size=500)):
                chunk.append((org, i < limit))
                if len(chunk) == 500:
                    yield from with_suggestions(chunk)
                    chunk = []
            yield from with_suggestions(chunk)

        def with_suggestions(chunk: list):
            found = suggest_many([org for org, wanted in chunk if wanted], params)
            for org, wanted in chunk:
                yield org, found.get(org.pk), wanted

        columns = [
            Column("组织名称", lambda x: x[0].name, 36),
            Column("统一社会信用代码", lambda x: x[0].credit_code or "", 22),
            Column("组织类型", lambda x: x[0].get_kind_display(), 14),
            Column("从业人员", lambda x: x[0].employees, 10, "number"),
            Column("就业党员", lambda x: x[0].member_count, 10, "number"),
            Column("覆盖状态", lambda x: x[0].get_coverage_state_display(), 14),
            Column("经营地", lambda x: x[0].operating_region.short_label, 22),
            Column("载体", lambda x: x[0].carrier.name if x[0].carrier_id else "", 18),
            Column("责任党委", lambda x: x[0].responsible_node.name if x[0].responsible_node_id else "", 22),
            Column("建议组建方式", lambda x: x[1].mode if x[1] else ("" if x[2] else "（请在组织详情页查看）"), 16),
            Column("建议理由", lambda x: x[1].reason if x[1] else "", 60),
        ]  # fmt: skip
        filter_text = "；".join([f"{a}：{b}" for a, b in q.describe()] + [f"清单：{blank_spots.LISTS[which]}"])
        return export_response(
            request, title=f"空白点_{blank_spots.LISTS[which]}", object_type="stats.blank_spots",
            filter_text=filter_text, columns=columns, rows=rows(),
        )  # fmt: skip


def _never_columns() -> list[Column]:
    return [
        Column("组织名称", lambda o: o.name, 36),
        Column("统一社会信用代码", lambda o: o.credit_code or "", 22),
        Column("组织类型", lambda o: o.get_kind_display(), 14),
        Column("从业人员", lambda o: o.employees, 10, "number"),
        Column("就业党员", lambda o: o.member_count, 10, "number"),
        Column("覆盖状态", lambda o: o.get_coverage_state_display(), 14),
        Column("经营地", lambda o: o.operating_region.short_label, 22),
        Column("载体", lambda o: o.carrier.name if o.carrier_id else "", 18),
        Column("责任党委", lambda o: o.responsible_node.name if o.responsible_node_id else "", 22),
    ]


class ReachNever(ScopedView):
    """统计期内从未到达的组织: the organizations behind 覆盖到达率's shortfall, largest first."""

    required = "can_read_stats"
    page_size = 50

    def get(self, request):
        q = engine.parse_query(request.GET, self.scope)
        context = _form_context(q, self.scope)
        period = reach.parse_period(request.GET, context["errors"])
        context.update(period=period, channel_choices=reach.CHANNEL_CHOICES, reach_list=True)
        if q.errors:
            return render(request, "web/stats/reach_never.html", context, status=400)
        qs = reach.never_reached(q, period)
        page = keyset_page(qs, "employees", True, request.GET.get("cursor"), self.page_size)
        context.update(
            page=page, total=qs.count(),
            query=urlencode({k: v for k, v in request.GET.items() if k != "cursor"}),
            back=urlencode({**q.unit_params(), **q.filter_params(), **period.params()}),
        )  # fmt: skip
        return render(request, "web/stats/reach_never.html", context)


class ReachNeverExport(ScopedView):
    required = "can_read_stats"

    def get(self, request):
        q = engine.parse_query(request.GET, self.scope)
        context = _form_context(q, self.scope)
        period = reach.parse_period(request.GET, context["errors"])
        if q.errors:
            context.update(period=period, channel_choices=reach.CHANNEL_CHOICES, reach_list=True)
            return render(request, "web/stats/reach_never.html", context, status=400)
        rows = reach.never_reached(q, period).iterator(chunk_size=500)
        filter_text = "；".join(f"{a}：{b}" for a, b in [*q.describe(), *period.describe()])
        return export_response(
            request, title=reach.NEVER_LABEL, object_type="stats.reach_never",
            filter_text=filter_text, columns=_never_columns(), rows=rows,
        )  # fmt: skip


def _yearend_form(scope, node, year: int, errors: dict) -> dict:
    return {"committees": yearend.committees(scope), "node": node, "year": year, "errors": errors,
            "years": range(yearend.default_year(), yearend.EARLIEST_YEAR - 1, -1),
            "month": brief.default_month_end()}  # fmt: skip


class YearEndReport(ScopedView):
    """年度统计报表: a committee's tables as of 12-31 of a year, previewed, with its two downloads."""

    required = "can_read_stats"

    def get(self, request):
        node, year, errors = yearend.parse(request.GET, self.scope)
        context = _yearend_form(self.scope, node, year, errors)
        if errors or node is None:
            return render(request, "web/stats/yearend.html", context, status=400)
        report = yearend.build(node, year)
        tables = [(t, [yearend.printed(r) for r in t.rows]) for t in report.tables]
        context.update(report=report, query=urlencode({"node": node.pk, "year": year}), tables=tables)
        return render(request, "web/stats/yearend.html", context)


class YearEndDownload(ScopedView):
    """The year-end report as Excel (one sheet per table) or printable PDF."""

    required = "can_read_stats"
    file_format = "xlsx"

    def get(self, request):
        node, year, errors = yearend.parse(request.GET, self.scope)
        if errors or node is None:
            return render(request, "web/stats/yearend.html", _yearend_form(self.scope, node, year, errors), status=400)
        report = yearend.build(node, year)
        data, name, content_type = yearend_files.download(request.user, report, self.file_format,
                                                          self.scope.home_paths)  # fmt: skip
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class MonthlyBrief(ScopedView):
    """月度简报: one printable page of a committee's key figures at a month's end and what is due."""

    required = "can_read_stats"

    def get(self, request):
        node, end, errors = brief.parse(request.GET, self.scope)
        if errors or node is None:
            context = _yearend_form(self.scope, node, yearend.default_year(), errors)
            return render(request, "web/stats/yearend.html", context, status=400)
        made = brief.build(node, end, request.user, self.scope)
        data, name, content_type = yearend_files.download_brief(request.user, made, self.scope.home_paths)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
