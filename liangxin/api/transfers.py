"""组织关系转接与流动党员 API.

``/api/v1/transfers/``: list (``state``: initiated / reviewed / accepted / returned / open,
``overdue=1``, ``kind``, ``direction``: out / in, ``q``), create, retrieve, and the steps
``POST {id}/review/``, ``{id}/accept/``, ``{id}/return/``; ``GET {id}/letter/`` (介绍信, Word).
``/api/v1/floating-members/``: list (``floating``, ``unconfirmed=1``, ``managed=1``, ``q``),
retrieve, create (``kind``: outflow 流出登记 of a member / inflow 流入登记 of a new one), and
``POST {id}/census/`` (排摸), ``{id}/end/`` (结束流动).
Same scope and the same services as the pages; errors in Chinese, ``{"detail", "errors"}``.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from liangxin.core import word
from liangxin.party import policy
from liangxin.party.choices import FloatingStatus, MemberCategory
from liangxin.party.models import Member, PartyOrganization
from liangxin.transfers import queries, rules, services
from liangxin.transfers.models import Transfer, TransferKind

from .base import WORD_RESPONSES, ScopedViewSet, word_file
from .errors import Conflict, service_errors


def _party_org(scope, data: dict, name: str, label: str) -> PartyOrganization | None:
    """Any party organization of the platform by id (``Scope.transfer_targets``)."""
    pk = data.get(name)
    if pk is None:
        return None
    found = scope.transfer_targets().filter(pk=pk).first()
    if found is None:
        raise ValidationError({name: [f"{label}不存在（编号 {pk}）"]})
    return found


def _params(context: dict) -> dict:
    """The policy numbers, read once per response (a list serializes many rows with one context)."""
    if "params" not in context:
        context["params"] = policy.values()
    return context["params"]


# -- transfers ----------------------------------------------------------------------------------------
class TransferStepSerializer(serializers.Serializer):
    action = serializers.CharField(source="get_action_display")
    side = serializers.CharField()
    on = serializers.DateField()
    actor_name = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()


class TransferSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    valid_until = serializers.SerializerMethodField()
    waiting_for = serializers.CharField(read_only=True)
    steps = TransferStepSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "kind", "kind_display", "state", "state_display", "overdue", "valid_until", "waiting_for",
            "member", "person_name", "id_masked", "from_party_org", "to_party_org", "from_org_name", "to_org_name",
            "letter_no", "issued_on", "reason", "needs_review", "review_node", "return_reason", "closed_on", "steps",
        ]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return rules.is_overdue(obj, _params(self.context), timezone.localdate())

    def get_valid_until(self, obj) -> str:
        return rules.letter_valid_until(obj.issued_on, _params(self.context)).isoformat()


class NewMemberFields(serializers.Serializer):
    """A member coming from outside the platform (transfer in, inflow): who they are."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=30, write_only=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    category = serializers.ChoiceField(choices=MemberCategory.choices, required=False, allow_blank=True)
    joined_on = serializers.DateField(required=False, allow_null=True)
    full_on = serializers.DateField(required=False, allow_null=True)


class TransferCreateSerializer(NewMemberFields):
    """``kind`` internal/out: ``member`` and (internal) ``to_party_org`` or (out) ``to_org_name``;
    ``kind`` in: ``to_party_org``, ``from_org_name`` and the person (``name``, ``id_number`` …)."""

    kind = serializers.ChoiceField(choices=TransferKind.choices)
    member = serializers.IntegerField(required=False)
    to_party_org = serializers.IntegerField(required=False, allow_null=True)
    to_org_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    from_org_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    letter_no = serializers.CharField(required=False, allow_blank=True, max_length=60)
    issued_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TransferStepInputSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text="办理日期，不填为今天")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="退回原因（退回时必填）")


