"""JSON shapes of the API. Validation calls the same functions as the pages."""

from rest_framework import serializers

from liangxin.core.contact import Channel
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs import validation
from liangxin.orgs.models import Organization
from liangxin.orgs.services import EDITABLE_FIELDS
from liangxin.regions.models import Carrier, Region

from .errors import cleaned


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # the city has none
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_display", "parent", "path", "is_active"]


class CarrierSerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Carrier
        fields = ["id", "name", "kind", "kind_display", "street", "address", "is_active"]


class OptOutSerializer(serializers.Serializer):
    """不接收短信 / 不接收邮件: ``opt_out`` true records it with today's date, false clears it."""

    channel = serializers.ChoiceField(label="渠道", choices=Channel.choices)
    opt_out = serializers.BooleanField(label="不接收")


class NodeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ManagementNode
        fields = ["id", "name", "kind"]


class OrganizationSerializer(serializers.ModelSerializer):
    operating_region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    registered_region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), required=False, allow_null=True
    )
    carrier = serializers.PrimaryKeyRelatedField(queryset=Carrier.objects.all(), required=False, allow_null=True)
    attachment_node = serializers.PrimaryKeyRelatedField(
        queryset=ManagementNode.objects.all(), required=False, allow_null=True
    )
    credit_code = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    employees = serializers.IntegerField(required=False, allow_null=True)  # null: not known
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=254)  # cleaned by the domain
    responsible_node = NodeRefSerializer(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    sector_display = serializers.CharField(source="get_sector_display", read_only=True)
    industry_display = serializers.CharField(source="get_industry_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    responsible_basis_display = serializers.CharField(source="get_responsible_basis_display", read_only=True)
    coverage_state_display = serializers.CharField(source="get_coverage_state_display", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", *EDITABLE_FIELDS, "sector", "sector_display", "kind_display", "industry_display",
                  "responsible_node", "responsible_basis", "responsible_basis_display", "coverage_state",
                  "coverage_state_display", "status", "status_display",
                  "status_date", "status_reason", "pinyin_initials", "created_at", "updated_at",
                  "sms_opt_out_on", "email_opt_out_on"]  # fmt: skip
        # opt-outs are recorded by their own action, with the day (core.contact)
        read_only_fields = ["status", "status_date", "status_reason", "sms_opt_out_on", "email_opt_out_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = self.context.get("scope")
        if scope is not None:
            # Only carriers and committees the caller can see may be referenced.
            self.fields["carrier"].queryset = scope.carriers("view")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["employees"] = instance.employees
        return data

    def validate_name(self, value):
        return cleaned(validation.clean_name, value)

    def validate_credit_code(self, value):
        return cleaned(validation.clean_credit_code, value)

    def validate_employees(self, value):
        return cleaned(validation.clean_employees, value)

    def validate_founded_on(self, value):
        return cleaned(validation.clean_founded_on, value)

    def validate_contact_phone(self, value):
        return cleaned(validation.clean_contact_phone, value)

    def validate_contact_email(self, value):
        return cleaned(validation.clean_contact_email, value)

    def validate(self, attrs):
        values = {name: getattr(self.instance, name) for name in EDITABLE_FIELDS} if self.instance else {}
        values.update(attrs)
        values.setdefault("credit_code", None)
        errors = validation.check_organization(values, instance=self.instance, scope=self.context["scope"])
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return values
