"""Forms of the party side. Validation is in liangxin.party.validation; these only call it."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from liangxin.core import normalize
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.orgs.models import Organization
from liangxin.party import policy, validation
from liangxin.party.models import Member, PartyOrganization
from liangxin.party.services import MEMBER_FIELDS, PARTY_ORG_FIELDS

from .forms import DATE, chinese_empty_choice, unchanged_or


def organizations_by_codes(text: str, scope) -> tuple[list[Organization], list[str]]:
    """Organizations named one per line by credit code (or #id for those without one)."""
    found, unknown = [], []
    visible = scope.organizations("view")
    for raw in text.splitlines():
        token = normalize.code(raw)
        if not token:
            continue
        org = (
            visible.filter(pk=token[1:]).first()
            if token.startswith("#") and token[1:].isdigit()
            else visible.filter(credit_code=token).first()
        )
        (found.append(org) if org else unknown.append(token))
    return found, unknown


class EmployerByCode:
    """A form whose ``employer_code`` names one organization in the user's scope (credit code,
    or #id for one without): a member's or an applicant's employer. Needs ``self.scope``."""

    def clean_employer_code(self):
        code = self.cleaned_data.get("employer_code")
        if not code:
            return None
        found, unknown = organizations_by_codes(code, self.scope)
        if unknown or len(found) != 1:
            raise ValidationError("找不到该工作单位（请填写统一社会信用代码，或 #编号），或不在您的范围内")
        return found[0]


class PartyOrgForm(forms.ModelForm):
    name = forms.CharField(label="党组织名称", max_length=100)
    parent = forms.ModelChoiceField(label="上级党组织/党委", queryset=ManagementNode.objects.none())
    covers_text = forms.CharField(
        label="覆盖的两新组织",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
        help_text="每行一个统一社会信用代码（无代码的组织填 #编号）；联合党支部可覆盖多个组织",
    )

    class Meta:
        model = PartyOrganization
        fields = PARTY_ORG_FIELDS
        widgets = {"founded_on": DATE, "term_start": DATE, "term_end": DATE}

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        parents = (
            scope.nodes("view")
            .filter(Q(kind__in=COMMITTEE_KINDS) | Q(party_org__in=scope.party_orgs("change")))
            .filter(is_active=True)
        )
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.node.path)
            self.fields["name"].initial = self.instance.node.name
            self.fields["parent"].initial = self.instance.node.parent_id
            self.fields["covers_text"].initial = "\n".join(
                o.credit_code or f"#{o.pk}"
                for o in Organization.objects.filter(
                    party_links__party_org=self.instance, party_links__end_on__isnull=True
                )
            )
        self.fields["parent"].queryset = parents
        # members on the roll (a post held by someone already off it stays selectable until changed)
        held = [pk for pk in (self.instance.secretary_id, self.instance.deputy_id) if pk]
        own_members = (
            Member.objects.filter(Q(is_active=True) | Q(pk__in=held), party_org=self.instance)
            if self.instance.pk
            else Member.objects.none()
        )
        self.fields["secretary"].queryset = self.fields["deputy"].queryset = own_members
        chinese_empty_choice(self)

    def clean(self):
        cleaned = super().clean()
        covered, unknown = organizations_by_codes(cleaned.get("covers_text", ""), self.scope)
        if unknown:
            self.add_error("covers_text", f"找不到以下组织（或不在您的范围内）：{'、'.join(unknown[:5])}")
        self.covered = covered
        if not self.errors:
            values = {**cleaned, "parent": cleaned.get("parent")}
            errors = validation.check_party_org(
                values, instance=self.instance if self.instance.pk else None, scope=self.scope, covered=covered
            )
            for name, message in errors.items():
                self.add_error("covers_text" if name == "covers" else name, message)
        return cleaned

    def _post_clean(self):
        pass  # the instance is changed by the service, not by the form


class MemberForm(EmployerByCode, forms.ModelForm):
    id_number = forms.CharField(label="公民身份号码", max_length=30, required=False)
    employer_code = forms.CharField(label="工作单位（统一社会信用代码）", max_length=30, required=False)
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)

    class Meta:
        model = Member
        fields = [f for f in MEMBER_FIELDS if f != "employer"]
        widgets = {"joined_on": DATE, "full_on": DATE, "employed_since": DATE}

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["party_org"].queryset = scope.party_orgs("change").filter(node__is_active=True)
        self.fields["inflow_party_org"].queryset = scope.party_orgs("view").filter(node__is_active=True)
        if self.instance.pk:
            self.fields["id_number"].help_text = f"当前：{self.instance.id_masked}；不修改请留空"
            if self.instance.employer_id:
                self.fields["employer_code"].initial = (
                    self.instance.employer.credit_code or f"#{self.instance.employer_id}"
                )
        else:
            self.fields["id_number"].required = True
        chinese_empty_choice(self)

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number")
        return validation.clean_id_number(value) if value or not self.instance.pk else None

    def clean_phone(self):
        return unchanged_or(self, "phone", validation.clean_phone)

    def clean_email(self):
        return unchanged_or(self, "email", validation.clean_email)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            errors = validation.check_member(
                cleaned, instance=self.instance if self.instance.pk else None, scope=self.scope, params=policy.values()
            )
            for name, message in errors.items():
                self.add_error(name if name in self.fields else None, message)
        return cleaned

    def _post_clean(self):
        pass
