"""信息群发 over the API: the sender's messages (draft, preview the reach, send or 签发, recall,
remind, progress) and the recipient's received messages (read, reply). The same services as the
pages (``messaging.compose``); the same scope (``scope.messages``). A draft's attachments are
uploaded as multipart/form-data (``files``) and read back at ``…/attachments/{id}/``."""

from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from liangxin.core import attachments, files
from liangxin.messaging import compose, content, services
from liangxin.messaging.choices import ChannelKind, DeliveryState, ReplyKind, Urgency
from liangxin.messaging.models import Delivery, Message, MessageAttachment
from liangxin.messaging.targets import Target
from liangxin.messaging.tasks import start

from .base import ScopedViewSet
from .errors import service_errors


class MessageAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageAttachment
        fields = ["id", "name", "content_type", "size"]
        read_only_fields = fields


UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
}
FILE_RESPONSES = {(200, kind.content_type): OpenApiTypes.BINARY for kind in attachments.DOCUMENT_TYPES}


def _download(message: Message, attachment_pk):
    found = message.attachments.filter(pk=attachment_pk).first()
    if found is None:
        raise NotFound
    return files.download(
        attachments.path_of(found.stored_name, compose.ATTACHMENT_FOLDER), found.name, found.content_type
    )


class MessageSerializer(serializers.ModelSerializer):
    attachments = MessageAttachmentSerializer(many=True, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    sender_name = serializers.CharField(source="sender.display_name", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id", "title", "body", "node", "node_name", "sender_name", "state", "state_display", "urgency",
            "reply_kind", "target", "channels", "scheduled_at", "created_at", "sent_at", "approved_at",
            "recalled_at", "reminded_at", "attachments",
        ]  # fmt: skip
        read_only_fields = fields


class DraftSerializer(serializers.Serializer):
    node = serializers.IntegerField(required=False, help_text="发送单位（管理节点 ID）；不填即本人的第一个发送单位")
    title = serializers.CharField(max_length=200, help_text="标题")
    body = serializers.CharField(help_text="正文：纯文本（空行分段）或 HTML（只保留段落、加粗、列表、链接）")
    target = serializers.JSONField(
        help_text='发送范围，如 {"nodes": [{"id": 4, "descendants": true}], "people": ["members"], '
        '"organizations": {"coverage": ["none"], "min_employees": 50}}'
    )
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=ChannelKind.choices), required=False, help_text="站内消息总是发送"
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    reply_kind = serializers.ChoiceField(choices=ReplyKind.choices, default=ReplyKind.NONE)
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, help_text="定时发送时间")


class TargetSerializer(serializers.Serializer):
    target = serializers.JSONField(help_text="发送范围（同创建时的 target）")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, help_text="退回理由（退回时必填）")


def _target(data) -> Target:
    if not isinstance(data, dict):
        raise serializers.ValidationError({"target": ["发送范围的格式有误"]})
    with service_errors():
        return Target.from_json(data)


