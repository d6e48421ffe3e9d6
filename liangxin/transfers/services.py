"""Every change of a transfer or a floating member goes through here: checked, atomic, audited,
and announced to both sides (站内消息). Bad input raises ``ValidationError({field: 中文})`` before
anything is written; acting for the wrong side raises ``PermissionDenied`` (the view has already
answered 404 for what the user cannot see).

Member records change only through ``party.services.save_member`` (its audit entry shows the
before and after of 组织关系所在, 在册, the floating fields).
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.roles import PARTY_ROLES, REGISTRY_EDITORS, Role
from liangxin.core import audit, crypto, normalize, word
from liangxin.core.models import AuditAction
from liangxin.inbox.models import NoticeKind
from liangxin.inbox.services import notify
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.party import dues_facts, exits, policy
from liangxin.party import services as party_services
from liangxin.party import validation as party_validation
from liangxin.party.choices import ExitKind, FloatingStatus, MemberCategory
from liangxin.party.models import Member, PartyOrganization

from . import floating_card, letter, rules
from .models import CensusRecord, StepAction, Transfer, TransferKind, TransferState, TransferStep

TRANSFER_AUDITED = [
    "kind", "state", "person_name", "from_org_name", "to_org_name", "letter_no", "issued_on", "reason",
    "needs_review", "return_reason", "closed_on",
]  # fmt: skip
FLOATING_FIELDS = ["floating", "floating_card_no", "outflow_place", "inflow_place", "inflow_party_org"]


def _today() -> datetime.date:
    return timezone.localdate()


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


# -- checks shared by the steps -------------------------------------------------------------
def check_issued_on(issued_on, params: dict, today: datetime.date) -> dict[str, str]:
    """The letter's date: given, not in the future, and not already past its validity."""
    if issued_on is None:
        return {"issued_on": "请填写介绍信开具日期"}
    if issued_on > today:
        return {"issued_on": "介绍信开具日期不能晚于今天"}
    if rules.letter_expired(issued_on, params, today):
        n = rules.months(params, rules.LETTER_KEY)
        return {
            "issued_on": f"介绍信开具于 {issued_on}，已超过有效期（规则：组织关系介绍信有效期 {n} 个月；依据 "
            f"{policy.cite('transfer_letter_valid_months')}），请重新开具"
        }
    return {}


def check_step_day(on, transfer: Transfer, today: datetime.date) -> dict[str, str]:
    """A step's day: not in the future, not before the letter nor before the previous step."""
    if on is None:
        return {"on": "请填写办理日期"}
    if on > today:
        return {"on": "办理日期不能晚于今天"}
    if on < transfer.issued_on:
        return {"on": f"办理日期不能早于介绍信开具日期（{transfer.issued_on}）"}
    last = transfer.steps.order_by("-on").values_list("on", flat=True).first()
    if last and on < last:
        return {"on": f"办理日期不能早于上一环节的办理日期（{last}）"}
    return {}


def check_target(party_org: PartyOrganization | None, current_id: int | None) -> dict[str, str]:
    """The receiving party organization: exists, is active, is not where the membership is now."""
    if party_org is None:
        return {"to_party_org": "请选择转入党组织（须为本平台现有的党组织）"}
    if not party_org.node.is_active:
        return {"to_party_org": f"转入党组织「{party_org.name}」已撤销，不能接收组织关系"}
    if party_org.pk == current_id:
        return {"to_party_org": "转入党组织与当前组织关系所在党组织相同"}
    return {}


def open_transfer_of(member: Member) -> Transfer | None:
    return member.transfers.filter(state__in=[TransferState.INITIATED, TransferState.REVIEWED]).first()


def _check_no_open_transfer(member: Member) -> dict[str, str]:
    current = open_transfer_of(member)
    if current is not None:
        return {
            "member": f"该党员已有一件正在办理的组织关系转接（{current.get_state_display()}，"
            f"介绍信 {current.letter_no or '未编号'}），办结或退回后才能再次发起"
        }
    return {}


