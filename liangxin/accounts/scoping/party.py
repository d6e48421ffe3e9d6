"""Party organizations, members, instructors and member exits (党员减少): by the management
subtree only, never by place (members are personal data)."""

from django.db.models import QuerySet

from liangxin.core.tree import any_subtree_q, is_under
from liangxin.party.models import Instructor, Member, MemberExit, PartyOrganization

from ..roles import (
    ID_NUMBER_READERS,
    PARTY_EDITORS,
    PARTY_ROLES,
    REGISTRY_EDITORS,
    REGISTRY_READERS,
    Role,
)
from .base import Action, ScopeBase


class PartyScope(ScopeBase):
    def party_orgs(self, action: Action = "view") -> QuerySet:
        qs = PartyOrganization.objects.select_related("node")
        if self.is_city_wide:
            return qs
        roles = (REGISTRY_READERS | PARTY_ROLES) if action == "view" else (REGISTRY_EDITORS | PARTY_EDITORS)
        return qs.filter(any_subtree_q(self.node_paths(roles), "node__path"))

    @property
    def is_secretary(self) -> bool:
        """Holds the role of a party organization (its secretary)."""
        return self.has_any(PARTY_ROLES)

    def secretary_paths(self) -> list[str]:
        """The subtrees of the party organizations the user is secretary of (their work lists)."""
        return self.node_paths(PARTY_ROLES)

    def committee_ids(self) -> set[int]:
        """The committees the user administers (their own nodes, not the ones below): the level
        whose reviews and approvals wait for them."""
        return {g.node_id for g in self.grants if g.role in REGISTRY_EDITORS}

    def committee_paths(self) -> list[str]:
        return self.node_paths(REGISTRY_EDITORS)

    def own_party_orgs(self) -> QuerySet:
        """A secretary's own party organizations: those of the nodes they are secretary of (not the
        ones below), still active. Reminders, the home page and the overviews' shortcuts."""
        nodes = [g.node_id for g in self.grants if g.role in PARTY_ROLES]
        qs = PartyOrganization.objects.filter(node_id__in=nodes, node__is_active=True)
        return qs.select_related("node").order_by("node__path")

    def acts_for(self, party_org) -> bool:
        """May act for ``party_org`` (its secretary, or a committee above it)."""
        return party_org is not None and self.party_orgs("change").filter(pk=party_org.pk).exists()

    def acts_for_member(self, member) -> bool:
        """May change ``member``'s record (their party organization's secretary, or a committee above it)."""
        return self.members("change").filter(pk=member.pk).exists()

    def members(self, action: Action = "view") -> QuerySet:
        """Members (personal data) only in the management subtree, never by place."""
        qs = Member.objects.select_related("party_org__node")
        if self.is_city_wide:
            return qs
        roles = (REGISTRY_READERS | PARTY_ROLES) if action == "view" else (REGISTRY_EDITORS | PARTY_EDITORS)
        return qs.filter(any_subtree_q(self.node_paths(roles), "party_org__node__path"))

    @property
    def member(self):
        """The member record of a user holding the member role (their own, nothing else)."""
        if Role.MEMBER not in self.roles or self.user_id is None:
            return None
        return Member.objects.select_related("party_org__node").filter(user_id=self.user_id).first()

    def instructors(self, action: Action = "view") -> QuerySet:
        qs = Instructor.objects.select_related("node")
        if self.is_city_wide:
            return qs
        roles = REGISTRY_READERS if action == "view" else REGISTRY_EDITORS
        return qs.filter(any_subtree_q(self.node_paths(roles), "node__path"))

    @property
    def can_read_party(self) -> bool:
        return self.has_any(REGISTRY_READERS | PARTY_ROLES)

    @property
    def can_edit_party(self) -> bool:
        return self.has_any(REGISTRY_EDITORS | PARTY_EDITORS)

    @property
    def sees_full_id_numbers(self) -> bool:
        """Who may see a 公民身份号码 unmasked (each full view is audited)."""
        return self.has_any(ID_NUMBER_READERS)

    # -- 党员减少 (member exits) ---------------------------------------------------------
    def member_exits(self) -> QuerySet:
        """Exits a party reader sees: of members in their subtree now, proposed by a party
        organization in it, or approved by a committee in it (a branch that moved away keeps
        its history readable by the level that decided)."""
        qs = MemberExit.objects.select_related("member", "party_org__node", "approved_node")
        if self.is_city_wide:
            return qs
        paths = self.node_paths(REGISTRY_READERS | PARTY_ROLES)
        if not paths:
            return qs.none()
        return qs.filter(
            any_subtree_q(paths, "member__party_org__node__path")
            | any_subtree_q(paths, "party_org__node__path")
            | any_subtree_q(paths, "approved_node__path")
        )

    def may_propose_exit(self, member) -> bool:
        """The member's party organization (its secretary) or a committee above it."""
        return member.is_active and self.acts_for_member(member)

    def may_decide_exit(self, exit_) -> bool:
        """Who approves or returns a proposal: the committee above the branch as it stands now, or
        one above that (a registry editor whose subtree holds the branch); never the branch itself.
        Whether there is still something to decide is the service's question (a Chinese refusal)."""
        return (self.is_city_wide or self.has_any(REGISTRY_EDITORS)) and self.can_edit_node(exit_.party_org.node)

    def may_reverse_exit(self, exit_) -> bool:
        """Who reverses an approved exit: only the level that approved (or a committee above it)."""
        return (self.is_city_wide or self.has_any(REGISTRY_EDITORS)) and self.can_edit_node(exit_.approved_node)

    def deciding_committee_id(self, node_path: str) -> int | None:
        """The level a decision about the node at ``node_path`` is taken for: the deepest of the
        user's committees holding it (None: the user holds none, e.g. the platform operator)."""
        mine = [g for g in self.grants if g.role in REGISTRY_EDITORS and is_under(node_path, g.node_path)]
        return max(mine, key=lambda g: len(g.node_path)).node_id if mine else None
