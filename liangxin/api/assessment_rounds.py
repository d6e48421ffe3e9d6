"""考核评估 — 考核轮次 API, through the pages' services (``assessment.rounds``) and results:

- ``/api/v1/assessment/rounds/`` list, read (with the caller's results: total, grade, rank, change, the
  indicators that pulled each subject down), POST (the city starts a round), ``rounds/{id}/advance/``,
  ``rounds/{id}/refresh/`` (重新取数, before review only);
- ``/api/v1/assessment/entries/`` (``?round=``) the sheets the caller sees, ``entries/{id}/`` with its
  scores, and the steps ``submit``, ``return``, ``pass``, ``confirm``, ``object``;
- ``/api/v1/assessment/scores/{id}/self/`` (自评 value and note; evidence is uploaded on the pages) and
  ``scores/{id}/adjust/`` (审核调整 with its reason);
- ``/api/v1/assessment/objections/{id}/answer/``.
A published round answers every change with 400 (locked); another committee's step 403; outside scope 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from liangxin.assessment import results, rounds
from liangxin.assessment.models import Objection, Round, RoundEntry, RoundScore
from liangxin.core.params import parse_id

from .base import ScopedViewSet
from .errors import service_errors


class RoundSerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        read_only=True, help_text="self 自评中 / review 审核中 / confirm 确认中 / published 已发布 / closed 异议已答复"
    )
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    version_name = serializers.CharField(source="version.__str__", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id", "name", "version", "version_name", "period_start", "period_end", "excellent_from", "good_from",
            "fair_from", "thresholds_source", "objection_days", "state", "state_display", "created_at",
            "computed_at", "published_at",
        ]  # fmt: skip
        read_only_fields = fields


class RoundInSerializer(serializers.Serializer):
    """A round's fields; every rule is ``assessment.rounds.clean_round``'s."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="轮次名称")
    version = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="已发布的版本编号")
    period_start = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="考核期起")
    period_end = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="考核期止")
    excellent_from = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="优秀分数线")
    good_from = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="良好分数线")
    fair_from = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="一般分数线")
    thresholds_source = serializers.CharField(required=False, allow_blank=True, max_length=400)
    objection_days = serializers.CharField(required=False, allow_blank=True, max_length=10, help_text="异议期（天）")


class RoundLostSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator.pk")
    name = serializers.CharField(source="indicator.name")
    points = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="失分（加权，满分 100）")


class RoundResultSerializer(serializers.Serializer):
    entry = serializers.IntegerField(source="entry.pk")
    subject = serializers.IntegerField(source="entry.subject_id")
    subject_name = serializers.CharField(source="entry.subject.name")
    state = serializers.CharField(source="entry.state")
    total = serializers.DecimalField(max_digits=5, decimal_places=2)
    grade = serializers.CharField()
    grade_display = serializers.CharField(source="grade_label")
    rank = serializers.IntegerField(help_text="在同一审核党委所属对象中的排名")
    rank_of = serializers.IntegerField()
    change = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, help_text="较上轮")
    pulled = RoundLostSerializer(many=True, help_text="失分最多的指标")


class RoundScoreSerializer(serializers.ModelSerializer):
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    method = serializers.CharField(source="indicator.method", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = RoundScore
        fields = [
            "id", "indicator", "indicator_name", "method", "computed", "self_value", "self_note", "adjusted",
            "adjust_reason", "adjusted_at", "evidence",
        ]  # fmt: skip
        read_only_fields = fields

    def get_evidence(self, score) -> list[str]:
        return [f.name for f in score.evidence.all()]


class RoundObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "entry", "text", "raised_at", "answer", "answered_at"]
        read_only_fields = fields


class RoundEntrySerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        read_only=True,
        help_text="self 自评中 / returned 已退回 / submitted 待审核 / reviewed 待确认 / confirmed 已确认",
    )
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    reviewer_name = serializers.CharField(source="reviewer.name", read_only=True)
    confirmer_name = serializers.CharField(source="confirmer.name", read_only=True)

    class Meta:
        model = RoundEntry
        fields = [
            "id", "round", "subject", "subject_name", "reviewer", "reviewer_name", "confirmer", "confirmer_name",
            "state", "state_display", "return_reason", "submitted_at", "reviewed_at", "confirmed_at", "total", "grade",
        ]  # fmt: skip
        read_only_fields = fields