def _progress(message: Message) -> dict:
    counts = services.progress(message.pk)
    by_channel = (
        Delivery.objects.filter(message=message).values("channel")
        .annotate(total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)),
                  replied=Count("pk", filter=Q(replied_at__isnull=False)))
        .order_by("channel")
    )  # fmt: skip
    return {"states": counts, "by_channel": list(by_channel)}


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """群发信息：本单位及下级单位发出的信息（只读），本单位的信息可发送、签发、撤回、提醒未读。"""

    serializer_class = MessageSerializer
    queryset = Message.objects.none()
    required = "can_send_messages"
    scope_method = "messages"

    def keyset_order(self):
        return ("id", True)

    def managed(self) -> Message:
        message = self.get_object()
        if not self.scope.messages("change").filter(pk=message.pk).exists():
            raise PermissionDenied
        return message

    @extend_schema(request=DraftSerializer, responses=MessageSerializer)
    def create(self, request, *args, **kwargs):
        """保存草稿（发送须再调用 send）。发送范围须在本人权限范围内且至少送达一人。"""
        data = self.body(DraftSerializer)
        senders = self.scope.sender_nodes()
        node = senders.filter(pk=data["node"]).first() if data.get("node") else senders.first()
        if node is None:
            raise serializers.ValidationError({"node": ["发送单位：您不能以该单位的名义发送"]})
        target = _target(data["target"])
        with service_errors():
            draft = compose.check_draft(
                data["title"], data["body"], target, data.get("channels") or [], data["urgency"],
                data["reply_kind"], data.get("scheduled_at"),
            )  # fmt: skip
            message = compose.save_draft(request.user, self.scope, node, draft)
        return Response(MessageSerializer(message).data, status=201)

    @extend_schema(request=TargetSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """预览发送范围：送达人数、涉及组织数与前 10 位示例接收人。不保存任何内容。"""
        target = _target(self.body(TargetSerializer)["target"])
        with service_errors():
            found = compose.preview(self.scope, target)
        sample = [{"name": s.name, "description": s.description} for s in found.sample]
        return Response({"people": found.people, "organizations": found.organizations, "sample": sample})

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """发送进度：各状态的投递数，按渠道的已读与回复数。"""
        return Response(_progress(self.get_object()))

    def _step(self, request, do) -> Response:
        message = self.managed()
        with service_errors():
            text = do(message)
        message.refresh_from_db()
        return Response({"detail": text, "message": MessageSerializer(message).data})

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """发送草稿（本单位要求签发时为提交签发）。"""
        return self._step(request, lambda m: compose.submit(request.user, self.scope, m, start=start))

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """签发（本单位另一名管理员）。"""
        return self._step(request, lambda m: compose.approve(request.user, self.scope, m, start=start))

    @extend_schema(request=ReasonSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """退回起草人，须说明理由。"""
        reason = self.body(ReasonSerializer).get("reason", "")
        return self._step(request, lambda m: compose.reject(request.user, self.scope, m, reason))

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        """撤回：尚未阅读的投递不再显示，已读的保留。"""
        return self._step(request, lambda m: f"已撤回 {compose.recall(request.user, m)} 条未读投递")

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        """一键提醒未读人员（每条信息一次）。"""
        return self._step(request, lambda m: f"已提醒未读人员 {compose.remind_unread(request.user, m)} 人")

    @extend_schema(
        request={"multipart/form-data": UPLOAD_SCHEMA}, responses={201: MessageAttachmentSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """为草稿上传附件（PDF、办公文档或图片，按内容核验；字段名 files，可多个）。"""
        message = self.managed()
        with service_errors():
            stored = compose.add_attachments(request.user, message, request.FILES.getlist("files"))
        return Response(MessageAttachmentSerializer(stored, many=True).data, status=201)

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)", url_name="attachment")
    def attachment(self, request, pk=None, attachment_pk=None):
        """下载本信息的附件。"""
        return _download(self.get_object(), attachment_pk)

    @extend_schema(request=None, responses={204: None})
    @attachment.mapping.delete
    def remove_attachment(self, request, pk=None, attachment_pk=None):
        """删除草稿的附件。"""
        message = self.managed()
        if not message.attachments.filter(pk=attachment_pk).exists():
            raise NotFound
        with service_errors():
            compose.remove_attachment(request.user, message, int(attachment_pk))
        return Response(status=204)


class ReceivedSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    sender_node = serializers.CharField(source="message.node.name", read_only=True)
    reply_kind = serializers.CharField(source="message.reply_kind", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "title", "body", "sender_node", "reply_kind", "state", "state_display", "sent_at",
                  "read_at", "replied_at", "reply", "attachments"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(MessageAttachmentSerializer(many=True))
    def get_attachments(self, delivery: Delivery) -> list:
        if delivery.state == DeliveryState.RECALLED:
            return []
        return MessageAttachmentSerializer(delivery.message.attachments.all(), many=True).data

    def get_title(self, delivery: Delivery) -> str:
        return "（已撤回）" if delivery.state == DeliveryState.RECALLED else content.title_for(delivery)

    def get_body(self, delivery: Delivery) -> str:
        return "" if delivery.state == DeliveryState.RECALLED else content.html_for(delivery)


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                  help_text="确认收到：可不填；是否：“是”或“否”；简短回复：200 字以内")  # fmt: skip


class ReceivedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """本人收到的群发信息（站内消息渠道）。读取单条即标为已读。"""

    serializer_class = ReceivedSerializer
    queryset = Delivery.objects.none()
    required = None

    def get_queryset(self):
        return (
            Delivery.objects.filter(user=self.request.user, channel=ChannelKind.INBOX)
            .exclude(state__in=[DeliveryState.QUEUED, DeliveryState.SENDING])
            .select_related("message__node", "member__party_org__node", "organization")
            .prefetch_related("message__attachments")
        )

    def keyset_order(self):
        return ("id", True)

    def retrieve(self, request, *args, **kwargs):
        delivery = self.get_object()
        compose.open_delivery(delivery)
        return Response(ReceivedSerializer(delivery).data)

    @extend_schema(request=ReplySerializer, responses=ReceivedSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """回复（按信息的回复要求）。已撤回的信息不能回复。"""
        delivery = self.get_object()
        answer = self.body(ReplySerializer).get("reply", "")
        with service_errors():
            compose.reply(delivery, answer)
        return Response(ReceivedSerializer(delivery).data)

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)", url_name="attachment")
    def attachment(self, request, pk=None, attachment_pk=None):
        """下载收到的信息的附件（已撤回的信息不再提供）。"""
        delivery = self.get_object()
        if delivery.state == DeliveryState.RECALLED:
            raise NotFound
        return _download(delivery.message, attachment_pk)


def register(router) -> None:
    router.register("messages", MessageViewSet, basename="message")
    router.register("received-messages", ReceivedViewSet, basename="received-message")