def review_committee(party_org: PartyOrganization) -> ManagementNode | None:
    """The sending side's committee: the nearest committee above the party organization."""
    ids = party_org.node.ancestor_ids
    nodes = ManagementNode.objects.filter(pk__in=ids, kind__in=COMMITTEE_KINDS)
    return max(nodes, key=lambda n: len(n.path), default=None)


# -- who hears of a step --------------------------------------------------------------------
def _side_users(transfer: Transfer) -> list:
    """Secretaries of both party organizations, the reviewing committee's admins, the member."""
    nodes = [p.node_id for p in (transfer.from_party_org, transfer.to_party_org) if p is not None]
    users = list(User.objects.filter(assignments__role__in=PARTY_ROLES, assignments__node_id__in=nodes, is_active=True))
    if transfer.review_node_id:
        users += User.objects.filter(
            assignments__role__in=REGISTRY_EDITORS, assignments__node_id=transfer.review_node_id, is_active=True
        )
    if transfer.member is not None and transfer.member.user is not None:
        users.append(transfer.member.user)
    return users


def _announce(actor, transfer: Transfer, what: str, body: str = "") -> None:
    recipients = [u for u in _side_users(transfer) if u.pk != getattr(actor, "pk", None)]
    title = f"组织关系转接{what}：{transfer.person_name}（{transfer.from_org_name} → {transfer.to_org_name}）"
    url = reverse("web:transfers_detail", args=[transfer.pk])
    notify(recipients, NoticeKind.TRANSFER, title, body or transfer.waiting_for, url)


def _step(actor, transfer: Transfer, action: str, side: str, on: datetime.date, note: str = "") -> TransferStep:
    return TransferStep.objects.create(
        transfer=transfer,
        action=action,
        side=side,
        on=on,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", None) or str(actor or "系统"))[:150],
        note=note,
    )


def _save_new(actor, transfer: Transfer) -> Transfer:
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:  # the partial unique index: another transfer was opened meanwhile
        assert transfer.member is not None, "the index is on the member: an incoming letter has none"
        _raise(_check_no_open_transfer(transfer.member) or {"member": "该党员已有一件正在办理的组织关系转接"})
    if not transfer.letter_no:
        transfer.letter_no = f"{transfer.issued_on:%Y}-{transfer.pk:06d}"
        transfer.save(update_fields=["letter_no"])
    audit.record(
        actor, AuditAction.CREATE, transfer, changes=audit.diff({}, audit.snapshot(transfer, TRANSFER_AUDITED))
    )
    return transfer


def _locked(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))  # the transfer row only (its relations are outer joins)
        .select_related("member__user", "from_party_org__node", "to_party_org__node", "review_node")
        .get(pk=transfer.pk)
    )


