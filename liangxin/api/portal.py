"""互动网 — 政策文件库 API: ``/api/v1/policy-documents/``.

List (``category``, ``year``; ``q`` searches the full text and answers best first, each document
with its highlighted ``title_html`` and ``snippet``), read (with the full text), the attachment,
and for committee administrators create (JSON, or multipart with an ``attachment`` file), update
and delete. The scope, the search and the services are the pages' own (``Scope.policy_documents``,
``portal.search``, ``portal.policies``): outside scope 404, visible but not changeable 403, bad
input 400 with Chinese messages per field."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from liangxin.core import attachments, files
from liangxin.core.params import parse_int
from liangxin.portal import policies, queries
from liangxin.portal.models import PolicyAttachment, PolicyCategory, PolicyDocument

from .base import ScopedViewSet
from .errors import service_errors
from .pagination import KeysetPagination


class PolicyAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PolicyAttachment
        fields = ["name", "content_type", "size", "sha256", "uploaded_at"]


class PolicyDocumentSerializer(serializers.ModelSerializer):
    """A document as listed: its facts; from a search also ``title_html`` and ``snippet`` (HTML:
    the words found in ``<mark>``, everything else escaped), else null."""

    # a plain string, not an enum: a second choice set named "category" would rename the members'
    category = serializers.CharField(read_only=True, help_text="类别：" + " / ".join(PolicyCategory.values))
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    title_html = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()

    class Meta:
        model = PolicyDocument
        fields = [
            "id", "title", "number", "issuer", "issued_on", "category", "category_display", "to_everyone", "node",
            "node_name", "created_at", "updated_at", "title_html", "snippet",
        ]  # fmt: skip
        read_only_fields = fields

    def get_title_html(self, doc) -> str | None:
        return self.context.get("hits", {}).get(doc.pk, (None, None))[0]

    def get_snippet(self, doc) -> str | None:
        return self.context.get("hits", {}).get(doc.pk, (None, None))[1]


class PolicyDocumentDetailSerializer(PolicyDocumentSerializer):
    """A document as read: with its full text and attachment (download: ``{id}/attachment/``)."""

    attachment = PolicyAttachmentSerializer(read_only=True, allow_null=True)

    class Meta(PolicyDocumentSerializer.Meta):
        fields = [*PolicyDocumentSerializer.Meta.fields, "body", "attachment"]
        read_only_fields = fields


class PolicyDocumentWriteSerializer(serializers.Serializer):
    """What a publisher sends; every rule (required fields, lengths, the date) is the service's, so
    the page and the API answer alike. ``node`` (create only): one of the caller's own committees."""

    node = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="发布单位编号（新增时；缺省为本人第一个任职单位）"
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="标题")
    number = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="文号")
    issuer = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="发文机关")
    issued_on = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="发文日期 YYYY-MM-DD")
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="类别：" + " / ".join(PolicyCategory.values)
    )
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=policies.MAX_BODY_CHARS * 2,
        help_text="正文",
    )
    to_everyone = serializers.BooleanField(required=False, help_text="所有用户可见（否：仅发布单位及其下级）")
    attachment = serializers.FileField(
        required=False, help_text=f"附件（multipart；{attachments.DOCUMENT_ALLOWED_TEXT}），修改时替换原附件"
    )
    remove_attachment = serializers.BooleanField(required=False, help_text="修改时删除现有附件")


LIST_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="全文检索关键词（按相关程度排列，返回高亮摘要）"),
    OpenApiParameter("category", OpenApiTypes.STR, description="类别：" + " / ".join(PolicyCategory.values)),
    OpenApiParameter("year", OpenApiTypes.INT, description="发文年度"),
]
ATTACHMENT_RESPONSES = {(200, kind.content_type): OpenApiTypes.BINARY for kind in attachments.DOCUMENT_TYPES}