class RoundEntryDetailSerializer(RoundEntrySerializer):
    scores = RoundScoreSerializer(many=True, read_only=True)
    objections = RoundObjectionSerializer(many=True, read_only=True)

    class Meta(RoundEntrySerializer.Meta):
        fields = [*RoundEntrySerializer.Meta.fields, "scores", "objections"]
        read_only_fields = fields


class RoundDetailSerializer(RoundSerializer):
    results = serializers.SerializerMethodField(help_text="本人范围内各评估对象的结果（发布前为暂计）")

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "results"]
        read_only_fields = fields

    def get_results(self, rnd) -> list[dict]:
        entries = self.context["entries"]
        found = results.results(rnd, entries)
        return RoundResultSerializer(sorted(found.values(), key=lambda r: r.entry.subject.path), many=True).data


class RoundReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="理由")


class RoundTextSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=20_000, help_text="异议内容")


class RoundAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(required=False, allow_blank=True, max_length=20_000, help_text="答复")


class RoundSelfSerializer(serializers.Serializer):
    value = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=40, help_text="自评分")
    note = serializers.CharField(required=False, allow_blank=True, max_length=20_000, help_text="自评说明")


class RoundAdjustSerializer(serializers.Serializer):
    value = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=40, help_text="调整值")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="调整理由（必填）")


