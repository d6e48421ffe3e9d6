"""API views. Every queryset comes from the caller's scope (built once per request, ``api.base``), like the pages."""

from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from liangxin.core import crypto, normalize, word
from liangxin.core.params import parse_choice, parse_id
from liangxin.orgs import services
from liangxin.orgs.models import Organization
from liangxin.orgs.queries import SORTS, filtered_organizations
from liangxin.party import services as party_services
from liangxin.party.models import Member, PartyOrganization
from liangxin.regions.models import Carrier, Region
from liangxin.transfers import services as transfer_services

from .base import WORD_RESPONSES, EditableScopedViewSet, ScopedViewSet, word_file
from .errors import Conflict
from .party_serializers import MemberSerializer, PartyOrganizationSerializer
from .serializers import CarrierSerializer, OptOutSerializer, OrganizationSerializer, RegionSerializer


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """行政区划：权限范围内的区划（只读）。"""

    serializer_class = RegionSerializer
    queryset = Region.objects.none()  # the schema's model; requests use the scope's (get_queryset)
    scope_method = "regions"
    lookup_field = "code"

    def get_queryset(self):
        qs = super().get_queryset().select_related("parent")
        levels = {"1": "1（市）", "2": "2（区/县）", "3": "3（街道/镇）", "4": "4（网格）"}
        level = parse_choice(self.request.query_params, "level", "层级", levels)
        if level:
            qs = qs.filter(level=int(level))
        parent = self.request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent__code=parent)
        return qs

    def keyset_order(self):
        return ("path", False)


class CarrierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """载体：权限范围内的商务楼宇、园区、商业街、专业市场（只读）。"""

    serializer_class = CarrierSerializer
    queryset = Carrier.objects.none()  # the schema's model; requests use the scope's (get_queryset)
    scope_method = "carriers"


ORG_FILTERS = [
    OpenApiParameter("region", OpenApiTypes.STR, description="区划代码（含下级）"),
    OpenApiParameter("sector", OpenApiTypes.STR, description="类别：economic / social"),
    OpenApiParameter("kind", OpenApiTypes.STR, description="组织类型"),
    OpenApiParameter("industry", OpenApiTypes.STR, description="行业门类 A–T"),
    OpenApiParameter("size", OpenApiTypes.STR, description="规模档：lt10, 10_49, 50_99, 100_299, 300_999, ge1000"),
    OpenApiParameter("min_employees", OpenApiTypes.INT, description="从业人员不少于"),
    OpenApiParameter("above_scale", OpenApiTypes.STR, description="规模以上：1 / 0"),
    OpenApiParameter("key_industry", OpenApiTypes.STR, description="重点行业：1 / 0"),
    OpenApiParameter("carrier", OpenApiTypes.INT, description="载体编号"),
    OpenApiParameter("status", OpenApiTypes.STR, description="operating（默认）/ moved / deregistered / all"),
    OpenApiParameter("basis", OpenApiTypes.STR, description="责任认定依据，如 none"),
    OpenApiParameter("coverage", OpenApiTypes.STR, description="覆盖状态：own / joint / attached / instructor / none"),
    OpenApiParameter("q", OpenApiTypes.STR, description="名称、拼音首字母或统一社会信用代码"),
    OpenApiParameter(
        "sort", OpenApiTypes.STR, description="name / -name / employees / -employees / updated / -updated"
    ),
]


