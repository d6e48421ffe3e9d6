"""通知下达 over the API: the notices a user's nodes sent (list, create, read with the figures per
level, 催办) and the notices addressed to the nodes they administer (list, read — which opens it —,
签收, 转发). The same services as the pages (``circulars.services``); the same scope
(``scope.circulars_sent``, ``scope.receipts``). Sending and forwarding take JSON, or
multipart/form-data when they carry attachments (``attachments``, checked by content like the
pages' uploads); each attachment is read back at ``…/attachments/{id}/``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from liangxin.circulars import services, tasks
from liangxin.circulars.choices import AddressMode
from liangxin.circulars.models import Circular, CircularAttachment, CircularReceipt
from liangxin.core import attachments, files
from liangxin.core.params import MAX_ID
from liangxin.mgmt.models import NodeKind

from .base import ScopedViewSet
from .errors import service_errors


class CircularAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CircularAttachment
        fields = ["id", "name", "content_type", "size"]
        read_only_fields = fields


class CircularSerializer(serializers.ModelSerializer):
    node_name = serializers.CharField(source="node.name", read_only=True)
    sender_name = serializers.CharField(source="sender.display_name", read_only=True)
    attachments = CircularAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Circular
        fields = [
            "id", "title", "number", "issuer", "body", "node", "node_name", "sender_name", "deadline", "sent_at",
            "parent", "additions", "attachments",
        ]  # fmt: skip
        read_only_fields = fields


class AddresseesSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=AddressMode.choices, default=AddressMode.CHILDREN,
        help_text="children：直属下级；kinds：下级中某类全部单位；nodes：指定单位",
    )  # fmt: skip
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=NodeKind.choices), required=False, help_text="mode 为 kinds 时的单位类型"
    )
    nodes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
        help_text="mode 为 nodes 时的管理节点 ID（须在发送单位之下）",
    )  # fmt: skip


class CircularCreateSerializer(AddresseesSerializer):
    node = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="发送单位（管理节点 ID）；不填即本人的第一个发文单位"
    )
    title = serializers.CharField(max_length=200, help_text="标题")
    number = serializers.CharField(max_length=60, required=False, allow_blank=True, help_text="文号")
    issuer = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="发文单位；不填即发送单位名称"
    )
    body = serializers.CharField(help_text="正文：纯文本（空行分段）或 HTML（只保留段落、加粗、列表、链接）")
    deadline = serializers.DateField(required=False, allow_null=True, help_text="签收期限")


class ForwardSerializer(AddresseesSerializer):
    additions = serializers.CharField(required=False, allow_blank=True, help_text="转发意见（本单位的贯彻落实要求）")


UPLOAD = serializers.ListField(
    child=serializers.FileField(), required=False,
    help_text="附件（PDF、办公文档或图片，按内容核验；multipart/form-data 上传）",
)  # fmt: skip


class CircularUploadSerializer(CircularCreateSerializer):
    attachments = UPLOAD


class ForwardUploadSerializer(ForwardSerializer):
    attachments = UPLOAD


PARSERS = [JSONParser, MultiPartParser, FormParser]
FILE_RESPONSES = {(200, kind.content_type): OpenApiTypes.BINARY for kind in attachments.DOCUMENT_TYPES}


def _uploads(request) -> list:
    return request.FILES.getlist("attachments") if hasattr(request.data, "getlist") else []


def _download(circular: Circular, attachment_pk) -> object:
    """An attachment of ``circular`` or of a notice it forwards (a receiver reads the whole chain)."""
    ids = [link.pk for link in services.chain(circular)]
    found = CircularAttachment.objects.filter(circular_id__in=ids, pk=attachment_pk).first()
    if found is None:
        raise NotFound
    return files.download(
        attachments.path_of(found.stored_name, services.ATTACHMENT_FOLDER), found.name, found.content_type
    )


class LevelSerializer(serializers.Serializer):
    depth = serializers.IntegerField(help_text="管理体系中的层级（市为 1）")
    label = serializers.CharField(help_text="该层级的单位类型")
    addressed = serializers.IntegerField(help_text="收文单位数")
    opened = serializers.IntegerField(help_text="已阅读")
    signed = serializers.IntegerField(help_text="已签收（含已转发）")
    forwarded = serializers.IntegerField(help_text="已转发")
    not_opened = serializers.IntegerField(help_text="未阅读")
    overdue = serializers.IntegerField(help_text="逾期未签收")


class NodeRowSerializer(serializers.Serializer):
    node = serializers.IntegerField(source="receipt.node_id")
    node_name = serializers.CharField(source="receipt.node.name")
    depth = serializers.IntegerField()
    sent_by = serializers.CharField(help_text="向其下发的单位")
    state = serializers.CharField(source="receipt.state")
    state_display = serializers.CharField(source="receipt.get_state_display")
    opened_at = serializers.DateTimeField(source="receipt.opened_at", allow_null=True)
    signed_at = serializers.DateTimeField(source="receipt.signed_at", allow_null=True)
    forwarded_at = serializers.DateTimeField(source="receipt.forwarded_at", allow_null=True)
    reminded_at = serializers.DateTimeField(source="receipt.reminded_at", allow_null=True)
    overdue = serializers.BooleanField()


class CircularProgressSerializer(serializers.Serializer):
    circular = CircularSerializer()
    levels = LevelSerializer(many=True)
    nodes = NodeRowSerializer(many=True)


class RemindedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    reminded = serializers.IntegerField(help_text="本次催办的单位数")


def _addressees(data: dict) -> services.Addressees:
    return services.Addressees(data["mode"], tuple(data.get("kinds") or ()), tuple(data.get("nodes") or ()))


def _progress(circular: Circular) -> dict:
    found = services.progress_by_level(circular)
    return CircularProgressSerializer({"circular": circular, "levels": found.levels, "nodes": found.nodes}).data


class CircularViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """发文：本单位及下级单位下发、转发的通知（只读），读取单条附各层级签收情况；本单位的通知可催办。"""

    serializer_class = CircularSerializer
    parser_classes = PARSERS
    queryset = Circular.objects.none()
    required = "can_receive_circulars"
    scope_method = "circulars_sent"

    def keyset_order(self):
        return ("id", True)

    @extend_schema(responses=CircularProgressSerializer)
    def retrieve(self, request, *args, **kwargs):
        """通知及其转发树各层级的收文、阅读、签收、转发、未读、逾期单位数，与逐个单位的情况。"""
        return Response(_progress(self.get_object()))

    @extend_schema(
        request={"application/json": CircularCreateSerializer, "multipart/form-data": CircularUploadSerializer},
        responses={201: CircularSerializer},
    )
    def create(self, request, *args, **kwargs):
        """下发通知，可带附件（multipart/form-data）。收文单位须在发送单位之下。"""
        if not self.scope.can_send_circulars:
            raise PermissionDenied  # before validation: a receiver learns nothing from error bodies
        data = self.body(CircularCreateSerializer)
        senders = self.scope.circular_sender_nodes()
        node = senders.filter(pk=data["node"]).first() if data.get("node") else senders.first()
        values = {k: data.get(k, "") for k in ("title", "number", "issuer", "body")} | {
            "deadline": data.get("deadline")
        }
        with service_errors():
            circular = services.send_circular(request.user, senders, node, values, _uploads(request), _addressees(data))
        tasks.start_delivery(circular)
        return Response(CircularSerializer(circular).data, status=201)

    @extend_schema(request=None, responses=RemindedSerializer)
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        """一键催办：转发树中未签收的单位各提醒一次。"""
        circular = self.get_object()
        if not self.scope.circulars_sent("change").filter(pk=circular.pk).exists():
            raise PermissionDenied
        with service_errors():
            count = services.remind_overdue(request.user, circular)
        return Response({"detail": f"已催办 {count} 个单位", "reminded": count})

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)", url_name="attachment")
    def attachment(self, request, pk=None, attachment_pk=None):
        """下载通知（及其所转发通知）的附件。"""
        return _download(self.get_object(), attachment_pk)


class ReceiptSerializer(serializers.ModelSerializer):
    circular = CircularSerializer(read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = CircularReceipt
        fields = [
            "id", "circular", "node", "node_name", "state", "state_display", "opened_at", "signed_at", "forwarded_at",
            "forward", "reminded_at",
        ]  # fmt: skip
        read_only_fields = fields


class ReceiptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """收文：发给本人所管理单位的通知。读取单条即为已读；可签收、转发。"""

    serializer_class = ReceiptSerializer
    queryset = CircularReceipt.objects.none()
    required = "can_receive_circulars"

    def get_queryset(self):
        return self.scope.receipts().prefetch_related("circular__attachments")

    def keyset_order(self):
        return ("id", True)

    def acted(self) -> CircularReceipt:
        receipt = self.get_object()
        if not self.scope.may_sign(receipt):
            raise PermissionDenied
        return receipt

    def retrieve(self, request, *args, **kwargs):
        receipt = self.get_object()
        services.open_receipt(request.user, receipt)
        return Response(ReceiptSerializer(receipt).data)

    @extend_schema(request=None, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """签收（收文单位的任一管理员，一次）。"""
        receipt = self.acted()
        with service_errors():
            services.sign(request.user, receipt)
        return Response(ReceiptSerializer(receipt).data)

    @extend_schema(
        request={"application/json": ForwardSerializer, "multipart/form-data": ForwardUploadSerializer},
        responses=CircularSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=PARSERS)
    def forward(self, request, pk=None):
        """转发给本单位的下级单位，附本单位的转发意见与附件；转发即视为签收。"""
        receipt = self.acted()
        data = self.body(ForwardSerializer)
        additions = data.get("additions", "")
        with service_errors():
            circular = services.forward(request.user, receipt, additions, _uploads(request), _addressees(data))
        tasks.start_delivery(circular)
        return Response(CircularSerializer(circular).data)

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)", url_name="attachment")
    def attachment(self, request, pk=None, attachment_pk=None):
        """下载收到的通知（含上级原文）的附件。读取附件不算签收。"""
        return _download(self.get_object().circular, attachment_pk)


def register(router) -> None:
    router.register("circulars", CircularViewSet, basename="circular")
    router.register("circular-receipts", ReceiptViewSet, basename="circular-receipt")
