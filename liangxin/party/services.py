"""Every change on the party side goes through here: audit entry, coverage, responsibility."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.roles import Role
from liangxin.core import audit, contact, crypto
from liangxin.core.dates import add_months
from liangxin.core.models import AuditAction
from liangxin.core.services import save_audited
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.orgs import services as org_services
from liangxin.orgs.models import Organization

from . import coverage, policy
from .choices import COMMITTEE_POSITIONS, PartyOrgType
from .models import (
    CommitteeSeat,
    Instructor,
    InstructorAssignment,
    Member,
    PartyOrganization,
    PartyOrgLink,
    PolicyParameter,
    SetupModeLinkKind,
)
from .policy import BY_KEY, values
from .validation import derived_from_id

PARTY_ORG_FIELDS = [
    "org_type",
    "setup_mode",
    "founded_on",
    "term_start",
    "term_end",
    "approval_doc_no",
    "secretary",
    "deputy",
]
MEMBER_FIELDS = [
    "name",
    "phone",
    "email",
    "education",
    "employer",
    "employed_since",
    "party_org",
    "category",
    "joined_on",
    "full_on",
    "floating",
    "floating_card_no",
    "outflow_place",
    "inflow_place",
    "inflow_party_org",
    "needs_help",
    "dues_base",
]
# 在册 is not among the fields a form, an import or the API may write: a member leaves the roll
# only through an approved exit (party.exits) or another workflow's decision (transfers, applicants)
MEMBER_AUDITED = ["id_masked", *MEMBER_FIELDS, "is_active"]  # never the identity number itself
ROLL_CHANGE_REFUSED = "在册状态只能通过党员减少的审批（或组织关系转接、发展党员的程序）改变"


TERM_YEARS_KEY: dict[str, str] = {
    PartyOrgType.COMMITTEE: "term_years_committee",
    PartyOrgType.GENERAL_BRANCH: "term_years_general_branch",
}


def fill_term_end(party_org: PartyOrganization) -> None:
    """A term start without an end: the end follows from the term length in force (换届)."""
    if party_org.term_start and not party_org.term_end:
        years = int(policy.values()[TERM_YEARS_KEY.get(party_org.org_type, "term_years_branch")])
        party_org.term_end = add_months(party_org.term_start, 12 * years)


def _after_links_changed(actor, org_ids: set[int]) -> None:
    coverage.refresh(org_ids)
    org_services.rederive(actor, org_ids)


@transaction.atomic
def create_party_org(
    actor, *, name: str, parent: ManagementNode, values: dict, covered: list[Organization], on: datetime.date
) -> PartyOrganization:
    node = ManagementNode.objects.create(name=name, kind=NodeKind.GRASSROOTS, parent=parent)
    party_org = PartyOrganization(node=node, **values)
    fill_term_end(party_org)
    party_org.save()
    PartyOrgLink.objects.bulk_create(PartyOrgLink(party_org=party_org, organization=o, start_on=on) for o in covered)
    audit.record(
        actor,
        AuditAction.CREATE,
        party_org,
        changes=audit.diff(
            {},
            {
                "名称": name,
                "覆盖组织": "、".join(o.name for o in covered),
                **audit.snapshot(party_org, PARTY_ORG_FIELDS),
            },
        ),
    )
    _after_links_changed(actor, {o.pk for o in covered})
    return party_org


@transaction.atomic
def update_party_org(
    actor, party_org: PartyOrganization, *, name: str, values: dict, covered: list[Organization], on: datetime.date
) -> PartyOrganization:
    before = {"名称": party_org.node.name, **audit.snapshot(party_org, PARTY_ORG_FIELDS)}
    for key, value in values.items():
        setattr(party_org, key, value)
    fill_term_end(party_org)
    party_org.save()
    if party_org.node.name != name:
        party_org.node.name = name
        party_org.node.save()
    touched = set_links(party_org, covered, on)
    after = {"名称": name, **audit.snapshot(party_org, PARTY_ORG_FIELDS)}
    changes = audit.diff(before, after)
    if touched["added"] or touched["ended"]:
        changes["覆盖组织"] = [touched["ended"] or "", touched["added"] or ""]
    if changes:
        audit.record(actor, AuditAction.UPDATE, party_org, changes=changes)
    coverage.refresh_party_org(party_org.pk)
    _after_links_changed(actor, touched["ids"])
    return party_org


@transaction.atomic
def move_party_org(actor, party_org: PartyOrganization, parent: ManagementNode) -> bool:
    """Put the party organization under another committee or party organization: its subtree's
    paths follow, the move is audited, and the organizations it covers get their responsible
    committee derived again (the nearest committee above may have changed)."""
    node = party_org.node
    if parent.pk == node.parent_id:
        return False
    if parent.path.startswith(node.path):
        raise ValueError(MOVE_UNDER_ITSELF)
    before = node.parent.name if node.parent else ""
    node.parent = parent
    node.save()
    audit.record(actor, AuditAction.UPDATE, party_org, changes={"上级党组织": [before, parent.name]})
    org_services.rederive(
        actor, set(party_org.links.filter(end_on__isnull=True).values_list("organization_id", flat=True))
    )
    return True


MOVE_UNDER_ITSELF = "上级党组织不能是本党组织或它的下级"


def set_links(party_org: PartyOrganization, covered: list[Organization], on: datetime.date) -> dict:
    """End links to organizations no longer covered (on ``on``), start links to new ones."""
    current = {link.organization_id: link for link in party_org.links.filter(end_on__isnull=True)}
    wanted = {o.pk: o for o in covered}
    ended = [current[i] for i in current if i not in wanted]
    for link in ended:
        link.end_on = on
    PartyOrgLink.objects.bulk_update(ended, ["end_on"])
    added = [o for i, o in wanted.items() if i not in current]
    PartyOrgLink.objects.bulk_create(PartyOrgLink(party_org=party_org, organization=o, start_on=on) for o in added)
    return {
        "ids": {link.organization_id for link in ended} | {o.pk for o in added},
        "ended": "、".join(link.organization.name for link in ended),
        "added": "、".join(o.name for o in added),
    }


@transaction.atomic
def deactivate_party_org(actor, party_org: PartyOrganization, on: datetime.date, reason: str) -> None:
    """撤销: the node stops being active, its links end; refused while it still has members."""
    if party_org.members.filter(is_active=True).exists():
        raise ValueError("该党组织仍有在册党员，请先转出党员再撤销")
    party_org.node.is_active = False
    party_org.node.save()
    ids = set(party_org.links.filter(end_on__isnull=True).values_list("organization_id", flat=True))
    party_org.links.filter(end_on__isnull=True).update(end_on=on)
    audit.record(actor, AuditAction.DEACTIVATE, party_org, detail=reason)
    _after_links_changed(actor, ids)


@transaction.atomic
def save_member(actor, member: Member, values: dict, id_number: str | None, *, roll_change: bool = False) -> Member:
    """Create or update; the identity number is encrypted, hashed and masked, never stored plain.
    ``is_active`` (在册) changes only with ``roll_change``, which only the workflows pass."""
    if "is_active" in values and not roll_change and values["is_active"] != (member.is_active if member.pk else True):
        raise ValueError(ROLL_CHANGE_REFUSED)
    is_new = member.pk is None
    before = {} if is_new else audit.snapshot(Member.objects.get(pk=member.pk), MEMBER_AUDITED)
    if id_number:
        member.id_number_enc = crypto.encrypt(id_number)
        member.id_hash = crypto.lookup_hash(id_number)
        member.id_masked = crypto.mask_id_number(id_number)
        for key, value in derived_from_id(id_number).items():
            setattr(member, key, value)
    for key, value in values.items():
        setattr(member, key, value)
    member.save()
    changes = audit.diff(before, audit.snapshot(member, MEMBER_AUDITED))
    if changes:
        audit.record(actor, AuditAction.CREATE if is_new else AuditAction.UPDATE, member, changes=changes)
    return member


def leave_posts(actor, member: Member) -> None:
    """Leaving a party organization (or the roll) ends the member's seat on its committee and
    any 书记/副书记 post."""
    party_org = member.party_org
    if CommitteeSeat.objects.filter(party_org=party_org, member=member).exists():
        unseat_member(actor, party_org, member.pk)
    posts = {name: None for name in ("secretary", "deputy") if getattr(party_org, f"{name}_id") == member.pk}
    if posts:
        before = audit.snapshot(party_org, list(posts))
        PartyOrganization.objects.filter(pk=party_org.pk).update(**posts)
        party_org.refresh_from_db()
        audit.record(
            actor, AuditAction.UPDATE, party_org, changes=audit.diff(before, audit.snapshot(party_org, list(posts)))
        )


def reveal_id_number(actor, member: Member) -> str:
    """The full identity number, for a role allowed to see it; every reveal is audited."""
    audit.record(actor, AuditAction.VIEW_SENSITIVE, member, detail="查看完整公民身份号码")
    return crypto.decrypt(member.id_number_enc)


@transaction.atomic
def set_committee(actor, party_org: PartyOrganization, seats: list[tuple[Member, str]]) -> None:
    before = "、".join(f"{s.position}:{s.member.name}" for s in party_org.committee.select_related("member"))
    party_org.committee.all().delete()
    CommitteeSeat.objects.bulk_create(CommitteeSeat(party_org=party_org, member=m, position=p) for m, p in seats)
    after = "、".join(f"{p}:{m.name}" for m, p in seats)
    if before != after:
        audit.record(actor, AuditAction.UPDATE, party_org, changes={"支委会": [before, after]})


def seat_member(actor, party_org: PartyOrganization, member_id, position: str) -> None:
    """Put one of the organization's own members on its committee (replacing their old seat)."""
    member = party_org.members.filter(pk=member_id or 0, is_active=True).first()
    if member is None or position not in COMMITTEE_POSITIONS:
        raise ValidationError("请选择本党组织的党员和职务")
    seats = [(s.member, s.position) for s in party_org.committee.select_related("member") if s.member_id != member.pk]
    set_committee(actor, party_org, seats + [(member, position)])


