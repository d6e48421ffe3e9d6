"""Every change in 发展党员 goes through here: checked, atomic, audited, and noticed to the
applicant's branch secretary. The Member record is made (预备党员, at the upper committee's
approval) and turned full (转正) through ``party.services.save_member``, so its identity number is
encrypted and its changes audited like any member's."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.roles import REGISTRY_EDITORS, Role
from liangxin.core import audit, crypto
from liangxin.core.models import AuditAction
from liangxin.core.tree import subtree_q
from liangxin.inbox import services as inbox
from liangxin.inbox.models import NoticeKind
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.party import exits, policy
from liangxin.party import services as party_services
from liangxin.party.choices import ExitKind, MemberCategory
from liangxin.party.models import Member
from liangxin.party.validation import derived_from_id

from . import rules, steps
from .models import Applicant, ApplicantStep, Quota, Stage
from .models import StepKind as K
from .validation import APPLICANT_FIELDS, check_applicant

AUDITED = ["name", "id_masked", "phone", "education", "employer", "party_org", "stage", "applied_on", "talked_on"]
AUDITED += ["activist_on", "candidate_on", "introducers_on", "reviewed_on", "trained_on", "publicized_on"]
AUDITED += ["prereviewed_on", "voted_on", "approved_on", "oath_on", "extension_months", "probation_end", "full_on"]
AUDITED += ["stopped_on", "stop_reason"]


class Refused(Exception):
    """A change refused, with Chinese reasons per field ("step" for the order, "quota" for 总量控制)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("；".join(m for ms in errors.values() for m in ms))
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        return [m for ms in self.errors.values() for m in ms]


# -- the applicant's own data -----------------------------------------------------------------------------
@transaction.atomic
def register(actor, scope, values: dict, id_number: str, today: datetime.date | None = None) -> Applicant:
    """登记入党申请人: ``values`` has APPLICANT_FIELDS; ``id_number`` is cleaned."""
    today = today or timezone.localdate()
    errors = check_applicant({**values, "id_number": id_number}, instance=None, scope=scope,
                             params=policy.values(), today=today)  # fmt: skip
    if not id_number:
        errors["id_number"] = "公民身份号码不能为空"
    if errors:
        raise Refused({k: [v] for k, v in errors.items()})
    applicant = Applicant(**{k: values.get(k) for k in APPLICANT_FIELDS if k in values})
    _set_id_number(applicant, id_number)
    applicant.save()
    ApplicantStep.objects.create(
        applicant=applicant, kind=K.APPLY, on=applicant.applied_on, facts={}, actor=_user(actor),
        actor_name=_name(actor),
    )  # fmt: skip
    audit.record(actor, AuditAction.CREATE, applicant, changes=audit.diff({}, audit.snapshot(applicant, AUDITED)))
    _notify(actor, applicant, f"登记入党申请人：{applicant.name}（{rules.day(applicant.applied_on)} 递交申请）")
    return applicant


@transaction.atomic
def update(actor, scope, applicant: Applicant, values: dict, id_number: str | None = None) -> Applicant:
    """Correct the applicant's own data (not the steps: those are recorded as steps)."""
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    merged = {k: getattr(applicant, k) for k in APPLICANT_FIELDS} | values | {"id_number": id_number}
    errors = check_applicant(merged, instance=applicant, scope=scope, params=policy.values(),
                             today=timezone.localdate())  # fmt: skip
    if errors:
        raise Refused({k: [v] for k, v in errors.items()})
    before = audit.snapshot(applicant, AUDITED)
    for key in APPLICANT_FIELDS:
        if key in values:
            setattr(applicant, key, values[key])
    if id_number:
        _set_id_number(applicant, id_number)
    applicant.save()
    changes = audit.diff(before, audit.snapshot(applicant, AUDITED))
    if changes:
        audit.record(actor, AuditAction.UPDATE, applicant, changes=changes)
    return applicant


