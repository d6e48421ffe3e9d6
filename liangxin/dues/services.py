"""Every change of dues state goes through here: atomic, checked by ``rules``, audited.

Errors are raised as ``django.core.exceptions.ValidationError`` with a dict of Chinese messages
by field, before anything is written.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from liangxin.core import audit
from liangxin.core.models import AuditAction, AuditEntry
from liangxin.party import policy
from liangxin.party.models import Member, PartyOrganization

from . import rules
from .models import DuesCategory, DuesPayment, DuesProfile

PROFILE_FIELDS = ["category", "farmer_yuan", "override_amount", "override_reason"]
PAYMENT_FIELDS = ["amount_due", "amount_paid", "paid_on", "note"]


@transaction.atomic
def set_profile(
    actor,
    member: Member,
    *,
    dues_base: Decimal | None,
    category: str,
    farmer_yuan: Decimal | None = None,
    override_amount: Decimal | None = None,
    override_reason: str = "",
) -> DuesProfile:
    """Set a member's monthly base (on the member record), dues category, farmer amount and
    manual override (with its required reason). Each changed record gets its audit entry."""
    params = policy.values()
    override_reason = (override_reason or "").strip()
    values = {
        "dues_base": dues_base,
        "category": category or DuesCategory.EMPLOYED,
        "farmer_yuan": farmer_yuan,
        "override_amount": override_amount,
        "override_reason": override_reason,
    }
    errors = rules.check_profile(values, params)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    if values["category"] != DuesCategory.FARMER:
        values["farmer_yuan"] = None
    if values["override_amount"] is None:
        values["override_reason"] = ""  # a reason belongs to an override

    member = Member.objects.select_for_update().select_related("party_org__node").get(pk=member.pk)
    if member.dues_base != dues_base:
        audit.record(
            actor, AuditAction.UPDATE, member, changes={"dues_base": [_plain(member.dues_base), _plain(dues_base)]}
        )
        member.dues_base = dues_base
        member.save(update_fields=["dues_base"])

    profile = DuesProfile.objects.filter(member=member).first()
    is_new = profile is None
    if profile is None:
        profile = DuesProfile(member=member)
    before = {} if is_new else audit.snapshot(profile, PROFILE_FIELDS)
    for key in PROFILE_FIELDS:
        setattr(profile, key, values[key])
    after = audit.snapshot(profile, PROFILE_FIELDS)
    changes = audit.diff(before, after)
    if is_new or changes:
        profile.save()
        audit.record(actor, AuditAction.CREATE if is_new else AuditAction.UPDATE, profile, changes=changes)
    return profile


def _plain(value):
    return None if value is None else str(value)


@dataclass(frozen=True)
class PaymentInput:
    """One member's line of a month: what was paid (0: unpaid) and when."""

    member: Member
    amount_paid: Decimal | None
    paid_on: datetime.date | None = None
    note: str = ""


@dataclass
class Recorded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def text(self) -> str:
        return f"新增 {self.created} 条、修改 {self.updated} 条、未变 {self.unchanged} 条"


def monthly_amount(member: Member, params) -> rules.Amount:
    profile = DuesProfile.objects.filter(member_id=member.pk).first()
    return rules.amount_for_profile(member.dues_base, profile, params)


def _check(member: Member, month, item: PaymentInput, amount: rules.Amount, today, params) -> dict[str, str]:
    errors = rules.check_payment(
        month=month,
        joined_on=member.joined_on,
        amount_paid=item.amount_paid,
        paid_on=item.paid_on,
        today=today,
        params=params,
    )
    if not amount.known:
        errors.setdefault(
            "member", "应缴金额无法核定：未填写党费计算基数（在职、离退休党员按比例计算），请先填写党费档案"
        )
    if len(item.note) > 200:
        errors["note"] = "备注不能超过 200 字"
    return errors


