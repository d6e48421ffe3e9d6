"""党费 API: dues profiles (base, category, override), monthly payment records (list, record one,
record a branch's month at once), arrears with the 6-month flag, and totals per child node.
Everything starts from the caller's scope, like the pages; the figures come from ``dues.ledger``."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from liangxin.core import normalize
from liangxin.core.lookup import get_in_scope
from liangxin.core.params import MAX_ID, parse_id
from liangxin.dues import ledger, rules, services
from liangxin.dues.models import DuesCategory, DuesPayment, DuesProfile
from liangxin.party import policy
from liangxin.party.models import Member

from .base import ScopedViewSet
from .errors import service_errors


def _amount(value, label: str):
    try:
        return rules.parse_amount(value, label)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from None


def _amount_paid(value):
    """实缴金额 of a payment: required, 0 records the month unpaid."""
    amount = _amount(value, "实缴金额")
    if amount is None:
        raise serializers.ValidationError("实缴金额不能为空（未缴请填 0）")
    return amount


def _month(value):
    try:
        return rules.parse_month(value)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from None


def _member_in(scope, pk):
    """A member the caller may record for: outside scope 404, visible but not theirs 403."""
    if not str(pk or "").isdigit() or int(pk) > MAX_ID:
        raise ValidationError({"member": ["请填写党员编号"]})
    member = get_in_scope(scope.members("view").filter(is_active=True), pk=pk)
    if not scope.acts_for_member(member):
        raise PermissionDenied
    return member


# -- profiles ------------------------------------------------------------------------------------
class ProfileSerializer(serializers.Serializer):
    """One member's dues profile. ``monthly_amount`` and ``rule`` are computed (read only)."""

    member = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(read_only=True)
    party_org = serializers.IntegerField(source="party_org_id", read_only=True)
    dues_base = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="党费计算基数（元/月）"
    )
    category = serializers.CharField(
        required=False, help_text="employed / retired / student / unemployed / hardship / farmer"
    )
    farmer_yuan = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    override_amount = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate_dues_base(self, value):
        return _amount(value, "党费计算基数")

    def validate_farmer_yuan(self, value):
        return _amount(value, "农民党员每月党费")

    def validate_override_amount(self, value):
        return _amount(value, "手工核定月党费")

    def to_representation(self, member):
        profile = getattr(member, "dues_profile", None)
        amount = rules.amount_for_profile(member.dues_base, profile, self.context["params"])
        category = profile.category if profile else DuesCategory.EMPLOYED
        return {
            "member": member.pk,
            "name": member.name,
            "party_org": member.party_org_id,
            "party_org_name": member.party_org.node.name,
            "dues_base": None if member.dues_base is None else str(member.dues_base),
            "category": category,
            "category_display": DuesCategory(category).label,
            "farmer_yuan": None if not profile or profile.farmer_yuan is None else str(profile.farmer_yuan),
            "override_amount": None if not profile or profile.override_amount is None else str(profile.override_amount),
            "override_reason": profile.override_reason if profile else "",
            "monthly_amount": None if amount.value is None else str(amount.value),
            "rule": amount.text,
        }


class DuesProfileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """党费档案：按党员（编号即党员编号）查看和修改党费计算基数、类别、农民党员金额、手工核定（须填原因）。
    ?party_org= 只看一个党组织。"""

    serializer_class = ProfileSerializer
    queryset = Member.objects.none()  # for the schema; requests use the scope's (get_queryset)
    required = "can_read_party"

    def get_queryset(self):
        qs = self.scope.members("view").filter(is_active=True).select_related("dues_profile")
        party_org = parse_id(self.request.query_params, "party_org", "党组织")
        return qs if party_org is None else qs.filter(party_org_id=party_org)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "params": policy.values()}

    def update(self, request, pk=None, partial=False):
        member = self.get_object()
        if not self.scope.acts_for_member(member):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        profile = DuesProfile.objects.filter(member=member).first()
        current = {
            "dues_base": member.dues_base,
            "category": profile.category if profile else DuesCategory.EMPLOYED,
            "farmer_yuan": profile.farmer_yuan if profile else None,
            "override_amount": profile.override_amount if profile else None,
            "override_reason": profile.override_reason if profile else "",
        }
        values = {**current, **d} if partial else {**{k: None for k in current}, "override_reason": "", **d}
        with service_errors():
            services.set_profile(request.user, member, **{**values, "category": values["category"] or ""})
        return Response(self.get_serializer(self.get_queryset().get(pk=member.pk)).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)


