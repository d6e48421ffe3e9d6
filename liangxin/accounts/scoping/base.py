"""The facts a scope is built from (the user's grants) and the questions every domain asks of
them: which roles, which management subtrees, which territories."""

from dataclasses import dataclass, field
from typing import Literal

from liangxin.core.tree import collapse_paths, is_under

from ..roles import (
    ACCOUNT_MANAGERS,
    API_DOC_READERS,
    AUDIT_READERS,
    CARRIER_EDITORS,
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
class ScopeBase:
    """The user's grants; every domain's part of ``Scope`` is a subclass of this."""

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

    def _reads_whole_city(self) -> bool:
        """A reader bound to the city committee reads everything (a shortcut, not a rule)."""
        return any(g.role in REGISTRY_READERS and g.node_kind == "city" for g in self.grants)

    def _sees_whole_map(self) -> bool:
        # Industry committees have no territory: their organizations lie anywhere in the city.
        return self._reads_whole_city() or any(
            g.role in REGISTRY_READERS and g.region_path is None for g in self.grants
        )

    def can_edit_node(self, node) -> bool:
        """May act on objects whose responsible node is ``node`` (None: only the city)."""
        if self.is_city_wide:
            return True
        if node is None:
            return False
        return any(is_under(node.path, p) for p in self.node_paths(REGISTRY_EDITORS))

    @property
    def home_paths(self) -> dict[str, str]:
        """Where the user's own actions (exports, import jobs) sit in the two trees for the audit
        log: their first node and its territory, so auditors above them read those entries."""
        if not self.grants:
            return {}
        grant = self.grants[0]
        return {"mgmt_path": grant.node_path, "region_path": grant.region_path or ""}

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
