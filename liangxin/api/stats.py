"""Statistics API: every coverage figure of a unit with its numerator, denominator and
definition, and the blank-spot lists. Units and filters are read by the engine's own parser,
so an unknown code or a unit outside the caller's scope is a 400 with Chinese reasons."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from liangxin.messaging import reach
from liangxin.party import policy
from liangxin.party.suggestion import suggest_many
from liangxin.reporting import yearend, yearend_files
from liangxin.stats import blank_spots, engine

from .base import ScopedAPIView
from .pagination import KeysetPagination

STATS_FILTERS = [
    OpenApiParameter("region", OpenApiTypes.STR, description="区划代码（含下级）；缺省为本人辖区"),
    OpenApiParameter("node", OpenApiTypes.INT, description="管理节点编号（按责任党委统计，含下级）"),
    OpenApiParameter("sector", OpenApiTypes.STR, description="类别：economic / social"),
    OpenApiParameter("kind", OpenApiTypes.STR, description="组织类型"),
    OpenApiParameter("industry", OpenApiTypes.STR, description="行业门类 A–T"),
    OpenApiParameter("size", OpenApiTypes.STR, description="规模档：lt10, 10_49, 50_99, 100_299, 300_999, ge1000"),
    OpenApiParameter("above_scale", OpenApiTypes.STR, description="规模以上：1 / 0"),
    OpenApiParameter("key_industry", OpenApiTypes.STR, description="重点行业/重点单位：1 / 0"),
    OpenApiParameter("carrier", OpenApiTypes.INT, description="载体编号"),
    OpenApiParameter("carrier_kind", OpenApiTypes.STR, description="载体类型：building / park / street / market"),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="统计截止日期（按当日的覆盖、选派、就业和经营地记录）"),
]


class StatsView(ScopedAPIView):
    required = "can_read_stats"

    def parse(self, request) -> engine.StatsQuery:
        q = engine.parse_query(request.query_params, self.scope)
        if q.errors:
            raise ValidationError({k: [v] for k, v in q.errors.items()})
        return q


class CoverageView(StatsView):
    """覆盖统计：统计单元的全部指标（分子、分母、口径说明），及按下级、组织类型、载体的分组。"""

    @extend_schema(parameters=STATS_FILTERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(engine.as_dict(engine.compute(self.parse(request))))


class BlankSpotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField(allow_null=True)
    kind = serializers.CharField(source="get_kind_display")
    employees = serializers.IntegerField(allow_null=True)  # null: 从业人员数未填
    member_count = serializers.IntegerField()
    coverage_state = serializers.CharField(source="get_coverage_state_display")
    region = serializers.CharField(source="operating_region.code")
    region_name = serializers.CharField(source="operating_region.short_label")
    carrier = serializers.CharField(source="carrier.name", allow_null=True, default=None)
    responsible_node = serializers.CharField(source="responsible_node.name", allow_null=True, default=None)
    suggestion = serializers.SerializerMethodField()

    def get_suggestion(self, org) -> dict | None:
        found = self.context["suggestions"][org.pk]
        return {"mode": found.mode, "reason": found.reason} if found else None


class BlankSpotPageSerializer(serializers.Serializer):
    """One keyset page of blank spots, as the lists of the API page (``cursor``)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BlankSpotSerializer(many=True)


class BlankSpotsView(StatsView):
    """空白点：list=blank（未覆盖）/ blank_50（达标人数无党员）/ blank_100（达标人数未建党组织），
    按从业人员从多到少。"""

    @extend_schema(
        parameters=[OpenApiParameter("list", OpenApiTypes.STR, description="blank（默认）/ blank_50 / blank_100"),
                    *STATS_FILTERS[:-1],
                    OpenApiParameter("cursor", OpenApiTypes.STR, description="翻页游标（取自 next/previous）"),
                    OpenApiParameter("page_size", OpenApiTypes.INT, description="每页条数（最多500）")],
        responses={200: BlankSpotPageSerializer},
    )  # fmt: skip
    def get(self, request):
        q = self.parse(request)
        which = request.query_params.get("list") or "blank"
        if which not in blank_spots.LISTS:
            raise ValidationError({"list": [f"空白点类别「{which}」不存在，应为 blank、blank_50 或 blank_100"]})
        paginator = KeysetPagination()
        page = paginator.paginate_queryset(blank_spots.blank_spots(q, which), request, self)
        suggestions = suggest_many(page, policy.values())  # the page's in three queries, not per row
        data = BlankSpotSerializer(page, many=True, context={"suggestions": suggestions}).data
        return paginator.get_paginated_response(data)

    def keyset_order(self):
        return ("employees", True)


