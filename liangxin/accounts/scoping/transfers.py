"""组织关系转接 and 流动党员: compositions of the party querysets, nothing decided here that
``PartyScope`` does not already say.

- A transfer belongs to both its ends: whoever sees the sending or the receiving party
  organization (``party_orgs("view")``) sees the transfer; a member-role user sees their own.
- The sending side acts for the sending party organization (``party_orgs("change")``), the
  receiving side for the receiving one; review is for the sending side's committee: a registry
  editor whose subtree holds the sending party organization (``can_edit_node``).
- A transfer (or an inflow) may name any party organization of the platform as its other end
  (``transfer_targets``: names only, nothing of its members).
- A floating member is read by the holding side (``members``) and by the inflow party
  organization's side (流入地为主): members whose ``inflow_party_org`` is in ``party_orgs``.
"""

from django.db.models import Q, QuerySet

from liangxin.party.choices import FloatingStatus
from liangxin.party.models import Member, PartyOrganization
from liangxin.transfers.models import Transfer, TransferKind

from .base import Action
from .party import PartyScope


class TransferScope(PartyScope):
    def transfers(self) -> QuerySet:
        """Transfers visible to the user (both ends; a member their own)."""
        qs = Transfer.objects.select_related(
            "member", "from_party_org__node", "to_party_org__node", "review_node", "initiated_by"
        )
        if self.is_city_wide:
            return qs
        wanted = Q(pk__in=[])
        if self.can_read_party:
            party_orgs = self.party_orgs("view").values("pk")
            wanted |= Q(from_party_org__in=party_orgs) | Q(to_party_org__in=party_orgs)
        member = self.member
        if member is not None:
            wanted |= Q(member=member)
        return qs.filter(wanted)

    @property
    def can_read_transfers(self) -> bool:
        """The transfer pages: party readers, and member-role users for their own transfers."""
        return self.can_read_party or self.member is not None

    @staticmethod
    def transfer_targets() -> QuerySet:
        """Every party organization of the platform: a transfer may go anywhere in the city."""
        return PartyOrganization.objects.select_related("node__parent")

    def is_transfer_sender(self, transfer: Transfer) -> bool:
        return self.acts_for(transfer.from_party_org)

    def is_transfer_receiver(self, transfer: Transfer) -> bool:
        return self.acts_for(transfer.to_party_org)

    def is_transfer_reviewer(self, transfer: Transfer) -> bool:
        """The sending side's committee (or one above it): a registry editor over the sending party organization."""
        party_org = transfer.from_party_org
        return party_org is not None and self.can_edit_registry and self.can_edit_node(party_org.node)

    def may_initiate_transfer(self, member: Member) -> bool:
        return self.acts_for_member(member)

    def may_accept_transfer(self, transfer: Transfer) -> bool:
        """接收 is for the receiving end; to outside the platform our own (sending) end records the receipt."""
        if transfer.kind == TransferKind.OUT:
            return self.is_transfer_sender(transfer)
        return self.is_transfer_receiver(transfer)

    def may_return_transfer(self, transfer: Transfer) -> bool:
        """退回: whoever may accept, or the committee at review."""
        return self.may_accept_transfer(transfer) or self.is_transfer_reviewer(transfer)

    def transfer_actions(self, transfer: Transfer) -> set[str]:
        """The steps this user may take now (review, accept, return), given the state."""
        if not transfer.is_open:
            return set()
        if transfer.state == "initiated" and transfer.needs_review:
            return {"review", "return"} if self.is_transfer_reviewer(transfer) else set()
        return {"accept", "return"} if self.may_accept_transfer(transfer) else set()

    # -- floating members ---------------------------------------------------------------------
    def floating_members(self, action: Action = "view") -> QuerySet:
        """Active floating members of the holding side, and those the user's party organizations
        manage as the inflow side."""
        qs = Member.objects.filter(is_active=True).exclude(floating=FloatingStatus.NONE)
        qs = qs.select_related("party_org__node", "inflow_party_org__node", "employer")
        if self.is_city_wide:
            return qs
        return qs.filter(
            Q(pk__in=self.members(action).values("pk")) | Q(inflow_party_org__in=self.party_orgs(action).values("pk"))
        )

    def is_floating_holder(self, member: Member) -> bool:
        """The holding side (组织关系所在): registers outflow and ends floating."""
        return self.acts_for_member(member)

    def may_census(self, member: Member) -> bool:
        """排摸: the holding side, or the inflow party organization's side."""
        return self.is_floating_holder(member) or self.acts_for(member.inflow_party_org)
