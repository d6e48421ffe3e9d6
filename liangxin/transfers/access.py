"""Who reaches which transfer or floating member: compositions of the scope's own querysets
(``accounts.scoping``), nothing decided here that the scope does not already say.

- A transfer belongs to both its ends: whoever sees the sending or the receiving party
  organization (``scope.party_orgs("view")``) sees the transfer; a member-role user sees their own.
- The sending side acts for the sending party organization (``party_orgs("change")``), the
  receiving side for the receiving one; review is for the sending side's committee: a registry
  editor whose subtree holds the sending party organization (``scope.can_edit_node``).
- A floating member is read by the holding side (``scope.members``) and by the inflow party
  organization's side (流入地为主): members whose ``inflow_party_org`` is in ``party_orgs``.
"""

from django.db.models import Q, QuerySet

from liangxin.party.choices import FloatingStatus
from liangxin.party.models import Member

from .models import Transfer, TransferKind


def transfers(scope) -> QuerySet:
    """Transfers visible to the user (both ends; a member their own)."""
    qs = Transfer.objects.select_related(
        "member", "from_party_org__node", "to_party_org__node", "review_node", "initiated_by"
    )
    if scope.is_city_wide:
        return qs
    wanted = Q(pk__in=[])
    if scope.can_read_party:
        party_orgs = scope.party_orgs("view").values("pk")
        wanted |= Q(from_party_org__in=party_orgs) | Q(to_party_org__in=party_orgs)
    member = scope.member
    if member is not None:
        wanted |= Q(member=member)
    return qs.filter(wanted)


def can_read(scope) -> bool:
    """The transfer pages: party readers, and member-role users for their own transfers."""
    return scope.can_read_party or scope.member is not None


def _acts_for(scope, party_org) -> bool:
    return party_org is not None and scope.party_orgs("change").filter(pk=party_org.pk).exists()


def is_sender(scope, transfer: Transfer) -> bool:
    return _acts_for(scope, transfer.from_party_org)


def is_receiver(scope, transfer: Transfer) -> bool:
    return _acts_for(scope, transfer.to_party_org)


def is_reviewer(scope, transfer: Transfer) -> bool:
    """The sending side's committee (or one above it): a registry editor over the sending party organization."""
    party_org = transfer.from_party_org
    return party_org is not None and scope.can_edit_registry and scope.can_edit_node(party_org.node)


def may_initiate_from(scope, member: Member) -> bool:
    return scope.members("change").filter(pk=member.pk).exists()


def may_accept(scope, transfer: Transfer) -> bool:
    """接收 is for the receiving end; to outside the platform our own (sending) end records the receipt."""
    return is_sender(scope, transfer) if transfer.kind == TransferKind.OUT else is_receiver(scope, transfer)


def may_return(scope, transfer: Transfer) -> bool:
    """退回: whoever may accept, or the committee at review."""
    return may_accept(scope, transfer) or is_reviewer(scope, transfer)


def allowed_actions(scope, transfer: Transfer) -> set[str]:
    """The steps this user may take now (review, accept, return), given the state."""
    if not transfer.is_open:
        return set()
    if transfer.state == "initiated" and transfer.needs_review:
        return {"review", "return"} if is_reviewer(scope, transfer) else set()
    return {"accept", "return"} if may_accept(scope, transfer) else set()


# -- floating members ---------------------------------------------------------------------
def floating_members(scope, action: str = "view") -> QuerySet:
    """Active floating members of the holding side, and those the user's party organizations
    manage as the inflow side."""
    qs = Member.objects.filter(is_active=True).exclude(floating=FloatingStatus.NONE)
    qs = qs.select_related("party_org__node", "inflow_party_org__node", "employer")
    if scope.is_city_wide:
        return qs
    return qs.filter(
        Q(pk__in=scope.members(action).values("pk")) | Q(inflow_party_org__in=scope.party_orgs(action).values("pk"))
    )


def is_holder(scope, member: Member) -> bool:
    """The holding side (组织关系所在): registers outflow and ends floating."""
    return scope.members("change").filter(pk=member.pk).exists()


def may_census(scope, member: Member) -> bool:
    """排摸: the holding side, or the inflow party organization's side."""
    return is_holder(scope, member) or _acts_for(scope, member.inflow_party_org)