# -- payments --------------------------------------------------------------------------------------
class PaymentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    party_org_name = serializers.CharField(source="party_org.node.name", read_only=True)
    month = serializers.SerializerMethodField()
    is_paid = serializers.BooleanField(read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = DuesPayment
        fields = ["id", "member", "member_name", "party_org", "party_org_name", "month", "amount_due", "amount_paid",
                  "paid_on", "is_paid", "recorded_by", "recorded_at", "note"]  # fmt: skip

    def get_month(self, row) -> str:
        return f"{row.month:%Y-%m}"

    def get_recorded_by(self, row) -> str:
        return row.recorded_by.display_name if row.recorded_by_id else ""


class PaymentInputSerializer(serializers.Serializer):
    """Record (or correct) one month of one member; ``amount_paid`` 0 records it unpaid."""

    member = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    amount_paid = serializers.CharField()
    paid_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate_month(self, value):
        return _month(value)

    def validate_amount_paid(self, value):
        return _amount_paid(value)


class EntrySerializer(serializers.Serializer):
    member = serializers.IntegerField()
    amount_paid = serializers.CharField(help_text="实缴金额；0 为未缴")
    paid_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate_amount_paid(self, value):
        return _amount_paid(value)


class BulkSerializer(serializers.Serializer):
    """Record a whole month of one party organization at once (each entry a member)."""

    party_org = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    paid_on = serializers.DateField(required=False, allow_null=True, help_text="未单独填写缴纳日期的已缴条目按此日期")
    entries = EntrySerializer(many=True)

    def validate_month(self, value):
        return _month(value)

    def validate_entries(self, value):
        if not value:
            raise serializers.ValidationError("登记明细不能为空")
        ids = [e["member"] for e in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("同一党员在登记明细中出现多次")
        return value


PAYMENT_FILTERS = [
    OpenApiParameter("party_org", OpenApiTypes.INT, description="党组织编号（登记时所在）"),
    OpenApiParameter("member", OpenApiTypes.INT, description="党员编号"),
    OpenApiParameter("month", OpenApiTypes.STR, description="所属月份 YYYY-MM"),
]


class DuesPaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """党费缴纳记录：按党组织、月份、党员查询；登记（补交）一名党员一个月；bulk 一次登记一个党组织的整月。
    党员本人（党员角色）只能查看自己的记录。"""

    serializer_class = PaymentSerializer
    queryset = DuesPayment.objects.none()  # for the schema; requests use the scope's (get_queryset)

    def allowed(self, scope) -> bool:
        return scope.can_read_party or scope.member is not None  # a member reads their own records

    def get_queryset(self):
        qs = DuesPayment.objects.filter(member__in=self.scope.dues_members().values("pk"))
        qs = qs.select_related("member", "party_org__node", "recorded_by")
        g = self.request.query_params
        for key, label in (("party_org", "党组织"), ("member", "党员")):
            pk = parse_id(g, key, label)
            if pk is not None:
                qs = qs.filter(**{f"{key}_id": pk})
        if g.get("month"):
            try:
                qs = qs.filter(month=rules.parse_month(g["month"]))
            except ValueError as exc:
                raise ValidationError({"month": [str(exc)]}) from None
        return qs

    @extend_schema(parameters=PAYMENT_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PaymentInputSerializer, responses={201: PaymentSerializer})
    def create(self, request):
        if not self.scope.can_edit_party:
            raise PermissionDenied  # before validation: a reader learns nothing from error bodies
        d = self.body(PaymentInputSerializer)
        member = _member_in(self.scope, d["member"])
        item = services.PaymentInput(member, d["amount_paid"], d.get("paid_on"), normalize.prose(d.get("note")))
        with service_errors():
            row = services.record_payment(request.user, member, d["month"], item, timezone.localdate())
        return Response(PaymentSerializer(self.get_queryset().get(pk=row.pk)).data, status=201)

    @extend_schema(request=BulkSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """一次登记一个党组织一个月：每条为一名党员（实缴 0 即未缴）；任何一条有误则全部不保存。"""
        if not self.scope.can_edit_party:
            raise PermissionDenied
        d = self.body(BulkSerializer)
        party_org = get_in_scope(self.scope.party_orgs("view").filter(node__is_active=True), pk=d["party_org"])
        if not self.scope.acts_for(party_org):
            raise PermissionDenied
        members = {m.pk: m for m in party_org.members.filter(is_active=True)}
        items = []
        for e in d["entries"]:
            member = members.get(e["member"])
            if member is None:
                raise Http404  # not a member of this party organization: as if missing
            on = e.get("paid_on") or (d.get("paid_on") if e["amount_paid"] > 0 else None)
            items.append(services.PaymentInput(member, e["amount_paid"], on, normalize.prose(e.get("note"))))
        with service_errors():
            result = services.record_month(request.user, party_org, d["month"], items, timezone.localdate())
        return Response(
            {
                "party_org": party_org.pk,
                "month": f"{d['month']:%Y-%m}",
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )


# -- arrears and totals ------------------------------------------------------------------------------
def _node(scope, raw):
    pk = parse_id({"node": raw}, "node", "管理节点")
    if pk is not None:
        return get_in_scope(scope.nodes("view"), pk=pk)
    node = scope.dues_home()
    if node is None:
        raise Http404
    return node


class DuesArrearsViewSet(ScopedViewSet):
    """党费欠缴：截至上月有未缴月份的党员（月数、金额、连续未交月数；连续 lapse_months 个月及以上标记
    lapsed，自行脱党核查）。?node= 管理节点（缺省为本人所在节点），?lapsed=1 只看标记的。"""

    required = "can_read_party"

    @extend_schema(
        parameters=[
            OpenApiParameter("node", OpenApiTypes.INT, description="管理节点编号（含下级）"),
            OpenApiParameter("lapsed", OpenApiTypes.STR, description="1：只看连续未交达到 lapse_months 的"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        today, params = timezone.localdate(), policy.values()
        node = _node(self.scope, request.query_params.get("node"))
        owing = ledger.arrears(ledger.load(ledger.under(self.scope.members("view"), node), params), today, params)
        if request.query_params.get("lapsed") == "1":
            owing = [o for o in owing if o.lapsed]
        return Response(
            {
                "node": {"id": node.pk, "name": node.name},
                "through": f"{rules.closed_through(today):%Y-%m}",
                "lapse_months": int(params["lapse_months"]),
                "count": len(owing),
                "owed": str(sum((o.arrears.owed for o in owing), rules.ZERO)),
                "results": [
                    {
                        "member": o.line.member_id,
                        "name": o.line.name,
                        "party_org": o.line.party_org_id,
                        "party_org_name": o.line.party_org_name,
                        "months": [f"{m:%Y-%m}" for m in o.arrears.months],
                        "count": o.arrears.count,
                        "owed": str(o.arrears.owed),
                        "unknown_amount_months": o.arrears.unknown,
                        "consecutive": o.arrears.run,
                        "lapsed": o.lapsed,
                    }
                    for o in owing
                ],
            }
        )


def _total(t: ledger.Total, node, period) -> dict:
    target = node.pk if t.key == "self" else t.node_id
    query = {"node": target, **period.query, **({"own": "1"} if t.key == "self" else {})}
    base = reverse("web:dues_list")
    return {
        "key": t.key,
        "node": target,
        "name": t.label,
        "party_orgs": len(t.branches),
        "unrecorded_party_orgs": t.unrecorded,
        "entries": t.entries,
        "due": str(t.due),
        "paid": str(t.paid),
        "unpaid": str(t.owed),
        "unpaid_entries": t.unpaid_entries,
        "lists": {status: base + "?" + urlencode({**query, "status": status}) for status in ledger.STATUSES},
    }


class DuesTotalsViewSet(ScopedViewSet):
    """党费收缴汇总：管理节点的各下级（及本级）应缴、实缴、未缴；?month=YYYY-MM 或 ?year=YYYY（缺省本月）。
    lists 为每个数字背后的明细页面。"""

    required = "can_read_party"

    @extend_schema(
        parameters=[
            OpenApiParameter("node", OpenApiTypes.INT, description="管理节点编号（缺省为本人所在节点）"),
            OpenApiParameter("month", OpenApiTypes.STR, description="月份 YYYY-MM（缺省本月）"),
            OpenApiParameter("year", OpenApiTypes.STR, description="年份（全年至本月）"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        node = _node(self.scope, request.query_params.get("node"))
        try:
            period = ledger.period_for(request.query_params, timezone.localdate())
        except ValueError as exc:
            key = "year" if request.query_params.get("year") else "month"
            raise ValidationError({key: [str(exc)]}) from None
        rows, grand = ledger.node_totals(self.scope.members("view"), node, period, policy.values())
        return Response(
            {
                "node": {"id": node.pk, "name": node.name},
                "period": {"label": period.label, "months": [f"{m:%Y-%m}" for m in period.months]},
                "rows": [_total(t, node, period) for t in rows],
                "total": _total(grand, node, period),
            }
        )


def register(router) -> None:
    """Register this module's viewsets on the API router."""
    router.register("dues/profiles", DuesProfileViewSet, basename="dues-profile")
    router.register("dues/payments", DuesPaymentViewSet, basename="dues-payment")
    router.register("dues/arrears", DuesArrearsViewSet, basename="dues-arrears")
    router.register("dues/totals", DuesTotalsViewSet, basename="dues-totals")
