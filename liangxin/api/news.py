"""互动网 — 工作动态/通知公告 API: ``/api/v1/news/`` (信息报送: ``api/info_reports.py``).

News: list (what the caller reads, published; ``category``, ``year``, ``q``), read, create (JSON, or
multipart with a ``cover`` photo and ``attachments``), change (PATCH, an item not published: 待审核,
退回 or 已撤下; a writer's change sends it to review again, or publishes a withdrawn item anew), delete
(DELETE, an item never published), ``withdraw`` (撤下 a published item, with a reason: kept for the
record), and the review steps ``approve`` / ``return`` for the administrators of the committee an
item waits for; ``waiting`` lists the items waiting for the caller's review, ``drafts`` the
unpublished items of the caller's own nodes (稿件). The scope and the services are the pages' own: outside scope
404, visible but not this caller's step 403, bad input 400 with Chinese messages per field."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from liangxin.portal import news, queries
from liangxin.portal.models import (
    NewsCategory,
    NewsFile,
    NewsItem,
    NewsStatus,
)

from .base import ScopedViewSet
from .errors import service_errors


# -- 工作动态 / 通知公告 -------------------------------------------------------------------------------
class NewsFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewsFile
        fields = ["id", "name", "content_type", "size", "sha256", "is_cover", "uploaded_at"]


class NewsItemSerializer(serializers.ModelSerializer):
    """An item as listed; ``body`` is sanitised HTML (safe to show as is)."""

    category = serializers.CharField(read_only=True, help_text="栏目：" + " / ".join(NewsCategory.values))
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    # plain strings, not enums: a second choice set named "status" would rename other components' enums
    status = serializers.CharField(read_only=True, help_text="状态：" + " / ".join(NewsStatus.values))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    review_node_name = serializers.CharField(source="review_node.name", read_only=True, allow_null=True)

    class Meta:
        model = NewsItem
        fields = [
            "id", "title", "category", "category_display", "pinned", "to_everyone", "node", "node_name", "status",
            "status_display", "review_node", "review_node_name", "return_reason", "published_at", "withdrawn_at",
            "withdraw_reason", "source_report", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class NewsItemDetailSerializer(NewsItemSerializer):
    files = NewsFileSerializer(many=True, read_only=True)

    class Meta(NewsItemSerializer.Meta):
        fields = [*NewsItemSerializer.Meta.fields, "body", "files"]
        read_only_fields = fields


class NewsWriteSerializer(serializers.Serializer):
    """What a writer sends; every rule is the service's, so the page and the API answer alike."""

    node = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="发布单位编号（缺省为本人第一个可撰写的单位）"
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="标题")
    category = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text="栏目：" + " / ".join(NewsCategory.values)
    )
    body = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=news.MAX_BODY_CHARS * 2,
        help_text="正文（纯文本或简单排版，保存时去除不安全的内容）",
    )  # fmt: skip
    pinned = serializers.BooleanField(required=False, help_text="置顶")
    to_everyone = serializers.BooleanField(required=False, help_text="所有用户可见（否：仅发布单位及其下级）")
    cover = serializers.FileField(required=False, help_text="题图（multipart；照片 .jpg/.png）")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=news.MAX_FILES, help_text="附件（multipart，可多个）"
    )


class NewsEditSerializer(NewsWriteSerializer):
    """A change: the fields named replace the item's (PATCH); an item stays at the node it was written at."""

    node = None  # type: ignore[assignment]
    remove = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=news.MAX_FILES + 1,
        help_text="要删除的现有文件编号（见 files；上传新题图时原题图自动替换）",
    )  # fmt: skip


class NewsReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="退回理由")


class NewsWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="撤下理由（必填）")


NEWS_FILTERS = [
    OpenApiParameter("category", OpenApiTypes.STR, description="栏目：" + " / ".join(NewsCategory.values)),
    OpenApiParameter("year", OpenApiTypes.INT, description="发布年度"),
    OpenApiParameter("q", OpenApiTypes.STR, description="关键词（标题或正文中含有）"),
]


def uploads(request, name: str) -> list:
    return request.FILES.getlist(name) if hasattr(request, "FILES") else []


