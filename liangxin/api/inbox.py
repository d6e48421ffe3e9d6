"""The caller's own notices: list (unread first if asked) and mark read."""

from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from liangxin.inbox import services
from liangxin.inbox.models import Notice

from .base import ScopedViewSet


class NoticeSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "kind", "kind_display", "title", "body", "url", "created_at", "read_at"]


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """站内消息：本人的消息（他人的消息不可见）。?unread=1 只看未读。"""

    serializer_class = NoticeSerializer
    queryset = Notice.objects.none()  # the schema's model; requests read the caller's own (get_queryset)
    required = None  # every signed-in user has an inbox

    def get_queryset(self):
        qs = Notice.objects.filter(recipient=self.request.user)
        if self.request.query_params.get("unread") == "1":
            qs = qs.filter(read_at__isnull=True)
        return qs

    def keyset_order(self):
        return ("id", True)

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = self.get_object()
        services.mark_read(request.user, [notice.pk])
        notice.refresh_from_db()
        return Response(NoticeSerializer(notice).data)
