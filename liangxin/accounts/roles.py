"""The roles of DOMAIN.md and what each may do. Scope (where) is in scoping/."""

from django.db import models


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", "市级管理员"
    DISTRICT_ADMIN = "district_admin", "区级管理员"
    STREET_ADMIN = "street_admin", "街道/镇管理员"
    INDUSTRY_ADMIN = "industry_admin", "行业党委管理员"
    SECRETARY = "secretary", "党组织书记"
    INSTRUCTOR = "instructor", "党建指导员"
    MEMBER = "member", "党员"
    AUDITOR = "auditor", "审计/巡查"


# Roles that act on the registry (create, edit, deregister) within their management subtree.
REGISTRY_EDITORS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.INDUSTRY_ADMIN})
# Roles that see the registry of their subtree and territory (read).
REGISTRY_READERS = REGISTRY_EDITORS | {Role.AUDITOR}
# Roles that read the audit log of their subtree.
AUDIT_READERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.AUDITOR})
# Roles that manage user accounts within their subtree.
ACCOUNT_MANAGERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN})
# Roles that maintain carriers inside their territory.
CARRIER_EDITORS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_ADMIN})
# Roles that maintain the region tree and the management tree (the whole city).
TREE_EDITORS = frozenset({Role.CITY_ADMIN})

# Roles bound to a party organization, who work on its members.
PARTY_ROLES = frozenset({Role.SECRETARY})
PARTY_EDITORS = frozenset({Role.SECRETARY})
# Roles that may see an identity number in full (each full view is audited).
ID_NUMBER_READERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.SECRETARY})
# Roles offered the API documents: the administrators and the auditor, whose work is data over a
# subtree (exports, integrations, inspection); a secretary or member works in the pages.
API_DOC_READERS = REGISTRY_EDITORS | {Role.AUDITOR}
# Roles that edit the policy parameters and the setup-mode table.
POLICY_EDITORS = frozenset({Role.CITY_ADMIN})

# Which node kinds a role may be bound to.
ROLE_NODE_KINDS: dict[str, tuple[str, ...]] = {
    Role.CITY_ADMIN: ("city",),
    Role.DISTRICT_ADMIN: ("district",),
    Role.STREET_ADMIN: ("street",),
    Role.INDUSTRY_ADMIN: ("industry",),
    Role.SECRETARY: ("grassroots",),
    Role.INSTRUCTOR: ("city", "district", "street", "industry"),
    Role.MEMBER: ("grassroots",),
    Role.AUDITOR: ("city", "district", "street", "industry"),
}
