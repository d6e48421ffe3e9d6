"""Validation of organizations: plain functions shared by the form, the API and imports.

Field cleaners take what a person typed or a ledger holds (strings with full-width
characters and spaces included) and return the clean value or raise ``ValidationError``
with a Chinese message. ``check_organization`` checks what needs several fields or the
database: uniqueness, places, carrier, attachment, and that the result is in scope.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import uscc

from liangxin.core import contact, normalize
from liangxin.mgmt.models import COMMITTEE_KINDS
from liangxin.regions.models import RegionLevel

from .choices import OrgKind
from .models import Organization
from .responsibility import find_street_committee, responsible_node_for
from .services import covering_nodes

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def clean_name(value) -> str:
    name = normalize.text(value)
    if not name:
        raise ValidationError("组织名称不能为空")
    if len(name) < 2:
        raise ValidationError("组织名称至少2个字")
    if len(name) > 200:
        raise ValidationError("组织名称不能超过200个字")
    return name


def clean_credit_code(value) -> str | None:
    """统一社会信用代码 (GB 32100), checked with python-stdnum; blank becomes None."""
    code = normalize.code(value)
    if not code:
        return None
    if len(code) != 18:
        raise ValidationError(f"统一社会信用代码应为18位，当前为{len(code)}位")
    bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(f"统一社会信用代码含有无效字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）")
    try:
        uscc.validate(code)
    except uscc.InvalidChecksum:
        raise ValidationError("统一社会信用代码校验位错误，请核对后重新输入") from None
    except uscc.ValidationError:
        raise ValidationError("统一社会信用代码格式错误：前8位应为登记管理部门、机构类别和行政区划代码") from None
    return code


def clean_employees(value) -> int | None:
    """A count of employees; blank is None — not known (从业人员数未填), never 0 (DOMAIN.md)."""
    text = normalize.text(value).replace(",", "")
    if text == "":
        return None
    try:
        number = int(float(text)) if "." in text else int(text)
    except ValueError:
        raise ValidationError(f"从业人员数应为整数，收到「{text}」") from None
    if number < 0:
        raise ValidationError("从业人员数不能为负数")
    if number > 1_000_000:
        raise ValidationError("从业人员数超过100万，请核对")
    return number


def clean_founded_on(value: datetime.date | None, today: datetime.date | None = None) -> datetime.date | None:
    if value and value > (today or timezone.localdate()):
        raise ValidationError("成立日期不能晚于今天")
    return value


def clean_contact_phone(value) -> str:
    """联系电话: a mainland mobile or fixed-line number, stored in one canonical text (core.contact)."""
    return contact.clean_phone(value, "联系电话")


def clean_contact_email(value) -> str:
    return contact.clean_email(value, "联系邮箱")


def check_organization(values: dict, *, instance: Organization | None, scope) -> dict[str, str]:
    """Cross-field and database checks. Returns ``{field: Chinese message}``; empty when valid."""
    errors = check_organization_fields(values)
    code = values.get("credit_code")
    if code and "credit_code" not in errors:
        clash = Organization.objects.filter(credit_code=code)
        if instance is not None and instance.pk:
            clash = clash.exclude(pk=instance.pk)
        other = clash.first()
        if other is not None:
            visible = scope.organizations("view").filter(pk=other.pk).exists()
            errors["credit_code"] = credit_code_taken(other.name if visible else None)
    if not errors:
        errors.update(_check_in_scope(values, instance, scope))
    return errors


def credit_code_taken(visible_name: str | None) -> str:
    """The message for a credit code already registered (named only when the user may see it)."""
    if visible_name is not None:
        return f"该统一社会信用代码已登记为「{visible_name}」，不能重复登记"
    return "该统一社会信用代码已在平台其他辖区登记，不能重复登记；如需迁入请联系上级党委"


def out_of_scope(values: dict) -> dict[str, str]:
    """The message when the organization, as it would be saved, falls outside what the user edits."""
    if values.get("attachment_kind"):
        return {"attachment_node": "调整后的隶属党委不在您的管辖范围内"}
    return {"operating_region": "该经营地不在您的管辖范围内，无法登记或迁往该地"}


def check_organization_fields(values: dict) -> dict[str, str]:
    """The checks that need no database: required code, places, carrier, attachment."""
    errors: dict[str, str] = {}
    if not values.get("credit_code") and values.get("kind") and values["kind"] != OrgKind.INDIVIDUAL:
        errors["credit_code"] = "统一社会信用代码必填（仅个体工商户可暂缺）"
    region = values.get("operating_region")
    if region is not None and region.level not in (RegionLevel.STREET, RegionLevel.GRID):
        errors["operating_region"] = "经营地应选择到街道/镇或网格"
    registered = values.get("registered_region")
    if registered is not None and registered.level < RegionLevel.DISTRICT:
        errors["registered_region"] = "注册地应至少选择到区/县"
    carrier = values.get("carrier")
    if carrier is not None and region is not None and carrier.street.code != region.street_code:
        errors["carrier"] = f"载体「{carrier.name}」不在经营地所在街道/镇"
    errors.update(_check_attachment(values))
    return errors


def _check_attachment(values: dict) -> dict[str, str]:
    errors = {}
    kind, node = values.get("attachment_kind"), values.get("attachment_node")
    if kind:
        if node is None:
            errors["attachment_node"] = "已选择隶属调整方式，请选择调整后隶属的党委"
        elif node.kind not in COMMITTEE_KINDS:
            errors["attachment_node"] = "隶属调整只能指向党委（市、区、街道/镇综合党委或行业党委）"
        if not normalize.text(values.get("attachment_reason")):
            errors["attachment_reason"] = "隶属调整须填写原因"
        if not values.get("attachment_date"):
            errors["attachment_date"] = "隶属调整须填写日期"
    elif node is not None:
        errors["attachment_kind"] = "选择了调整后隶属党委，请同时选择调整方式（属业、属资、属条、归口、指定）"
    return errors


def _check_in_scope(values: dict, instance: Organization | None, scope) -> dict[str, str]:
    """The organization, as it would be saved, must stay inside what the user may edit."""
    probe = Organization(**{k: v for k, v in values.items() if k in _MODEL_FIELDS})
    node, _basis = responsible_node_for(probe, find_street_committee, covering_nodes=_covering(instance))
    return {} if scope.can_edit_node(node) else out_of_scope(values)


def _covering(instance: Organization | None):
    return covering_nodes(instance) if instance is not None and instance.pk else ()


_MODEL_FIELDS = {f.name for f in Organization._meta.get_fields() if getattr(f, "concrete", False)}
