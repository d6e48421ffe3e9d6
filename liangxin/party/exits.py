"""党员减少: taking a member off the roll is a workflow, never a checkbox.

The branch (the member's party organization's secretary, or a committee above it) proposes an
exit — one of the five kinds of 出党, or death — with its date, reason and evidence; the
committee above the branch (an admin whose subtree holds it, as for transfers' review and the
applicants' approval) approves it or returns it with a reason. Only approval takes the member
off the roll (``Member.is_active``, set here and by the transfer and applicant workflows, never
by a form or an import). An approved exit is reversed only by the approving level, with a
reason: the member is back on the roll and the record says so. Records are never deleted.

Exits to outside the platform are the transfer workflow's (转出至系统外): it records an
approved exit when the transfer is accepted (``record_automatic``), and so does cancelling a
probationary membership (取消预备党员资格) in the applicants' workflow.

Every step is one transaction with its audit entry and notices to both sides. Who may act is
the scope's answer (``Scope.may_propose_exit`` and its siblings); a refusal of the input raises
``ValidationError({field: 中文})`` before anything is written.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.roles import PARTY_ROLES, REGISTRY_EDITORS
from liangxin.core import attachments, audit, normalize
from liangxin.core import params as query_params
from liangxin.core.hooks import Slot
from liangxin.core.models import AuditAction
from liangxin.inbox.models import NoticeKind
from liangxin.inbox.services import notify
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.responsibility import nearest_committee

from . import policy
from . import services as party_services
from .choices import PARTY_EXIT_KINDS, PROPOSABLE_EXIT_KINDS, ExitKind, ExitState
from .models import Member, MemberExit, MemberExitAttachment

EXIT_AUDITED = [
    "kind", "state", "on", "reason", "check_note", "decision_ref", "party_org", "approved_node", "return_reason",
    "reverse_reason",
]  # fmt: skip
ATTACHMENT_FOLDER = "exits"
MAX_ATTACHMENTS = 10
LAPSE_KEY = "lapse_months"


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# -- the 6-month lapse rule (自行脱党) -------------------------------------------------------------
# The rule reads the dues ledger and organization life, both built on party: dues and life fill
# these from their AppConfig.ready() (liangxin.dues.ledger.lapse_run, liangxin.life.compliance.lapsed).
# (member, today) → consecutive closed months, ending last month, in which the member paid no
# dues (the dues ledger's own count, the one its 欠缴 list flags for the 自行脱党 check)
dues_lapse_run = Slot("连续未交党费月数")
# (member, today, months) → no organization life without reason for ``months``
life_lapsed = Slot("连续未参加组织生活")


def lapse_refusal(member: Member, today: datetime.date) -> str | None:
    """Why 自行脱党 may not be proposed yet (None: the rule is met)."""
    params = policy.values()
    n = int(params[LAPSE_KEY])
    run = dues_lapse_run(member, today)
    if run >= n or life_lapsed(member, today, n):
        return None
    label = policy.BY_KEY[LAPSE_KEY].label
    return (
        f"自行脱党须在党员连续 {n} 个月不交纳党费或不参加组织生活之后提出（规则：{label} {n} 个月）；"
        f"该党员连续未交党费 {run} 个月，近 {n} 个月的组织生活也未达到该情形"
    )


# -- who hears of a step -------------------------------------------------------------------------
def approving_committee(exit_: MemberExit) -> ManagementNode | None:
    """The committee that decides: the nearest committee above the branch as it stands now (a
    branch moved under another committee is decided there)."""
    parent = exit_.party_org.node.parent
    return nearest_committee(parent) if parent is not None else None


def _committee_admins(node: ManagementNode | None) -> list:
    if node is None:
        return []
    return list(
        User.objects.filter(assignments__role__in=REGISTRY_EDITORS, assignments__node=node, is_active=True).distinct()
    )


def _branch_secretaries(exit_: MemberExit) -> list:
    return list(
        User.objects.filter(
            assignments__role__in=PARTY_ROLES, assignments__node_id=exit_.party_org.node_id, is_active=True
        ).distinct()
    )


def _announce(actor, exit_: MemberExit, what: str, body: str, recipients: list) -> None:
    others = [u for u in recipients if u is not None and u.pk != getattr(actor, "pk", None)]
    title = f"党员减少{what}：{exit_.member.name}（{exit_.party_org.name}，{exit_.get_kind_display()}）"
    notify(others, NoticeKind.MESSAGE, title, body, reverse("web:exit_detail", args=[exit_.pk]))


# -- checks ----------------------------------------------------------------------------------------
def check_proposal(member: Member, values: dict, today: datetime.date) -> dict[str, str]:
    """The proposal's own rules, in Chinese, by field."""
    errors: dict[str, str] = {}
    kind, on = values.get("kind"), values.get("on")
    if kind not in PROPOSABLE_EXIT_KINDS:
        errors["kind"] = "请选择减少类型（出党的五种情形或死亡；转出至系统外请办理组织关系转接）"
    if on is None:
        errors["on"] = "请填写减少日期"
    elif on > today:
        errors["on"] = "减少日期不能晚于今天"
    elif member.joined_on and on < member.joined_on:
        errors["on"] = f"减少日期不能早于入党日期（{member.joined_on}）"
    if len(values.get("reason", "")) < 2:
        errors["reason"] = "请填写原因（至少2个字）"
    if kind == ExitKind.LAPSED:
        if len(values.get("check_note", "")) < 2:
            errors["check_note"] = "自行脱党须填写支部核查情况（何时起不交党费或不参加组织生活、支部如何联系教育）"
        refusal = lapse_refusal(member, today)
        if refusal:
            errors["kind"] = refusal
    if kind == ExitKind.EXPELLED and not values.get("decision_ref"):
        errors["decision_ref"] = "开除党籍须填写纪律处分决定的文号"
    if not member.is_active:
        errors["member"] = "该党员已不在册"
    elif member.exits.filter(state=ExitState.PROPOSED).exists():
        errors["member"] = "该党员已有一件待审批的党员减少，审批或退回后才能再次提出"
    elif member.transfers.filter(state__in=["initiated", "reviewed"]).exists():
        errors["member"] = "该党员有正在办理的组织关系转接，办结或退回后才能提出党员减少"
    return errors


