"""问题清单 and 党建指导员 through the API, scoped exactly like their pages (``web.views.party``):
the findings of one rule over the caller's scope, and the instructors with their assignments
(add an instructor, assign one to an organization, end an assignment — the pages' services)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from liangxin.core import normalize
from liangxin.core.params import id_or_none, parse_choice
from liangxin.party import policy, rules, services
from liangxin.party.models import Instructor, InstructorAssignment

from .base import ScopedViewSet

TARGETS = {"organization": "两新组织", "party_org": "党组织", "member": "党员"}


class FindingSerializer(serializers.Serializer):
    """One finding: the object it is about, the rule, its level and the Chinese account."""

    object_type = serializers.ChoiceField(choices=list(TARGETS.items()), help_text="organization / party_org / member")
    object_id = serializers.IntegerField()
    object_name = serializers.CharField()
    rule = serializers.CharField()
    rule_label = serializers.CharField()
    level = serializers.ChoiceField(choices=list(rules.LEVEL_LABELS.items()))
    level_label = serializers.CharField()
    text = serializers.CharField()
    action = serializers.CharField(allow_blank=True)


FINDING_FILTERS = [
    OpenApiParameter("rule", OpenApiTypes.STR, description="规则：" + " / ".join(rules.RULES) + "（缺省为第一条）"),
    OpenApiParameter("level", OpenApiTypes.STR, description="级别：must（必须）/ should（应当）/ remind（提醒）"),
]


class FindingViewSet(mixins.ListModelMixin, ScopedViewSet):
    """问题清单：一条规则在权限范围内发现的问题（与页面相同：先按编号翻页取对象，再逐个检查，
    所以一页可能少于 page_size 条；翻到 next 为空为止）。"""

    serializer_class = FindingSerializer
    required = "can_read_orgs"

    @extend_schema(parameters=FINDING_FILTERS)
    def list(self, request, *args, **kwargs):
        g = request.query_params
        code = parse_choice(g, "rule", "规则", {k: r.label for k, r in rules.RULES.items()})
        rule = rules.RULES[code] if code else next(iter(rules.RULES.values()))
        level = parse_choice(g, "level", "级别", rules.LEVEL_LABELS)
        params, day = policy.values(), timezone.localdate()
        page = self.paginate_queryset(rules.candidates(rule, self.scope, params, day))
        found = [(obj, rule.check(obj, params, day)) for obj in page]
        data = [
            {
                "object_type": rule.target, "object_id": obj.pk, "object_name": str(obj), "rule": f.rule,
                "rule_label": f.rule_label, "level": f.level, "level_label": f.level_label, "text": f.text,
                "action": f.action,
            }
            for obj, f in found
            if f and (not level or f.level == level)
        ]  # fmt: skip
        return self.get_paginated_response(data)


class AssignmentSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = InstructorAssignment
        fields = ["id", "organization", "organization_name", "start_on", "end_on"]


class InstructorSerializer(serializers.ModelSerializer):
    """An instructor and the organizations they serve now. ``username``: a login that already holds
    the instructor role under the committee (optional, write only)."""

    node_name = serializers.CharField(source="node.name", read_only=True)
    username = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=150)
    assignments = serializers.SerializerMethodField()

    class Meta:
        model = Instructor
        fields = ["id", "name", "phone", "unit", "node", "node_name", "is_active", "username", "assignments"]
        read_only_fields = ["is_active"]

    def get_assignments(self, obj) -> list[dict]:
        current = [a for a in obj.assignments.all() if a.end_on is None]
        return AssignmentSerializer(current, many=True).data


class AssignInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="两新组织编号")


class EndInputSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(help_text="选派记录编号（见 assignments）")


class InstructorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """党建指导员：权限范围内的指导员及其当前选派；新增指导员、选派到两新组织、结束选派（与页面相同）。"""

    serializer_class = InstructorSerializer
    queryset = Instructor.objects.none()  # the schema's model; requests use the scope's (get_queryset)
    required = "can_read_registry"

    def get_queryset(self):
        qs = self.scope.instructors("view").select_related("node").prefetch_related("assignments__organization")
        return qs.order_by("node__path", "name") if self.action == "list" else qs

    def keyset_order(self):
        return ("id", False)

    def create(self, request):
        if not self.scope.can_edit_registry:
            raise PermissionDenied  # before validation, so a reader learns nothing from error bodies
        d = self.body(InstructorSerializer)
        node = self.scope.nodes("view").filter(pk=d["node"].pk).first()
        try:
            instructor = services.create_instructor(
                request.user, self.scope, name=normalize.text(d["name"]), node=node,
                phone=normalize.text(d.get("phone")), unit=normalize.text(d.get("unit")),
                username=normalize.text(d.get("username")),
            )  # fmt: skip
        except DjangoValidationError as exc:
            raise ValidationError({"node": exc.messages}) from None
        return Response(InstructorSerializer(instructor).data, status=status.HTTP_201_CREATED)

    def _organization(self, raw):
        pk = id_or_none(raw)
        org = self.scope.organizations("view").filter(pk=pk).first() if pk else None
        if org is None:
            raise Http404
        if not self.scope.organizations("change").filter(pk=org.pk).exists():
            raise PermissionDenied
        return org

    @extend_schema(request=AssignInputSerializer, responses={201: InstructorSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """选派到一个两新组织（今天起）；该组织须由您负责。"""
        if not self.scope.can_edit_registry:
            raise PermissionDenied
        instructor = self.get_object()
        if not instructor.is_active:
            raise ValidationError({"instructor": ["该指导员已不在岗"]})
        org = self._organization(self.body(AssignInputSerializer)["organization"])
        services.assign_instructor(request.user, instructor, org, timezone.localdate())
        return Response(InstructorSerializer(self.get_queryset().get(pk=instructor.pk)).data, status=201)

    @extend_schema(request=EndInputSerializer, responses={200: InstructorSerializer})
    @action(detail=True, methods=["post"], url_path="end-assignment", url_name="end-assignment")
    def end_assignment(self, request, pk=None):
        """结束一项选派（今天）；该组织须由您负责。"""
        if not self.scope.can_edit_registry:
            raise PermissionDenied
        instructor = self.get_object()
        pk = id_or_none(self.body(EndInputSerializer)["assignment"])
        assignment = instructor.assignments.filter(pk=pk, end_on__isnull=True).first() if pk else None
        if assignment is None:
            raise Http404
        self._organization(assignment.organization_id)
        services.end_assignment(request.user, assignment, timezone.localdate())
        return Response(InstructorSerializer(self.get_queryset().get(pk=instructor.pk)).data)


def register(router) -> None:
    """Register this module's viewsets on the API router."""
    router.register("findings", FindingViewSet, basename="finding")
    router.register("instructors", InstructorViewSet, basename="instructor")
