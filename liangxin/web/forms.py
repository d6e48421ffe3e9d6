"""HTML forms. Validation lives in the domain apps; these only call it and show it."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.accounts import lockout
from liangxin.accounts.models import User
from liangxin.accounts.roles import ROLE_NODE_KINDS, Role
from liangxin.core import normalize
from liangxin.core.params import id_or_none
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode, NodeKind
from liangxin.mgmt.validation import check_node
from liangxin.orgs import validation
from liangxin.orgs.choices import OrgStatus
from liangxin.orgs.models import Organization
from liangxin.orgs.services import EDITABLE_FIELDS
from liangxin.regions.models import Carrier, CarrierKind, Region, RegionLevel
from liangxin.regions.validation import check_region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        user, message = lockout.attempt(
            self.request, self.cleaned_data.get("username") or "", self.cleaned_data.get("password") or ""
        )
        if user is None:
            raise ValidationError(message)
        self.user = user
        return self.cleaned_data


def chinese_empty_choice(form: forms.Form) -> None:
    """Django's "---------" empty choice, said in Chinese."""
    for field in form.fields.values():
        choices = getattr(field, "choices", None)
        if choices and list(choices)[:1] == [("", "---------")]:
            field.choices = [("", "— 请选择 —")] + list(choices)[1:]


def errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal shown on the form: each field's reason at its field, the rest above."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, texts in by_field.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def labelled_regions(queryset, value: str = "pk") -> list[tuple[str, str]]:
    """Region choices labelled with their district, e.g. "黄浦区 / 南京东路街道"; ``value`` is pk or code."""
    regions = list(queryset.order_by("path"))
    names = {r.code: r.name for r in Region.objects.filter(level__lte=RegionLevel.STREET)}
    out = []
    for r in regions:
        codes = r.ancestor_codes[1:]  # drop the city
        out.append((str(getattr(r, value)), " / ".join(names.get(c, r.name) for c in codes) if codes else r.name))
    return out


class OrganizationForm(forms.ModelForm):
    # text, so that the domain's cleaner (full-width ＠, Chinese message) sees what was typed
    contact_email = forms.CharField(label="联系邮箱", max_length=254, required=False)

    class Meta:
        model = Organization
        fields = EDITABLE_FIELDS
        widgets = {
            "founded_on": DATE,
            "attachment_date": DATE,
            "address": forms.TextInput(attrs={"size": 60}),
        }

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        places = scope.territory_regions().filter(level__in=[RegionLevel.STREET, RegionLevel.GRID])
        self.fields["operating_region"].queryset = places
        self.fields["operating_region"].choices = [("", "— 请选择 —")] + labelled_regions(places)
        registered = Region.objects.filter(level__gte=RegionLevel.DISTRICT, level__lte=RegionLevel.STREET)
        self.fields["registered_region"].queryset = registered
        self.fields["registered_region"].choices = [("", "— 未填写 —")] + labelled_regions(registered)
        self.fields["carrier"].queryset = scope.carriers("view")
        region_id = self.data.get("operating_region") or (
            self.instance.operating_region_id if self.instance.pk else None
        )
        self.fields["carrier"].choices = [("", "— 无 —")] + carrier_choices(scope, region_id)
        committees = scope.nodes("view").filter(kind__in=COMMITTEE_KINDS)
        self.fields["attachment_node"].queryset = committees  # the scope gives the city admin every node
        chinese_empty_choice(self)
        self.fields["credit_code"].help_text = "18位，不区分大小写；个体工商户可暂缺"
        self.fields["employees"].widget.attrs["min"] = 0

    def clean_name(self):
        return validation.clean_name(self.cleaned_data.get("name"))

    def clean_credit_code(self):
        return validation.clean_credit_code(self.data.get("credit_code"))

    def clean_employees(self):
        return validation.clean_employees(self.data.get("employees"))

    def clean_founded_on(self):
        return validation.clean_founded_on(self.cleaned_data.get("founded_on"))

    def clean_contact_phone(self):
        return unchanged_or(self, "contact_phone", validation.clean_contact_phone)

    def clean_contact_email(self):
        return unchanged_or(self, "contact_email", validation.clean_contact_email)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for name, message in validation.check_organization(
                cleaned, instance=self.instance, scope=self.scope
            ).items():
                self.add_error(name, message)
        return cleaned

    def _post_clean(self):
        # Uniqueness is checked (with a Chinese message) by check_organization; skip the model's own.
        pass