# -- 发起 ---------------------------------------------------------------------------------------
@transaction.atomic
def initiate(
    actor,
    scope,
    member: Member,
    *,
    kind: str,
    to_party_org: PartyOrganization | None = None,
    to_org_name: str = "",
    letter_no: str = "",
    issued_on: datetime.date | None = None,
    reason: str = "",
) -> Transfer:
    """The sending side starts a transfer of ``member`` inside the platform (``internal``) or
    to outside it (``out``). Started by the sending party organization's secretary it waits for
    the committee's review; started by that committee (or one above), it needs none."""
    if not scope.may_initiate_transfer(member):
        raise PermissionDenied("只有党员组织关系所在党组织或其上级党委可以发起转接")
    params, today = policy.values(), _today()
    letter_no, to_org_name, reason = normalize.text(letter_no), normalize.text(to_org_name), normalize.text(reason)
    errors: dict[str, str] = {}
    if kind not in (TransferKind.INTERNAL, TransferKind.OUT):
        errors["kind"] = "转接类型应为系统内转接或转出至系统外"
    if not member.is_active:
        errors["member"] = "该党员不在册，不能转接"
    elif member.exits.filter(state="proposed").exists():
        errors["member"] = "该党员有一件待审批的党员减少，审批或退回后才能转接"
    errors.update(_check_no_open_transfer(member))
    if kind == TransferKind.INTERNAL:
        errors.update(check_target(to_party_org, member.party_org_id))
        to_org_name = to_party_org.name if to_party_org is not None else ""
    elif kind == TransferKind.OUT:
        if to_party_org is not None:
            errors["to_party_org"] = "转出至系统外时不选本平台党组织，请填写接收党组织名称"
        if not to_org_name:
            errors["to_org_name"] = "请填写接收党组织名称（系统外）"
        if not letter_no:
            errors["letter_no"] = "转出至系统外须填写介绍信编号"
    errors.update(check_issued_on(issued_on, params, today))
    _raise(errors)
    assert issued_on is not None, "check_issued_on refuses a missing date"
    from_org = member.party_org
    transfer = Transfer(
        kind=kind,
        member=member,
        person_name=member.name,
        id_masked=member.id_masked,
        from_party_org=from_org,
        to_party_org=to_party_org if kind == TransferKind.INTERNAL else None,
        from_org_name=from_org.name,
        to_org_name=to_org_name,
        review_node=review_committee(from_org),
        letter_no=letter_no,
        issued_on=issued_on,
        reason=reason,
        initiated_by=actor,
    )
    transfer.needs_review = not scope.is_transfer_reviewer(transfer)
    _save_new(actor, transfer)
    note = "" if transfer.needs_review else "由上级党委发起，无需另行审核"
    _step(actor, transfer, StepAction.INITIATE, "上级党委" if note else "转出方", issued_on, note)
    _announce(actor, transfer, "发起")
    return transfer


@transaction.atomic
def register_incoming(
    actor,
    scope,
    *,
    to_party_org: PartyOrganization | None,
    from_org_name: str,
    letter_no: str,
    issued_on: datetime.date | None,
    person: dict,
    reason: str = "",
) -> Transfer:
    """A letter from outside the platform reaches the receiving party organization: registered
    here (发起), the member is created or put back on the roll when it is accepted."""
    params, today = policy.values(), _today()
    from_org_name, letter_no, reason = normalize.text(from_org_name), normalize.text(letter_no), normalize.text(reason)
    errors: dict[str, str] = {}
    if to_party_org is None:
        errors["to_party_org"] = "请选择接收的党组织"
    elif not scope.party_orgs("change").filter(pk=to_party_org.pk).exists():
        errors["to_party_org"] = party_validation.PARTY_ORG_OUT_OF_SCOPE
    elif not to_party_org.node.is_active:
        errors["to_party_org"] = f"党组织「{to_party_org.name}」已撤销，不能接收组织关系"
    if not from_org_name:
        errors["from_org_name"] = "请填写开具介绍信的党组织名称（系统外）"
    if not letter_no:
        errors["letter_no"] = "从系统外转入须填写介绍信编号"
    errors.update(check_issued_on(issued_on, params, today))
    clean, person_errors = check_person(person, params)
    errors.update(person_errors)
    _raise(errors)
    assert issued_on is not None and to_party_org is not None, "refused above when missing"
    transfer = Transfer(
        kind=TransferKind.IN,
        person_name=clean["name"],
        id_masked=crypto.mask_id_number(clean["id_number"]),
        id_number_enc=crypto.encrypt(clean["id_number"]),
        id_hash=crypto.lookup_hash(clean["id_number"]),
        category=clean["category"],
        joined_on=clean["joined_on"],
        full_on=clean["full_on"],
        phone=clean["phone"],
        to_party_org=to_party_org,
        from_org_name=from_org_name,
        to_org_name=to_party_org.name,
        letter_no=letter_no,
        issued_on=issued_on,
        reason=reason,
        initiated_by=actor,
    )
    _save_new(actor, transfer)
    _step(actor, transfer, StepAction.INITIATE, "转入方", issued_on, "登记系统外介绍信")
    _announce(actor, transfer, "登记")
    return transfer


