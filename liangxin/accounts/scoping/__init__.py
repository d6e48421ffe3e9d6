"""The one place that decides what a user may see and do (the scope seam, above the domain apps).

DOMAIN.md's rule, "see by place, act by responsibility": a user bound to a node of the
management tree
- sees and edits organizations whose responsible node is in that node's subtree;
- sees read-only the other organizations operating in the node's territory (region subtree).
Every page, API endpoint, search and export starts from the querysets built here; an
object outside them answers 404 exactly like one that does not exist, and an object that
is visible but not changeable answers 403 to a change.

One module per domain, each a part of ``Scope``; the faces (web, api, tasks, commands) build
the scope with ``scope_for`` and hand it to the domain services that need to know who acts.
The domain apps never import this package.
"""

from ..models import RoleAssignment
from .accounts import AccountScope
from .assessment import AssessmentScope
from .base import Action, Grant, ScopeBase
from .circulars import CircularScope
from .develop import DevelopScope
from .dues import DuesScope
from .duty_reports import DutyReportScope
from .imports import ImportScope
from .life import LifeScope
from .messaging import MessagingScope
from .orgs import OrgScope
from .party import PartyScope
from .portal import PortalScope
from .qa import QaScope
from .reporting import ReportingScope
from .stats import StatsScope
from .transfers import TransferScope
from .trees import TreeScope


class Scope(
    DutyReportScope,
    AssessmentScope,
    CircularScope,
    ReportingScope,
    MessagingScope,
    OrgScope,
    TransferScope,
    DuesScope,
    LifeScope,
    PartyScope,
    DevelopScope,
    TreeScope,
    StatsScope,
    AccountScope,
    ImportScope,
    PortalScope,
    QaScope,
    ScopeBase,
):
    """What one user may reach. Build with ``scope_for(user)``."""


def scope_for(user) -> Scope:
    """The scope of ``user``, computed once per user object (one query)."""
    if not getattr(user, "is_authenticated", False):
        return Scope(user_id=None, is_superuser=False)
    cached = getattr(user, "_liangxin_scope", None)
    if cached is not None:
        return cached
    grants = [
        Grant(a.role, a.node_id, a.node.path, a.node.region.path if a.node.region else None, a.node.kind)
        for a in RoleAssignment.objects.filter(user=user, node__is_active=True).select_related("node__region")
    ]
    scope = Scope(user_id=user.pk, is_superuser=user.is_superuser, grants=grants)
    user._liangxin_scope = scope
    return scope


__all__ = ["Action", "Grant", "Scope", "scope_for"]
