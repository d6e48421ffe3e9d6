"""互动网 — 党建问答 API: ``/api/v1/questions/`` (list with ``view`` faq/public/mine and ``q``, read
with its answers, ask), and for the responsible committee ``/api/v1/questions/{id}/answer/`` and
``/api/v1/questions/{id}/moderate/`` (屏蔽, 取消屏蔽, 关闭); ``/api/v1/question-answers/{id}/`` (read;
PATCH: 修改答复, 标为/取消官方解答) and ``…/withdraw/`` (撤回答复); and the 组织生活内容提示 endpoint
``/api/v1/content-prompts/`` (``month``: the prompts reaching the caller; ``withdraw``: 撤回).
Scope, checks and services are the pages' own: outside scope 404, another committee's question 403,
bad input (a forbidden word among it) 400 with Chinese messages per field, nothing stored."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from liangxin.core.params import BadParameter
from liangxin.life import prompts
from liangxin.life.models import ContentPrompt
from liangxin.qa import queries, services
from liangxin.qa.models import Answer, Question, QuestionStatus

from .base import ScopedViewSet
from .errors import service_errors


class AnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Answer
        fields = ["id", "text", "official", "created_at", "updated_at"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer):
    # a plain string, not an enum: a second choice set named "status" would rename the others' enums
    status = serializers.CharField(read_only=True, help_text="状态：" + " / ".join(QuestionStatus.values))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    asker_node_name = serializers.CharField(source="asker_node.name", read_only=True)

    class Meta:
        model = Question
        fields = [
            "id", "title", "text", "is_public", "status", "status_display", "hidden", "committee", "committee_name",
            "asker_node", "asker_node_name", "created_at", "answered_at",
        ]  # fmt: skip
        read_only_fields = fields


class QuestionDetailSerializer(QuestionSerializer):
    """A question as read: with its standing answers (withdrawn ones are not shown)."""

    answers = serializers.SerializerMethodField()

    class Meta(QuestionSerializer.Meta):
        fields = [*QuestionSerializer.Meta.fields, "answers"]
        read_only_fields = fields

    def get_answers(self, question) -> list[dict]:
        rows = question.answers.filter(withdrawn=False)
        return AnswerSerializer(rows, many=True).data  # type: ignore[return-value]


class AskSerializer(serializers.Serializer):
    node = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="所在党组织编号（缺省为本人第一个党组织）"
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="标题")
    text = serializers.CharField(required=False, allow_blank=True, max_length=20_000, help_text="问题内容")
    is_public = serializers.BooleanField(required=False, default=True, help_text="公开（否：仅答复党委和提问人可见）")


class QaAnswerDetailSerializer(serializers.ModelSerializer):
    """One answer as its committee reads it: withdrawn answers are kept (已撤回) and shown to it."""

    question_title = serializers.CharField(source="question.title", read_only=True)

    class Meta:
        model = Answer
        fields = ["id", "question", "question_title", "text", "official", "withdrawn", "created_at", "updated_at"]
        read_only_fields = fields


class AnswerEditSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=40_000, help_text="答复内容（不填则不变）"
    )
    official = serializers.BooleanField(
        required=False, help_text="官方解答：true 标为官方解答，false 取消（不填则不变）"
    )


class ModerateSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=20, help_text="处理方式：hide（屏蔽）/ unhide（取消屏蔽）/ close（关闭）")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="处理说明（屏蔽、关闭时必填）"
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="撤回原因（必填）")


MODERATIONS = {"hide": True, "unhide": False, "close": None}


class AnswerInSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=40_000, help_text="答复内容")
    official = serializers.BooleanField(required=False, default=False, help_text="官方解答（列入常见问题）")


LIST_FILTERS = [
    OpenApiParameter("view", OpenApiTypes.STR, description="列表：faq（常见问题，缺省）/ public / mine"),
    OpenApiParameter("q", OpenApiTypes.STR, description="关键词（标题、问题内容、答复均可匹配）"),
]


@extend_schema_view(
    list=extend_schema(parameters=LIST_FILTERS), retrieve=extend_schema(responses=QuestionDetailSerializer)
)
class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """党建问答：登录用户查阅常见问题和公开问题；党员、书记提问；答复党委答复。"""

    serializer_class = QuestionSerializer
    queryset = Question.objects.none()  # for the schema; every request uses get_queryset
    required = None

    def get_queryset(self):
        return self.scope.questions()

    def get_serializer_class(self):
        return QuestionDetailSerializer if self.action == "retrieve" else QuestionSerializer

    def keyset_order(self):
        return ("id", True)

    def list(self, request, *args, **kwargs):
        """问题列表（新的在前）。"""
        _, rows = queries.listed(self.get_queryset(), request.query_params, request.user.pk)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _detail(self, question: Question, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=question.pk)
        return Response(QuestionDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=AskSerializer, responses={201: QuestionDetailSerializer})
    def create(self, request):
        """提问（党员、党组织书记）：由所在党组织的上级党委答复；含禁用词的不予提交。"""
        if not self.scope.can_ask_questions:
            raise PermissionDenied  # before validation, so a reader learns nothing from error bodies
        d = self.body(AskSerializer)
        nodes = self.scope.question_nodes()
        node = nodes.filter(pk=d["node"]).first() if "node" in d else nodes.first()
        if node is None:
            raise ValidationError({"node": ["所在党组织：只能以您所在的党组织提问"]})
        with service_errors():
            question = services.ask(request.user, node, d)
        return self._detail(question, status.HTTP_201_CREATED)

    @extend_schema(request=AnswerInSerializer, responses={201: QuestionDetailSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """答复（答复党委的管理员）；标为官方解答的公开问题列入常见问题。"""
        question = self.get_object()
        if not self.scope.answerable_questions().filter(pk=question.pk).exists():
            raise PermissionDenied("该问题由其他党委答复，您只能查看")
        d = self.body(AnswerInSerializer)
        with service_errors():
            services.answer(request.user, question, d.get("text"), d.get("official"))
        return self._detail(question, status.HTTP_201_CREATED)

    @extend_schema(request=ModerateSerializer, responses=QuestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def moderate(self, request, pk=None):
        """屏蔽（须说明原因；此后仅提问人和答复党委可见）、取消屏蔽或关闭（须说明原因；不再接受答复）。"""
        question = self.get_object()
        if not self.scope.answerable_questions().filter(pk=question.pk).exists():
            raise PermissionDenied("该问题由其他党委答复，您只能查看")
        d = self.body(ModerateSerializer)
        if d["action"] not in MODERATIONS:
            raise ValidationError({"action": ["处理方式：请选择 hide（屏蔽）、unhide（取消屏蔽）或 close（关闭）"]})
        with service_errors():
            services.moderate(
                request.user, question, hidden=MODERATIONS[d["action"]], close=d["action"] == "close",
                note=d.get("note", ""),
            )  # fmt: skip
        return self._detail(question)


class AnswerViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """党建问答的答复：可阅读的问题的答复；答复党委修改、标为或取消官方解答、撤回（撤回的留作记录）。"""

    serializer_class = QaAnswerDetailSerializer
    queryset = Answer.objects.none()
    required = None

    def get_queryset(self):
        return self.scope.readable_answers()

    def _moderated(self) -> Answer:
        reply = self.get_object()
        if not self.scope.answers().filter(pk=reply.pk).exists():
            raise PermissionDenied("该答复由其他党委作出，您只能查看")
        return reply

    def _detail(self, reply: Answer) -> Response:
        return Response(QaAnswerDetailSerializer(self.get_queryset().get(pk=reply.pk)).data)

    @extend_schema(request=AnswerEditSerializer, responses=QaAnswerDetailSerializer)
    def partial_update(self, request, pk=None):
        """修改答复：所给字段替换原值（official 为 true 标为官方解答，false 取消）；已撤回的不能修改。"""
        reply = self._moderated()
        d = self.body(AnswerEditSerializer, partial=True)
        with service_errors():
            services.edit_answer(request.user, reply, d.get("text", reply.text), d.get("official", reply.official))
        return self._detail(reply)

    @extend_schema(request=NoteSerializer, responses=QaAnswerDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回答复（须说明原因）：不再显示，留作记录；没有其他答复时问题回到待答复。"""
        reply = self._moderated()
        d = self.body(NoteSerializer)
        with service_errors():
            services.withdraw_answer(request.user, reply, d.get("note", ""))
        return self._detail(reply)


