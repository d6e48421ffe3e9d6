"""The demo organizations: kinds, names, codes, sizes, places, status, on the world of ``regions``.

The same seed gives the same data. A million organizations load in about three minutes on SQLite: rows are built as
plain Python values (no per-row queries), pinyin keys come from cached name parts, the
responsible node from a memo, and rows go in by ``executemany`` in batches of 5,000, one
transaction each (see demo.rows.RowWriter). The few hundred regions and carriers use bulk_create.

This is operator bulk loading, so no audit entries are written for the seeded rows.
"""

import datetime
import math
import random
import time
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from liangxin.demo.codes import credit_code
from liangxin.demo.common import (
    BATCH,
    DEMO_STREET,
    DEMO_STREET_WEIGHT,
    GIVEN_CHARS,
    LAWYERS_COMMITTEE,
    PROGRESS_EVERY,
    SURNAMES,
    Log,
    Picker,
    email_of,
    mobile_number,
)
from liangxin.demo.names import (
    ASSOCIATION_ENDINGS,
    ASSOCIATION_TOPICS,
    BRAND_CHARS,
    COMPANY_WORDS,
    FOREIGN_CHARS,
    FOREIGN_INDUSTRY,
    FOUNDATION_ENDINGS,
    HOMETOWNS,
    INTERMEDIARY_KINDS,
    NON_ENTERPRISE_WORDS,
    OTHER_ECONOMIC_KINDS,
    PRIVATE_INDUSTRY,
    SHOP_INDUSTRY,
    SHOP_WORDS,
    SUPERVISORS,
    TRADES,
)
from liangxin.demo.regions import World
from liangxin.demo.rows import RowWriter
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs import pinyin
from liangxin.orgs.choices import SECTOR_OF_KIND, AttachmentKind, OrgKind, OrgStatus
from liangxin.orgs.models import Organization
from liangxin.orgs.responsibility import responsible_node_for, street_committee_lookup
from liangxin.regions.models import Carrier, Region

# Fixed dates rather than today(), so the same seed gives the same rows whenever it runs.
FOUNDED_FROM, FOUNDED_TO = datetime.date(1995, 1, 1), datetime.date(2025, 12, 31)
STATUS_TO = datetime.date(2026, 6, 30)


# Share of organizations operating in each district: central districts are dense, and
# 浦东 is the largest; a street gets its district's share split with some noise.
DISTRICT_WEIGHT = {
    "黄浦区": 6.0, "徐汇区": 6.0, "长宁区": 4.5, "静安区": 6.5, "普陀区": 4.5, "虹口区": 3.5,
    "杨浦区": 4.5, "闵行区": 8.5, "宝山区": 5.5, "嘉定区": 6.5, "浦东新区": 20.0, "金山区": 3.0,
    "松江区": 7.0, "青浦区": 5.0, "奉贤区": 5.5, "崇明区": 3.5,
}  # fmt: skip

# ---------------------------------------------------------------------------------------
# Name parts. Every part's pinyin is computed once and cached; the lists avoid characters
# whose reading changes with the neighbouring part, so concatenated keys equal the keys of