def _store_files(actor, exit_: MemberExit, files, kinds) -> list[MemberExitAttachment]:
    """Write the files, then their rows; a failure removes the files written (nothing half-saved)."""
    rows = attachments.store_all(
        MemberExitAttachment, {"exit": exit_}, _user(actor), files, kinds, ATTACHMENT_FOLDER
    )  # fmt: skip
    if rows:
        listed = "、".join(f"{r.name}（SHA-256 {r.sha256[:12]}…）" for r in rows)
        audit.record(actor, AuditAction.UPDATE, exit_, detail=f"上传证明材料：{listed}")
    return rows


def attachment_path(attachment: MemberExitAttachment):
    return attachments.path_of(attachment.stored_name, ATTACHMENT_FOLDER)


# -- the steps -----------------------------------------------------------------------------------
def _locked(exit_: MemberExit) -> MemberExit:
    return (
        MemberExit.objects.select_for_update(of=("self",))
        .select_related("member__party_org__node", "party_org__node__parent", "approved_node")
        .get(pk=exit_.pk)
    )


@transaction.atomic
def propose(actor, scope, member: Member, values: dict, files=(), today: datetime.date | None = None) -> MemberExit:
    """提出: the branch (or a committee above it) proposes that ``member`` leave the roll."""
    if not scope.may_propose_exit(member):
        raise PermissionDenied("只有党员组织关系所在党组织或其上级党委可以提出党员减少")
    today = today or timezone.localdate()
    values = {
        "kind": values.get("kind") or "",
        "on": values.get("on"),
        "reason": normalize.text(values.get("reason")),
        "check_note": normalize.text(values.get("check_note")),
        "decision_ref": normalize.text(values.get("decision_ref")),
    }
    files = list(files)
    member = Member.objects.select_for_update(of=("self",)).select_related("party_org__node").get(pk=member.pk)
    errors = check_proposal(member, values, today)
    kinds = [] if errors else attachments.check_uploads(files, limit=MAX_ATTACHMENTS, label="证明材料", per="每件")
    _raise(errors)
    exit_ = MemberExit(member=member, party_org=member.party_org, proposed_by=_user(actor), **values)
    try:
        with transaction.atomic():
            exit_.save()
    except IntegrityError:  # the partial unique index: another proposal was made meanwhile
        _raise({"member": "该党员已有一件待审批的党员减少，审批或退回后才能再次提出"})
    audit.record(actor, AuditAction.CREATE, exit_, changes=audit.diff({}, audit.snapshot(exit_, EXIT_AUDITED)))
    audit.record(
        actor, AuditAction.UPDATE, member, detail=f"提出党员减少（{exit_.get_kind_display()}），待上级党委审批"
    )
    _store_files(actor, exit_, files, kinds)
    committee = approving_committee(exit_)
    _announce(
        actor, exit_, "待审批", f"{values['on']}；原因：{values['reason']}",
        _committee_admins(committee) + _branch_secretaries(exit_),
    )  # fmt: skip
    return exit_


def _approving_node(scope, exit_: MemberExit) -> ManagementNode | None:
    """The level that approved: the deepest of the actor's committees holding the branch."""
    mine = scope.deciding_committee_id(exit_.party_org.node.path)
    return ManagementNode.objects.get(pk=mine) if mine is not None else approving_committee(exit_)


