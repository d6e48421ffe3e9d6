"""Checks of an applicant's own data (the form, the API and the services call these)."""

import datetime

from liangxin.core import crypto, normalize
from liangxin.party.models import Member
from liangxin.party.validation import derived_from_id

from . import rules
from .models import OPEN_STAGES, Applicant, Stage

APPLICANT_FIELDS = ["name", "phone", "education", "employer", "party_org", "applied_on"]


def check_applicant(
    values: dict, *, instance: Applicant | None, scope, params: dict, today: datetime.date
) -> dict[str, str]:
    """Cross-field and database checks; ``{field: Chinese message}``. ``values["id_number"]`` is a
    cleaned number (``party.validation.clean_id_number``) or empty when it is not being changed."""
    errors: dict[str, str] = {}
    if len(normalize.text(values.get("name"))) < 2:
        errors["name"] = "请填写姓名（至少 2 个字）"
    applied = values.get("applied_on")
    if applied and applied > today:
        errors["applied_on"] = f"递交入党申请书日期（{rules.day(applied)}）不能晚于今天"
    if instance is not None and instance.talked_on and applied and applied != instance.applied_on:
        errors["applied_on"] = f"已于 {rules.day(instance.talked_on)} 入党谈话，递交申请日期不能再修改"
    party_org = values.get("party_org")
    if party_org is not None:
        if not scope.party_orgs("change").filter(pk=party_org.pk, node__is_active=True).exists():
            errors["party_org"] = "该党组织不在您的管辖范围内"
        elif instance is not None and party_org.pk != instance.party_org_id and instance.stage != Stage.APPLICANT:
            errors["party_org"] = "已确定为入党积极分子，所在党组织不能在此修改"
    number = values.get("id_number")
    if number:
        birth = _birth(number)
        if applied:
            message = rules.check_age(birth, applied, params)
            if message:
                errors["id_number"] = message
        errors.update(_check_unique(number, instance, scope))
    elif instance is not None and applied:
        message = rules.check_age(instance.birth_date, applied, params)
        if message:
            errors["applied_on"] = message
    return errors


def _birth(number: str) -> datetime.date:
    return derived_from_id(number)["birth_date"]


def _check_unique(number: str, instance: Applicant | None, scope) -> dict[str, str]:
    """One person is one member, and has at most one application in progress."""
    digest = crypto.lookup_hash(number)
    own_member = instance.member_id if instance is not None else None
    if Member.objects.filter(id_hash=digest).exclude(pk=own_member).exists():
        return {"id_number": "该公民身份号码已登记为党员，不能再登记为入党申请人"}
    other = Applicant.objects.filter(id_hash=digest, stage__in=OPEN_STAGES).select_related("party_org__node")
    if instance is not None and instance.pk:
        other = other.exclude(pk=instance.pk)
    found = other.first()
    if found is None:
        return {}
    visible = scope.party_orgs("view").filter(pk=found.party_org_id).exists()
    where = f"（{found.party_org.name}，{found.get_stage_display()}）" if visible else "（在平台其他党组织）"
    return {"id_number": f"该公民身份号码已有一份正在进行的入党申请{where}，一人同时只能有一份"}