# Kind mix (percent): private firms dominate; social organizations are ~8% together.
KIND_WEIGHT = {
    OrgKind.PRIVATE: 80.0, OrgKind.INDIVIDUAL: 6.0, OrgKind.FOREIGN: 3.0, OrgKind.HMT: 1.5,
    OrgKind.OTHER_ECONOMIC: 1.5, OrgKind.ASSOCIATION: 2.4, OrgKind.NON_ENTERPRISE: 3.6,
    OrgKind.FOUNDATION: 0.1, OrgKind.INTERMEDIARY: 1.5, OrgKind.TRADE_ASSOCIATION: 0.4,
}  # fmt: skip
# Employees ~ lognormal(mu, sigma) per kind; together the mean is about 11, most have 1–10.
EMPLOYEES = {
    OrgKind.PRIVATE: (1.45, 1.35), OrgKind.INDIVIDUAL: (0.4, 0.7), OrgKind.FOREIGN: (3.0, 1.4),
    OrgKind.HMT: (2.7, 1.4), OrgKind.OTHER_ECONOMIC: (1.2, 1.0), OrgKind.ASSOCIATION: (0.8, 0.8),
    OrgKind.NON_ENTERPRISE: (2.0, 1.0), OrgKind.FOUNDATION: (1.0, 0.7), OrgKind.INTERMEDIARY: (2.3, 1.2),
    OrgKind.TRADE_ASSOCIATION: (0.9, 0.8),
}  # fmt: skip
# Share of each kind with ≥ 50 and with ≥ 100 employees (the rest drawn from EMPLOYEES below 50):
# together about 10 % and 4 % of all units, as a city's registry of firms has them.
SIZE_TAIL = {
    OrgKind.PRIVATE: (0.11, 0.045), OrgKind.FOREIGN: (0.30, 0.15), OrgKind.HMT: (0.25, 0.12),
    OrgKind.OTHER_ECONOMIC: (0.03, 0.01), OrgKind.INTERMEDIARY: (0.08, 0.03), OrgKind.NON_ENTERPRISE: (0.06, 0.015),
}  # fmt: skip
LARGE_ALPHA, LARGEST = 2.5, 8_000
CARRIER_SHARE = 0.4  # units in a building, park, commercial street or market
CREDIT_PREFIX = {
    OrgKind.PRIVATE: "91", OrgKind.FOREIGN: "91", OrgKind.HMT: "91", OrgKind.INDIVIDUAL: "92",
    OrgKind.ASSOCIATION: "51", OrgKind.TRADE_ASSOCIATION: "51", OrgKind.NON_ENTERPRISE: "52",
    OrgKind.FOUNDATION: "53",
}  # fmt: skip
MOVED_REASONS = ["迁往外省市经营", "迁往本市其他区", "经营场所变更，迁出本辖区", "随总部迁往江苏省苏州市"]
DEREGISTERED_REASONS = [
    "经营期限届满，已办理注销登记", "股东会决议解散", "被吊销营业执照后注销", "简易注销", "业务主管单位撤销登记",
]  # fmt: skip


# ---------------------------------------------------------------------------------------
# Organizations
# ---------------------------------------------------------------------------------------
class Namer:
    """Joins name parts; pinyin keys come from per-part keys computed once (pypinyin is slow).

    Concatenated keys equal the keys of the whole name unless two neighbouring parts read
    differently together (英 + 模具 is 英模 "ying mo", not "ying mu"). Each pair of neighbours
    is checked once; a name with such a seam gets its keys from the whole name instead.
    """

    def __init__(self) -> None:
        self.parts: dict[str, tuple[str, str]] = {}
        self.seams: dict[tuple[str, str], bool] = {}

    def keys(self, parts: Sequence[str]) -> tuple[str, str, str]:
        """(name, pinyin initials, sort key) — equal to pinyin.initials/sort_key of the name."""
        name = "".join(parts)
        for pair in zip(parts, parts[1:], strict=False):
            clean = self.seams.get(pair)
            if clean is None:
                clean = self.seams[pair] = self._reads_apart(pair)
            if not clean:
                return name, pinyin.initials(name), pinyin.sort_key(name)
        return (name, *self._joined(parts))

    def _reads_apart(self, pair: tuple[str, str]) -> bool:
        both = "".join(pair)
        return self._joined(pair) == (pinyin.initials(both), pinyin.sort_key(both))

    def _joined(self, parts: Sequence[str]) -> tuple[str, str]:
        keys = [self._part(p) for p in parts]
        return "".join(k[0] for k in keys)[:200], " ".join(k[1] for k in keys)[:400]

    def _part(self, part: str) -> tuple[str, str]:
        hit = self.parts.get(part)
        if hit is None:
            hit = self.parts[part] = (pinyin.initials(part), pinyin.sort_key(part))
        return hit


# (name parts, industry, first two characters of the credit code, is a law firm)
Naming = tuple[list[str], str, str, bool]