@extend_schema_view(
    list=extend_schema(parameters=NEWS_FILTERS), retrieve=extend_schema(responses=NewsItemDetailSerializer)
)
class NewsItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """工作动态与通知公告：全部登录用户可读其可见范围内已发布的信息；党委管理员和党组织书记撰写；上级党委审核。"""

    serializer_class = NewsItemSerializer
    queryset = NewsItem.objects.none()
    required = None
    scope_method = "news_items"
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return self.scope.news_items("view").prefetch_related("files")

    def get_serializer_class(self):
        return NewsItemDetailSerializer if self.action == "retrieve" else NewsItemSerializer

    def keyset_order(self):
        return ("id", True)

    def list(self, request, *args, **kwargs):
        """已发布的信息（新的在前；置顶与否见 pinned）。"""
        items = queries.filtered_news(self.scope.published_news(), request.query_params).order_by("-id")
        page = self.paginate_queryset(items)
        return self.get_paginated_response(NewsItemSerializer(page, many=True).data)

    @extend_schema(parameters=[], responses=NewsItemSerializer(many=True))
    @action(detail=False, methods=["get"])
    def drafts(self, request):
        """稿件：本人任职单位未发布的信息（待审核、退回、已撤下），最近修改的在前。"""
        if not self.scope.can_write_news:
            raise PermissionDenied
        page = self.paginate_queryset(queries.waiting_news(self.scope.news_drafts()).order_by("-id"))
        return self.get_paginated_response(NewsItemSerializer(page, many=True).data)

    @extend_schema(parameters=[], responses=NewsItemSerializer(many=True))
    @action(detail=False, methods=["get"])
    def waiting(self, request):
        """待本人审核的信息（本人任职党委为审核单位）。"""
        page = self.paginate_queryset(self.scope.news_to_review().order_by("-id"))
        return self.get_paginated_response(NewsItemSerializer(page, many=True).data)

    def _detail(self, item: NewsItem, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(NewsItemDetailSerializer(fresh).data, status=code)

    @extend_schema(request=NewsWriteSerializer, responses={201: NewsItemDetailSerializer})
    def create(self, request):
        """撰写：党委直接发布；街道综合党委和基层党组织撰写的信息提交上级党委审核。"""
        if not self.scope.can_write_news:
            raise PermissionDenied  # before validation, so a reader learns nothing from error bodies
        d = self.body(NewsWriteSerializer)
        nodes = self.scope.news_write_nodes()
        node = nodes.filter(pk=d["node"]).first() if "node" in d else nodes.first()
        if node is None:
            raise ValidationError({"node": ["发布单位：只能以您任职的单位撰写"]})
        with service_errors():
            item = news.write(request.user, node, d, cover=d.get("cover"), files=uploads(request, "attachments"))
        return self._detail(item, status.HTTP_201_CREATED)

    def _changeable(self) -> NewsItem:
        item = self.get_object()
        if not self.scope.may_change_news(item):
            raise PermissionDenied("该信息由其他单位撰写，您只能查看")
        return item

    @extend_schema(request=NewsEditSerializer, responses=NewsItemDetailSerializer)
    def partial_update(self, request, pk=None):
        """修改未发布的信息（待审核、退回、已撤下；已发布的须先撤下）：所给字段替换原值。撰写单位修改后
        重新提交审核（无需审核的单位直接重新发布）；审核党委的修改不改变状态。"""
        item = self._changeable()
        d = self.body(NewsEditSerializer, partial=True)
        values = {name: getattr(item, name) for name in news.EDITABLE}
        values.update({k: v for k, v in d.items() if k in news.EDITABLE})
        with service_errors():
            news.edit(
                request.user, item, values, resubmit=self.scope.news_edit_resubmits(item), cover=d.get("cover"),
                files=uploads(request, "attachments"), remove=d.get("remove", []),
            )  # fmt: skip
        return self._detail(item)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        """删除从未发布的信息（待审核、退回）及其文件；已发布的只能撤下。"""
        item = self._changeable()
        with service_errors():
            news.delete(request.user, item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=NewsWithdrawSerializer, responses=NewsItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤下已发布的信息（须写明理由）：读者不再看到，信息留作记录；修改后可重新发布。"""
        item = self.get_object()
        if not self.scope.may_withdraw_news(item):
            raise PermissionDenied("该信息由其他单位发布，您不能撤下")
        d = self.body(NewsWithdrawSerializer)
        with service_errors():
            news.withdraw(request.user, item, d.get("reason", ""))
        return self._detail(item)

    def _reviewed(self) -> NewsItem:
        item = self.get_object()
        if not self.scope.may_review_news(item):
            raise PermissionDenied("该信息不由您所在的党委审核")
        return item

    @extend_schema(request=None, responses=NewsItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """审核通过并发布。"""
        item = self._reviewed()
        with service_errors():
            news.approve(request.user, item)
        return self._detail(item)

    @extend_schema(request=NewsReasonSerializer, responses=NewsItemDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回（须写明理由）。"""
        item = self._reviewed()
        d = self.body(NewsReasonSerializer)
        with service_errors():
            news.return_item(request.user, item, d.get("reason", ""))
        return self._detail(item)


def register(router) -> None:
    router.register("news", NewsItemViewSet, basename="news-item")