@transaction.atomic
def record_month(
    actor,
    party_org: PartyOrganization,
    month: datetime.date,
    items: list[PaymentInput],
    today: datetime.date,
) -> Recorded:
    """登记一个月: record ``month`` for members of ``party_org`` at once (a row per member:
    paid, or 0 for unpaid). All rows are checked first; any error refuses the whole sheet."""
    params = policy.values()
    month = rules.month_start(month)
    members = {m.pk: m for m in party_org.members.filter(is_active=True)}
    profiles = {p.member_id: p for p in DuesProfile.objects.filter(member_id__in=members)}
    errors: list[str] = []
    month_errors: dict[str, list[str]] = {}  # one line per reason, naming the members it concerns
    checked = []
    seen: set[int] = set()
    for n, item in enumerate(items, start=1):
        member = members.get(item.member.pk)
        if member is None:
            errors.append(f"第 {n} 行：党员「{item.member.name}」不在本党组织，不能登记")
            continue
        if member.pk in seen:
            errors.append(f"第 {n} 行：党员「{member.name}」重复登记")
            continue
        seen.add(member.pk)
        amount = rules.amount_for_profile(member.dues_base, profiles.get(member.pk), params)
        found = _check(member, month, item, amount, today, params)
        if found:
            if "month" in found:
                month_errors.setdefault(found.pop("month"), []).append(member.name)
            errors.extend(f"第 {n} 行 {member.name}：{v}" for v in found.values())
            continue
        checked.append((member, item, amount))
    errors = [f"{text}（{'、'.join(names)}）" for text, names in month_errors.items()] + errors
    if errors:
        raise ValidationError({"entries": errors})
    result = Recorded()
    existing = {
        p.member_id: p for p in DuesPayment.objects.select_for_update().filter(month=month, member_id__in=members)
    }
    entries: list[AuditEntry] = []
    for member, item, amount in checked:
        row = existing.get(member.pk)
        before = audit.snapshot(row, PAYMENT_FIELDS) if row else {}
        row = _fill(row or DuesPayment(member=member, month=month), party_org, item, amount, actor)
        changes = audit.diff(before, audit.snapshot(row, PAYMENT_FIELDS))
        if not changes:
            result.unchanged += 1
            continue
        row.save()
        row.member = member
        row.party_org = party_org
        entries.append(audit.build(actor, AuditAction.UPDATE if before else AuditAction.CREATE, row, changes=changes))
        if before:
            result.updated += 1
        else:
            result.created += 1
    audit.record_many(entries)
    if entries:
        audit.record(
            actor,
            AuditAction.UPDATE,
            party_org,
            detail=f"登记{rules.month_label(month)}党费：{result.text}",
        )
    return result


def _fill(row: DuesPayment, party_org, item: PaymentInput, amount: rules.Amount, actor) -> DuesPayment:
    """Write the input on the row; the amount due is fixed when the month is first recorded
    (a later change of base does not rewrite history), unless the row was recorded unpaid."""
    assert item.amount_paid is not None and amount.value is not None, "_check refuses an input without them"
    if row.pk is None or row.amount_paid <= 0:
        row.amount_due = amount.value
    row.party_org = party_org
    row.amount_paid = item.amount_paid
    row.paid_on = item.paid_on if item.amount_paid > 0 else None
    row.note = item.note
    row.recorded_by = actor if getattr(actor, "pk", None) else None
    return row


@transaction.atomic
def record_payment(
    actor, member: Member, month: datetime.date, item: PaymentInput, today: datetime.date
) -> DuesPayment:
    """登记（补交）one month for one member; refused with Chinese messages by field."""
    params = policy.values()
    month = rules.month_start(month)
    member = Member.objects.select_related("party_org__node").get(pk=member.pk)
    amount = monthly_amount(member, params)
    errors = _check(member, month, item, amount, today, params)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    row = DuesPayment.objects.select_for_update().filter(member=member, month=month).first()
    before = audit.snapshot(row, PAYMENT_FIELDS) if row else {}
    row = _fill(row or DuesPayment(member=member, month=month), member.party_org, item, amount, actor)
    changes = audit.diff(before, audit.snapshot(row, PAYMENT_FIELDS))
    if changes:
        row.save()
        audit.record(actor, AuditAction.UPDATE if before else AuditAction.CREATE, row, changes=changes)
    return row
