"""党员减少 API: ``/api/v1/member-exits/``.

List (``state``: proposed / returned / approved / reversed, ``kind``, ``year``, ``party_org``,
``q``, ``mine=1``: waiting for the caller's decision), retrieve, create (提出: JSON, or
multipart with ``attachments`` files), and the steps ``POST {id}/approve/``, ``{id}/return/``,
``{id}/reverse/`` (the last two with ``reason``). Same scope and the same services as the
pages (``party.exits``), each step audited; errors in Chinese, ``{"detail", "errors"}``.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from liangxin.party import exits
from liangxin.party.choices import PROPOSABLE_EXIT_KINDS
from liangxin.party.models import MemberExit, MemberExitAttachment

from .base import ScopedViewSet
from .errors import service_errors


class ExitAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberExitAttachment
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at"]


class MemberExitSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    id_masked = serializers.CharField(source="member.id_masked", read_only=True)
    party_org_name = serializers.CharField(source="party_org.node.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    status_label = serializers.CharField(read_only=True)
    approved_node_name = serializers.SerializerMethodField()
    attachments = ExitAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = MemberExit
        fields = [
            "id", "member", "member_name", "id_masked", "party_org", "party_org_name", "kind", "kind_display",
            "state", "state_display", "status_label", "on", "reason", "check_note", "decision_ref", "transfer",
            "proposed_at", "decided_at", "approved_node", "approved_node_name", "return_reason", "reversed_at",
            "reverse_reason", "attachments",
        ]  # fmt: skip
        read_only_fields = fields

    def get_approved_node_name(self, obj) -> str:
        return obj.approved_node.name if obj.approved_node_id else ""


class ExitProposeSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="党员编号")
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in PROPOSABLE_EXIT_KINDS])
    on = serializers.DateField(help_text="减少日期")
    reason = serializers.CharField(max_length=2000)
    check_note = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="自行脱党必填")
    decision_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="开除党籍必填")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="证明材料（PDF/JPEG/PNG，multipart 上传）"
    )


class ExitReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="退回或撤销的原因")


EXIT_FILTERS = [
    OpenApiParameter("state", OpenApiTypes.STR, description="proposed / returned / approved / reversed"),
    OpenApiParameter("kind", OpenApiTypes.STR, description="减少类型"),
    OpenApiParameter("year", OpenApiTypes.STR, description="减少日期的年份"),
    OpenApiParameter("party_org", OpenApiTypes.STR, description="提出时所在党组织编号"),
    OpenApiParameter("q", OpenApiTypes.STR, description="姓名包含"),
    OpenApiParameter("mine", OpenApiTypes.STR, description="1：只看待我审批的"),
]


@extend_schema_view(list=extend_schema(parameters=EXIT_FILTERS))
class MemberExitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """党员减少：党员所在党组织提出，上级党委审批或退回；批准的党委（或其上级）可撤销。记录不删除。"""

    serializer_class = MemberExitSerializer
    queryset = MemberExit.objects.none()  # for the schema; every request uses get_queryset
    required = "can_read_party"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.action == "list":
            qs, _ = exits.filtered_exits(self.scope, self.request.query_params)
        else:
            qs = self.scope.member_exits()
        return qs.prefetch_related("attachments")

    def keyset_order(self):
        return ("id", True)

    @extend_schema(request=ExitProposeSerializer, responses={201: MemberExitSerializer})
    def create(self, request):
        """提出党员减少（党员所在党组织或其上级党委）。"""
        if not self.scope.can_edit_party:
            raise PermissionDenied
        d = dict(self.body(ExitProposeSerializer))
        member = self.body_member(d.pop("member"))
        if not self.scope.may_propose_exit(member):
            raise PermissionDenied("只有党员组织关系所在党组织或其上级党委可以提出党员减少（且党员须在册）")
        files = d.pop("attachments", [])
        with service_errors():
            exit_ = exits.propose(request.user, self.scope, member, d, files)
        return Response(self._read(exit_), status=status.HTTP_201_CREATED)

    def _read(self, exit_) -> dict:
        return MemberExitSerializer(self.scope.member_exits().prefetch_related("attachments").get(pk=exit_.pk)).data

    def _step(self, request, may: str, run):
        exit_ = self.get_object()
        if not getattr(self.scope, may)(exit_):
            raise PermissionDenied("您不是办理这一环节的一方")
        reason = self.body(ExitReasonSerializer).get("reason", "")
        with service_errors():
            exit_ = run(exit_, reason)
        return Response(self._read(exit_))

    @extend_schema(request=None, responses=MemberExitSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """批准（上级党委）：党员不再在册。"""
        return self._step(request, "may_decide_exit", lambda e, _: exits.approve(request.user, self.scope, e))

    @extend_schema(request=ExitReasonSerializer, responses=MemberExitSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_exit(self, request, pk=None):
        """退回（上级党委，须填写原因）。"""
        return self._step(
            request, "may_decide_exit", lambda e, reason: exits.return_exit(request.user, self.scope, e, reason)
        )

    @extend_schema(request=ExitReasonSerializer, responses=MemberExitSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """撤销已批准的党员减少（批准的党委或其上级，须填写原因）：党员恢复在册。"""
        return self._step(
            request, "may_reverse_exit", lambda e, reason: exits.reverse_exit(request.user, self.scope, e, reason)
        )


def register(router) -> None:
    router.register("member-exits", MemberExitViewSet, basename="member-exit")
