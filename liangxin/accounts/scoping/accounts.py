"""Accounts a manager may manage, the nodes they may grant roles at, and the audit log."""

from django.db.models import QuerySet

from liangxin.core.models import AuditEntry
from liangxin.core.tree import any_subtree_q
from liangxin.mgmt.models import ManagementNode

from ..models import RoleAssignment, User
from ..roles import ACCOUNT_MANAGERS, AUDIT_READERS
from .base import ScopeBase


class AccountScope(ScopeBase):
    def users(self) -> QuerySet:
        """Accounts this user may manage: every role they hold lies in the manager's subtree."""
        if self.is_city_wide:
            return User.objects.all()
        paths = self.node_paths(ACCOUNT_MANAGERS)
        if not paths:
            return User.objects.none()
        outside = RoleAssignment.objects.exclude(any_subtree_q(paths, "node__path")).values("user_id")
        inside = RoleAssignment.objects.filter(any_subtree_q(paths, "node__path")).values("user_id")
        return User.objects.filter(pk__in=inside).exclude(pk__in=outside)

    def assignable_nodes(self) -> QuerySet:
        if self.is_city_wide:
            return ManagementNode.objects.all()
        return ManagementNode.objects.filter(any_subtree_q(self.node_paths(ACCOUNT_MANAGERS)))

    def audit_entries(self) -> QuerySet:
        if not self.has_any(AUDIT_READERS):
            return AuditEntry.objects.none()
        if any(g.role in AUDIT_READERS and g.node_kind == "city" for g in self.grants):
            return AuditEntry.objects.all()
        node_paths = self.node_paths(AUDIT_READERS)
        region_paths = self.territory_paths(AUDIT_READERS)
        return AuditEntry.objects.filter(
            any_subtree_q(node_paths, "mgmt_path") | any_subtree_q(region_paths, "region_path")
        )
