"""The demo world's trees: Shanghai's regions with some grids, carriers per street, and the committees."""

import random
from dataclasses import dataclass, field

from liangxin.demo.common import CITY_COMMITTEE, INDUSTRY_COMMITTEES, Picker
from liangxin.demo.names import brand
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.regions import shanghai
from liangxin.regions.models import Carrier, CarrierKind, Region, RegionLevel

ROADS = [
    "人民路", "中山路", "建国路", "复兴路", "长江路", "银都路", "沪南路", "金海路", "海宁路", "天山路", "光复路",
    "秀川路", "华夏路", "园区路", "民生路", "新华路", "东方路", "曹安公路", "沪太路", "松汇路", "城中路",
]  # fmt: skip
CARRIER_SUFFIX = {
    CarrierKind.BUILDING: ["大厦", "广场", "中心", "商务大楼", "国际大厦", "金融中心"],
    CarrierKind.PARK: ["科技园", "创意园", "产业园", "工业园", "文化创意园区", "创业园"],
    CarrierKind.STREET: ["商业街", "购物中心", "商城", "步行街"],
    CarrierKind.MARKET: ["市场", "批发市场", "建材市场", "农贸市场", "服装市场"],
}
CARRIER_KIND_WEIGHT = {CarrierKind.BUILDING: 45, CarrierKind.PARK: 30, CarrierKind.STREET: 15, CarrierKind.MARKET: 10}
CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass
class World:
    """The seeded trees, kept in memory so organizations are built without queries."""

    city: Region
    districts: list[Region] = field(default_factory=list)
    streets: list[Region] = field(default_factory=list)
    grids: dict[int, list[Region]] = field(default_factory=dict)  # street id → its grids
    carriers: dict[int, list[Carrier]] = field(default_factory=dict)  # street id → its carriers
    roads: dict[int, list[str]] = field(default_factory=dict)  # street id → road names for addresses
    district_of: dict[int, Region] = field(default_factory=dict)  # street id → district
    nodes: dict[str, ManagementNode] = field(default_factory=dict)  # committee name → node


def build_regions(rng: random.Random) -> World:
    city_code, city_name = shanghai.CITY
    city = Region.objects.create(code=city_code, name=city_name, level=RegionLevel.CITY)
    world = World(city=city)
    world.districts = Region.objects.bulk_create(
        _region(code, name, RegionLevel.DISTRICT, city, i) for i, (code, name, _) in enumerate(shanghai.DISTRICTS)
    )
    streets = []
    for district, (_, _, children) in zip(world.districts, shanghai.DISTRICTS, strict=True):
        streets += [_region(code, name, RegionLevel.STREET, district, i) for i, (code, name) in enumerate(children)]
    world.streets = Region.objects.bulk_create(streets)
    by_code = {d.code: d for d in world.districts}
    world.district_of = {s.id: by_code[s.code[:6]] for s in world.streets}
    _build_grids(rng, world)
    return world


def _region(code: str, name: str, level: int, parent: Region, order: int) -> Region:
    # bulk_create skips Region.save(), so set the path exactly as save() would
    return Region(code=code, name=name, level=level, parent=parent, path=parent.path + code + "/", sort_order=order)


def _build_grids(rng: random.Random, world: World) -> None:
    """2–4 grids (网格) under a random third of the streets."""
    grids = []
    for street in world.streets:
        if rng.random() < 1 / 3:
            for k in range(1, rng.randint(2, 4) + 1):
                name = f"第{CHINESE_NUMERALS[k - 1]}网格"
                grids.append(_region(f"{street.code}{k:03d}", name, RegionLevel.GRID, street, k))
    for grid in Region.objects.bulk_create(grids):
        world.grids.setdefault(grid.parent.id, []).append(grid)


def build_carriers(rng: random.Random, world: World) -> None:
    """2–6 carriers per street, plus the roads used for addresses there."""
    kinds = Picker(CARRIER_KIND_WEIGHT)
    carriers = []
    for street in world.streets:
        roads = rng.sample(ROADS, 3)
        if street.name.endswith("路街道"):  # 南京东路街道 → 南京东路
            roads.insert(0, street.name[:-2])
        world.roads[street.id] = roads
        names: set[str] = set()
        wanted = rng.randint(2, 6)
        while len(names) < wanted:
            kind = kinds.pick(rng)
            name = brand(rng, 2) + rng.choice(CARRIER_SUFFIX[kind])
            if name not in names:  # unique within a street
                names.add(name)
                address = f"{rng.choice(roads)}{rng.randint(1, 1500)}号"
                carriers.append(Carrier(name=name, kind=kind, street=street, address=address))
    for carrier in Carrier.objects.bulk_create(carriers):
        world.carriers.setdefault(carrier.street.id, []).append(carrier)


def build_nodes(world: World) -> None:
    """City, district and street committees, and the industry committees under the city.

    ManagementNode.save() derives the path from the id, so the few hundred committees are
    saved one by one.
    """

    def add(name: str, kind: str, parent: ManagementNode | None, region: Region | None) -> ManagementNode:
        node = ManagementNode(name=name, kind=kind, parent=parent, region=region)
        node.save()
        world.nodes[name] = node
        return node

    city = add(CITY_COMMITTEE, NodeKind.CITY, None, world.city)
    by_district = {}
    for district in world.districts:
        by_district[district.id] = add(f"{district.name}社会工作党委", NodeKind.DISTRICT, city, district)
    for street in world.streets:
        add(f"{street.name}综合党委", NodeKind.STREET, by_district[world.district_of[street.id].id], street)
    for name in INDUSTRY_COMMITTEES:
        add(name, NodeKind.INDUSTRY, city, None)
