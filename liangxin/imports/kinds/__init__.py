"""The importable kinds, by the name used in URLs and on the command line."""

from ..spec import Kind
from .members import MemberKind
from .organizations import OrganizationKind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (OrganizationKind(), MemberKind())}


def get_kind(name: str) -> Kind | None:
    return KINDS.get(name)
