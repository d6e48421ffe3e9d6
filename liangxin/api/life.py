"""组织生活 API: meetings (list, create, read, update, files), a party organization's compliance
grid per year, and the roll-up for upper committees. Scope, validation and services are the
pages' own (``liangxin.life``): outside scope is 404, visible but not changeable 403, bad input
400 with Chinese messages naming the field."""

import datetime

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from liangxin.core import files
from liangxin.core.params import parse_id
from liangxin.life import attachments, compliance, queries, services
from liangxin.life.choices import MeetingKind
from liangxin.life.models import Attachment, Attendance, Meeting

from .base import ScopedViewSet
from .errors import service_errors


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "status_display", "reason"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at"]


@extend_schema_field(
    {"type": "string", "nullable": True, "pattern": r"^[0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
     "example": "14:30:00", "description": "时:分[:秒]，当地时间，不带时区"}
)  # fmt: skip
class ClockTimeField(serializers.TimeField):
    """A time of day without a zone. OpenAPI's ``format: time`` (RFC 3339) demands an offset that a
    meeting's start time never has, so the document says what is sent: a pattern."""


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting as read. To write, send the same fields (``attendance`` as a list of
    ``{"member", "status", "reason"}``); ``status`` planned → held needs the attendance."""

    party_org_name = serializers.CharField(source="party_org.node.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    start_time = ClockTimeField(allow_null=True, required=False)

    class Meta:
        model = Meeting
        fields = [
            "id", "party_org", "party_org_name", "kind", "kind_display", "status", "status_display", "date",
            "start_time", "topic", "place", "minutes", "cancel_reason", "attendance", "attachments", "created_at",
            "updated_at",
        ]  # fmt: skip


def _fail(errors: dict[str, str]):
    raise ValidationError({k: [v] for k, v in errors.items()})


def parse_payload(data, partial: bool) -> tuple[dict, list | None]:
    """Values and attendance from a JSON body, with the pages' messages for unreadable values."""
    values, errors = {}, {}
    for name in ("kind", "status", "topic", "place", "minutes", "cancel_reason"):
        if name in data:
            values[name] = "" if data[name] is None else str(data[name])
    if "date" in data or not partial:
        try:
            values["date"] = datetime.date.fromisoformat(str(data.get("date") or ""))
        except ValueError:
            errors["date"] = "会议日期：请填写有效日期（如 2025-03-31）"
    if "start_time" in data:
        raw = data.get("start_time")
        try:
            values["start_time"] = datetime.time.fromisoformat(str(raw)) if raw else None
        except ValueError:
            errors["start_time"] = "开始时间：格式应为 时:分（如 14:30）"
    attendance = data.get("attendance")
    if attendance is not None and (
        not isinstance(attendance, list) or not all(isinstance(row, dict) for row in attendance)
    ):
        errors["attendance"] = "出席情况：应为列表，每项含 member、status、reason"
    if errors:
        _fail(errors)
    return values, attendance


# a download is sent as the type its content was checked to be
ATTACHMENT_RESPONSES = {(200, kind.content_type): OpenApiTypes.BINARY for kind in attachments.TYPES}
FILES = {"type": "array", "items": {"type": "string", "format": "binary"}}
UPLOAD_SCHEMA = {"type": "object", "properties": {"files": FILES}}
MEETING_FILTERS = [
    OpenApiParameter("party_org", OpenApiTypes.INT, description="党组织编号"),
    OpenApiParameter("kind", OpenApiTypes.STR, description="会议类型：" + " / ".join(MeetingKind.values)),
    OpenApiParameter("status", OpenApiTypes.STR, description="状态：planned / held / cancelled"),
    OpenApiParameter("year", OpenApiTypes.INT, description="年度"),
    OpenApiParameter("q", OpenApiTypes.STR, description="主题包含"),
]  # fmt: skip