def _change(actor, exit_: MemberExit, **fields) -> None:
    before = audit.snapshot(exit_, EXIT_AUDITED)
    for key, value in fields.items():
        setattr(exit_, key, value)
    exit_.save()
    audit.record(actor, AuditAction.UPDATE, exit_, changes=audit.diff(before, audit.snapshot(exit_, EXIT_AUDITED)))


@transaction.atomic
def approve(actor, scope, exit_: MemberExit) -> MemberExit:
    """审批通过: only now the member leaves the roll (and any post on the branch's committee)."""
    exit_ = _locked(exit_)
    if not scope.may_decide_exit(exit_):
        raise PermissionDenied("只有党员所在党组织的上级党委可以审批党员减少")
    member = exit_.member
    errors = {}
    if exit_.state != ExitState.PROPOSED:
        errors["state"] = f"该党员减少已{exit_.get_state_display()}，不能再审批"
    elif not member.is_active:
        errors["member"] = "该党员已不在册，请退回"
    elif member.party_org_id != exit_.party_org_id:
        errors["member"] = "该党员的组织关系已不在提出的党组织，请退回"
    _raise(errors)
    _change(
        actor, exit_, state=ExitState.APPROVED, decided_by=_user(actor), decided_at=timezone.now(),
        approved_node=_approving_node(scope, exit_),
    )  # fmt: skip
    _take_off_roll(actor, member, exit_)
    _announce(
        actor, exit_, "已批准", f"{exit_.approved_node}批准；该党员自 {exit_.on} 起不在册",
        [exit_.proposed_by, *_branch_secretaries(exit_), *_committee_admins(approving_committee(exit_))],
    )  # fmt: skip
    return exit_


def _take_off_roll(actor, member: Member, exit_: MemberExit) -> None:
    party_services.leave_posts(actor, member)
    member.refresh_from_db()
    party_services.save_member(actor, member, {"is_active": False}, None, roll_change=True)
    audit.record(
        actor, AuditAction.UPDATE, member, detail=f"党员减少：{exit_.status_label}（{exit_.on or '日期不详'}）"
    )


@transaction.atomic
def return_exit(actor, scope, exit_: MemberExit, reason: str) -> MemberExit:
    """退回: the committee sends the proposal back with a reason; the member stays on the roll."""
    exit_ = _locked(exit_)
    if not scope.may_decide_exit(exit_):
        raise PermissionDenied("只有党员所在党组织的上级党委可以退回党员减少")
    reason = normalize.text(reason)
    errors = {}
    if exit_.state != ExitState.PROPOSED:
        errors["state"] = f"该党员减少已{exit_.get_state_display()}，不能退回"
    if len(reason) < 2:
        errors["return_reason"] = "请填写退回原因（至少2个字）"
    _raise(errors)
    _change(
        actor, exit_, state=ExitState.RETURNED, decided_by=_user(actor), decided_at=timezone.now(), return_reason=reason
    )
    _announce(actor, exit_, "被退回", f"退回原因：{reason}", [exit_.proposed_by, *_branch_secretaries(exit_)])
    return exit_


@transaction.atomic
def reverse_exit(actor, scope, exit_: MemberExit, reason: str) -> MemberExit:
    """撤销: the approving level (or a committee above it) undoes an approved exit with a reason;
    the member returns to the roll in the party organization they left."""
    exit_ = _locked(exit_)
    if not scope.may_reverse_exit(exit_):
        raise PermissionDenied("只有批准该党员减少的党委或其上级党委可以撤销")
    reason = normalize.text(reason)
    member = exit_.member
    errors = {}
    if exit_.state != ExitState.APPROVED:
        errors["state"] = f"该党员减少{exit_.get_state_display()}，只有已批准的可以撤销"
    elif exit_.kind == ExitKind.TRANSFER_OUT:
        errors["state"] = "转出至系统外的党员回到本平台，请办理从系统外转入"
    elif member.is_active:
        errors["member"] = "该党员已在册（已重新转入），不能撤销"
    elif not member.party_org.node.is_active:
        errors["member"] = f"该党员原所在党组织「{member.party_org.name}」已撤销，请先调整其组织关系所在党组织"
    if len(reason) < 2:
        errors["reverse_reason"] = "请填写撤销原因（至少2个字）"
    _raise(errors)
    _change(actor, exit_, state=ExitState.REVERSED, reversed_by=_user(actor), reversed_at=timezone.now(),
            reverse_reason=reason)  # fmt: skip
    party_services.save_member(actor, member, {"is_active": True}, None, roll_change=True)
    audit.record(actor, AuditAction.UPDATE, member, detail=f"撤销党员减少（{exit_.status_label}），恢复在册：{reason}")
    _announce(
        actor, exit_, "已撤销", f"撤销原因：{reason}；该党员恢复在册",
        [exit_.proposed_by, exit_.decided_by, *_branch_secretaries(exit_), *_committee_admins(exit_.approved_node)],
    )  # fmt: skip
    return exit_


