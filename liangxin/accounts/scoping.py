"""The one place that decides what a user may see and do.

DOMAIN.md's rule, "see by place, act by responsibility": a user bound to a node of the
management tree
- sees and edits organizations whose responsible node is in that node's subtree;
- sees read-only the other organizations operating in the node's territory (region subtree).
Every page, API endpoint, search and export starts from the querysets built here; an
object outside them answers 404 exactly like one that does not exist, and an object that
is visible but not editable answers 403 to a change.
"""

from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils import timezone

from liangxin.core.tree import any_subtree_q, collapse_paths, is_under

from .roles import (
    ACCOUNT_MANAGERS,
    API_DOC_READERS,
    AUDIT_READERS,
    CARRIER_EDITORS,
    ID_NUMBER_READERS,
    PARTY_EDITORS,
    PARTY_ROLES,
    REGISTRY_EDITORS,
    REGISTRY_READERS,
    TREE_EDITORS,
    Role,
)

Action = Literal["view", "change"]


@dataclass(frozen=True)
class Grant:
    role: str
    node_id: int
    node_path: str
    region_path: str | None  # the node's territory; None for industry committees
    node_kind: str = ""

    @property
    def role_label(self) -> str:
        return Role(self.role).label


@dataclass
class Scope:
    """What one user may reach. Build with ``scope_for(user)``."""

    user_id: int | None
    is_superuser: bool
    grants: list[Grant] = field(default_factory=list)

    # -- roles -----------------------------------------------------------------
    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_any(self, roles) -> bool:
        return bool(self.roles & set(roles))

    def node_paths(self, roles) -> list[str]:
        return collapse_paths([g.node_path for g in self.grants if g.role in roles])

    def territory_paths(self, roles) -> list[str]:
        return collapse_paths([g.region_path for g in self.grants if g.role in roles and g.region_path])

    @property
    def is_city_wide(self) -> bool:
        return Role.CITY_ADMIN in self.roles

    # -- organizations -------------------------------------------------------------
    def organizations(self, action: Action = "view") -> QuerySet:
        from liangxin.orgs.models import Organization

        qs = Organization.objects.all()
        if action == "view":
            if self._reads_whole_city():
                return qs
            node_paths = self.node_paths(REGISTRY_READERS)
            region_paths = self.territory_paths(REGISTRY_READERS)
            return qs.filter(
                self._by_node(node_paths)
                | self._by_place(region_paths)
                | self._by_party_org(self.node_paths(PARTY_ROLES))
                | self._by_assignment()
            )
        if self.is_city_wide:
            return qs
        return qs.filter(self._by_node(self.node_paths(REGISTRY_EDITORS)))

    def _reads_whole_city(self) -> bool:
        """A reader bound to the city committee reads everything (a shortcut, not a rule)."""
        return any(g.role in REGISTRY_READERS and g.node_kind == "city" for g in self.grants)

    @staticmethod
    def _by_node(paths: list[str]) -> Q:
        from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode

        if not paths:
            return Q(pk__in=[])
        # Responsible nodes are always committees: a short literal list lets the planner combine
        # this with the place filter as a bitmap OR over two indexes (a subquery would not).
        committees = ManagementNode.objects.filter(any_subtree_q(paths), kind__in=COMMITTEE_KINDS)
        return Q(responsible_node_id__in=list(committees.values_list("id", flat=True)))

    def _by_assignment(self) -> Q:
        """An instructor sees the organizations they are assigned to now: the assignment has
        begun and has not ended (an end date still ahead keeps it in force until that day)."""
        from liangxin.party.coverage import active_on
        from liangxin.party.models import InstructorAssignment

        if Role.INSTRUCTOR not in self.roles or self.user_id is None:
            return Q(pk__in=[])
        today = timezone.localdate()
        assigned = InstructorAssignment.objects.filter(active_on(today), instructor__user_id=self.user_id)
        return Q(pk__in=assigned.values("organization_id"))

    @staticmethod
    def _by_party_org(paths: list[str]) -> Q:
        """A secretary sees the organizations their party organization covers today: the link has
        begun and has not ended (the in-force rule coverage uses)."""
        from liangxin.party.coverage import active_on
        from liangxin.party.models import PartyOrgLink

        if not paths:
            return Q(pk__in=[])
        today = timezone.localdate()
        links = PartyOrgLink.objects.filter(active_on(today), any_subtree_q(paths, "party_org__node__path"))
        return Q(pk__in=links.values("organization_id"))

    @staticmethod
    def _by_place(paths: list[str]) -> Q:
        from liangxin.regions.models import Region

        if not paths:
            return Q(pk__in=[])
        return Q(operating_region_id__in=list(Region.objects.filter(any_subtree_q(paths)).values_list("id", flat=True)))

    def can_edit_node(self, node) -> bool:
        """May act on objects whose responsible node is ``node`` (None: only the city)."""
        if self.is_city_wide:
            return True
        if node is None:
            return False
        return any(is_under(node.path, p) for p in self.node_paths(REGISTRY_EDITORS))

    # -- party organizations and members ---------------------------------------------
    def party_orgs(self, action: Action = "view") -> QuerySet:
        from liangxin.party.models import PartyOrganization

        qs = PartyOrganization.objects.select_related("node")
        if self.is_city_wide:
            return qs
        roles = (REGISTRY_READERS | PARTY_ROLES) if action == "view" else (REGISTRY_EDITORS | PARTY_EDITORS)
        return qs.filter(any_subtree_q(self.node_paths(roles), "node__path"))

    def members(self, action: Action = "view") -> QuerySet:
        """Members (personal data) only in the management subtree, never by place."""
        from liangxin.party.models import Member

        qs = Member.objects.select_related("party_org__node")
        if self.is_city_wide:
            return qs
        roles = (REGISTRY_READERS | PARTY_ROLES) if action == "view" else (REGISTRY_EDITORS | PARTY_EDITORS)
        return qs.filter(any_subtree_q(self.node_paths(roles), "party_org__node__path"))

    # -- 党员减少 (member exits) ---------------------------------------------------------
    def member_exits(self) -> QuerySet:
        """Exits a party reader sees: of members in their subtree now, proposed by a party
        organization in it, or approved by a committee in it (a branch that moved away keeps
        its history readable by the level that decided)."""
        from liangxin.party.models import MemberExit

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
        return member.is_active and self.members("change").filter(pk=member.pk).exists()

    def may_decide_exit(self, exit_) -> bool:
        """Who approves or returns a proposal: the committee above the branch as it stands now, or
        one above that (a registry editor whose subtree holds the branch); never the branch itself.
        Whether there is still something to decide is the service's question (a Chinese refusal)."""
        return (self.is_city_wide or self.has_any(REGISTRY_EDITORS)) and self.can_edit_node(exit_.party_org.node)

    def may_reverse_exit(self, exit_) -> bool:
        """Who reverses an approved exit: only the level that approved (or a committee above it)."""
        return (self.is_city_wide or self.has_any(REGISTRY_EDITORS)) and self.can_edit_node(exit_.approved_node)

    def instructors(self, action: Action = "view") -> QuerySet:
        from liangxin.party.models import Instructor

        qs = Instructor.objects.select_related("node")
        if self.is_city_wide:
            return qs
        roles = REGISTRY_READERS if action == "view" else REGISTRY_EDITORS
        return qs.filter(any_subtree_q(self.node_paths(roles), "node__path"))

    @property
    def can_read_orgs(self) -> bool:
        """Registry readers, secretaries (what their branch covers), instructors (their assignments)."""
        return self.has_any(REGISTRY_READERS | PARTY_ROLES | {Role.INSTRUCTOR})

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

    # -- regions, carriers, the management tree ------------------------------------
    def regions(self, action: Action = "view") -> QuerySet:
        from liangxin.regions.models import Region

        qs = Region.objects.all()
        if action == "change":
            return qs if self.has_any(TREE_EDITORS) else qs.none()
        if self._sees_whole_map():
            return qs
        return qs.filter(any_subtree_q(self.territory_paths(REGISTRY_READERS)))

    def _sees_whole_map(self) -> bool:
        # Industry committees have no territory: their organizations lie anywhere in the city.
        return self._reads_whole_city() or any(
            g.role in REGISTRY_READERS and g.region_path is None for g in self.grants
        )

    def territory_regions(self, roles=REGISTRY_EDITORS) -> QuerySet:
        """Regions where a user with ``roles`` may place an organization."""
        from liangxin.regions.models import Region

        if self.is_city_wide or (self._sees_whole_map() and self.has_any(roles)):
            return Region.objects.all()
        return Region.objects.filter(any_subtree_q(self.territory_paths(roles)))

    def carriers(self, action: Action = "view") -> QuerySet:
        from liangxin.regions.models import Carrier

        qs = Carrier.objects.select_related("street")
        if self.is_city_wide:
            return qs
        if action == "view":
            if self._sees_whole_map():
                return qs
            return qs.filter(any_subtree_q(self.territory_paths(REGISTRY_READERS), "street__path"))
        return qs.filter(any_subtree_q(self.territory_paths(CARRIER_EDITORS), "street__path"))

    def nodes(self, action: Action = "view") -> QuerySet:
        from liangxin.mgmt.models import ManagementNode

        qs = ManagementNode.objects.select_related("region", "parent")
        if self.is_city_wide:
            return qs
        if action == "change":
            return qs.none()
        return qs.filter(any_subtree_q(self.node_paths(self.roles)))

    # -- accounts and the audit log -------------------------------------------------
    def users(self) -> QuerySet:
        """Accounts this user may manage: every role they hold lies in the manager's subtree."""
        from .models import RoleAssignment, User

        if self.is_city_wide:
            return User.objects.all()
        paths = self.node_paths(ACCOUNT_MANAGERS)
        if not paths:
            return User.objects.none()
        outside = RoleAssignment.objects.exclude(any_subtree_q(paths, "node__path")).values("user_id")
        inside = RoleAssignment.objects.filter(any_subtree_q(paths, "node__path")).values("user_id")
        return User.objects.filter(pk__in=inside).exclude(pk__in=outside)

    def assignable_nodes(self) -> QuerySet:
        from liangxin.mgmt.models import ManagementNode

        if self.is_city_wide:
            return ManagementNode.objects.all()
        return ManagementNode.objects.filter(any_subtree_q(self.node_paths(ACCOUNT_MANAGERS)))

    def audit_entries(self) -> QuerySet:
        from liangxin.core.models import AuditEntry

        if not self.has_any(AUDIT_READERS):
            return AuditEntry.objects.none()
        if any(g.role in AUDIT_READERS and g.node_kind == "city" for g in self.grants):
            return AuditEntry.objects.all()
        node_paths = self.node_paths(AUDIT_READERS)
        region_paths = self.territory_paths(AUDIT_READERS)
        return AuditEntry.objects.filter(
            any_subtree_q(node_paths, "mgmt_path") | any_subtree_q(region_paths, "region_path")
        )

    @property
    def home_paths(self) -> dict[str, str]:
        """Where the user's own actions (exports, import jobs) sit in the two trees for the audit
        log: their first node and its territory, so auditors above them read those entries."""
        if not self.grants:
            return {}
        grant = self.grants[0]
        return {"mgmt_path": grant.node_path, "region_path": grant.region_path or ""}

    # -- bulk imports --------------------------------------------------------------------
    def import_kinds(self) -> list:
        """The kinds of ledger this user may import (each kind names the capability it needs)."""
        from liangxin.imports.kinds import KINDS

        return [kind for kind in KINDS.values() if getattr(self, kind.required)]

    def import_jobs(self) -> QuerySet:
        """A user's own import jobs (the platform operator sees all)."""
        from liangxin.imports.models import ImportJob

        qs = ImportJob.objects.select_related("actor")
        return qs if self.is_superuser else qs.filter(actor_id=self.user_id)

    def export_jobs(self) -> QuerySet:
        """A user's own background exports (the file holds what their scope saw)."""
        from liangxin.imports.models import ExportJob

        qs = ExportJob.objects.select_related("actor")
        return qs if self.is_superuser else qs.filter(actor_id=self.user_id)

    @property
    def can_import(self) -> bool:
        return bool(self.import_kinds())

    # -- a member's own record (the member portal) ---------------------------------------
    @property
    def member(self):
        """The member record of a user holding the member role (their own, nothing else)."""
        from liangxin.party.models import Member

        if Role.MEMBER not in self.roles or self.user_id is None:
            return None
        return Member.objects.select_related("party_org__node").filter(user_id=self.user_id).first()

    # -- statistics ------------------------------------------------------------------
    # A statistic counts every organization of its unit, so a unit is open to a user only if
    # every organization in it is visible to them: a region inside their territory (seen by
    # place), or a management node inside their subtree (seen by responsibility).
    def stats_regions(self) -> QuerySet:
        from liangxin.regions.models import Region

        if self._reads_whole_city():
            return Region.objects.all()
        return Region.objects.filter(any_subtree_q(self.territory_paths(REGISTRY_READERS)))

    def stats_nodes(self) -> QuerySet:
        from liangxin.mgmt.models import ManagementNode

        if self._reads_whole_city():
            return ManagementNode.objects.all()
        return ManagementNode.objects.filter(any_subtree_q(self.node_paths(REGISTRY_READERS)))

    def stats_home(self) -> tuple[str, object] | None:
        """The unit a user's dashboard opens on: the territory of their first reading grant,
        else (an industry committee) its node."""
        from liangxin.mgmt.models import ManagementNode
        from liangxin.regions.models import Region

        readers = [g for g in self.grants if g.role in REGISTRY_READERS]
        if self._reads_whole_city():
            readers.sort(key=lambda g: g.node_kind != "city")
        for grant in readers:
            if grant.region_path:
                region = Region.objects.filter(path=grant.region_path).first()
                if region is not None:
                    return "region", region
        if readers:
            return "node", ManagementNode.objects.get(pk=readers[0].node_id)
        return None

    @property
    def can_read_stats(self) -> bool:
        return self.has_any(REGISTRY_READERS)

    # -- capabilities shown in navigation --------------------------------------------
    @property
    def can_read_registry(self) -> bool:
        return self.has_any(REGISTRY_READERS)

    @property
    def can_edit_registry(self) -> bool:
        return self.has_any(REGISTRY_EDITORS)

    @property
    def can_edit_carriers(self) -> bool:
        return self.has_any(CARRIER_EDITORS)

    @property
    def can_edit_trees(self) -> bool:
        return self.has_any(TREE_EDITORS)

    @property
    def can_manage_accounts(self) -> bool:
        return self.has_any(ACCOUNT_MANAGERS)

    @property
    def can_read_audit(self) -> bool:
        return self.has_any(AUDIT_READERS)

    @property
    def can_read_api_docs(self) -> bool:
        return self.has_any(API_DOC_READERS)


def scope_for(user) -> Scope:
    """The scope of ``user``, computed once per user object (one query)."""
    if not getattr(user, "is_authenticated", False):
        return Scope(user_id=None, is_superuser=False)
    cached = getattr(user, "_liangxin_scope", None)
    if cached is not None:
        return cached
    from .models import RoleAssignment

    grants = [
        Grant(a.role, a.node_id, a.node.path, a.node.region.path if a.node.region else None, a.node.kind)
        for a in RoleAssignment.objects.filter(user=user, node__is_active=True).select_related("node__region")
    ]
    scope = Scope(user_id=user.pk, is_superuser=user.is_superuser, grants=grants)
    user._liangxin_scope = scope
    return scope