@extend_schema_view(list=extend_schema(parameters=ORG_FILTERS))
class OrganizationViewSet(EditableScopedViewSet):
    """两新组织：按权限范围查询、新增、修改（注销/迁出在页面操作）。"""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()  # the schema's model; requests use the scope's (get_queryset)
    scope_method = "organizations"
    required = "can_read_orgs"
    create_capability = "can_edit_registry"

    def get_queryset(self):
        related = ("operating_region", "registered_region", "responsible_node", "carrier", "attachment_node")
        if self.action != "list":
            return self.scope.organizations("view").select_related(*related)
        qs, f = filtered_organizations(self.scope, self.request.query_params)
        if f.errors:
            raise ValidationError({k: [v] for k, v in f.errors.items()})
        self._sort = SORTS[f.sort]
        return qs.select_related(*related)

    def keyset_order(self):
        return getattr(self, "_sort", ("sort_key", False))

    def perform_create(self, serializer):
        serializer.instance = services.create_organization(self.request.user, dict(serializer.validated_data))

    def perform_update(self, serializer):
        values = {k: v for k, v in serializer.validated_data.items() if k in services.EDITABLE_FIELDS}
        serializer.instance = services.update_organization(self.request.user, serializer.instance, values)

    @extend_schema(request=OptOutSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"], url_path="opt-out", url_name="opt-out")
    def opt_out(self, request, pk=None):
        """登记或撤销联系人“不接收短信/邮件”（登记时记录当日日期）。"""
        org = self.get_object()  # a write: 403 unless the caller may change it
        d = self.body(OptOutSerializer)
        services.set_contact_opt_out(request.user, org, d["channel"], d["opt_out"])
        return Response(self.get_serializer(org).data)


class PartyOrganizationViewSet(EditableScopedViewSet):
    """党组织：按权限范围查询、新建、修改（含覆盖的两新组织）。"""

    serializer_class = PartyOrganizationSerializer
    queryset = PartyOrganization.objects.none()  # the schema's model; requests use the scope's (get_queryset)
    scope_method = "party_orgs"
    required = "can_read_party"
    create_capability = "can_edit_party"

    def get_queryset(self):
        return super().get_queryset().filter(node__is_active=True).select_related("node")

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        values = {k: d[k] for k in party_services.PARTY_ORG_FIELDS if k in d and k not in ("secretary", "deputy")}
        serializer.instance = party_services.create_party_org(
            self.request.user,
            name=d["name"],
            parent=d["parent"],
            values=values,
            covered=d["covers"],
            on=timezone.localdate(),
        )

    @transaction.atomic
    def perform_update(self, serializer):
        d, po = dict(serializer.validated_data), serializer.instance
        # the page's two services, in the page's order: the move (audited, covered organizations'
        # committee derived again), then the attributes and links
        party_services.move_party_org(self.request.user, po, d["parent"])
        values = {k: d[k] for k in party_services.PARTY_ORG_FIELDS if k in d}
        serializer.instance = party_services.update_party_org(
            self.request.user,
            po,
            name=d.get("name", po.node.name),
            values=values,
            covered=d["covers"],
            on=timezone.localdate(),
        )


class MemberViewSet(EditableScopedViewSet):
    """党员：身份号码只写不读（响应中仅含脱敏号码）；按权限范围查询、新增、修改。"""

    serializer_class = MemberSerializer
    queryset = Member.objects.none()  # the schema's model; requests use the scope's (get_queryset)
    scope_method = "members"
    required = "can_read_party"
    create_capability = "can_edit_party"

    def get_queryset(self):
        qs = super().get_queryset().filter(is_active=True)
        number = self.request.query_params.get("id_number")
        if number:  # exact match only, through the keyed hash
            qs = qs.filter(id_hash=crypto.lookup_hash(normalize.code(number)))
        party_org = parse_id(self.request.query_params, "party_org", "党组织")
        if party_org is not None:
            qs = qs.filter(party_org_id=party_org)
        return qs

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        number = values.pop("id_number")
        serializer.instance = party_services.save_member(self.request.user, Member(), values, number)

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        number = values.pop("id_number", None)
        values = {k: v for k, v in values.items() if k in party_services.MEMBER_FIELDS}
        serializer.instance = party_services.save_member(self.request.user, serializer.instance, values, number)

    @extend_schema(responses=WORD_RESPONSES)
    @action(detail=True, methods=["get"], url_path="floating-card", url_name="floating-card")
    def floating_card(self, request, pk=None):
        """下载流动党员活动证（Word，A4）：流出党员，由组织关系所在党组织出具；非流动党员或流入党员：409。"""
        member = self.get_object()
        try:
            name, data = transfer_services.floating_card_file(request.user, member)
        except word.Refused as refusal:
            raise Conflict(str(refusal)) from None
        return word_file(name, data)

    @extend_schema(request=OptOutSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"], url_path="opt-out", url_name="opt-out")
    def opt_out(self, request, pk=None):
        """登记或撤销党员“不接收短信/邮件”（登记时记录当日日期）。"""
        member = self.get_object()  # a write: 403 unless the caller may change the member
        d = self.body(OptOutSerializer)
        party_services.set_member_opt_out(request.user, member, d["channel"], d["opt_out"])
        return Response(self.get_serializer(member).data)