TAKEN_FOR_TRANSFER = "该公民身份号码已是本平台在册党员，请由其所在党组织办理系统内转接"
TAKEN_FOR_INFLOW = "该公民身份号码已是本平台在册党员，请由其所在党组织办理流出登记，并选择本党组织为流入地党组织"


def check_person(person: dict, params: dict, taken: str = TAKEN_FOR_TRANSFER) -> tuple[dict, dict[str, str]]:
    """The person coming from outside: the member checks of the party side (identity number,
    age at joining, dates), and not a member already on the platform's roll."""
    clean: dict[str, Any] = {
        "name": normalize.text(person.get("name")),
        "phone": "",
        "category": person.get("category") or "",
        "joined_on": person.get("joined_on"),
        "full_on": person.get("full_on"),
        "id_number": "",
    }
    errors: dict[str, str] = {}
    if len(clean["name"]) < 2:
        errors["name"] = "请填写党员姓名（至少2个字）"
    try:
        clean["id_number"] = party_validation.clean_id_number(person.get("id_number"))
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
    try:  # the member's phone, checked as the member form checks it
        clean["phone"] = party_validation.clean_phone(person.get("phone"))
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    if clean["category"] not in MemberCategory.values:
        errors["category"] = "请选择党员类别（正式党员或预备党员）"
    if clean["joined_on"] is None:
        errors["joined_on"] = "请填写入党日期"
    if not errors:
        errors.update(party_validation.check_member_fields(clean, params))
        if Member.objects.filter(id_hash=crypto.lookup_hash(clean["id_number"]), is_active=True).exists():
            errors["id_number"] = taken
    return clean, errors


# -- 审核 / 接收 / 退回 --------------------------------------------------------------------------
def _check_open(transfer: Transfer) -> None:
    if not transfer.is_open:
        _raise({"state": f"该转接已{transfer.get_state_display()}，不能再办理"})


@transaction.atomic
def review(actor, scope, transfer: Transfer, *, on: datetime.date | None = None, note: str = "") -> Transfer:
    """The sending side's committee approves: the receiving side may now accept."""
    transfer = _locked(transfer)
    if not scope.is_transfer_reviewer(transfer):
        raise PermissionDenied("只有转出党组织的上级党委可以审核")
    _check_open(transfer)
    if transfer.state != TransferState.INITIATED or not transfer.needs_review:
        _raise({"state": "该转接无需审核或已审核"})
    on = on or _today()
    _raise(check_step_day(on, transfer, _today()))
    _change_state(actor, transfer, TransferState.REVIEWED)
    _step(actor, transfer, StepAction.REVIEW, "上级党委", on, normalize.text(note))
    _announce(actor, transfer, "审核通过")
    return transfer


@transaction.atomic
def accept(actor, scope, transfer: Transfer, *, on: datetime.date | None = None, note: str = "") -> Transfer:
    """接收: inside the platform the receiving side takes the member (组织关系所在 changes); to
    outside, the sending side records the receipt and the member leaves the roll; from outside,
    the receiving side creates the member or puts them back on the roll."""
    transfer = _locked(transfer)
    if not scope.may_accept_transfer(transfer):
        side = "转出方" if transfer.kind == TransferKind.OUT else "转入党组织"
        raise PermissionDenied(f"只有{side}可以办理接收")
    _check_open(transfer)
    if transfer.state == TransferState.INITIATED and transfer.needs_review:
        _raise({"state": "尚未经转出方上级党委审核，不能接收"})
    on = on or _today()
    _raise(check_step_day(on, transfer, _today()))
    if transfer.kind == TransferKind.INTERNAL:
        _move_member(actor, transfer)
        side = "转入方"
    elif transfer.kind == TransferKind.OUT:
        _take_off_roll(actor, transfer, on)
        side = "转出方"
    else:
        _admit_from_outside(actor, transfer)
        side = "转入方"
    transfer.closed_on = on
    _change_state(actor, transfer, TransferState.ACCEPTED)
    late = rules.letter_expired(transfer.issued_on, policy.values(), on)
    note = "；".join(x for x in (normalize.text(note), "介绍信超过有效期后接收" if late else "") if x)
    _step(actor, transfer, StepAction.ACCEPT, side, on, note)
    _announce(actor, transfer, "已接收" if transfer.kind != TransferKind.OUT else "已办结（转出）", "办理完毕")
    return transfer


