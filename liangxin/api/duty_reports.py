"""述职报告 API: ``/api/v1/duty-reports/`` (list: my committees' and those I read; ``waiting=1``: those
waiting for my review; create for a year), ``{id}/`` (read with its figures, rows and review history;
PATCH the text), ``{id}/refresh/``, ``{id}/submit/``, ``{id}/review/`` (approve / return with a
reason) and ``{id}/word/`` (the Word file). Scope, checks and services are the pages' own."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from liangxin.core.params import parse_flag
from liangxin.duty_reports import services
from liangxin.duty_reports.choices import ReportStatus
from liangxin.duty_reports.figures import rows
from liangxin.duty_reports.models import DutyReport, DutyReview
from liangxin.duty_reports.word import file_name

from .base import WORD_RESPONSES, ScopedViewSet, word_file
from .errors import service_errors


class DutyReviewSerializer(serializers.ModelSerializer):
    node_name = serializers.CharField(source="node.name", read_only=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = DutyReview
        fields = ["id", "action", "action_display", "comment", "node", "node_name", "at"]
        read_only_fields = fields


class DutyReportSerializer(serializers.ModelSerializer):
    # a plain string, not an enum: a second choice set named "status" would rename the others' enums
    status = serializers.CharField(read_only=True, help_text="状态：" + " / ".join(ReportStatus.values))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    review_node_name = serializers.CharField(source="review_node.name", read_only=True)

    class Meta:
        model = DutyReport
        fields = [
            "id", "node", "node_name", "year", "status", "status_display", "review_node", "review_node_name",
            "as_of", "figures_taken_at", "submitted_at", "reviewed_at",
        ]  # fmt: skip
        read_only_fields = fields


class DutyReportDetailSerializer(DutyReportSerializer):
    """A report as read: the stored figures, the same figures as table rows, the text and the history."""

    figures = serializers.JSONField(read_only=True, help_text="平台数据（提取时的快照）")
    figure_rows = serializers.SerializerMethodField(help_text="平台数据表：[类别, 项目, 数据]")
    reviews = DutyReviewSerializer(many=True, read_only=True)

    class Meta(DutyReportSerializer.Meta):
        fields = [
            *DutyReportSerializer.Meta.fields,
            "figures",
            "figure_rows",
            "practice",
            "problems",
            "plans",
            "reviews",
        ]
        read_only_fields = fields

    def get_figure_rows(self, report) -> list[list[str]]:
        return [list(r) for r in rows(report.figures)]


class DutyCreateSerializer(serializers.Serializer):
    node = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="述职党委编号（缺省为本人第一个党委）"
    )
    year = serializers.IntegerField(min_value=1, max_value=9999, help_text="年度")


class DutyTextSerializer(serializers.Serializer):
    practice = serializers.CharField(required=False, allow_blank=True, max_length=40_000, help_text="主要做法和成效")
    problems = serializers.CharField(required=False, allow_blank=True, max_length=40_000, help_text="存在的问题")
    plans = serializers.CharField(required=False, allow_blank=True, max_length=40_000, help_text="下一步打算")


class DutyReviewInSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=10, help_text="审阅结果：approve（审阅通过）/ return（退回修改）")
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="审阅意见（退回修改时必填）"
    )


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("waiting", OpenApiTypes.BOOL, description="只列待我审阅的")]),
    retrieve=extend_schema(responses=DutyReportDetailSerializer),
)
class DutyReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """书记抓党建述职报告：党委管理员撰写、提交；上级党委审阅（退回修改或审阅通过）。"""

    serializer_class = DutyReportSerializer
    queryset = DutyReport.objects.none()
    required = "can_read_duty_reports"

    def get_queryset(self):
        return self.scope.duty_reports()

    def get_serializer_class(self):
        return DutyReportSerializer if self.action == "list" else DutyReportDetailSerializer

    def keyset_order(self):
        return ("id", True)

    def list(self, request, *args, **kwargs):
        waiting = parse_flag(request.query_params, "waiting", "待我审阅")
        rows_ = self.scope.duty_reports_waiting() if waiting else self.get_queryset()
        page = self.paginate_queryset(rows_)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _detail(self, report: DutyReport, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(DutyReportDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _writable(self) -> DutyReport:
        report = self.get_object()
        if not self.scope.may_write_duty_report(report):
            raise PermissionDenied("只有述职党委的管理员修改述职报告")
        return report

    @extend_schema(request=DutyCreateSerializer, responses={201: DutyReportDetailSerializer})
    def create(self, request):
        """新建述职报告（党委管理员，为本党委和一个年度）：建立时提取平台数据。"""
        nodes = self.scope.duty_report_nodes()
        if not nodes.exists():
            raise PermissionDenied("只有党委管理员为本党委撰写述职报告")
        d = self.body(DutyCreateSerializer)
        node = nodes.filter(pk=d["node"]).first() if "node" in d else nodes.first()
        if node is None:
            raise ValidationError({"node": ["述职党委：只能为您任职的党委撰写述职报告"]})
        with service_errors():
            report = services.create(request.user, node, str(d["year"]))
        return self._detail(report, status.HTTP_201_CREATED)

    @extend_schema(request=DutyTextSerializer, responses=DutyReportDetailSerializer)
    def partial_update(self, request, pk=None):
        """修改文字（草稿或退回修改时）：所给字段替换原值，按富文本规则清理。"""
        report = self._writable()
        d = self.body(DutyTextSerializer, partial=True)
        with service_errors():
            services.update_text(request.user, report, d)
        return self._detail(report)

    @extend_schema(request=None, responses=DutyReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """更新平台数据（草稿或退回修改时；提交后不能更新）。"""
        report = self._writable()
        with service_errors():
            services.refresh(request.user, report)
        return self._detail(report)

    @extend_schema(request=None, responses=DutyReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交上级党委审阅：此后平台数据不再变化。"""
        report = self._writable()
        with service_errors():
            services.submit(request.user, report)
        return self._detail(report)

    @extend_schema(request=DutyReviewInSerializer, responses=DutyReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """审阅（上级党委的管理员）：approve 审阅通过，return 退回修改（须写明原因）。"""
        report = self.get_object()
        if not self.scope.may_review_duty_report(report):
            raise PermissionDenied("只有上级党委审阅述职报告")
        d = self.body(DutyReviewInSerializer)
        with service_errors():
            services.review(request.user, report, d["decision"], d.get("comment", ""))
        return self._detail(report)

    @extend_schema(responses=WORD_RESPONSES)
    @action(detail=True, methods=["get"])
    def word(self, request, pk=None):
        """下载述职报告（Word，A4：平台数据表、文字和签字栏）。"""
        report = self.get_object()
        return word_file(file_name(report), services.word_file(request.user, report))


def register(router) -> None:
    router.register("duty-reports", DutyReportViewSet, basename="duty-report")
