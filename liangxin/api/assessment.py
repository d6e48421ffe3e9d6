"""考核评估 — 指标体系 API: ``/api/v1/assessment/indicator-sets/`` (list, read with its versions),
``/api/v1/assessment/versions/{id}/`` (a version's indicator tree), and for the city administrator
the pages' changes through the same ``assessment.services``: ``versions/{id}/indicators/`` (add),
``versions/{id}/publish/``, ``versions/{id}/new-draft/``, ``indicators/{id}/`` (PATCH, DELETE),
``indicators/{id}/move/``; and ``indicators/{id}/preview/`` (试算: a computed leaf's measure and score
for one subject of the caller's subtree). A published version answers every change with 400."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from liangxin.assessment import queries, services
from liangxin.assessment.models import Indicator, IndicatorSet, IndicatorVersion
from liangxin.core.params import parse_id

from .base import NOT_FOUND, ScopedViewSet
from .errors import service_errors


class VersionBriefSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = IndicatorVersion
        fields = ["id", "number", "status_display", "note", "based_on", "created_at", "published_at"]
        read_only_fields = fields


class IndicatorSetSerializer(serializers.ModelSerializer):
    subject_kind_display = serializers.CharField(source="get_subject_kind_display", read_only=True)
    versions = VersionBriefSerializer(many=True, read_only=True)

    class Meta:
        model = IndicatorSet
        fields = ["id", "code", "name", "subject_kind_display", "description", "source", "versions"]
        read_only_fields = fields


def _row(row: queries.Row) -> dict:
    item = row.indicator
    return {
        "id": item.pk, "number": row.number, "name": item.name, "description": item.description,
        "weight": f"{item.weight:.2f}", "is_leaf": row.is_leaf, "method": item.method, "measure": item.measure,
        "measure_label": row.measure_label, "rule_kind": item.rule_kind, "rule_params": item.rule_params,
        "rule_text": row.rule_text, "note_required": item.note_required, "evidence_allowed": item.evidence_allowed,
        "item_source": item.item_source, "weight_source": item.weight_source,
        "children": [_row(child) for child in row.children],
    }  # fmt: skip


class VersionSerializer(VersionBriefSerializer):
    set_name = serializers.CharField(source="indicator_set.name", read_only=True)
    indicators = serializers.SerializerMethodField(help_text="指标树：每个指标含 children（下级指标）")

    class Meta(VersionBriefSerializer.Meta):
        fields = [*VersionBriefSerializer.Meta.fields, "indicator_set", "set_name", "indicators"]
        read_only_fields = fields

    def get_indicators(self, version) -> list[dict]:
        return [_row(row) for row in queries.tree(version)]


class IndicatorInSerializer(serializers.Serializer):
    """An indicator's fields; every rule is ``assessment.services.clean_indicator``'s."""

    parent = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    name = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="指标名称")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000, help_text="评分说明")
    weight = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="权重（同级合计 100）")
    method = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="computed / scored")
    measure = serializers.CharField(required=False, allow_blank=True, max_length=60, help_text="平台指标代码")
    rule_kind = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="pass_fail / bands / linear / scale"
    )
    rule_params = serializers.JSONField(required=False, help_text="规则参数")
    note_required = serializers.BooleanField(required=False, help_text="须填写说明")
    evidence_allowed = serializers.BooleanField(required=False, help_text="可上传佐证材料")
    item_source = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="指标出处")
    weight_source = serializers.CharField(required=False, allow_blank=True, max_length=400, help_text="权重出处")


class IndicatorOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id", "version", "parent", "order", "name", "description", "weight", "method", "measure", "rule_kind",
            "rule_params", "note_required", "evidence_allowed", "item_source", "weight_source",
        ]  # fmt: skip
        read_only_fields = fields


class DraftInSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="版本说明")


class MoveSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=[-1, 1], help_text="-1 上移，1 下移")


class PreviewSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    subject = serializers.IntegerField(help_text="评估对象（管理节点编号）")
    subject_name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    measure_label = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, help_text="平台指标值")
    share = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="得分率（%，满分 100）")


class IndicatorSetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """指标体系：市、区、街道（镇）和行业党委的管理员及审计/巡查查阅；市级管理员维护。"""

    serializer_class = IndicatorSetSerializer
    queryset = IndicatorSet.objects.none()
    required = "can_read_indicator_sets"

    def get_queryset(self):
        return queries.sets_with_versions(self.scope.indicator_sets())


class VersionViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """指标体系的版本及其指标树；草稿可修改，发布后不再改变（修改须由它新建草稿）。"""

    serializer_class = VersionSerializer
    queryset = IndicatorVersion.objects.none()
    required = "can_read_indicator_sets"

    def get_queryset(self):
        return IndicatorVersion.objects.filter(indicator_set__in=self.scope.indicator_sets()).select_related(
            "indicator_set"
        )

    def _editable(self) -> IndicatorVersion:
        if not self.scope.can_edit_indicator_sets:
            raise PermissionDenied("指标体系由市级管理员维护，您只能查看")
        return self.get_object()

    def _detail(self, version: IndicatorVersion, code=status.HTTP_200_OK) -> Response:
        return Response(VersionSerializer(self.get_queryset().get(pk=version.pk)).data, status=code)

    @extend_schema(request=IndicatorInSerializer, responses={201: IndicatorOutSerializer})
    @action(detail=True, methods=["post"])
    def indicators(self, request, pk=None):
        """新增指标（草稿版本；parent 为上级指标编号，缺省为一级指标）。"""
        version = self._editable()
        d = self.body(IndicatorInSerializer)
        parent = None
        if d.get("parent"):
            parent = Indicator.objects.filter(version=version, pk=d["parent"]).first()
            if parent is None:
                raise serializers.ValidationError({"parent": ["上级指标：不属于本版本"]})
        with service_errors():
            item = services.add_indicator(request.user, version, d, parent)
        return Response(IndicatorOutSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=VersionSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """发布（检查同级指标权重合计为 100、每个末级指标的取值方式和评分规则）；发布后不再改变。"""
        version = self._editable()
        with service_errors():
            services.publish(request.user, version)
        return self._detail(version)

    @extend_schema(request=DraftInSerializer, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"], url_path="new-draft")
    def new_draft(self, request, pk=None):
        """由已发布的版本新建草稿（复制其全部指标；同一指标体系同时只有一个草稿）。"""
        version = self._editable()
        d = self.body(DraftInSerializer)
        with service_errors():
            draft = services.new_draft(request.user, version, d.get("note", ""))
        return self._detail(draft, status.HTTP_201_CREATED)


PREVIEW_PARAMS = [
    OpenApiParameter("subject", OpenApiTypes.INT, description="评估对象（管理节点编号，须在本人管辖范围内）"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="起始日期（缺省为今年 1 月 1 日）"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="截止日期（缺省为今天）"),
]


class IndicatorViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """指标：查阅；市级管理员修改、删除、调整顺序（仅草稿版本）；平台计算的指标可试算。"""

    serializer_class = IndicatorOutSerializer
    queryset = Indicator.objects.none()
    required = "can_read_indicator_sets"

    def get_queryset(self):
        return Indicator.objects.filter(version__indicator_set__in=self.scope.indicator_sets()).select_related(
            "version__indicator_set"
        )

    def _editable(self) -> Indicator:
        if not self.scope.can_edit_indicator_sets:
            raise PermissionDenied("指标体系由市级管理员维护，您只能查看")
        return self.get_object()

    @extend_schema(request=IndicatorInSerializer, responses=IndicatorOutSerializer)
    def partial_update(self, request, pk=None):
        """修改指标（草稿版本）：所给字段替换原值。"""
        item = self._editable()
        d = self.body(IndicatorInSerializer, partial=True)
        current = {k: getattr(item, k) for k in services.FIELDS}
        with service_errors():
            item = services.update_indicator(request.user, item, {**current, **d})
        return Response(IndicatorOutSerializer(item).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        """删除指标及其全部下级指标（草稿版本）。"""
        item = self._editable()
        with service_errors():
            services.remove_indicator(request.user, item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MoveSerializer, responses=IndicatorOutSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """在同级指标中上移（-1）或下移（1）。"""
        item = self._editable()
        d = self.body(MoveSerializer)
        with service_errors():
            services.move_indicator(request.user, item, int(d["step"]))
        return Response(IndicatorOutSerializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(parameters=PREVIEW_PARAMS, responses=PreviewSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """试算：平台计算的末级指标对一个评估对象在一段期间内的指标值和得分率。"""
        item = self.get_object()
        if not queries.can_preview(item):
            raise serializers.ValidationError({"indicator": ["该指标不是平台计算的指标，不能试算"]})
        start, end = queries.period(request.query_params)
        subject_id = parse_id(request.query_params, "subject", "评估对象")
        if subject_id is None:
            raise serializers.ValidationError({"subject": ["评估对象：请选择"]})
        kind = item.version.indicator_set.subject_kind
        subject = self.scope.assessment_subjects(kind).filter(pk=subject_id).first()
        if subject is None:
            raise NotFound(f"评估对象{NOT_FOUND}")
        found = queries.preview(item, subject, start, end)
        return Response(
            PreviewSerializer(
                {
                    "indicator": item.pk,
                    "subject": subject.pk,
                    "subject_name": subject.name,
                    "start": start,
                    "end": end,
                    "measure_label": found.measure_label,
                    "value": found.value,
                    "share": found.share,
                }  # fmt: skip
            ).data
        )


def register(router) -> None:
    router.register("assessment/indicator-sets", IndicatorSetViewSet, basename="assessment-set")
    router.register("assessment/versions", VersionViewSet, basename="assessment-version")
    router.register("assessment/indicators", IndicatorViewSet, basename="assessment-indicator")