@transaction.atomic
def return_transfer(actor, scope, transfer: Transfer, *, reason: str, on: datetime.date | None = None) -> Transfer:
    """退回 with a reason: by the committee at review, or by the end that would accept."""
    transfer = _locked(transfer)
    if not scope.may_return_transfer(transfer):
        raise PermissionDenied("您不是办理该转接的一方，不能退回")
    _check_open(transfer)
    if "return" not in scope.transfer_actions(transfer):
        waiting_review = transfer.state == TransferState.INITIATED and transfer.needs_review
        _raise({"state": "该转接正待上级党委审核，只有审核党委可以退回" if waiting_review else
                f"该转接已经审核，{transfer.waiting_for}，由其办理接收或退回"})  # fmt: skip
    reason = normalize.text(reason)
    errors = {} if reason else {"reason": "退回须填写退回原因"}
    on = on or _today()
    errors.update(check_step_day(on, transfer, _today()))
    _raise(errors)
    at_review = transfer.state == TransferState.INITIATED and transfer.needs_review
    transfer.return_reason, transfer.closed_on = reason, on
    _change_state(actor, transfer, TransferState.RETURNED)
    side = "上级党委" if at_review else ("转出方" if transfer.kind == TransferKind.OUT else "转入方")
    _step(actor, transfer, StepAction.RETURN, side, on, reason)
    _announce(actor, transfer, "被退回", f"退回原因：{reason}")
    return transfer


def _change_state(actor, transfer: Transfer, state: str) -> None:
    before = audit.snapshot(transfer, TRANSFER_AUDITED)
    transfer.state = state
    transfer.save()
    audit.record(
        actor, AuditAction.UPDATE, transfer, changes=audit.diff(before, audit.snapshot(transfer, TRANSFER_AUDITED))
    )


def _current_member(transfer: Transfer) -> Member:
    assert transfer.member_id is not None, "an internal or outgoing transfer, of a member on the roll"
    member = Member.objects.select_related("party_org__node", "inflow_party_org").get(pk=transfer.member_id)
    errors = {}
    if not member.is_active:
        errors["member"] = "该党员已不在册，不能接收，请退回"
    elif member.party_org_id != transfer.from_party_org_id:
        errors["member"] = "该党员的组织关系已不在转出党组织，不能接收，请退回"
    _raise(errors)
    return member


def _leave_posts(actor, member: Member) -> None:
    party_services.leave_posts(actor, member)


def _move_member(actor, transfer: Transfer) -> None:
    member = _current_member(transfer)
    assert transfer.to_party_org is not None, "an internal transfer names the receiving party organization"
    if not transfer.to_party_org.node.is_active:
        _raise({"to_party_org": "转入党组织已撤销，不能接收，请退回"})
    _leave_posts(actor, member)
    values: dict[str, Any] = {"party_org": transfer.to_party_org}
    if member.inflow_party_org_id == transfer.to_party_org_id:  # a floating member settles where they went
        values |= {"floating": "", "floating_card_no": "", "outflow_place": "", "inflow_place": ""}
        values["inflow_party_org"] = None
    party_services.save_member(actor, member, values, None)


def _take_off_roll(actor, transfer: Transfer, on: datetime.date) -> None:
    """转出至系统外, received: the member leaves the roll with an approved 党员减少 record."""
    member = _current_member(transfer)
    reason = f"组织关系转出至系统外：{transfer.to_org_name}（介绍信 {transfer.letter_no}）"
    exits.record_automatic(
        actor, member, ExitKind.TRANSFER_OUT, on, reason, transfer=transfer, approved_node=transfer.review_node
    )


