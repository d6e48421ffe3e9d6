"""JSON shapes of party organizations and members; identity numbers only masked."""

from rest_framework import serializers

from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.models import Organization
from liangxin.party import policy, validation
from liangxin.party.models import Member, PartyOrganization
from liangxin.party.services import MEMBER_FIELDS, PARTY_ORG_FIELDS

from .errors import cleaned


class _ParentField(serializers.PrimaryKeyRelatedField):
    """The management node above the party organization's own node (read and written)."""

    def get_attribute(self, instance):
        return instance.node.parent


class _CoversField(serializers.ManyRelatedField):
    """The organizations the party organization covers now (links without an end)."""

    def get_attribute(self, instance):
        return Organization.objects.filter(party_links__party_org=instance, party_links__end_on__isnull=True)


class PartyOrganizationSerializer(serializers.ModelSerializer):
    """``covers`` is the list of organization ids it serves now; ``parent`` a management node id.
    Both live on the node and the links, and are read back from there."""

    name = serializers.CharField(max_length=100)
    parent = _ParentField(queryset=ManagementNode.objects.all())
    covers = _CoversField(
        child_relation=serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all()), required=False
    )
    secretary = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), required=False, allow_null=True)
    deputy = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), required=False, allow_null=True)
    org_type_display = serializers.CharField(source="get_org_type_display", read_only=True)
    setup_mode_display = serializers.CharField(source="get_setup_mode_display", read_only=True)

    class Meta:
        model = PartyOrganization
        fields = ["id", "name", "parent", *PARTY_ORG_FIELDS, "org_type_display", "setup_mode_display", "covers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = self.context.get("scope")
        if scope is not None:
            self.fields["parent"].queryset = scope.nodes("view")
            self.fields["covers"].child_relation.queryset = scope.organizations("view")

    def validate(self, attrs):
        values = {k: getattr(self.instance, k) for k in PARTY_ORG_FIELDS} if self.instance else {}
        values.update(attrs)
        if self.instance is not None:
            values.setdefault("parent", self.instance.node.parent)
        covered = attrs.get("covers")
        if covered is None:
            covered = (
                list(
                    Organization.objects.filter(party_links__party_org=self.instance, party_links__end_on__isnull=True)
                )
                if self.instance
                else []
            )
        errors = validation.check_party_org(
            values, instance=self.instance, scope=self.context["scope"], covered=covered
        )
        if errors:
            raise serializers.ValidationError({("covers" if k == "covers" else k): [v] for k, v in errors.items()})
        values["covers"] = covered
        return values


class MemberSerializer(serializers.ModelSerializer):
    """``id_number`` is write-only; responses carry ``id_masked`` only."""

    id_number = serializers.CharField(write_only=True, required=False)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)  # cleaned by the domain
    employer = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)
    party_org = serializers.PrimaryKeyRelatedField(queryset=PartyOrganization.objects.all())
    inflow_party_org = serializers.PrimaryKeyRelatedField(
        queryset=PartyOrganization.objects.all(), required=False, allow_null=True
    )
    category_display = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "id_number", "id_masked", "birth_date", "sex", *MEMBER_FIELDS, "is_active", "category_display",
                  "sms_opt_out_on", "email_opt_out_on"]  # fmt: skip
        # 在册 is shown, never written here: leaving the roll is the 党员减少 workflow (/api/v1/member-exits/);
        # opt-outs are recorded by their own action, with the day (core.contact)
        read_only_fields = ["id_masked", "birth_date", "sex", "is_active", "sms_opt_out_on", "email_opt_out_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = self.context.get("scope")
        if scope is not None:
            self.fields["employer"].queryset = scope.organizations("view")
            self.fields["party_org"].queryset = scope.party_orgs("view")
            self.fields["inflow_party_org"].queryset = scope.party_orgs("view")

    def validate_id_number(self, value):
        return cleaned(validation.clean_id_number, value)

    def validate_phone(self, value):
        return cleaned(validation.clean_phone, value)

    def validate_email(self, value):
        return cleaned(validation.clean_email, value)

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": ["公民身份号码不能为空"]})
        values = {k: getattr(self.instance, k) for k in MEMBER_FIELDS} if self.instance else {}
        values.update(attrs)
        errors = validation.check_member(
            values, instance=self.instance, scope=self.context["scope"], params=policy.values()
        )
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return values