def unseat_member(actor, party_org: PartyOrganization, member_id) -> None:
    seats = party_org.committee.select_related("member")
    set_committee(actor, party_org, [(s.member, s.position) for s in seats if str(s.member_id) != str(member_id)])


@transaction.atomic
def create_instructor(actor, scope, *, name: str, node, phone: str = "", unit: str = "", username: str = ""):
    """A new 党建指导员 under a committee the actor acts for, optionally linked to a login that
    already holds the instructor role inside that committee's subtree."""
    if len(name) < 2 or node is None or not scope.can_edit_node(node):
        raise ValidationError("请填写指导员姓名（至少2个字），并选择您管辖的选派党委")
    instructor = Instructor(name=name, phone=phone, unit=unit, node=node)
    if username:
        account = User.objects.filter(
            username=username, assignments__role=Role.INSTRUCTOR, assignments__node__path__startswith=node.path
        ).first()
        if account is None or hasattr(account, "instructor"):
            raise ValidationError(f"账号「{username}」不存在、未在该党委下授予指导员角色，或已关联其他指导员")
        instructor.user = account
    return save_audited(actor, instructor, ["name", "phone", "unit", "node", "user"])


@transaction.atomic
def assign_instructor(actor, instructor, organization: Organization, start_on: datetime.date) -> InstructorAssignment:
    assignment = InstructorAssignment.objects.create(
        instructor=instructor, organization=organization, start_on=start_on
    )
    audit.record(actor, AuditAction.CREATE, organization, detail=f"选派党建指导员：{instructor.name}（{start_on}起）")
    _after_links_changed(actor, {organization.pk})
    return assignment