def _admit_from_outside(actor, transfer: Transfer) -> None:
    assert transfer.to_party_org is not None, "an incoming letter names the receiving party organization"
    if not transfer.to_party_org.node.is_active:
        _raise({"to_party_org": "接收党组织已撤销，不能接收，请退回"})
    existing = Member.objects.filter(id_hash=transfer.id_hash).first()
    if existing is not None and existing.is_active:
        _raise({"id_number": "该公民身份号码已是本平台在册党员，不能重复接收；请退回，由其所在党组织办理系统内转接"})
    values: dict[str, Any] = {
        "name": transfer.person_name,
        "party_org": transfer.to_party_org,
        "category": transfer.category,
        "joined_on": transfer.joined_on,
        "full_on": transfer.full_on,
        **{name: "" for name in FLOATING_FIELDS if name != "inflow_party_org"},
        "inflow_party_org": None,
    }
    if transfer.phone:
        values["phone"] = transfer.phone
    number = None if existing is not None else crypto.decrypt(transfer.id_number_enc)
    if existing is not None:
        values["is_active"] = True  # back on the roll; the old exit record stays as it was
    transfer.member = party_services.save_member(actor, existing or Member(), values, number, roll_change=True)


# -- 流动党员 ---------------------------------------------------------------------------------
def _check_day(on, label: str, today: datetime.date) -> dict[str, str]:
    if on is None:
        return {"on": f"请填写{label}"}
    if on > today:
        return {"on": f"{label}不能晚于今天"}
    return {}


def _record_census(actor, member: Member, party_org, on: datetime.date, location: str, contact_ok=True, note=""):
    record = CensusRecord.objects.create(
        member=member,
        confirmed_on=on,
        party_org=party_org,
        by=actor if getattr(actor, "pk", None) else None,
        by_name=(getattr(actor, "display_name", None) or str(actor or "系统"))[:150],
        location=location[:100],
        contact_ok=contact_ok,
        note=note[:200],
    )
    fields = ["confirmed_on", "location", "contact_ok", "note"]
    audit.record(
        actor,
        AuditAction.CREATE,
        record,
        object_repr=f"{member.name} 排摸（{on}）",
        changes=audit.diff({}, audit.snapshot(record, fields)),
    )
    return record


def _floating_secretaries(party_org: PartyOrganization | None) -> list:
    if party_org is None:
        return []
    return list(User.objects.filter(assignments__role=Role.SECRETARY, assignments__node_id=party_org.node_id))


def _floating_notice(actor, member: Member, title: str, party_orgs) -> None:
    users = [u for p in party_orgs for u in _floating_secretaries(p) if u.pk != getattr(actor, "pk", None)]
    notify(users, NoticeKind.FLOATING, title, "", reverse("web:transfers_floating_detail", args=[member.pk]))


@transaction.atomic
def register_outflow(
    actor,
    scope,
    member: Member,
    *,
    card_no: str,
    inflow_place: str,
    outflow_place: str = "",
    inflow_party_org: PartyOrganization | None = None,
    on: datetime.date | None = None,
) -> Member:
    """流出登记 by the holding side (or a change of it); counts as the first census."""
    if not scope.is_floating_holder(member):
        raise PermissionDenied("只有党员组织关系所在党组织或其上级党委可以登记流出")
    today = _today()
    card_no, inflow_place = normalize.code(card_no), normalize.text(inflow_place)
    outflow_place = normalize.text(outflow_place) or member.party_org.name
    errors: dict[str, str] = {}
    if not member.is_active:
        errors["member"] = "该党员不在册"
    elif member.floating == FloatingStatus.INFLOW:
        errors["member"] = "该党员是流入党员，不能登记流出；如已离开请先结束流动"
    if not card_no:
        errors["card_no"] = "请填写流动党员活动证号"
    if not inflow_place:
        errors["inflow_place"] = "请填写流入地（外出务工经商所在地）"
    if inflow_party_org is not None:
        if not inflow_party_org.node.is_active:
            errors["inflow_party_org"] = "流入地党组织已撤销"
        elif inflow_party_org.pk == member.party_org_id:
            errors["inflow_party_org"] = "流入地党组织不能是组织关系所在的党组织"
    errors.update(_check_day(on or today, "登记日期", today))
    _raise(errors)
    previous_inflow, changing = member.inflow_party_org, member.floating == FloatingStatus.OUTFLOW
    values = {
        "floating": FloatingStatus.OUTFLOW,
        "floating_card_no": card_no,
        "outflow_place": outflow_place,
        "inflow_place": inflow_place,
        "inflow_party_org": inflow_party_org,
    }
    party_services.save_member(actor, member, values, None)
    _record_census(
        actor, member, member.party_org, on or today, inflow_place, True, "变更流出登记" if changing else "流出登记"
    )
    if inflow_party_org is not None and inflow_party_org != previous_inflow:
        _floating_notice(
            actor, member, f"流动党员流入：{member.name}（来自{member.party_org.name}）", [inflow_party_org]
        )
    return member