def _set_id_number(applicant: Applicant, number: str) -> None:
    applicant.id_number_enc = crypto.encrypt(number)
    applicant.id_hash = crypto.lookup_hash(number)
    applicant.id_masked = crypto.mask_id_number(number)
    for key, value in derived_from_id(number).items():
        setattr(applicant, key, value)


# -- steps ----------------------------------------------------------------------------------------------------
@dataclass
class Recorded:
    step: ApplicantStep
    applicant: Applicant
    warnings: list[str]
    passed: bool


@transaction.atomic
def record_step(actor, scope, applicant: Applicant, kind: str, raw, today: datetime.date | None = None) -> Recorded:
    """Check and record one step; ``Refused`` with every reason when a precondition is unmet
    (nothing is written then), ``PermissionDenied`` for a step that is not the actor's to record."""
    today = today or timezone.localdate()
    applicant = Applicant.objects.select_for_update().select_related("party_org__node").get(pk=applicant.pk)
    if kind in steps.FIELDS and not scope.may_record_step(applicant, kind):
        raise PermissionDenied(f"「{rules.label(kind)}」由上级党委办理")
    values, errors = steps.parse(kind, raw)
    if errors:
        raise Refused(errors)
    errors = _resolve_members(applicant, values)
    if errors:
        raise Refused(errors)
    params = policy.values()
    outcome = steps.check(kind, applicant, values, params, today, _context(applicant))
    if kind == K.APPROVAL and not outcome.errors:
        for message in _approval_refusals(applicant, values["on"]):
            outcome.refuse("quota" if "总量控制" in message else "step", message)
    if outcome.errors:
        raise Refused(outcome.errors)
    before = audit.snapshot(applicant, AUDITED)
    if outcome.passed:
        APPLY[kind](actor, applicant, values, params)
        applicant.save()
    elif kind in (K.REVIEW, K.PREREVIEW):
        _clear_result(applicant, kind)
    step = ApplicantStep.objects.create(
        applicant=applicant, kind=kind, on=values["on"], passed=outcome.passed, facts=steps.facts(kind, values),
        warnings=outcome.warnings, actor=_user(actor), actor_name=_name(actor),
    )  # fmt: skip
    _audit_step(actor, applicant, step, before)
    verdict = "" if outcome.passed else "（未通过）"
    _notify(actor, applicant, f"{applicant.name}：{rules.label(kind)}{verdict}（{rules.day(step.on)}）",
            "\n".join(outcome.warnings))  # fmt: skip
    if outcome.passed and kind in UPPER_NEXT:
        _notify_upper(actor, applicant, f"{applicant.party_org.name} {applicant.name}：{UPPER_NEXT[kind]}")
    return Recorded(step, applicant, outcome.warnings, outcome.passed)


# after these steps the upper committee acts next: its admins are told
UPPER_NEXT: dict[str, str] = {K.PUBLICITY: "公示结束，待上级党委预审", K.VOTE: "支部大会表决通过，待上级党委审批"}


def _resolve_members(applicant: Applicant, values: dict) -> dict[str, list[str]]:
    """Member ids to members; an unknown id is named (a member of another branch is not)."""
    errors = {}
    for name in steps.LIST_INPUTS & values.keys():
        ids = values[name]
        found = Member.objects.in_bulk(ids)
        missing = [str(i) for i in ids if i not in found]
        if missing:
            errors[name] = [f"找不到编号为 {'、'.join(missing)} 的党员"]
        values[name] = [found[i] for i in ids if i in found]
    return errors


def _context(applicant: Applicant) -> steps.Context:
    full = applicant.party_org.members.filter(is_active=True, category=MemberCategory.FULL).count()
    return steps.Context(branch_full_members=full, contacts=list(applicant.contacts.all()))


def _approval_refusals(applicant: Applicant, on: datetime.date) -> list[str]:
    out = quota_refusals(applicant.party_org.node, on.year)
    if Member.objects.filter(id_hash=applicant.id_hash).exists():
        out.append("该公民身份号码已登记为党员，不能再接收为预备党员")
    return out