@transaction.atomic
def end_assignment(actor, assignment: InstructorAssignment, end_on: datetime.date) -> None:
    assignment.end_on = end_on
    assignment.save()
    audit.record(
        actor,
        AuditAction.UPDATE,
        assignment.organization,
        detail=f"党建指导员 {assignment.instructor.name} 于 {end_on} 结束选派",
    )
    _after_links_changed(actor, {assignment.organization_id})


@transaction.atomic
def set_parameter(actor, key: str, value: Decimal) -> None:
    old = values()[key]
    if old == value:
        return
    PolicyParameter.objects.update_or_create(key=key, defaults={"value": value})
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="party.policyparameter",
        object_repr=BY_KEY[key].label,
        changes={BY_KEY[key].label: [str(old), str(value)]},
    )


@transaction.atomic
def set_link_kind(actor, mode: str, link_kind: str) -> int:
    """Change the city-wide table; every organization's state is recomputed at once."""
    row = SetupModeLinkKind.objects.get(mode=mode)
    row.link_kind = link_kind
    save_audited(actor, row, ["link_kind"])
    return coverage.refresh_all()


@transaction.atomic
def set_member_opt_out(actor, member: Member, channel: str, opted_out: bool, today=None) -> bool:
    """The member's 不接收短信 / 不接收邮件, recorded with the day (undo clears it); audited.
    Whether anything changed (recording twice keeps the first day)."""
    return contact.record_opt_out(actor, member, channel, opted_out, today or timezone.localdate())