@extend_schema_view(
    list=extend_schema(parameters=LIST_FILTERS),
    retrieve=extend_schema(responses=PolicyDocumentDetailSerializer),
)
class PolicyDocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """政策文件库：全部登录用户可读其可见范围内的政策文件；党委管理员发布、修改、删除。"""

    serializer_class = PolicyDocumentSerializer
    queryset = PolicyDocument.objects.none()  # for the schema; every request uses get_queryset
    required = None
    scope_method = "policy_documents"
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return self.scope.policy_documents("view").select_related("node", "attachment")

    def get_serializer_class(self):
        return PolicyDocumentDetailSerializer if self.action == "retrieve" else PolicyDocumentSerializer

    def keyset_order(self):
        return ("id", True)

    def list(self, request, *args, **kwargs):
        """政策文件列表（新的在前）；带 ``q`` 时为全文检索结果（相关的在前，``cursor`` 为序号）。"""
        params = request.query_params
        found = queries.searched_policies(self.get_queryset(), params)
        if found is None:
            page = self.paginate_queryset(queries.filtered_policies(self.get_queryset(), params))
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        # a ranked search pages by position: the cursor is the offset of the page's first document
        offset = parse_int(params, "cursor", "翻页游标", minimum=0, maximum=10**6) or 0
        size = parse_int(params, "page_size", "每页条数", minimum=1, maximum=KeysetPagination.max_page_size)
        size = size or KeysetPagination.page_size
        hits = found.page(size, offset)
        total = found.count()
        marked = {h.document.pk: (h.title_html, h.snippet_html) for h in hits}
        context = {**self.get_serializer_context(), "hits": marked}
        data = PolicyDocumentSerializer([h.document for h in hits], many=True, context=context).data
        url = request.build_absolute_uri()
        previous = None
        if offset > 0:
            back = max(offset - size, 0)
            previous = replace_query_param(url, "cursor", back) if back else remove_query_param(url, "cursor")
        next_link = replace_query_param(url, "cursor", offset + size) if offset + size < total else None
        return Response({"next": next_link, "previous": previous, "results": data})

    def _changeable(self, doc: PolicyDocument) -> PolicyDocument:
        if not self.scope.policy_documents("change").filter(pk=doc.pk).exists():
            raise PermissionDenied("该政策文件由其他单位发布，您只能查看")
        return doc

    def _detail(self, doc: PolicyDocument, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=doc.pk)
        return Response(PolicyDocumentDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=PolicyDocumentWriteSerializer, responses={201: PolicyDocumentDetailSerializer})
    def create(self, request):
        """发布政策文件（党委管理员；附件用 multipart 上传，按文件内容检查类型）。"""
        if not self.scope.can_publish_policies:
            raise PermissionDenied  # before validation, so a reader learns nothing from error bodies
        d = self.body(PolicyDocumentWriteSerializer)
        nodes = self.scope.policy_publish_nodes()
        node = nodes.filter(pk=d["node"]).first() if "node" in d else nodes.first()
        if node is None:
            raise ValidationError({"node": ["发布单位：只能以您任职的单位发布"]})
        with service_errors():
            doc = policies.publish(request.user, node, d, attachment=d.get("attachment"))
        return self._detail(doc, status.HTTP_201_CREATED)

    def _update(self, request, partial: bool) -> Response:
        doc = self._changeable(self.get_object())
        d = self.body(PolicyDocumentWriteSerializer)
        # a PATCH keeps what it does not name; a PUT sends the whole document (blanks are refused)
        values = {name: getattr(doc, name) for name in policies.EDITABLE} if partial else {}
        values.update({k: v for k, v in d.items() if k in policies.EDITABLE})
        with service_errors():
            policies.edit(
                request.user, doc, values, attachment=d.get("attachment"),
                remove_attachment=bool(d.get("remove_attachment")),
            )  # fmt: skip
        return self._detail(doc)

    @extend_schema(request=PolicyDocumentWriteSerializer, responses=PolicyDocumentDetailSerializer)
    def update(self, request, pk=None):
        """修改政策文件（全部字段）；上传新附件替换原附件。"""
        return self._update(request, partial=False)

    @extend_schema(request=PolicyDocumentWriteSerializer, responses=PolicyDocumentDetailSerializer)
    def partial_update(self, request, pk=None):
        """修改政策文件的部分字段。"""
        return self._update(request, partial=True)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        """删除政策文件（连同附件与检索索引）。"""
        doc = self._changeable(self.get_object())
        policies.delete(request.user, doc)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ATTACHMENT_RESPONSES)
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        """下载附件。"""
        doc = self.get_object()
        found = getattr(doc, "attachment", None)
        if found is None:
            raise Http404
        return files.download(policies.attachment_path(found), found.name, found.content_type)


def register(router) -> None:
    router.register("policy-documents", PolicyDocumentViewSet, basename="policy-document")