def unchanged_or(form, name: str, clean):
    """A stored value is checked when it changes: a ledger number that does not pass never blocks
    an edit of another field (core.contact)."""
    value = form.cleaned_data.get(name)
    if form.instance.pk and value == getattr(form.instance, name):
        return value
    return clean(value)


def carrier_choices(scope, region_id) -> list[tuple[str, str]]:
    pk = id_or_none(region_id)
    if pk is None:
        return []
    region = Region.objects.filter(pk=pk).first()
    if region is None or not region.street_code:
        return []
    carriers = scope.carriers("view").filter(street__code=region.street_code, is_active=True)
    return [(str(c.pk), f"{c.name}（{c.get_kind_display()}）") for c in carriers]


class DeactivateForm(forms.Form):
    status = forms.ChoiceField(label="变更为", choices=[(OrgStatus.DEREGISTERED, "注销"), (OrgStatus.MOVED, "迁出")])
    on = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="原因", max_length=200, widget=forms.TextInput(attrs={"size": 40}))

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError("日期不能晚于今天")
        return on


class RestoreForm(forms.Form):
    on = forms.DateField(label="恢复日期", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="原因", max_length=200)


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "sort_order", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for name, message in check_region(cleaned, instance=self.instance).items():
                self.add_error(name, message)
        return cleaned


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = ["name", "kind", "street", "address", "is_active"]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        streets = scope.territory_regions(roles=("city_admin", "district_admin", "street_admin")).filter(
            level=RegionLevel.STREET
        )
        self.fields["street"].queryset = streets
        self.fields["street"].choices = [("", "— 请选择 —")] + labelled_regions(streets)
        self.fields["kind"].choices = CarrierKind.choices

    def clean_name(self):
        name = normalize.text(self.cleaned_data.get("name"))
        if len(name) < 2:
            raise ValidationError("载体名称至少2个字")
        return name

    def validate_unique(self):
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except ValidationError:
            self.add_error("name", "该街道/镇下已有同名载体")


class NodeForm(forms.ModelForm):
    class Meta:
        model = ManagementNode
        fields = ["name", "kind", "parent", "region", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for name, message in check_node(cleaned, instance=self.instance).items():
                self.add_error(name, message)
        return cleaned


class AccountForm(forms.ModelForm):
    password = forms.CharField(
        label="初始密码 / 重设密码",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="新建账号必填；修改账号时留空表示不改密码",
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "is_active"]

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if not password and not self.instance.pk:
            raise ValidationError("新建账号须设置初始密码")
        if password:
            # the policy compares with the user name being entered, not the one stored
            candidate = User(pk=self.instance.pk, username=self.cleaned_data.get("username") or self.instance.username)
            password_validation.validate_password(password, candidate)
        return password


class RoleAssignmentForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    node = forms.ModelChoiceField(label="所属节点", queryset=ManagementNode.objects.none())

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = scope.assignable_nodes()

    def clean(self):
        cleaned = super().clean()
        role, node = cleaned.get("role"), cleaned.get("node")
        if role and node and node.kind not in ROLE_NODE_KINDS[role]:
            kinds = "、".join(NodeKind(k).label for k in ROLE_NODE_KINDS[role])
            self.add_error("node", f"「{Role(role).label}」只能授予以下类型的节点：{kinds}")
        return cleaned