def record_automatic(
    actor, member: Member, kind: str, on: datetime.date, reason: str, *, transfer=None, approved_node=None
) -> MemberExit:
    """An exit decided by another workflow (the transfer's 接收 of a 转出至系统外, the upper
    committee's 取消预备党员资格): recorded approved, and the member leaves the roll with it.
    Called inside that workflow's transaction."""
    member = Member.objects.select_related("party_org__node__parent").get(pk=member.pk)
    exit_ = MemberExit(
        member=member, party_org=member.party_org, kind=kind, state=ExitState.APPROVED, on=on, reason=reason[:1000],
        transfer=transfer, proposed_by=_user(actor), decided_by=_user(actor), decided_at=timezone.now(),
    )  # fmt: skip
    exit_.approved_node = approved_node or approving_committee(exit_)
    # a proposal waiting for this member is overtaken by the other workflow's decision
    for waiting in member.exits.filter(state=ExitState.PROPOSED):
        _change(actor, waiting, state=ExitState.RETURNED, decided_at=timezone.now(),
                return_reason=f"已由其他程序办结：{ExitKind(kind).label}")  # fmt: skip
    exit_.save()
    audit.record(actor, AuditAction.CREATE, exit_, changes=audit.diff({}, audit.snapshot(exit_, EXIT_AUDITED)))
    if member.is_active:
        _take_off_roll(actor, member, exit_)
    return exit_


# -- reading -------------------------------------------------------------------------------------
def standing_exit(member: Member) -> MemberExit | None:
    """The approved exit that keeps an off-roll member off the roll (the latest one)."""
    if member.is_active:
        return None
    return member.exits.filter(state=ExitState.APPROVED).order_by("-on", "-pk").select_related("approved_node").first()


def is_party_exit(kind: str) -> bool:
    return kind in PARTY_EXIT_KINDS


def filtered_exits(scope, g) -> tuple:
    """The 党员减少 list for these GET parameters: (queryset, filter in words). ``state``
    (default: all), ``kind``, ``year`` (of the exit date), ``party_org``, ``q`` (name),
    ``mine=1`` (proposals waiting for this user's decision)."""
    qs = scope.member_exits().select_related("member", "party_org__node__parent", "approved_node")
    said = []
    state = query_params.parse_choice(g, "state", "状态", ExitState.values)
    if state:
        qs = qs.filter(state=state)
        said.append(f"状态：{ExitState(state).label}")
    kind = query_params.parse_choice(g, "kind", "类型", ExitKind.values)
    if kind:
        qs = qs.filter(kind=kind)
        said.append(f"类型：{ExitKind(kind).label}")
    year = query_params.parse_int(g, "year", "年份", minimum=1900, maximum=9999)
    if year is not None:
        qs = qs.filter(on__year=year)
        said.append(f"年份：{year}")
    party_org = query_params.parse_id(g, "party_org", "党组织")
    if party_org is not None:
        qs = qs.filter(party_org_id=party_org)
        said.append(f"党组织编号：{party_org}")
    q = normalize.text(g.get("q"))
    if q:
        qs = qs.filter(member__name__contains=q)
        said.append(f"姓名含：{q}")
    if g.get("mine") == "1":
        qs = qs.filter(state=ExitState.PROPOSED)
        qs = qs.filter(pk__in=[e.pk for e in qs if scope.may_decide_exit(e)])
        said.append("待我审批")
    return qs.order_by("-proposed_at", "-pk"), "；".join(said) or "无（权限范围内全部党员减少记录）"


def counts_by_year(qs) -> tuple[list[str], list[dict]]:
    """Approved exits (the members off the roll now or before a reversal is not counted: a
    reversed exit never happened) by year of the exit date and kind: (kind labels, rows of
    {"year", "counts" in kind order, "total"}), newest year first, 日期不详 last."""
    approved = qs.filter(state=ExitState.APPROVED).order_by()
    grouped = approved.annotate(y=ExtractYear("on")).values_list("y", "kind").annotate(n=Count("pk"))
    kinds = [k for k in ExitKind.values]
    table: dict = {}
    for year, kind, n in grouped:
        table.setdefault(year, dict.fromkeys(kinds, 0))[kind] += n
    used = [k for k in kinds if any(row[k] for row in table.values())]
    years = sorted((y for y in table if y is not None), reverse=True) + ([None] if None in table else [])
    rows = [
        {"year": str(y) if y else "日期不详", "counts": [table[y][k] for k in used], "total": sum(table[y].values())}
        for y in years
    ]
    return [ExitKind(k).label for k in used], rows
