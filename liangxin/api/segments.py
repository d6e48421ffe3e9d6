"""常用发送对象 API: ``/api/v1/message-segments/``.

The caller's own segments: list, read, create (``source``: organizations / members / blank_spots /
findings, ``query``: that list's query string, ``name``), delete, and ``GET {id}/preview/``: whom
the segment reaches today within the caller's scope (people, organizations). The same services
and scope as the pages (``messaging.segments``, ``messaging.targets``); errors in Chinese.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from liangxin.messaging import segments
from liangxin.messaging.models import Segment, SegmentSource
from liangxin.messaging.targets import Target, reach

from .base import ScopedViewSet
from .errors import service_errors


class SegmentSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)

    class Meta:
        model = Segment
        fields = ["id", "name", "source", "source_display", "query", "node", "node_name", "created_at"]
        read_only_fields = fields


class SegmentCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="名称")
    source = serializers.ChoiceField(choices=SegmentSource.choices, help_text="来源列表")
    query = serializers.CharField(
        max_length=segments.MAX_QUERY * 2, required=False, allow_blank=True, help_text="该列表的查询字符串"
    )


class SegmentPreviewSerializer(serializers.Serializer):
    people = serializers.IntegerField(help_text="可送达人数")
    organizations = serializers.IntegerField(help_text="涉及组织数")
    refusal = serializers.ListField(child=serializers.CharField(), help_text="不能使用的原因（可用时为空）")


class SegmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ScopedViewSet):
    """常用发送对象：本人保存的列表筛选条件（他人的不可见）；只有可群发信息的用户可用。"""

    serializer_class = SegmentSerializer
    queryset = Segment.objects.none()  # for the schema; every request uses get_queryset
    required = "can_send_messages"

    def get_queryset(self):
        return self.scope.segments()

    def keyset_order(self):
        return ("id", True)

    @extend_schema(request=SegmentCreateSerializer, responses={201: SegmentSerializer})
    def create(self, request):
        """保存常用发送对象（校验筛选条件；分页、排序参数不保存）。"""
        d = self.body(SegmentCreateSerializer)
        with service_errors():
            segment = segments.save_segment(request.user, self.scope, d["source"], d.get("query", ""), d["name"])
        return Response(SegmentSerializer(segment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        """删除本人的常用发送对象。"""
        segment = self.get_object()
        with service_errors():
            segments.delete_segment(request.user, self.scope, segment)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=SegmentPreviewSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """按当前数据、在本人权限范围内重新筛选后可送达的人数与组织数。"""
        segment = self.get_object()
        try:
            resolution = reach(Target(segments=[segment.pk]), self.scope)
        except DjangoValidationError as error:
            return Response({"people": 0, "organizations": 0, "refusal": error.messages})
        return Response({"people": resolution.people, "organizations": resolution.organizations, "refusal": []})


def register(router) -> None:
    router.register("message-segments", SegmentViewSet, basename="message-segment")
