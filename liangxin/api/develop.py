"""发展党员 API: applicants (list, create, read, correct), their steps (one POST per step, refused
with Chinese reasons), the pipeline counts per party organization, and the yearly plans."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from liangxin.core.params import parse_int
from liangxin.develop import queries, rules, services, steps
from liangxin.develop.models import Applicant, ApplicantStep, Quota
from liangxin.develop.validation import APPLICANT_FIELDS
from liangxin.orgs.models import Organization
from liangxin.party.models import PartyOrganization
from liangxin.party.validation import clean_id_number

from .base import ScopedViewSet
from .errors import cleaned

STEP_DATES = ["talked_on", "activist_on", "candidate_on", "introducers_on", "reviewed_on", "trained_on"]
STEP_DATES += ["publicized_on", "prereviewed_on", "voted_on", "approved_on", "oath_on", "extension_months"]
STEP_DATES += ["probation_end", "full_on", "stopped_on", "stop_reason"]


class ApplicantSerializer(serializers.ModelSerializer):
    """``id_number`` is write-only (responses carry ``id_masked``); the steps' dates are read-only:
    they change only through ``POST …/steps/``."""

    id_number = serializers.CharField(write_only=True, required=False)
    party_org = serializers.PrimaryKeyRelatedField(queryset=PartyOrganization.objects.all())
    employer = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    party_org_name = serializers.CharField(source="party_org.name", read_only=True)
    waiting_for_approval = serializers.BooleanField(read_only=True)

    class Meta:
        model = Applicant
        fields = ["id", "id_number", "id_masked", "birth_date", "sex", *APPLICANT_FIELDS, "party_org_name", "stage"]
        fields += ["stage_display", "waiting_for_approval", *STEP_DATES, "contacts", "introducers", "member"]
        read_only_fields = ["id_masked", "birth_date", "sex", "stage", *STEP_DATES, "contacts", "introducers"]
        read_only_fields += ["member"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = self.context.get("scope")
        if scope is not None:
            self.fields["party_org"].queryset = scope.party_orgs("view")
            self.fields["employer"].queryset = scope.organizations("view")

    def validate_id_number(self, value):
        return cleaned(clean_id_number, value)

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": ["公民身份号码不能为空"]})
        return attrs


class StepSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ApplicantStep
        fields = ["id", "kind", "kind_display", "on", "passed", "facts", "warnings", "actor_name", "created_at"]


class StepResultSerializer(serializers.Serializer):
    """What recording a step answers: whether it passed, its warnings, the step and the applicant after it."""

    passed = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())
    step = StepSerializer()
    applicant = ApplicantSerializer()


STEP_HELP = "；".join(
    f"{kind}（{rules.label(kind)}）：" + "、".join(f"{i.name}（{i.label}）" for i in inputs)
    for kind, inputs in steps.FIELDS.items()
)
APPLICANT_FILTERS = [
    OpenApiParameter("stage", OpenApiTypes.STR, description="阶段：applicant / activist / candidate / waiting（待审批）"
                     " / probationary / extended（延长预备期）/ full / stopped；不填为全部（不含已终止）"),
    OpenApiParameter("party_org", OpenApiTypes.INT, description="党组织编号"),
    OpenApiParameter("node", OpenApiTypes.INT, description="党委（管理节点）编号，含下级"),
    OpenApiParameter("approved", OpenApiTypes.INT, description="审批接收年度"),
    OpenApiParameter("q", OpenApiTypes.STR, description="姓名，或完整公民身份号码（精确匹配）"),
]  # fmt: skip


def _refused(refused: services.Refused, kind: str = "") -> Response:
    head = f"不能办理「{rules.label(kind)}」：" if kind in steps.FIELDS else "未保存："
    return Response({"detail": head + "；".join(refused.messages), "errors": refused.errors}, status=400)


@extend_schema_view(list=extend_schema(parameters=APPLICANT_FILTERS))
class ApplicantViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """发展党员：按权限范围查询、登记、修改基本信息；各环节通过 ``POST /steps/`` 办理。"""

    serializer_class = ApplicantSerializer
    required = "can_read_party"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no scope
            return Applicant.objects.none()
        if self.action == "list":
            qs, _, _ = queries.filtered(self.scope, self.request.query_params)
        else:
            qs = queries.applicants(self.scope)
        return qs.prefetch_related("contacts", "introducers")

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            if not queries.applicants(self.scope, "change").filter(pk=obj.pk).exists():
                raise PermissionDenied
        return obj

    def keyset_order(self):
        return ("id", True)

    def create(self, request, *args, **kwargs):
        if not self.scope.can_edit_party:
            raise PermissionDenied  # before validation, so a reader learns nothing from error bodies
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        number = values.pop("id_number")
        try:
            applicant = services.register(request.user, self.scope, values, number)
        except services.Refused as refused:
            return _refused(refused)
        return Response(self.get_serializer(applicant).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        applicant = self.get_object()
        serializer = self.get_serializer(applicant, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        number = values.pop("id_number", None)
        try:
            applicant = services.update(request.user, self.scope, applicant, values, number)
        except services.Refused as refused:
            return _refused(refused)
        return Response(self.get_serializer(applicant).data)

    @extend_schema(
        methods=["GET"], responses={200: StepSerializer(many=True)}, description="环节记录（全部，不分页）。"
    )
    @extend_schema(
        methods=["POST"],
        request=OpenApiTypes.OBJECT,
        responses={201: StepResultSerializer, 400: OpenApiTypes.OBJECT},
        description='办理一个环节，请求体 {"step": 环节, 各项内容}；不符合条件时返回 400 '
        "和中文原因（detail、errors）；表决未达到人数要求时记为未通过（passed=false）。环节与内容：" + STEP_HELP,
    )
    @action(detail=True, methods=["get", "post"], url_path="steps", pagination_class=None)
    def steps(self, request, pk=None):
        applicant = self.get_object()
        if request.method == "GET":
            return Response(StepSerializer(applicant.steps.all(), many=True).data)
        kind = str(request.data.get("step", ""))
        try:
            done = services.record_step(request.user, self.scope, applicant, kind, request.data)
        except services.Refused as refused:
            return _refused(refused, kind)
        body = {
            "passed": done.passed, "warnings": done.warnings, "step": StepSerializer(done.step).data,
            "applicant": ApplicantSerializer(done.applicant, context=self.get_serializer_context()).data,
        }  # fmt: skip
        return Response(body, status=status.HTTP_201_CREATED)


class PipelineViewSet(ScopedViewSet):
    """发展党员统计：权限范围内各党组织各阶段人数（``lists`` 为每个数字背后的名单）。"""

    required = "can_read_party"
    pagination_class = None
    page_size = 200

    @extend_schema(
        parameters=[
            OpenApiParameter("node", OpenApiTypes.INT, description="党委（管理节点）编号，含下级"),
            OpenApiParameter("page", OpenApiTypes.INT, description="页码（每页 200 个党组织）"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        node = None
        if request.query_params.get("node"):
            node = queries.find_node(self.scope, request.query_params["node"])
            if node is None:
                raise NotFound
        rows, totals = queries.pipeline(self.scope, node)
        page = Paginator(rows, self.page_size).get_page(request.query_params.get("page"))
        base = reverse("develop-applicant-list")
        suffix = f"&node={node.pk}" if node else ""
        return Response({
            "node": node.pk if node else None,
            "columns": {key: label for key, label, _ in queries.COLUMNS},
            "totals": totals,
            "total_lists": {key: f"{base}?stage={key}{suffix}" for key, _, _ in queries.COLUMNS},
            "count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "results": [_pipeline_row(r, base) for r in page],
        })  # fmt: skip


def _pipeline_row(row: dict, base: str) -> dict:
    pk = row["party_org_id"]
    return {
        "party_org": pk,
        "party_org_name": row["party_org__node__name"],
        "counts": {key: row[key] for key, _, _ in queries.COLUMNS},
        "lists": {key: f"{base}?party_org={pk}&stage={key}" for key, _, _ in queries.COLUMNS},
    }


class QuotaSerializer(serializers.ModelSerializer):
    node_name = serializers.CharField(source="node.name", read_only=True)
    used = serializers.SerializerMethodField(help_text="该年已审批接收的预备党员（含下级）")

    class Meta:
        model = Quota
        fields = ["id", "node", "node_name", "year", "quota", "used"]
        validators = []  # (node, year) is an upsert: set_quota replaces an existing plan

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = self.context.get("scope")
        if scope is not None:
            self.fields["node"].queryset = queries.committee_choices(scope)

    def get_used(self, obj) -> int:
        return services.used(obj.node, obj.year)

    def validate_year(self, value):
        this = timezone.localdate().year
        if abs(value - this) > 50:
            raise serializers.ValidationError(f"年度应在 {this - 50}–{this + 50} 之间")
        return value


class QuotaViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """发展党员计划（总量控制）：党委每年接收预备党员的计划数；由该党委或上级党委的管理员设定（同一党委同一年度再次提交即修改）。"""

    serializer_class = QuotaSerializer
    required = "can_read_registry"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Quota.objects.none()
        qs = queries.quotas(self.scope)
        year = parse_int(self.request.query_params, "year", "年度", minimum=1900, maximum=9999)
        return qs if year is None else qs.filter(year=year)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not self.scope.can_edit_node(obj.node):
            raise PermissionDenied
        return obj

    def create(self, request, *args, **kwargs):
        if not self.scope.can_edit_registry:
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        row, warning = services.set_quota(request.user, self.scope, d["node"], d["year"], d["quota"])
        return Response({**self.get_serializer(row).data, "warning": warning}, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        row = self.get_object()
        serializer = self.get_serializer(row, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        if d.get("node", row.node) != row.node or d.get("year", row.year) != row.year:
            raise ValidationError({"node": ["不能修改计划的党委或年度，请新建该党委该年度的计划"]})
        row, warning = services.set_quota(request.user, self.scope, row.node, row.year, d.get("quota", row.quota))
        return Response({**self.get_serializer(row).data, "warning": warning})


def register(router) -> None:
    """Register this module's viewsets on the API router."""
    router.register("develop/applicants", ApplicantViewSet, basename="develop-applicant")
    router.register("develop/pipeline", PipelineViewSet, basename="develop-pipeline")
    router.register("develop/quotas", QuotaViewSet, basename="develop-quota")