class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """考核轮次：市级管理员发起并推进阶段；各级党委、审计/巡查和党组织书记查阅本人范围内的结果。"""

    serializer_class = RoundSerializer
    queryset = Round.objects.none()
    required = "can_read_rounds"

    def get_queryset(self):
        return self.scope.rounds()

    def _city(self) -> None:
        if not self.scope.can_start_rounds:
            raise PermissionDenied("考核轮次由市级管理员发起和推进")

    def retrieve(self, request, pk=None):
        rnd = self.get_object()
        entries = list(self.scope.round_entries().filter(round=rnd))
        return Response(RoundDetailSerializer(rnd, context={"entries": entries}).data)

    @extend_schema(request=RoundInSerializer, responses={201: RoundSerializer})
    def create(self, request):
        """发起考核轮次（只能用已发布的版本）。"""
        self._city()
        d = self.body(RoundInSerializer)
        with service_errors():
            rnd = rounds.open_round(request.user, self.scope, d)
        return Response(RoundSerializer(rnd).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """推进到下一阶段：开始审核、进入确认、发布结果并锁定、结束本轮。"""
        self._city()
        rnd = self.get_object()
        with service_errors():
            rnd = rounds.advance(request.user, self.scope, rnd)
        return Response(RoundSerializer(rnd).data)

    @extend_schema(request=None, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """重新取数（审核开始前）。"""
        self._city()
        rnd = self.get_object()
        with service_errors():
            rounds.refresh(request.user, self.scope, rnd)
        return Response(RoundSerializer(self.get_queryset().get(pk=rnd.pk)).data)


STEPS = {
    "submit": ("may_self_assess", None),
    "return": ("may_review", "reason"),
    "pass": ("may_review", None),
    "confirm": ("may_confirm", None),
    "object": ("may_object", "text"),
}


class EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """考核对象的评分表：本方自评并提交，审核党委审核（调整、退回、通过），确认党委确认；发布后本方可提出异议。"""

    serializer_class = RoundEntrySerializer
    queryset = RoundEntry.objects.none()
    required = "can_read_rounds"

    def get_queryset(self):
        qs = self.scope.round_entries().order_by("round", "subject__path")
        round_id = parse_id(self.request.query_params, "round", "考核轮次")
        return qs.filter(round_id=round_id) if round_id is not None else qs

    def retrieve(self, request, pk=None):
        entry = self.get_object()
        return Response(RoundEntryDetailSerializer(entry).data)

    def _step(self, request, name: str):
        entry = self.get_object()
        may, field = STEPS[name]
        if not getattr(self.scope, may)(entry):
            raise PermissionDenied("您不是办理这一环节的一方")
        text = ""
        if field == "reason":
            text = self.body(RoundReasonSerializer).get("reason", "")
        elif field == "text":
            text = self.body(RoundTextSerializer).get("text", "")
        with service_errors():
            if name == "submit":
                rounds.submit(request.user, self.scope, entry)
            elif name == "return":
                rounds.return_entry(request.user, self.scope, entry, text)
            elif name == "pass":
                rounds.pass_review(request.user, self.scope, entry)
            elif name == "confirm":
                rounds.confirm(request.user, self.scope, entry)
            else:
                rounds.raise_objection(request.user, self.scope, entry, text)
        return Response(RoundEntryDetailSerializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(request=None, responses=RoundEntryDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交自评（每个人工评分指标须已打分，要求说明的须有说明）。"""
        return self._step(request, "submit")

    @extend_schema(request=RoundReasonSerializer, responses=RoundEntryDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_entry(self, request, pk=None):
        """审核退回（须写理由）。"""
        return self._step(request, "return")

    @extend_schema(request=None, responses=RoundEntryDetailSerializer)
    @action(detail=True, methods=["post"], url_path="pass", url_name="pass")
    def pass_review(self, request, pk=None):
        """审核通过。"""
        return self._step(request, "pass")

    @extend_schema(request=None, responses=RoundEntryDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """确认（审核党委的上一级党委）。"""
        return self._step(request, "confirm")

    @extend_schema(request=RoundTextSerializer, responses=RoundEntryDetailSerializer)
    @action(detail=True, methods=["post"], url_path="object", url_name="object")
    def raise_objection(self, request, pk=None):
        """提出异议（发布后、异议期内）。"""
        return self._step(request, "object")


class ScoreViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """一个评估对象一项末级指标的得分：自评（本方）与审核调整（审核党委，须写理由）。"""

    serializer_class = RoundScoreSerializer
    queryset = RoundScore.objects.none()
    required = "can_read_rounds"

    def get_queryset(self):
        return self.scope.round_scores().prefetch_related("evidence")

    @extend_schema(request=RoundSelfSerializer, responses=RoundScoreSerializer)
    @action(detail=True, methods=["post"], url_path="self", url_name="self")
    def self_assess(self, request, pk=None):
        """自评：人工评分指标的分值和说明（佐证材料在页面上传）。"""
        score = self.get_object()
        if not self.scope.may_self_assess(score.entry):
            raise PermissionDenied("只有评估对象本方可以自评")
        d = self.body(RoundSelfSerializer)
        with service_errors():
            rounds.save_self(request.user, self.scope, score, d.get("value"), d.get("note", ""))
        return Response(RoundScoreSerializer(self.get_queryset().get(pk=score.pk)).data)

    @extend_schema(request=RoundAdjustSerializer, responses=RoundScoreSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """审核调整：调整值与理由（理由必填；调整值为空即撤回调整）。"""
        score = self.get_object()
        if not self.scope.may_review(score.entry):
            raise PermissionDenied("只有审核党委可以调整")
        d = self.body(RoundAdjustSerializer)
        with service_errors():
            rounds.adjust(request.user, self.scope, score, d.get("value"), d.get("reason", ""))
        return Response(RoundScoreSerializer(self.get_queryset().get(pk=score.pk)).data)


class ObjectionViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """异议：确认党委答复。"""

    serializer_class = RoundObjectionSerializer
    queryset = Objection.objects.none()
    required = "can_read_rounds"

    def get_queryset(self):
        return self.scope.objections()

    @extend_schema(request=RoundAnswerSerializer, responses=RoundObjectionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """答复异议（确认党委，一次）。"""
        objection = self.get_object()
        if not self.scope.may_answer(objection):
            raise PermissionDenied("异议由确认党委答复")
        d = self.body(RoundAnswerSerializer)
        with service_errors():
            rounds.answer_objection(request.user, self.scope, objection, d.get("answer", ""))
        return Response(RoundObjectionSerializer(self.get_queryset().get(pk=objection.pk)).data)


def register(router) -> None:
    router.register("assessment/rounds", RoundViewSet, basename="assessment-round")
    router.register("assessment/entries", EntryViewSet, basename="assessment-entry")
    router.register("assessment/scores", ScoreViewSet, basename="assessment-score")
    router.register("assessment/objections", ObjectionViewSet, basename="assessment-objection")
