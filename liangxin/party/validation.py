"""Validation of members and party organizations: plain functions shared by form, API and import."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric

from liangxin.core import contact, crypto, normalize

from .choices import MemberCategory, Sex
from .models import Member, PartyOrganization


def clean_id_number(value) -> str:
    """公民身份号码 (GB 11643), checked with python-stdnum ``cn.ric``."""
    number = normalize.code(value)
    if not number:
        raise ValidationError("公民身份号码不能为空")
    if len(number) != 18:
        raise ValidationError(f"公民身份号码应为18位，当前为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError("公民身份号码格式错误：前17位应为数字，末位为数字或X")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError("公民身份号码校验位错误，请核对后重新输入")
    try:
        ric.get_birth_date(number)
    except ric.ValidationError:
        raise ValidationError("公民身份号码中的出生日期无效") from None
    # Not ric.validate(): it also rejects an area code not yet in force in the birth year, but a
    # genuine number carries the code in force when it was first issued (e.g. 310115 浦东 for 1980).
    return number


def clean_phone(value) -> str:
    """联系电话: a mainland mobile or fixed-line number, stored in one canonical text (core.contact)."""
    return contact.clean_phone(value, "联系电话")


def clean_email(value) -> str:
    return contact.clean_email(value, "电子邮箱")


def derived_from_id(number: str) -> dict:
    """Birth date and sex come from the number itself (17th digit odd: male)."""
    return {"birth_date": ric.get_birth_date(number), "sex": Sex.MALE if int(number[16]) % 2 else Sex.FEMALE}


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_member(values: dict, *, instance: Member | None, scope, params: dict) -> dict[str, str]:
    """Cross-field and database checks of a member; ``{field: Chinese message}``."""
    errors = check_member_fields(values, params)
    number = values.get("id_number")
    if number:
        errors.update(_check_unique_id(number, instance, scope))
    party_org = values.get("party_org")
    if party_org is not None and not scope.party_orgs("change").filter(pk=party_org.pk).exists():
        errors["party_org"] = PARTY_ORG_OUT_OF_SCOPE
    return errors


PARTY_ORG_OUT_OF_SCOPE = "该党组织不在您的管辖范围内"


def check_member_fields(values: dict, params: dict) -> dict[str, str]:
    """The checks that need no database: age at joining, dates, floating, dues base."""
    errors: dict[str, str] = {}
    number = values.get("id_number")
    if number:
        birth = ric.get_birth_date(number)
        joined = values.get("joined_on")
        minimum = int(params["minimum_age"])
        if joined and age_on(birth, joined) < minimum:
            errors["joined_on"] = f"入党时未满{minimum}周岁（规则：入党最低年龄 {minimum} 周岁）"
    errors.update(_check_dates(values))
    if not values.get("floating") and values.get("inflow_party_org") is not None:
        errors["inflow_party_org"] = "只有流动党员才填写流入地党组织"
    if values.get("floating") and not normalize.text(values.get("floating_card_no")):
        errors["floating_card_no"] = "流动党员须填写流动党员活动证号"
    base = values.get("dues_base")
    if base is not None and base < 0:
        errors["dues_base"] = "党费计算基数不能为负数"
    return errors


def _check_unique_id(number: str, instance: Member | None, scope) -> dict[str, str]:
    clash = Member.objects.filter(id_hash=crypto.lookup_hash(number)).select_related("party_org__node")
    if instance is not None and instance.pk:
        clash = clash.exclude(pk=instance.pk)
    other = clash.first()
    if other is None:
        return {}
    visible = scope.members("view").filter(pk=other.pk).exists()
    return {"id_number": id_number_taken(f"{other.name}」（{other.party_org}" if visible else None)}


def id_number_taken(visible: str | None) -> str:
    if visible is not None:
        return f"该公民身份号码已登记为党员「{visible}），一人只能登记一次"
    return "该公民身份号码已在平台其他党组织登记，一人只能登记一次；如需转入请办理组织关系转接"


def _check_dates(values: dict) -> dict[str, str]:
    errors = {}
    today = timezone.localdate()
    joined, full, category = values.get("joined_on"), values.get("full_on"), values.get("category")
    for name, label in (("joined_on", "入党日期"), ("full_on", "转正日期"), ("employed_since", "入职日期")):
        if values.get(name) and values[name] > today:
            errors[name] = f"{label}不能晚于今天"
    if joined and full and full < joined:
        errors["full_on"] = "转正日期不能早于入党日期"
    if category == MemberCategory.FULL and not full:
        errors.setdefault("full_on", "正式党员须填写转正日期")
    if category == MemberCategory.PROBATIONARY and full:
        errors.setdefault("full_on", "预备党员尚未转正，转正日期应留空")
    return errors


def check_party_org(values: dict, *, instance: PartyOrganization | None, scope, covered: list) -> dict[str, str]:
    """A party organization: its parent and the organizations it covers must be in scope;
    its secretary and deputy must be its own members; the term must end after it starts."""
    errors: dict[str, str] = {}
    parent = values.get("parent")
    moved = instance is None or parent is None or parent.pk != instance.node.parent_id
    if (
        moved
        and parent is not None
        and not scope.can_edit_node(parent)
        and not scope.party_orgs("change").filter(node=parent).exists()
    ):
        errors["parent"] = "上级党组织不在您的管辖范围内"
    if instance is not None and parent is not None and parent.path.startswith(instance.node.path):
        errors["parent"] = "上级党组织不能是本党组织或它的下级"
    # what it already covers may stay; adding an organization needs the right to act on it
    current = (
        set(instance.links.filter(end_on__isnull=True).values_list("organization_id", flat=True)) if instance else set()
    )
    added = [o for o in covered if o.pk not in current]
    editable = set(scope.organizations("change").filter(pk__in=[o.pk for o in added]).values_list("pk", flat=True))
    outside = [o.name for o in added if o.pk not in editable]
    if outside:
        errors["covers"] = f"以下组织不在您的管辖范围内，不能纳入覆盖：{'、'.join(outside[:5])}"
    for name, label in (("secretary", "书记"), ("deputy", "副书记")):
        person = values.get(name)
        if person is not None and (instance is None or person.party_org_id != instance.pk):
            errors[name] = f"{label}须是本党组织的党员"
    start, end = values.get("term_start"), values.get("term_end")
    if start and end and end <= start:
        errors["term_end"] = "任期届满日期应晚于任期开始日期"
    return errors