class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """组织关系转接：两端（转出方、转入方）及其上级党委可见；党员本人可见自己的转接。"""

    serializer_class = TransferSerializer
    queryset = Transfer.objects.none()  # for the schema; every request uses get_queryset
    required = "can_read_party"

    def allowed(self, scope) -> bool:
        return super().allowed(scope) or scope.can_read_transfers  # a member-role user reads their own transfers

    def get_queryset(self):
        if self.action == "list":
            qs, _ = queries.filtered_transfers(
                self.scope, self.request.query_params, policy.values(), timezone.localdate()
            )
            return qs.prefetch_related("steps")
        return self.scope.transfers().prefetch_related("steps")

    def keyset_order(self):
        return ("id", True)

    @extend_schema(responses=WORD_RESPONSES)
    @action(detail=True, methods=["get"])
    def letter(self, request, pk=None):
        """下载中国共产党党员组织关系介绍信（Word：存根、介绍信、回执三联，A4）。可查看完整身份号码的角色得到含完整
        公民身份号码的介绍信（记入操作日志），其他角色为脱敏号码。尚待审核、已退回或系统外开具的转接没有介绍信：409。"""
        transfer = self.get_object()
        try:
            name, data = services.letter_file(request.user, transfer, full_id=self.scope.sees_full_id_numbers)
        except word.Refused as refusal:
            raise Conflict(str(refusal)) from None
        return word_file(name, data)

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    def create(self, request):
        if not self.scope.can_edit_party:
            raise PermissionDenied
        d = self.body(TransferCreateSerializer)
        with service_errors():
            if d["kind"] == TransferKind.IN:
                transfer = services.register_incoming(
                    request.user, self.scope, to_party_org=_party_org(self.scope, d, "to_party_org", "接收党组织"),
                    from_org_name=d.get("from_org_name", ""), letter_no=d.get("letter_no", ""),
                    issued_on=d.get("issued_on"), reason=d.get("reason", ""),
                    person={k: d.get(k) for k in ("name", "id_number", "phone", "category", "joined_on", "full_on")},
                )  # fmt: skip
            else:
                transfer = services.initiate(
                    request.user, self.scope, self.body_member(d.get("member")), kind=d["kind"],
                    to_party_org=_party_org(self.scope, d, "to_party_org", "转入党组织"),
                    to_org_name=d.get("to_org_name", ""), letter_no=d.get("letter_no", ""),
                    issued_on=d.get("issued_on") or timezone.localdate(), reason=d.get("reason", ""),
                )  # fmt: skip
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    def _step(self, request, run):
        transfer = self.get_object()
        d = self.body(TransferStepInputSerializer)
        with service_errors():
            transfer = run(transfer, d)
        transfer = self.scope.transfers().prefetch_related("steps").get(pk=transfer.pk)
        return Response(TransferSerializer(transfer).data)

    @extend_schema(request=TransferStepInputSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """审核通过（转出方上级党委）。"""
        return self._step(
            request, lambda t, d: services.review(request.user, self.scope, t, on=d.get("on"), note=d.get("note", ""))
        )

    @extend_schema(request=TransferStepInputSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """接收（转入党组织；转出至系统外时为转出方登记回执）。"""
        return self._step(
            request, lambda t, d: services.accept(request.user, self.scope, t, on=d.get("on"), note=d.get("note", ""))
        )

    @extend_schema(request=TransferStepInputSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_transfer(self, request, pk=None):
        """退回（须填写原因）。"""
        return self._step(
            request,
            lambda t, d: services.return_transfer(
                request.user, self.scope, t, on=d.get("on"), reason=d.get("reason", "")
            ),
        )


# -- floating members ---------------------------------------------------------------------------------
class FloatingCensusSerializer(serializers.Serializer):
    confirmed_on = serializers.DateField()
    location = serializers.CharField()
    contact_ok = serializers.BooleanField()
    note = serializers.CharField()
    by_name = serializers.CharField()


class FloatingMemberSerializer(serializers.ModelSerializer):
    floating_display = serializers.CharField(source="get_floating_display", read_only=True)
    party_org_name = serializers.CharField(source="party_org.name", read_only=True)
    inflow_party_org_name = serializers.SerializerMethodField()
    last_confirmed = serializers.DateField(read_only=True)
    census_due_on = serializers.SerializerMethodField()
    census_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id", "name", "id_masked", "phone", "floating", "floating_display", "floating_card_no", "party_org",
            "party_org_name", "outflow_place", "inflow_place", "inflow_party_org", "inflow_party_org_name",
            "last_confirmed", "census_due_on", "census_overdue",
        ]  # fmt: skip
        read_only_fields = fields

    def get_inflow_party_org_name(self, obj) -> str:
        return obj.inflow_party_org.name if obj.inflow_party_org_id else ""

    def get_census_due_on(self, obj) -> str | None:
        due = rules.census_due_on(obj.last_confirmed, _params(self.context))
        return due.isoformat() if due else None

    def get_census_overdue(self, obj) -> bool:
        return rules.census_overdue(obj.last_confirmed, _params(self.context), timezone.localdate())


class FloatingDetailSerializer(FloatingMemberSerializer):
    census = serializers.SerializerMethodField()

    class Meta(FloatingMemberSerializer.Meta):
        fields = [*FloatingMemberSerializer.Meta.fields, "census"]
        read_only_fields = fields

    def get_census(self, obj) -> list:
        return FloatingCensusSerializer(obj.census_records.all()[:50], many=True).data


class FloatingRegisterSerializer(NewMemberFields):
    """``kind`` outflow: ``member``, ``card_no``, ``inflow_place`` (and ``outflow_place``, ``inflow_party_org``);
    ``kind`` inflow: ``party_org``, the person, ``card_no``, ``outflow_place`` (and ``inflow_place``)."""

    kind = serializers.ChoiceField(choices=[(FloatingStatus.OUTFLOW, "流出登记"), (FloatingStatus.INFLOW, "流入登记")])
    member = serializers.IntegerField(required=False)
    party_org = serializers.IntegerField(required=False, allow_null=True)
    inflow_party_org = serializers.IntegerField(required=False, allow_null=True)
    card_no = serializers.CharField(required=False, allow_blank=True, max_length=40)
    outflow_place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    inflow_place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    on = serializers.DateField(required=False, allow_null=True)


class FloatingCensusInputSerializer(serializers.Serializer):
    confirmed_on = serializers.DateField(required=False, allow_null=True, help_text="排摸日期，不填为今天")
    location = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact_ok = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class FloatingEndInputSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="结束流动的原因（必填）")


class FloatingMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """流动党员：组织关系所在党组织与流入地党组织（流入地为主、流出地配合）均可查看、登记排摸。"""

    serializer_class = FloatingMemberSerializer
    queryset = Member.objects.none()  # for the schema; every request uses get_queryset
    required = "can_read_party"

    def get_queryset(self):
        if self.action == "list":
            qs, _ = queries.filtered_floating(
                self.scope, self.request.query_params, policy.values(), timezone.localdate()
            )
            return qs
        return self.scope.floating_members().annotate(last_confirmed=queries.last_census())

    def get_serializer_class(self):
        return FloatingDetailSerializer if self.action != "list" else FloatingMemberSerializer

    def _detail(self, member) -> Response:
        member = self.get_queryset().filter(pk=member.pk).first() or member
        if not hasattr(member, "last_confirmed"):
            member.last_confirmed = None
        return FloatingDetailSerializer(member).data

    @extend_schema(request=FloatingRegisterSerializer, responses={201: FloatingDetailSerializer})
    def create(self, request):
        if not self.scope.can_edit_party:
            raise PermissionDenied
        d = self.body(FloatingRegisterSerializer)
        with service_errors():
            if d["kind"] == FloatingStatus.OUTFLOW:
                member = services.register_outflow(
                    request.user, self.scope, self.body_member(d.get("member")), card_no=d.get("card_no", ""),
                    inflow_place=d.get("inflow_place", ""), outflow_place=d.get("outflow_place", ""), on=d.get("on"),
                    inflow_party_org=_party_org(self.scope, d, "inflow_party_org", "流入地党组织"),
                )  # fmt: skip
            else:
                member = services.register_inflow(
                    request.user, self.scope, party_org=_party_org(self.scope, d, "party_org", "流入地党组织"),
                    person={k: d.get(k) for k in ("name", "id_number", "phone", "category", "joined_on", "full_on")},
                    card_no=d.get("card_no", ""), outflow_place=d.get("outflow_place", ""),
                    inflow_place=d.get("inflow_place", ""), on=d.get("on"),
                )  # fmt: skip
        return Response(self._detail(member), status=status.HTTP_201_CREATED)

    @extend_schema(request=FloatingCensusInputSerializer, responses=FloatingDetailSerializer)
    @action(detail=True, methods=["post"])
    def census(self, request, pk=None):
        """排摸：确认目前所在地与联系情况。"""
        member = self.get_object()
        d = self.body(FloatingCensusInputSerializer)
        with service_errors():
            services.record_census(
                request.user, self.scope, member, confirmed_on=d.get("confirmed_on") or timezone.localdate(),
                location=d.get("location", ""), contact_ok=d.get("contact_ok", True), note=d.get("note", ""),
            )  # fmt: skip
        return Response(self._detail(member))

    @extend_schema(request=FloatingEndInputSerializer, responses=FloatingDetailSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """结束流动（组织关系所在党组织）。"""
        member = self.get_object()
        d = self.body(FloatingEndInputSerializer)
        with service_errors():
            services.end_floating(request.user, self.scope, member, on=d.get("on"), reason=d.get("reason", ""))
        member.refresh_from_db()
        member.last_confirmed = None
        return Response(FloatingMemberSerializer(member).data)


def register(router) -> None:
    """Register this module's viewsets on the API router."""
    router.register("transfers", TransferViewSet, basename="transfers")
    router.register("floating-members", FloatingMemberViewSet, basename="transfers-floating")