class ContentPromptSerializer(serializers.ModelSerializer):
    node_name = serializers.CharField(source="node.name", read_only=True)
    topic_list = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="建议主题")

    class Meta:
        model = ContentPrompt
        fields = [
            "id", "node", "node_name", "month", "title", "text", "topic_list", "created_at", "updated_at",
            "withdrawn_at", "withdraw_reason",
        ]  # fmt: skip
        read_only_fields = fields


class PromptWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="撤回原因（必填）")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="月份 YYYY-MM（缺省为本月）")]
    )
)
class ContentPromptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """组织生活内容提示：本人所在党组织的各级上级党委发布的（撤回的不再显示；党委另可查阅其下级发布的，
    含已撤回的）；发布党委及其上级撤回。"""

    serializer_class = ContentPromptSerializer
    queryset = ContentPrompt.objects.none()
    required = "can_read_party"

    def get_queryset(self):
        qs = self.scope.content_prompts()
        if self.action != "list":
            return qs
        raw = self.request.query_params.get("month")
        month = prompts.parse_month(raw) if raw else prompts.month_of(timezone.localdate())
        if month is None:
            raise BadParameter("month", f"「月份」应为 年-月（如 2025-03），收到「{str(raw)[:20]}」")
        return qs.filter(month=month)

    def keyset_order(self):
        return ("id", False)

    @extend_schema(request=PromptWithdrawSerializer, responses=ContentPromptSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回（发布党委及其上级党委的管理员，须说明原因）：下级不再看到，提示留作记录；不能删除。"""
        prompt = self.get_object()
        if not self.scope.may_withdraw_prompt(prompt):
            raise PermissionDenied("该内容提示由其他党委发布，您不能撤回")
        d = self.body(PromptWithdrawSerializer)
        with service_errors():
            prompts.withdraw(request.user, prompt, d.get("reason", ""))
        return Response(ContentPromptSerializer(self.get_queryset().get(pk=prompt.pk)).data)


def register(router) -> None:
    router.register("questions", QuestionViewSet, basename="question")
    router.register("question-answers", AnswerViewSet, basename="qa-answer")
    router.register("content-prompts", ContentPromptViewSet, basename="content-prompt")