@extend_schema_view(list=extend_schema(parameters=MEETING_FILTERS))
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """组织生活会议：按权限范围查询、安排（计划召开，通知党员）、登记已召开（含出席情况）、修改。"""

    serializer_class = MeetingSerializer
    required = "can_read_party"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema: no user, no scope
            return Meeting.objects.none()
        qs = self.scope.meetings().prefetch_related("attendance__member", "attachments")
        if self.action != "list":
            return qs
        try:
            qs, _ = queries.filtered_meetings(self.scope, self.request.query_params, timezone.localdate())
        except queries.BadParameter as exc:
            raise ValidationError({exc.field: [str(exc)]}) from None
        return qs.prefetch_related("attendance__member", "attachments")

    def keyset_order(self):
        return ("id", True)

    def _changeable(self, meeting: Meeting) -> Meeting:
        if not self.scope.acts_for(meeting.party_org):
            raise PermissionDenied
        return meeting

    def create(self, request, *args, **kwargs):
        if not self.scope.can_edit_party:
            raise PermissionDenied  # before validation, so a reader learns nothing from error bodies
        raw = str(request.data.get("party_org") or "")
        if not raw.isdigit():
            _fail({"party_org": "党组织：请指定党组织编号"})
        party_org = self.scope.party_orgs("view").filter(pk=raw, node__is_active=True).first()
        if party_org is None:
            raise Http404
        if not self.scope.acts_for(party_org):
            raise PermissionDenied
        values, attendance = parse_payload(request.data, partial=False)
        with service_errors():
            meeting = services.create_meeting(request.user, party_org, values, attendance=attendance)
        data = self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        meeting = self._changeable(self.get_object())
        values, attendance = parse_payload(request.data, partial=kwargs.get("partial", False))
        with service_errors():
            services.update_meeting(request.user, meeting, values, attendance=attendance)
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request={"multipart/form-data": UPLOAD_SCHEMA}, responses={201: AttachmentSerializer(many=True)})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """上传附件（照片 JPEG/PNG 或 PDF；按文件内容检查类型，有大小上限）。"""
        meeting = self._changeable(self.get_object())
        with service_errors():
            stored = services.add_attachments(request.user, meeting, request.FILES.getlist("files"))
        return Response(AttachmentSerializer(stored, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ATTACHMENT_RESPONSES)
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)", url_name="attachment")
    def attachment(self, request, pk=None, attachment_pk=None):
        """下载附件。"""
        meeting = self.get_object()
        found = meeting.attachments.filter(pk=attachment_pk).first()
        if found is None:
            raise Http404
        return files.download(attachments.path_of(found.stored_name), found.name, found.content_type)


def _year(params) -> int:
    try:
        return queries.parse_year(params.get("year"), timezone.localdate())
    except queries.BadParameter as exc:
        raise ValidationError({exc.field: [str(exc)]}) from None


class ComplianceViewSet(ScopedViewSet):
    """三会一课达标：一个党组织一年的日历表（行：会议类型；列：月份），及已超期未召开的会议。"""

    required = "can_read_party"
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("party_org", OpenApiTypes.INT, required=True, description="党组织编号"),
            OpenApiParameter("year", OpenApiTypes.INT, description="年度（缺省为今年）"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        pk = parse_id(request.query_params, "party_org", "党组织")
        if pk is None:
            _fail({"party_org": "党组织：请指定党组织编号（party_org）"})
        party_orgs = self.scope.party_orgs("view").filter(pk=pk)
        facts = compliance.org_facts(party_orgs)
        if not facts:
            raise Http404
        year = _year(request.query_params)
        return Response(compliance.grid_as_dict(compliance.grid(facts[0], year, timezone.localdate())))


class RollupViewSet(ScopedViewSet):
    """组织生活达标统计：所选管理节点的每个下级单位的党组织数、已有到期要求数、达标数、未达标数和达标率；
    加 ``state``（all / assessed / compliant / missing / pending）则同时列出该类党组织。"""

    required = "can_read_registry"
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("node", OpenApiTypes.INT, description="管理节点编号（缺省为本人所在节点）"),
            OpenApiParameter("year", OpenApiTypes.INT, description="年度（缺省为今年）"),
            OpenApiParameter("period", OpenApiTypes.STR, description="期间：空（全年）、q1–q4、m1–m12"),
            OpenApiParameter("state", OpenApiTypes.STR, description="列出党组织：" + " / ".join(compliance.ORG_STATES)),
            OpenApiParameter("own_only", OpenApiTypes.BOOL, description="只列该节点本身的党组织（与 state 同用）"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )  # fmt: skip
    def list(self, request):
        params, today = request.query_params, timezone.localdate()
        unit = queries.rollup_unit(self.scope, params.get("node"))
        if unit is None:
            raise Http404
        try:
            q = queries.parse_window(params, today)
        except queries.BadParameter as exc:
            raise ValidationError({exc.field: [str(exc)]}) from None
        state = (params.get("state") or "").strip()
        if state and state not in compliance.ORG_STATES:
            _fail({"state": f"类别：「{state}」无效，应为 {'、'.join(compliance.ORG_STATES)} 之一"})
        visible = self.scope.party_orgs("view")
        rows, total = compliance.rollup(visible, unit, q["year"], q["period"], today)
        data = {
            "node": {"id": unit.pk, "name": unit.name}, "year": q["year"], "period": q["period"],
            "period_label": q["label"], "as_of": today,
            "rows": [compliance.rollup_row_as_dict(r) for r in rows], "total": compliance.rollup_row_as_dict(total),
        }  # fmt: skip
        if state:
            chosen = visible.filter(node__is_active=True)
            own_only = params.get("own_only") in ("1", "true", "True")
            chosen = chosen.filter(node=unit) if own_only else compliance.in_subtree(chosen, unit)
            items = compliance.assessments(chosen, q["year"], q["period"], today)
            items = [a for a in items if compliance.in_state(a, state)]
            data["party_orgs"] = [compliance.assessment_as_dict(a) for a in items]
        return Response(data)


def register(router) -> None:
    """Register this module's viewsets on the API router."""
    router.register("life/meetings", MeetingViewSet, basename="life-meeting")
    router.register("life/compliance", ComplianceViewSet, basename="life-compliance")
    router.register("life/rollup", RollupViewSet, basename="life-rollup")