@transaction.atomic
def register_inflow(
    actor,
    scope,
    *,
    party_org: PartyOrganization | None,
    person: dict,
    card_no: str,
    outflow_place: str,
    inflow_place: str = "",
    on: datetime.date | None = None,
) -> Member:
    """流入登记: a floating member whose membership is held outside the platform comes to work
    here; the inflow party organization manages them (流入地为主) and keeps their record."""
    params, today = policy.values(), _today()
    card_no, outflow_place = normalize.code(card_no), normalize.text(outflow_place)
    errors: dict[str, str] = {}
    if party_org is None:
        errors["party_org"] = "请选择流入地党组织"
    elif not scope.party_orgs("change").filter(pk=party_org.pk).exists():
        errors["party_org"] = party_validation.PARTY_ORG_OUT_OF_SCOPE
    elif not party_org.node.is_active:
        errors["party_org"] = "该党组织已撤销"
    clean, person_errors = check_person(person, params, TAKEN_FOR_INFLOW)
    errors.update(person_errors)
    if not errors.get("id_number") and Member.objects.filter(id_hash=crypto.lookup_hash(clean["id_number"])).exists():
        errors["id_number"] = party_validation.id_number_taken(None)
    if not card_no:
        errors["card_no"] = "请填写流动党员活动证号"
    if not outflow_place:
        errors["outflow_place"] = "请填写流出地（组织关系所在的党组织或地方）"
    errors.update(_check_day(on or today, "登记日期", today))
    _raise(errors)
    assert party_org is not None, "refused above when missing"
    inflow_place = normalize.text(inflow_place) or party_org.name
    values = {
        "name": clean["name"],
        "phone": clean["phone"],
        "category": clean["category"],
        "joined_on": clean["joined_on"],
        "full_on": clean["full_on"],
        "party_org": party_org,
        "floating": FloatingStatus.INFLOW,
        "floating_card_no": card_no,
        "outflow_place": outflow_place,
        "inflow_place": inflow_place,
        "inflow_party_org": party_org,
    }
    member = party_services.save_member(actor, Member(), values, clean["id_number"])
    _record_census(actor, member, party_org, on or today, inflow_place, True, "流入登记")
    return member


@transaction.atomic
def record_census(
    actor,
    scope,
    member: Member,
    *,
    confirmed_on: datetime.date | None,
    location: str,
    contact_ok: bool = True,
    note: str = "",
) -> CensusRecord:
    """排摸: the holding side or the inflow side confirms where the member is."""
    if not scope.may_census(member):
        raise PermissionDenied("只有组织关系所在党组织或流入地党组织可以登记排摸")
    today = _today()
    errors: dict[str, str] = {}
    if not member.is_active or not member.floating:
        errors["member"] = "该党员不是在册的流动党员"
    location = normalize.text(location)
    if not location:
        errors["location"] = "请填写目前所在地"
    if confirmed_on is None:
        errors["confirmed_on"] = "请填写排摸日期"
    elif confirmed_on > today:
        errors["confirmed_on"] = "排摸日期不能晚于今天"
    _raise(errors)
    assert confirmed_on is not None, "refused above when missing"
    holder = scope.is_floating_holder(member)
    party_org = member.party_org if holder or member.inflow_party_org is None else member.inflow_party_org
    record = _record_census(actor, member, party_org, confirmed_on, location, contact_ok, normalize.text(note))
    if not contact_ok:
        other = member.inflow_party_org if holder else member.party_org
        _floating_notice(actor, member, f"流动党员排摸：{member.name} 联系不畅（{confirmed_on}）", [other])
    return record