def _clear_result(applicant: Applicant, kind: str) -> None:
    """A failed review or pre-review replaces an earlier pass (it must be done again)."""
    field = "reviewed_on" if kind == K.REVIEW else "prereviewed_on"
    setattr(applicant, field, None)
    applicant.save(update_fields=[field])


def _audit_step(actor, applicant: Applicant, step: ApplicantStep, before: dict) -> None:
    changes = audit.diff(before, audit.snapshot(applicant, AUDITED))
    said = "；".join(f"{k}：{v}" for k, v in step.facts.items())
    verdict = "" if step.passed else "（未通过）"
    detail = f"{step.get_kind_display()}{verdict}：{said}" + "".join(f"；{w}" for w in step.warnings)
    audit.record(actor, AuditAction.UPDATE, applicant, changes=changes, detail=detail)


# what each step changes on the applicant (its checks have passed)
def _talk(actor, a, v, params):
    a.talked_on = v["on"]


def _activist(actor, a, v, params):
    a.activist_on, a.stage = v["on"], Stage.ACTIVIST
    a.contacts.set(v["contacts"])


def _contacts(actor, a, v, params):
    a.contacts.set(v["contacts"])


def _candidate(actor, a, v, params):
    a.candidate_on, a.stage = v["on"], Stage.CANDIDATE


def _introducers(actor, a, v, params):
    a.introducers_on = v["on"]
    a.introducers.set(v["introducers"])


def _review(actor, a, v, params):
    a.reviewed_on = v["on"]


def _training(actor, a, v, params):
    a.trained_on = v["on"]


def _publicity(actor, a, v, params):
    a.publicized_on = v["on"]


def _prereview(actor, a, v, params):
    a.prereviewed_on = v["on"]


def _vote(actor, a, v, params):
    a.voted_on = v["on"]


def _approval(actor, a, v, params):
    """接收为预备党员: the member record is made now; 入党日期 is the day of the branch's vote."""
    a.approved_on, a.stage = v["on"], Stage.PROBATIONARY
    a.probation_end = rules.probation_end(a.voted_on, params)
    values = {
        "name": a.name, "phone": a.phone, "education": a.education, "employer": a.employer,
        "party_org": a.party_org, "category": MemberCategory.PROBATIONARY, "joined_on": a.voted_on, "full_on": None,
    }  # fmt: skip
    a.member = party_services.save_member(actor, Member(), values, crypto.decrypt(a.id_number_enc))


def _oath(actor, a, v, params):
    a.oath_on = v["on"]


def _extend(actor, a, v, params):
    a.extension_months = v["months"]
    a.probation_end = rules.probation_end(a.voted_on, params, v["months"])


def _full(actor, a, v, params):
    """转正: 党龄 from the day probation ended (预备期满之日)."""
    if a.member_id is None:
        raise Refused({"step": ["找不到该预备党员的党员记录，不能转正"]})
    a.full_on, a.stage = a.probation_end, Stage.FULL
    party_services.save_member(actor, a.member, {"category": MemberCategory.FULL, "full_on": a.probation_end}, None)


def _stop(actor, a, v, params):
    """终止发展; for a 预备党员 this is 取消预备党员资格: the member record leaves the roll."""
    a.stopped_on, a.stop_reason, a.stage = v["on"], v["reason"][:200], Stage.STOPPED
    if a.member_id is not None and a.member.is_active:
        reason = f"取消预备党员资格：{a.stop_reason}"
        exits.record_automatic(actor, a.member, ExitKind.PROBATION_CANCELLED, a.stopped_on, reason)


# keyed by StepKind values: a step kind arrives as the plain string
APPLY: dict[str, Callable[..., None]] = {
    K.TALK: _talk, K.ACTIVIST: _activist, K.CONTACTS: _contacts, K.CANDIDATE: _candidate,
    K.INTRODUCERS: _introducers, K.REVIEW: _review, K.TRAINING: _training, K.PUBLICITY: _publicity,
    K.PREREVIEW: _prereview, K.VOTE: _vote, K.APPROVAL: _approval, K.OATH: _oath, K.EXTEND: _extend,
    K.FULL: _full, K.STOP: _stop,
}  # fmt: skip