REACH_PERIOD = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="到达统计起始日期（含）；缺省为今年1月1日"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="到达统计截止日期（含）；缺省为今天"),
    OpenApiParameter("channel", OpenApiTypes.STR, description="渠道：inbox / email / sms / log；缺省为全部渠道"),
]


class ReachView(StatsView):
    """到达率（两个力争）：统计期内覆盖到达率与阅读到达率，统计单元及其下级。按当前在营组织计算。"""

    def parse_reach(self, request) -> tuple[engine.StatsQuery, reach.Period]:
        q = engine.parse_query(request.query_params, self.scope)
        period = reach.parse_period(request.query_params, q.errors)
        if q.as_of is not None:
            q.errors["as_of"] = "到达率按当前在营的组织计算，不接受统计截止日期"
        if q.errors:
            raise ValidationError({k: [v] for k, v in q.errors.items()})
        return q, period

    @extend_schema(parameters=[*STATS_FILTERS[:-1], *REACH_PERIOD], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(reach.as_dict(reach.reach(*self.parse_reach(request))))


class NeverReachedSerializer(BlankSpotSerializer):
    suggestion = None  # type: ignore[assignment]  # the setup suggestion belongs to the blank-spot lists


class NeverReachedPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NeverReachedSerializer(many=True)


class NeverReachedView(ReachView):
    """统计期内从未到达的组织：纳入统计的在营组织中没有一名联系人、就业党员或覆盖它的党组织书记
    收到过群发信息或下达通知的，按从业人员从多到少。条数等于到达率中的 never。"""

    @extend_schema(
        parameters=[*STATS_FILTERS[:-1], *REACH_PERIOD,
                    OpenApiParameter("cursor", OpenApiTypes.STR, description="翻页游标（取自 next/previous）"),
                    OpenApiParameter("page_size", OpenApiTypes.INT, description="每页条数（最多500）")],
        responses={200: NeverReachedPageSerializer},
    )  # fmt: skip
    def get(self, request):
        paginator = KeysetPagination()
        page = paginator.paginate_queryset(reach.never_reached(*self.parse_reach(request)), request, self)
        return paginator.get_paginated_response(NeverReachedSerializer(page, many=True).data)

    def keyset_order(self):
        return ("employees", True)


YEAREND_PARAMS = [
    OpenApiParameter("node", OpenApiTypes.INT, description="统计单位（党委的节点编号）；缺省为本人范围内第一个党委"),
    OpenApiParameter("year", OpenApiTypes.INT, description="统计年度（截至该年12月31日）；缺省为上一年"),
]


class YearEndView(ScopedAPIView):
    """年度统计报表：统计单位截至年末的各张表（标题、列、行、注），覆盖数字与覆盖统计相同。"""

    required = "can_read_stats"
    file_format = ""

    def parse(self, request):
        node, year, errors = yearend.parse(request.query_params, self.scope)
        if errors or node is None:
            raise ValidationError({k: [v] for k, v in errors.items()})
        return yearend.build(node, year)

    @extend_schema(parameters=YEAREND_PARAMS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(yearend.as_dict(self.parse(request)))


class YearEndFileView(YearEndView):
    """A file of the year-end report: the subclasses name its format and document its media type."""

    def get(self, request):
        data, name, content_type = yearend_files.download(
            request.user, self.parse(request), self.file_format, self.scope.home_paths
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class YearEndXlsxView(YearEndFileView):
    """年度统计报表 Excel：每张表一个工作表，含标题、统计单位和截止日期。"""

    file_format = "xlsx"

    @extend_schema(parameters=YEAREND_PARAMS, responses={(200, yearend_files.XLSX): OpenApiTypes.BINARY})
    def get(self, request):
        return super().get(request)


class YearEndPdfView(YearEndFileView):
    """年度统计报表打印版 PDF：封面、各表、图表、页码和签字盖章栏。"""

    file_format = "pdf"

    @extend_schema(parameters=YEAREND_PARAMS, responses={(200, yearend_files.PDF): OpenApiTypes.BINARY})
    def get(self, request):
        return super().get(request)