@transaction.atomic
def end_floating(actor, scope, member: Member, *, reason: str, on: datetime.date | None = None) -> Member:
    """结束流动: an outflow member is back (the floating fields are cleared); an inflow member
    has left the area (their record leaves the roll here)."""
    if not scope.is_floating_holder(member):
        raise PermissionDenied("只有党员组织关系所在党组织或其上级党委可以结束流动")
    today = _today()
    errors = _check_day(on or today, "结束日期", today)
    reason = normalize.text(reason)
    if not reason:
        errors["reason"] = "请填写结束流动的原因（如：已返回、已离开本地）"
    if not member.floating:
        errors["member"] = "该党员不是流动党员"
    _raise(errors)
    inflow_org = member.inflow_party_org
    if member.floating == FloatingStatus.INFLOW:
        exits.record_automatic(actor, member, ExitKind.INFLOW_LEFT, on or today, f"结束流动：{reason}")
    else:
        values = {name: "" for name in FLOATING_FIELDS if name != "inflow_party_org"}
        party_services.save_member(actor, member, {**values, "inflow_party_org": None}, None)
    audit.record(actor, AuditAction.UPDATE, member, detail=f"结束流动（{on or today}）：{reason}")
    if inflow_org is not None and inflow_org.pk != member.party_org_id:
        _floating_notice(actor, member, f"流动党员结束流动：{member.name}", [inflow_org])
    return member


# -- the printed forms (介绍信, 流动党员活动证) ---------------------------------------------------------
def letter_file(actor, transfer: Transfer, *, full_id: bool) -> tuple[str, bytes]:
    """The organization-relation letter of ``transfer`` as (file name, .docx bytes), audited.

    ``full_id``: the caller may see identity numbers unmasked (``Scope.sees_full_id_numbers``);
    the letter then carries the full 公民身份号码, and the download is audited as the member page's
    显示完整号码 is (查看敏感信息 on the member); otherwise it carries the masked number and is
    audited as an export of the transfer. Refused (``core.word.Refused``) where no letter exists."""
    reason = letter.refusal(transfer)
    if reason:
        raise word.Refused(reason)
    member = transfer.member
    assert member is not None, "refusal() leaves only transfers of a member on the platform"
    number = crypto.decrypt(member.id_number_enc) if full_id else (transfer.id_masked or member.id_masked)
    paid = dues_facts.paid_through(member)
    data = letter.build(transfer, id_number=number, paid_through=paid, params=policy.values())
    what = f"下载组织关系介绍信（第 {transfer.letter_no} 号）"
    if full_id:
        audit.record(actor, AuditAction.VIEW_SENSITIVE, member, detail=f"{what}，含完整公民身份号码")
    else:
        audit.record(actor, AuditAction.EXPORT, transfer, detail=f"{what}，公民身份号码脱敏")
    return letter.file_name(transfer), data


def floating_card_file(actor, member: Member) -> tuple[str, bytes]:
    """The floating member's card (流动党员活动证) as (file name, .docx bytes), audited as an export
    of the member's record (it carries their personal data; not the identity number).
    Refused (``core.word.Refused``) for a member who is not an outflow floating member."""
    reason = floating_card.refusal(member)
    if reason:
        raise word.Refused(reason)
    data = floating_card.build(member, paid_through=dues_facts.paid_through(member))
    audit.record(actor, AuditAction.EXPORT, member, detail=f"下载流动党员活动证（证号 {member.floating_card_no}）")
    return floating_card.file_name(member), data