class OrgFactory:
    """Builds one organization row per call from the seeded world; no queries after setup."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng, self.world, self.namer = rng, world, Namer()
        self.lookup = street_committee_lookup()
        self.memo: dict[tuple[int, int, int], tuple] = {}
        self.kinds = Picker({kind.value: weight for kind, weight in KIND_WEIGHT.items()})
        self.private_industry = Picker(PRIVATE_INDUSTRY)
        self.foreign_industry = Picker(FOREIGN_INDUSTRY)
        self.shop_industry = Picker(SHOP_INDUSTRY)
        self.intermediary = Picker({(end, ind, prefix): share for end, ind, share, prefix in INTERMEDIARY_KINDS})
        self.streets = Picker(street_weights(rng, world))
        self.lawyers = world.nodes[LAWYERS_COMMITTEE]
        self.namings = {
            OrgKind.PRIVATE: self._private, OrgKind.HMT: self._private, OrgKind.FOREIGN: self._foreign,
            OrgKind.INDIVIDUAL: self._individual, OrgKind.OTHER_ECONOMIC: self._other_economic,
            OrgKind.ASSOCIATION: self._association, OrgKind.NON_ENTERPRISE: self._non_enterprise,
            OrgKind.FOUNDATION: self._foundation, OrgKind.INTERMEDIARY: self._intermediary,
            OrgKind.TRADE_ASSOCIATION: self._trade_association,
        }  # fmt: skip

    def make(self, index: int) -> dict[str, Any]:
        """One organization's column values, keyed by attribute name (plain Python values)."""
        rng = self.rng
        street, operating, registered = self._places()
        district = self.world.district_of[street.id]
        kind = self.kinds.pick(rng)
        parts, industry, prefix, law_firm = self.namings[kind](district, street)
        name, initials, sort_key = self.namer.keys(parts)
        values = self._size(kind, industry) | self._status()
        founded = values["founded_on"]
        attachment = self.lawyers if law_firm and rng.random() < 0.6 else None
        carriers = self.world.carriers.get(street.id)
        carrier = rng.choice(carriers) if carriers and rng.random() < CARRIER_SHARE else None
        node, basis = self._responsible(operating, registered, attachment)
        return dict(
            name=name, pinyin_initials=initials, sort_key=sort_key, kind=kind, sector=str(SECTOR_OF_KIND[kind]),
            industry=industry, credit_code=credit_code(prefix, registered.code[:6], index, founded.year >= 2016),
            supervising_unit=self._supervisor(kind, district, law_firm),
            operating_region_id=operating.id, registered_region_id=registered.id,
            carrier_id=carrier.id if carrier else None, address=self._address(street, carrier),
            contact_name=(person := self._person()), contact_phone=mobile_number(rng),
            # a third of the contacts give an address (no draw: the rest of the city stays the same)
            contact_email=email_of(person, index % 100) if index % 3 == 0 else "",
            responsible_node_id=node.id if node else None, responsible_basis=str(basis),
            **self._attachment(attachment, founded), **values,
        )  # fmt: skip

    def _places(self) -> tuple[Region, Region, Region]:
        """(street, operating place, registered place): a grid when the street has grids;
        registered mostly where it operates, else another street (10%) or only a district (5%)."""
        rng = self.rng
        street = self.streets.pick(rng)
        grids = self.world.grids.get(street.id)
        operating = rng.choice(grids) if grids else street
        draw = rng.random()
        if draw < 0.85:
            return street, operating, street
        if draw < 0.95:
            return street, operating, self.streets.pick(rng)
        return street, operating, rng.choice(self.world.districts)

    def _responsible(self, operating: Region, registered: Region, attachment: ManagementNode | None) -> tuple:
        """responsible_node_for on a probe, memoized: it depends on these three values only."""
        key = (operating.id, registered.id, attachment.id if attachment else 0)
        hit = self.memo.get(key)
        if hit is None:
            probe = Organization(
                operating_region=operating,
                registered_region=registered,
                attachment_node=attachment,
                attachment_kind=AttachmentKind.INDUSTRY if attachment else "",
            )
            hit = self.memo[key] = responsible_node_for(probe, self.lookup, ())
        return hit

    def _size(self, kind: str, industry: str) -> dict:
        """Employees and the flags that grow with size: most units are small (lognormal below
        50), but a share of each kind of firm has 50–99 and ≥ 100 employees (SIZE_TAIL), so that
        the rates over those sizes (双达标, above-scale coverage) have enough units to mean something."""
        rng = self.rng
        mu, sigma = EMPLOYEES[kind]
        from_50, from_100 = SIZE_TAIL.get(kind, (0.0, 0.0))
        draw = rng.random()
        if draw < from_100:  # Pareto tail: median ≈ 130, a few thousand at most
            employees = min(LARGEST, int(100 * rng.paretovariate(LARGE_ALPHA)))
        elif draw < from_50:
            employees = rng.randint(50, 99)
        else:
            employees = max(1, round(rng.lognormvariate(mu, sigma)))
            if from_50 and employees >= 50:  # the sizes above are drawn by their shares
                employees = rng.randint(10, 49)
        enterprise = SECTOR_OF_KIND[kind] == "economic" and kind != OrgKind.INDIVIDUAL
        # 规模以上 is a revenue threshold; headcount is the proxy here
        above = enterprise and rng.random() < min(0.95, max(0.0, (employees - 15) / 120))
        key_chance = (0.06 if industry in "CGIJK" else 0.035) + (0.2 if employees >= 100 else 0.0)
        # unions first, youth league and women's federation mostly where a union exists
        union = rng.random() < min(0.9, 0.03 + 0.12 * math.log(employees))
        return {
            "employees": employees, "above_scale": above, "key_industry": rng.random() < key_chance,
            "owner_is_member": rng.random() < 0.03, "has_union": union,
            "has_youth_league": union and rng.random() < 0.4,
            "has_womens_federation": union and rng.random() < 0.55,
        }  # fmt: skip

    def _status(self) -> dict:
        """Founding dates lean to recent years; 4% have moved away or been deregistered."""
        rng = self.rng
        span = (FOUNDED_TO - FOUNDED_FROM).days
        founded = FOUNDED_FROM + datetime.timedelta(days=int(span * rng.random() ** 0.6))
        draw = rng.random()
        if draw < 0.96:
            return {"founded_on": founded, "status": "operating", "status_date": None, "status_reason": ""}
        moved = draw < 0.975
        start = founded + datetime.timedelta(days=180)
        on = start + datetime.timedelta(days=rng.randint(0, max(0, (STATUS_TO - start).days)))
        return {
            "founded_on": founded, "status": str(OrgStatus.MOVED if moved else OrgStatus.DEREGISTERED),
            "status_date": min(on, STATUS_TO),
            "status_reason": rng.choice(MOVED_REASONS if moved else DEREGISTERED_REASONS),
        }  # fmt: skip

    def _attachment(self, node: ManagementNode | None, founded: datetime.date) -> dict:
        if node is None:
            return {"attachment_kind": "", "attachment_node_id": None, "attachment_reason": "", "attachment_date": None}
        start = max(founded, datetime.date(2016, 1, 1))
        on = start + datetime.timedelta(days=self.rng.randint(0, max(0, (FOUNDED_TO - start).days)))
        return {
            "attachment_kind": str(AttachmentKind.INDUSTRY),
            "attachment_node_id": node.id,
            "attachment_reason": "律师行业党委统一管理",
            "attachment_date": on,
        }

    def _supervisor(self, kind: str, district: Region, law_firm: bool) -> str:
        if law_firm:
            return "上海市司法局"
        choices = SUPERVISORS.get(kind)
        return self.rng.choice(choices).format(d=district.name) if choices else ""

    def _address(self, street: Region, carrier: Carrier | None) -> str:
        rng = self.rng
        if carrier is not None:
            return f"{carrier.address}{rng.randint(1, 30)}{rng.randint(1, 20):02d}室"
        return f"{rng.choice(self.world.roads[street.id])}{rng.randint(1, 2000)}号"

    def _person(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN_CHARS) if rng.random() < 0.3 else rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS)
        return rng.choice(SURNAMES) + given

    # --- names, one builder per kind: (parts, industry, credit code prefix, law firm) ---
    def _brand_parts(self, chars: str = BRAND_CHARS) -> list[str]:
        # single characters are the cached parts, so the brand space is large yet cheap
        rng = self.rng
        return rng.sample(chars, 2 if rng.random() < 0.5 else 3)

    def _private(self, district: Region, street: Region) -> Naming:
        industry = self.private_industry.pick(self.rng)
        suffix = "股份有限公司" if self.rng.random() < 0.02 else "有限公司"
        return ["上海", *self._brand_parts(), self.rng.choice(COMPANY_WORDS[industry]), suffix], industry, "91", False

    def _foreign(self, district: Region, street: Region) -> Naming:
        rng = self.rng
        industry = self.foreign_industry.pick(rng)
        word = rng.choice(COMPANY_WORDS[industry])
        if rng.random() < 0.6:  # e.g. 艾克斯（上海）电子科技有限公司
            return [*self._brand_parts(FOREIGN_CHARS), "（上海）", word, "有限公司"], industry, "91", False
        return ["上海", *self._brand_parts(FOREIGN_CHARS), word, "有限公司"], industry, "91", False

    def _individual(self, district: Region, street: Region) -> Naming:
        industry = self.shop_industry.pick(self.rng)
        parts = [district.name, *self._brand_parts()[:2], self.rng.choice(SHOP_WORDS[industry])]
        return parts, industry, "92", False

    def _other_economic(self, district: Region, street: Region) -> Naming:
        ending, industry, prefix = self.rng.choice(OTHER_ECONOMIC_KINDS)
        return ["上海", *self._brand_parts(), ending], industry, prefix, False

    def _association(self, district: Region, street: Region) -> Naming:
        rng = self.rng
        place = self._place_prefix(district, street)
        return [place, rng.choice(ASSOCIATION_TOPICS), rng.choice(ASSOCIATION_ENDINGS)], "S", "51", False

    def _non_enterprise(self, district: Region, street: Region) -> Naming:
        word, industry = self.rng.choice(NON_ENTERPRISE_WORDS)
        # 浦东 writes 上海浦东新区…; elsewhere 上海市X区…
        place = "上海浦东新区" if district.name == "浦东新区" else f"上海市{district.name}"
        return [place, *self._brand_parts()[:2], word], industry, "52", False

    def _foundation(self, district: Region, street: Region) -> Naming:
        return ["上海", *self._brand_parts(), self.rng.choice(FOUNDATION_ENDINGS)], "S", "53", False

    def _intermediary(self, district: Region, street: Region) -> Naming:
        ending, industry, prefix = self.intermediary.pick(self.rng)
        law_firm = ending == "律师事务所"
        head = "上海市" if law_firm and self.rng.random() < 0.5 else "上海"
        return [head, *self._brand_parts(), ending], industry, prefix, law_firm

    def _trade_association(self, district: Region, street: Region) -> Naming:
        rng = self.rng
        if rng.random() < 0.7:
            # one part: 流行, 发行, 修行 would change how 行 reads across a seam
            return [self._place_prefix(district, street), rng.choice(TRADES) + "行业协会"], "S", "51", False
        return [self._place_prefix(district, None), rng.choice(HOMETOWNS), "商会"], "S", "51", False

    def _place_prefix(self, district: Region, street: Region | None) -> str:
        """上海市, 上海市X区 or 上海市X区Y街道 — one cached part, so no pinyin seams inside."""
        draw = self.rng.random()
        if draw < 0.1:
            return "上海市"
        if draw < 0.5 or street is None:
            return f"上海市{district.name}"
        return f"上海市{district.name}{street.name}"


