"""What seed_demo built, read back once for the party demo."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from liangxin.demo.common import BATCH
from liangxin.demo.party.params import TRADE_WORDS
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.orgs.choices import OrgStatus
from liangxin.orgs.models import Organization
from liangxin.party import policy
from liangxin.party.coverage import link_kinds
from liangxin.regions.models import Carrier, Region, RegionLevel


@dataclass
class World:
    today: datetime.date
    limits: dict[str, int]
    link_kind: dict[str, str]
    street_of_region: dict[int, int] = field(default_factory=dict)  # street or grid id → street id
    street_name: dict[int, str] = field(default_factory=dict)
    district_of_street: dict[int, Region] = field(default_factory=dict)
    committee: dict[int, ManagementNode] = field(default_factory=dict)  # street id → its committee
    trade_committee: dict[str, ManagementNode] = field(default_factory=dict)  # TRADE_WORDS key → committee
    carriers: dict[int, tuple[str, int]] = field(default_factory=dict)  # carrier id → (name, street id)

    def place(self, street: int) -> str:
        return f"上海市{self.district_of_street[street].name}{self.street_name[street]}"


def load_world() -> World:
    limits = {key: int(value) for key, value in policy.values().items()}
    world = World(today=timezone.localdate(), limits=limits, link_kind=link_kinds())
    regions = {r.id: r for r in Region.objects.all()}
    for region in regions.values():
        if region.level == RegionLevel.STREET:
            world.street_of_region[region.id] = region.id
            world.street_name[region.id] = region.name
            world.district_of_street[region.id] = regions[region.parent_id]
        elif region.level == RegionLevel.GRID:
            world.street_of_region[region.id] = region.parent_id
    for node in ManagementNode.objects.filter(kind__in=[NodeKind.STREET, NodeKind.INDUSTRY], is_active=True):
        if node.kind == NodeKind.STREET:
            world.committee[node.region_id] = node
        for key, word in TRADE_WORDS.items():
            if node.kind == NodeKind.INDUSTRY and word in node.name:
                world.trade_committee[key] = node
    world.carriers = {c.id: (c.name, c.street_id) for c in Carrier.objects.filter(is_active=True)}
    return world


@dataclass
class Orgs:
    """Operating organizations as parallel columns, by index (a million objects would cost far more)."""

    ids: list[int]
    names: list[str]
    employees: list[int]
    street: list[int | None]
    kind: list[str]
    industry: list[str]
    carrier: list[int | None]
    founded: list[datetime.date]
    above_scale: list[bool]


def load_orgs(world: World) -> Orgs:
    rows = (
        Organization.objects.filter(status=OrgStatus.OPERATING)
        .order_by("pk")
        .values_list(
            "pk", "name", "employees", "operating_region_id", "kind", "industry", "carrier_id", "founded_on",
            "above_scale",
        )
    )  # fmt: skip
    columns = [list(c) for c in zip(*rows.iterator(chunk_size=BATCH), strict=True)] or [[] for _ in range(9)]
    ids, names, employees, regions, kinds, industries, carriers, founded, above = columns
    fallback = datetime.date(2000, 1, 1)
    return Orgs(
        ids=ids, names=names, employees=employees, street=[world.street_of_region.get(r) for r in regions],
        kind=kinds, industry=industries, carrier=carriers, founded=[f or fallback for f in founded],
        above_scale=above,
    )  # fmt: skip
