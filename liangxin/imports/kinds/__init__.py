"""The importable kinds, by the name used in URLs and on the command line."""

from ..spec import Kind
from .assignments import AssignmentKind
from .carriers import CarrierImportKind
from .members import MemberKind
from .organizations import OrganizationKind
from .party_orgs import PartyOrgKind
from .regions import RegionKind

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        OrganizationKind(),
        MemberKind(),
        RegionKind(),
        CarrierImportKind(),
        PartyOrgKind(),
        AssignmentKind(),
    )
}


def get_kind(name: str) -> Kind | None:
    return KINDS.get(name)