def street_weights(rng: random.Random, world: World) -> dict[Region, float]:
    """Each street's share: its district's weight split over the district's streets, with noise."""
    per_district: dict[int, int] = {}
    for street in world.streets:
        district_id = world.district_of[street.id].id
        per_district[district_id] = per_district.get(district_id, 0) + 1
    weights = {}
    for street in world.streets:
        district = world.district_of[street.id]
        weights[street] = DISTRICT_WEIGHT[district.name] / per_district[district.id] * rng.uniform(0.5, 1.5)
        if street.name == DEMO_STREET:  # a dense business street, and the demo logins' own: enough to show
            weights[street] *= DEMO_STREET_WEIGHT
    return weights


def build_organizations(log: Log, rng: random.Random, world: World, count: int) -> None:
    """``count`` organizations in batches of BATCH rows, one transaction per batch."""
    factory, writer = OrgFactory(rng, world), RowWriter(Organization)
    if connection.vendor == "sqlite":
        # a million rows' index pages outgrow SQLite's default 2 MB page cache, and rereading
        # them from the OS on every batch costs more than the inserts (measured: -20% time)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
    started = time.monotonic()
    for start in range(0, count, BATCH):
        now = connection.ops.adapt_datetimefield_value(timezone.now())  # auto_now(_add) by hand
        stamps = {"created_at": now, "updated_at": now}
        writer.insert([{**factory.make(i), **stamps} for i in range(start, min(start + BATCH, count))])
        done = min(start + BATCH, count)
        if done % PROGRESS_EVERY == 0 or done == count:
            log(f"  两新组织 {done:,} / {count:,}，用时 {time.monotonic() - started:.0f} 秒")


# ---------------------------------------------------------------------------------------
# Accounts, reset, command
