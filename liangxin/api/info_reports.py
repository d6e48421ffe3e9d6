"""互动网 — 信息报送 API: ``/api/v1/info-reports/``: list, read (with the chain of levels), create,
and the reviewer's ``adopt`` (with a grade), ``return`` (with a reason), ``pass-up`` and
``publish``; ``ranking`` is the 采用排名 figure. The scope and the services are the pages' own:
outside scope 404, visible but not this caller's step 403, bad input 400 in Chinese per field."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from liangxin.core.params import parse_id, parse_int
from liangxin.portal import news, queries, reports
from liangxin.portal.models import AdoptionGrade, InfoReport, InfoReview, ReportKind, ReportStatus

from .base import NOT_FOUND, ScopedViewSet
from .errors import service_errors
from .news import NewsItemDetailSerializer, NewsReasonSerializer, uploads


# -- 信息报送 ------------------------------------------------------------------------------------------
class InfoReviewSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="结果：" + " / ".join(ReportStatus.values))
    grade = serializers.CharField(read_only=True, help_text="采用等级：" + " / ".join(AdoptionGrade.values))
    node_name = serializers.CharField(source="node.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = InfoReview
        fields = ["node", "node_name", "sent_at", "status", "status_display", "grade", "grade_display", "reason",
                  "decided_at"]  # fmt: skip
        read_only_fields = fields


class InfoReportSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="信息类别：" + " / ".join(ReportKind.values))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text="状态：" + " / ".join(ReportStatus.values))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    at_node_name = serializers.CharField(source="at_node.name", read_only=True)

    class Meta:
        model = InfoReport
        fields = ["id", "kind", "kind_display", "title", "node", "node_name", "at_node", "at_node_name", "status",
                  "status_display", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class InfoReportDetailSerializer(InfoReportSerializer):
    """A report as read: its text and the chain of levels it reached, first to last."""

    chain = InfoReviewSerializer(source="reviews", many=True, read_only=True)

    class Meta(InfoReportSerializer.Meta):
        fields = [*InfoReportSerializer.Meta.fields, "body", "chain"]
        read_only_fields = fields


class InfoReportWriteSerializer(serializers.Serializer):
    node = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="报送单位编号（缺省为本人第一个可报送的单位）"
    )
    kind = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="信息类别：" + " / ".join(ReportKind.values)
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="标题")
    body = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=news.MAX_BODY_CHARS * 2, help_text="正文"
    )
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=reports.MAX_FILES,
        help_text="附件（multipart，可多个）",
    )


class GradeSerializer(serializers.Serializer):
    grade = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="采用等级：" + " / ".join(AdoptionGrade.values)
    )


class PublishSerializer(serializers.Serializer):
    to_everyone = serializers.BooleanField(required=False, help_text="所有用户可见（否：仅本单位及其下级）")


class RankRowSerializer(serializers.Serializer):
    node = serializers.IntegerField(source="node.pk")
    node_name = serializers.CharField(source="node.name")
    received = serializers.IntegerField(help_text="本年收到（已审核或待审核）")
    adopted = serializers.IntegerField(help_text="本年采用")
    grades = serializers.DictField(child=serializers.IntegerField(), help_text="各采用等级的条数")


class RankingSerializer(serializers.Serializer):
    node = serializers.IntegerField(source="node.pk")
    node_name = serializers.CharField(source="node.name")
    year = serializers.IntegerField()
    rows = RankRowSerializer(many=True)


REPORT_FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, description="信息类别：" + " / ".join(ReportKind.values)),
    OpenApiParameter("status", OpenApiTypes.STR, description="状态：" + " / ".join(ReportStatus.values)),
    OpenApiParameter("year", OpenApiTypes.INT, description="报送年度"),
    OpenApiParameter("box", OpenApiTypes.STR, description="review：仅在本人任职党委待办的信息"),
]


@extend_schema_view(
    list=extend_schema(parameters=REPORT_FILTERS), retrieve=extend_schema(responses=InfoReportDetailSerializer)
)
class InfoReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """信息报送：街道综合党委和党组织书记报送；上级党委采用、退回、报送上级或发布到互动网。"""

    serializer_class = InfoReportSerializer
    queryset = InfoReport.objects.none()
    required = "can_use_reports"
    scope_method = "info_reports"
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return self.scope.info_reports("view").prefetch_related("reviews__node")

    def get_serializer_class(self):
        return InfoReportDetailSerializer if self.action == "retrieve" else InfoReportSerializer

    def keyset_order(self):
        return ("id", True)

    def list(self, request, *args, **kwargs):
        """信息列表（新的在前）。"""
        params = request.query_params
        visible = self.scope.reports_to_review() if params.get("box") == "review" else self.scope.info_reports()
        page = self.paginate_queryset(queries.filtered_reports(visible, params).order_by("-id"))
        return self.get_paginated_response(InfoReportSerializer(page, many=True).data)

    def _detail(self, report: InfoReport, code=status.HTTP_200_OK) -> Response:
        return Response(InfoReportDetailSerializer(self.get_queryset().get(pk=report.pk)).data, status=code)

    @extend_schema(request=InfoReportWriteSerializer, responses={201: InfoReportDetailSerializer})
    def create(self, request):
        """报送信息至上级党委。"""
        if not self.scope.can_write_reports:
            raise PermissionDenied
        d = self.body(InfoReportWriteSerializer)
        nodes = self.scope.report_write_nodes()
        node = nodes.filter(pk=d["node"]).first() if "node" in d else nodes.first()
        if node is None:
            raise ValidationError({"node": ["报送单位：只能以您任职的单位报送"]})
        with service_errors():
            report = reports.submit(request.user, node, d, uploads(request, "attachments"))
        return self._detail(report, status.HTTP_201_CREATED)

    def _reviewed(self) -> InfoReport:
        report = self.get_object()
        if not self.scope.may_review_report(report):
            raise PermissionDenied("该信息不在您所在的党委审核")
        return report

    @extend_schema(request=GradeSerializer, responses=InfoReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        """采用（注明采用等级）。"""
        report = self._reviewed()
        d = self.body(GradeSerializer)
        with service_errors():
            reports.adopt(request.user, report, d.get("grade", ""))
        return self._detail(report)

    @extend_schema(request=NewsReasonSerializer, responses=InfoReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回（须写明理由）。"""
        report = self._reviewed()
        d = self.body(NewsReasonSerializer)
        with service_errors():
            reports.return_report(request.user, report, d.get("reason", ""))
        return self._detail(report)

    @extend_schema(request=None, responses=InfoReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="pass-up")
    def pass_up(self, request, pk=None):
        """报送上级：已采用的信息继续报送本单位的上级党委审核。"""
        report = self._reviewed()
        with service_errors():
            reports.pass_up(request.user, report)
        return self._detail(report)

    @extend_schema(request=PublishSerializer, responses={201: NewsItemDetailSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """发布到互动网：已采用的信息成为本单位的工作动态（来源记为该信息）。"""
        report = self._reviewed()
        d = self.body(PublishSerializer)
        with service_errors():
            item = reports.publish(request.user, report, to_everyone=bool(d.get("to_everyone")))
        return Response(NewsItemDetailSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("node", OpenApiTypes.INT, description="党委编号（缺省为本人第一个任职单位）"),
            OpenApiParameter("year", OpenApiTypes.INT, description="年度（缺省为今年）"),
        ],
        responses=RankingSerializer,
    )
    @action(detail=False, methods=["get"])
    def ranking(self, request):
        """信息采用排名：本单位各下级单位（含其下属）报送、经本单位采用的信息条数，按采用等级分列。"""
        if not self.scope.can_rank_reports:
            raise PermissionDenied
        params = request.query_params
        nodes = self.scope.ranking_nodes()
        pk = parse_id(params, "node", "单位")
        node = (nodes.filter(pk=pk) if pk else nodes.order_by("path")).first()
        if node is None:
            raise NotFound(f"单位{NOT_FOUND}")
        year = parse_int(params, "year", "年度", minimum=queries.FIRST_YEAR, maximum=9999) or timezone.localdate().year
        rows = reports.adoption_ranking(node, year)
        return Response(RankingSerializer({"node": node, "year": year, "rows": rows}).data)


def register(router) -> None:
    router.register("info-reports", InfoReportViewSet, basename="info-report")