# -- 总量控制 ------------------------------------------------------------------------------------------------
def used(node: ManagementNode, year: int) -> int:
    """New probationary members admitted (approved) in ``year`` in the committee's subtree."""
    return Applicant.objects.filter(subtree_q(node.path, "party_org__node__path"), approved_on__year=year).count()


def quota_refusals(branch_node: ManagementNode, year: int) -> list[str]:
    """Every committee above the branch with a plan for that year must have room for one more.
    The plans are locked (PostgreSQL) so two approvals cannot both take the last place."""
    quotas = Quota.objects.select_for_update().filter(node_id__in=branch_node.ancestor_ids, year=year)
    out = []
    for quota in quotas.select_related("node").order_by("node__path"):
        taken = used(quota.node, year)
        if taken + 1 > quota.quota:
            out.append(
                f"超出总量控制：{quota.node.name} {year} 年发展党员计划 {quota.quota} 名，已接收 {taken} 名，"
                f"不能再接收（请上级党委调整计划）"
            )
    return out


@transaction.atomic
def set_quota(actor, scope, node: ManagementNode, year: int, quota: int) -> tuple[Quota, str]:
    """Set a committee's plan for a year (an admin of that committee or above); returns a warning
    when the plan is below what has already been admitted."""
    if node.kind not in COMMITTEE_KINDS or not scope.can_edit_node(node):
        raise PermissionDenied("只有该党委或上级党委的管理员可以设定发展党员计划")
    row = Quota.objects.filter(node=node, year=year).first()
    before = {"quota": row.quota} if row else {}
    row = row or Quota(node=node, year=year, quota=quota)
    row.quota = quota
    row.save()
    changes = audit.diff(before, {"quota": quota})
    if changes:
        action = AuditAction.UPDATE if before else AuditAction.CREATE
        audit.record(actor, action, row, changes=changes, detail=f"{node.name} {year} 年发展党员计划")
    taken = used(node, year)
    warning = f"计划 {quota} 名少于已接收的 {taken} 名" if taken > quota else ""
    return row, warning


# -- notices ------------------------------------------------------------------------------------------------
def branch_secretaries(party_org) -> list:
    return list(
        User.objects.filter(
            assignments__role=Role.SECRETARY, assignments__node_id=party_org.node_id, is_active=True
        ).distinct()
    )


def _notify(actor, applicant: Applicant, title: str, body: str = "") -> None:
    """The branch secretary hears of every step (not of their own: they did it)."""
    others = [u for u in branch_secretaries(applicant.party_org) if u.pk != getattr(actor, "pk", None)]
    url = reverse("web:develop_applicant_detail", args=[applicant.pk])
    inbox.notify(others, NoticeKind.APPLICANT, f"发展党员：{title}", body, url)


def upper_admins(party_org) -> list:
    """Admins of the nearest committee above the party organization (it pre-reviews and approves)."""
    ids = party_org.node.ancestor_ids[:-1]
    kinds = dict(ManagementNode.objects.filter(pk__in=ids).values_list("pk", "kind"))
    nearest = next((i for i in reversed(ids) if kinds.get(i) in COMMITTEE_KINDS), None)
    if nearest is None:
        return []
    assigned = {"assignments__node_id": nearest, "assignments__role__in": REGISTRY_EDITORS}
    return list(User.objects.filter(is_active=True, **assigned).distinct())


def _notify_upper(actor, applicant: Applicant, title: str) -> None:
    others = [u for u in upper_admins(applicant.party_org) if u.pk != getattr(actor, "pk", None)]
    url = reverse("web:develop_applicant_detail", args=[applicant.pk])
    inbox.notify(others, NoticeKind.APPLICANT, f"发展党员：{title}", "", url)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _name(actor) -> str:
    return (getattr(actor, "display_name", None) or str(actor or "系统"))[:150]
