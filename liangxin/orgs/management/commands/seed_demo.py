"""seed_demo: a Shanghai demo world — regions, carriers, committees, organizations, accounts.

``python manage.py seed_demo --orgs N [--reset] [--seed S]``. The same seed gives the same
data. A million organizations load in about three minutes on SQLite: rows are built as
plain Python values (no per-row queries), pinyin keys come from cached name parts, the
responsible node from a memo, and rows go in by ``executemany`` in batches of 5,000, one
transaction each (see OrgWriter). The few hundred regions and carriers use bulk_create.

This is operator bulk loading, so no audit entries are written for the seeded rows.
"""

import bisect
import datetime
import math
import operator
import random
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, OutputWrapper
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import uscc

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.roles import Role
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.orgs import pinyin
from liangxin.orgs.choices import SECTOR_OF_KIND, AttachmentKind, OrgKind, OrgStatus
from liangxin.orgs.models import Organization
from liangxin.orgs.responsibility import responsible_node_for, street_committee_lookup
from liangxin.regions import shanghai
from liangxin.regions.models import Carrier, CarrierKind, Region, RegionLevel

BATCH = 5_000
PROGRESS_EVERY = 100_000
DEMO_PASSWORD = "Demo@2026"
# Fixed dates rather than today(), so the same seed gives the same rows whenever it runs.
FOUNDED_FROM, FOUNDED_TO = datetime.date(1995, 1, 1), datetime.date(2025, 12, 31)
STATUS_TO = datetime.date(2026, 6, 30)

CITY_COMMITTEE = "上海市社会工作党委"
LAWYERS_COMMITTEE = "上海市律师行业党委"
INDUSTRY_COMMITTEES = [
    LAWYERS_COMMITTEE, "上海市注册会计师行业党委", "上海市工程造价咨询行业党委", "上海市物流行业党委",
]  # fmt: skip

# (username, full name, role, node name)
DEMO_ACCOUNTS = [
    ("city_admin", "市级管理员", Role.CITY_ADMIN, CITY_COMMITTEE),
    ("district_admin", "黄浦区管理员", Role.DISTRICT_ADMIN, "黄浦区社会工作党委"),
    ("street_admin", "南京东路街道管理员", Role.STREET_ADMIN, "南京东路街道综合党委"),
    ("street_admin2", "外滩街道管理员", Role.STREET_ADMIN, "外滩街道综合党委"),
    ("industry_admin", "律师行业党委管理员", Role.INDUSTRY_ADMIN, LAWYERS_COMMITTEE),
    ("auditor", "黄浦区巡查员", Role.AUDITOR, "黄浦区社会工作党委"),
]

DEMO_STREET, DEMO_STREET_WEIGHT = "南京东路街道", 3.0
SECRETARY_ACCOUNT = "secretary"  # bound to a party organization that seed_demo builds
MEMBER_ACCOUNT = "member"
DAILY_WORK_DEMOS = ["liangxin.life.demo", "liangxin.develop.demo", "liangxin.transfers.demo", "liangxin.dues.demo"]

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
# the whole name (tests check this on a sample).
# ---------------------------------------------------------------------------------------
BRAND_CHARS = (
    "嘉恒瑞鼎鑫盛德宏永金天新信诚博航佳安泰润丰达汇通联源明光辉宇星伟英卓凯东南申沪江浦兴隆昌福"
    "富祥美益康健雅正君豪创思睿智远志科迅捷优尚品逸格凡楚汉唐元亿万千百世纪时龙凤鹏翔飞腾云霖雨雪"
    "晨曦阳春秋蓝青绿紫橙松柏杉桐竹梅兰菊荷莲华皓锦绣骏驰铭晟昊淳泓澜涛洋帆舟峰岳川森茂荣耀"
)
FOREIGN_CHARS = "艾克斯特瑞尔拉维诺德森菲普莱奥迪伦马欧卡罗亚贝索霍杰"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建文斌宇浩凯兰俊峰琳雪婷慧"

# Words after the brand, by GB/T 4754 section, for companies.
COMPANY_WORDS: dict[str, list[str]] = {
    "A": ["农业科技", "园艺", "生态农业", "花卉园艺", "水产养殖"],
    "C": ["机械制造", "电子科技", "精密机械", "塑料制品", "服饰", "食品", "化工", "包装材料", "印务", "医疗器械",
          "汽车配件", "五金制品", "家具", "新材料", "环保设备", "电气", "光电科技", "纺织品", "仪器仪表", "精密模具"],
    "D": ["能源科技", "新能源", "电力工程", "燃气设备"],
    "E": ["建筑工程", "建设工程", "装饰工程", "建筑装潢", "机电安装工程", "园林绿化工程", "市政工程", "幕墙工程"],
    "F": ["贸易", "商贸", "实业", "国际贸易", "进出口", "电子商务", "食品销售", "建材", "医药", "化工原料",
          "服装", "五金交电", "汽车销售", "日用品", "电器", "办公用品", "酒业", "茶叶", "供应链", "钢材"],
    "G": ["物流", "货运代理", "国际物流", "供应链管理", "运输", "快递服务", "仓储服务", "船务"],
    "H": ["餐饮管理", "酒店管理", "餐饮", "餐饮服务", "宾馆"],
    "I": ["信息科技", "网络科技", "软件", "数据科技", "智能科技", "信息技术", "计算机系统", "数字科技", "云计算",
          "通信技术", "人工智能科技", "网络技术"],
    "J": ["投资管理", "资产管理", "融资担保", "典当", "小额贷款"],
    "K": ["房地产开发", "房地产经纪", "置业", "物业管理", "房产咨询"],
    "L": ["企业管理咨询", "商务咨询", "广告", "人力资源", "文化传播", "会展服务", "投资咨询", "市场营销策划",
          "品牌管理", "企业管理", "商务服务", "租赁", "设备租赁", "旅行社", "知识产权代理"],
    "M": ["生物科技", "检测技术", "工程技术", "环境科技", "建筑设计", "医药科技", "工业设计", "技术服务",
          "测绘", "新材料科技"],
    "N": ["环境工程", "水务", "市容环卫", "园林"],
    "O": ["家政服务", "汽车维修", "美容美发", "保洁服务", "洗涤", "搬家服务"],
    "P": ["教育科技", "教育信息咨询", "培训"],
    "Q": ["医疗管理", "健康管理", "门诊部", "护理服务"],
    "R": ["文化传媒", "影视", "体育发展", "文化艺术", "演艺", "图书"],
}  # fmt: skip
# Industry mix of private enterprises (weights): trade, services and manufacturing dominate.
PRIVATE_INDUSTRY = {"F": 27, "L": 17, "C": 13, "I": 10, "M": 8, "E": 6, "G": 5, "H": 4, "K": 3, "O": 3, "R": 2,
                    "P": 1, "A": 1, "N": 1, "J": 0.6, "Q": 0.5, "D": 0.5}  # fmt: skip
FOREIGN_INDUSTRY = {"C": 30, "F": 25, "L": 15, "I": 10, "M": 10, "G": 5, "J": 3, "H": 2}

SHOP_WORDS: dict[str, list[str]] = {
    "H": ["餐饮店", "小吃店", "面馆", "饮品店", "快餐店", "点心店", "烧烤店"],
    "F": ["便利店", "烟杂店", "水果店", "服装店", "五金店", "副食品店", "鲜花店", "文具店", "茶叶店", "日用品商店"],
    "O": ["理发店", "维修部", "洗衣店", "美甲店", "修车铺", "家电维修部", "照相馆"],
}
SHOP_INDUSTRY = {"H": 40, "F": 45, "O": 15}

# 民办非企业单位: (word, industry).
NON_ENTERPRISE_WORDS = [
    ("社会工作服务社", "Q"), ("培训学校", "P"), ("幼儿园", "P"), ("养老院", "Q"), ("社区服务中心", "S"),
    ("青少年活动中心", "S"), ("艺术培训中心", "P"), ("康复中心", "Q"), ("职业技能培训学校", "P"),
    ("公益服务中心", "S"), ("敬老院", "Q"), ("心理咨询服务中心", "Q"), ("文化发展中心", "R"), ("体育俱乐部", "R"),
]  # fmt: skip
ASSOCIATION_TOPICS = [
    "青年创业", "书法", "摄影", "老年体育", "集邮", "围棋", "科普", "企业文化", "志愿服务", "慈善", "心理咨询", "园艺",
    "计算机", "钓鱼", "太极拳", "舞蹈", "收藏", "诗词", "美术", "合唱", "健身气功", "信鸽", "乒乓球", "足球",
    "读书", "家庭教育", "老年教育", "社区发展", "环境保护", "知识产权", "质量管理", "人才发展",
]  # fmt: skip
ASSOCIATION_ENDINGS = ["协会", "研究会", "促进会", "联谊会", "联合会"]
TRADES = [
    "软件", "物流", "餐饮烹饪", "建筑材料", "汽车销售", "美容美发", "家具", "会展", "电子商务", "化妆品", "服装",
    "珠宝玉石", "茶叶", "酒类", "医药", "物业管理", "房地产经纪", "广告", "装饰装修", "文化创意", "人力资源服务",
    "集成电路", "新能源汽车", "食品", "花卉", "家政服务", "养老服务", "律师", "商业联合", "小额贷款",
]  # fmt: skip
HOMETOWNS = [
    "温州", "福建", "泉州", "宁波", "安徽", "江西", "湖南", "四川", "河南", "山东", "湖北", "广东", "台州",
    "莆田", "义乌", "江苏", "浙江", "重庆", "云南", "贵州", "甘肃", "黑龙江", "吉林", "辽宁", "山西",
]  # fmt: skip
FOUNDATION_ENDINGS = ["公益基金会", "慈善基金会", "教育发展基金会", "助学基金会"]
# 社会中介组织: (ending, industry, share, credit code category prefix). Law firms register with 司法 (3).
INTERMEDIARY_KINDS = [
    ("律师事务所", "L", 40, "31"), ("会计师事务所（特殊普通合伙）", "L", 8, "91"),
    ("会计师事务所有限公司", "L", 10, "91"), ("税务师事务所有限公司", "L", 10, "91"),
    ("资产评估有限公司", "L", 8, "91"), ("工程造价咨询有限公司", "M", 12, "91"),
    ("专利代理事务所（普通合伙）", "L", 5, "91"), ("房地产估价有限公司", "L", 7, "91"),
]  # fmt: skip
OTHER_ECONOMIC_KINDS = [
    ("农民专业合作社", "A", "93"), ("投资合伙企业（有限合伙）", "J", "91"), ("商务咨询中心", "L", "91"),
    ("贸易商行", "F", "91"), ("企业管理咨询中心", "L", "91"),
]  # fmt: skip
SUPERVISORS = {
    OrgKind.ASSOCIATION: ["上海市科学技术协会", "上海市体育局", "上海市文化和旅游局", "上海市民政局", "{d}民政局"],
    OrgKind.NON_ENTERPRISE: ["{d}教育局", "{d}民政局", "{d}卫生健康委员会", "{d}文化和旅游局"],
    OrgKind.FOUNDATION: ["上海市民政局"],
    OrgKind.TRADE_ASSOCIATION: [
        "上海市商务委员会", "上海市经济和信息化委员会", "上海市工商业联合会", "{d}工商业联合会",
    ],
}  # fmt: skip

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
ORG_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class Picker:
    """Weighted choice by bisecting cumulative weights (faster than rng.choices per row)."""

    def __init__(self, weights: dict) -> None:
        self.items = list(weights)
        self.cum = list(_accumulate(weights.values()))

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


# ---------------------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------------------
def gb11714_check(body: str) -> str:
    """The 9th character of an organization code (GB 11714): weighted sum mod 11."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def organization_code(index: int, new_style: bool) -> str:
    """A 9-char organization code unique per ``index`` (< 31**6).

    The last six characters are a bijection of the index (multiplying by a number prime
    to 31**6 permutes the residues), so codes look scattered but never collide. Codes
    issued since 2015 start with "MA", older ones with two digits.
    """
    n = (index * 1_000_003 + 104_729) % 31**6
    tail = ""
    for _ in range(6):
        n, digit = divmod(n, 31)
        tail = ORG_CODE_ALPHABET[digit] + tail
    head = "MA" if new_style else f"{13 + index % 87:02d}"
    return head + tail + gb11714_check(head + tail)


def credit_code(prefix: str, division: str, index: int, new_style: bool) -> str:
    """统一社会信用代码 (GB 32100): department and category, division, org code, check digit."""
    first17 = prefix + division + organization_code(index, new_style)
    return first17 + uscc.calc_check_digit(first17)


# ---------------------------------------------------------------------------------------
# Regions, carriers, committees
# ---------------------------------------------------------------------------------------
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
            name = _brand(rng, 2) + rng.choice(CARRIER_SUFFIX[kind])
            if name not in names:  # unique within a street
                names.add(name)
                address = f"{rng.choice(roads)}{rng.randint(1, 1500)}号"
                carriers.append(Carrier(name=name, kind=kind, street=street, address=address))
    for carrier in Carrier.objects.bulk_create(carriers):
        world.carriers.setdefault(carrier.street.id, []).append(carrier)


def _brand(rng: random.Random, length: int, chars: str = BRAND_CHARS) -> str:
    return "".join(rng.choice(chars) for _ in range(length))


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
            contact_name=self._person(), contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
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


class OrgWriter:
    """Inserts batches of organization rows with one ``executemany`` each.

    The rows are plain Python values already (str, int, bool, date, None), so they skip the
    ORM: ``bulk_create`` compiled SQL value by value and took two thirds of a million-row
    load (measured: 71 s against 23 s for 300,000 rows). Fields a row leaves out get their
    model default (e.g. ``coverage_state``), so new fields with defaults need no change here.
    """

    def __init__(self) -> None:
        fields = [f for f in Organization._meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.row = operator.itemgetter(*(f.attname for f in fields))
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(Organization._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"

    def insert(self, rows: list[dict[str, Any]]) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())  # auto_now(_add) by hand
        stamps = {"created_at": now, "updated_at": now}
        params = [self.row({**self.defaults, **row, **stamps}) for row in rows]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(self.sql, params)


def build_organizations(stdout: OutputWrapper, rng: random.Random, world: World, count: int) -> None:
    """``count`` organizations in batches of BATCH rows, one transaction per batch."""
    factory, writer = OrgFactory(rng, world), OrgWriter()
    if connection.vendor == "sqlite":
        # a million rows' index pages outgrow SQLite's default 2 MB page cache, and rereading
        # them from the OS on every batch costs more than the inserts (measured: -20% time)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, this connection only
    started = time.monotonic()
    for start in range(0, count, BATCH):
        writer.insert([factory.make(i) for i in range(start, min(start + BATCH, count))])
        done = min(start + BATCH, count)
        if done % PROGRESS_EVERY == 0 or done == count:
            stdout.write(f"  两新组织 {done:,} / {count:,}，用时 {time.monotonic() - started:.0f} 秒")


# ---------------------------------------------------------------------------------------
# Accounts, reset, command
# ---------------------------------------------------------------------------------------
def create_accounts(world: World) -> None:
    for username, full_name, role, node_name in DEMO_ACCOUNTS:
        # a superuser kept across --reset may already hold the name: reuse it
        user = User.objects.filter(username=username).first() or User(username=username)
        user.full_name = full_name
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleAssignment.objects.get_or_create(user=user, role=role, node=world.nodes[node_name])


def create_secretary_account() -> None:
    """A 党组织书记 for the largest party organization under 南京东路街道 (or its district, or the
    city) that has a recorded secretary: the login is that person (their member record carries it),
    and the ``member`` login is another member of the same branch, so the records never contradict
    who is logged in."""
    from django.db.models import Count, Q

    from liangxin.party.models import PartyOrganization

    branch = None
    for node_name in (DEMO_ACCOUNTS[2][3], DEMO_ACCOUNTS[1][3], CITY_COMMITTEE):  # street, else district, else city
        node = ManagementNode.objects.get(name=node_name)
        candidates = PartyOrganization.objects.filter(node__path__startswith=node.path, node__is_active=True)
        # a branch proper has three full members (the secretary, the member login and one more); a
        # small street may have none yet: then two members on the roll (the secretary and the member)
        full = Count("members", filter=Q(members__is_active=True, members__category="full"), distinct=True)
        active = Count("members", filter=Q(members__is_active=True), distinct=True)
        ranked = candidates.annotate(full=full, n=active).select_related("secretary")
        branch = (
            ranked.filter(full__gte=3).order_by("-n", "pk").first()
            or ranked.filter(n__gte=2).order_by("-n", "pk").first()
        )
        if branch is not None:
            break
    if branch is None:
        return
    if branch.secretary is None:  # none elected yet in the party demo: the first full member working here
        on_roll = branch.members.filter(is_active=True).order_by("pk")
        person = on_roll.filter(category="full", employer__isnull=False).first() or on_roll.first()
        PartyOrganization.objects.filter(pk=branch.pk).update(secretary=person)
        branch.secretary = person
    person = branch.secretary
    user = _demo_login(SECRETARY_ACCOUNT, person.name)
    RoleAssignment.objects.get_or_create(user=user, role=Role.SECRETARY, node=branch.node)
    person.user = user
    person.save(update_fields=["user"])
    # a 党员 of the same branch with a login: the member portal (own record, inbox, dues, meetings);
    # an ordinary member — no committee seat — still working at a unit
    others = branch.members.filter(is_active=True, user__isnull=True).exclude(pk=person.pk)
    member = (
        others.filter(seats__isnull=True, employer__isnull=False).order_by("pk").first()
        or others.order_by("pk").first()
    )
    if member is not None:
        account = _demo_login(MEMBER_ACCOUNT, member.name)
        RoleAssignment.objects.get_or_create(user=account, role=Role.MEMBER, node=branch.node)
        member.user = account
        member.save(update_fields=["user"])


def _demo_login(username: str, full_name: str) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.full_name = full_name
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def accounts_table() -> list[str]:
    """The demo accounts as aligned lines (Chinese labels, CJK counted as two columns)."""
    rows = [("用户名", "密码", "角色", "所属节点")]
    usernames = [a[0] for a in DEMO_ACCOUNTS] + [SECRETARY_ACCOUNT, MEMBER_ACCOUNT]
    assignments = RoleAssignment.objects.filter(user__username__in=usernames)
    by_user = {a.user.username: a for a in assignments.select_related("user", "node")}
    for username in usernames:
        if username in by_user:
            a = by_user[username]
            rows.append((username, DEMO_PASSWORD, a.get_role_display(), a.node.name))
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    return ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


@transaction.atomic
def delete_demo_data() -> None:
    """Delete the demo world, dependents first (superuser accounts are kept)."""
    # the party side hangs off both trees and the organizations: clear it first
    # the daily-work apps hang off members and party organizations: their rows go first
    from django.apps import apps

    from liangxin.life.demo import delete_demo as delete_meeting_files
    from liangxin.party.models import (  # party builds on orgs
        CommitteeSeat,
        Instructor,
        InstructorAssignment,
        Member,
        PartyOrganization,
        PartyOrgLink,
    )

    delete_meeting_files()  # the attachment files under var/life/, then the rows below
    for label in ("life", "develop", "transfers", "dues", "inbox"):
        for model in reversed(list(apps.get_app_config(label).get_models())):
            if model._meta.managed:
                model.objects.all().delete()
    InstructorAssignment.objects.all().delete()
    Instructor.objects.all().delete()
    PartyOrganization.objects.update(secretary=None, deputy=None)
    # plain DELETEs: the ORM's cascade collects every id into one statement, too many for SQLite at 500k
    from liangxin.party.models import Employment
    from liangxin.stats.models import Cell, RegionVersion, Snapshot, SnapshotCell

    from ...models import Placement

    for model in (CommitteeSeat, Employment, Member, PartyOrgLink, PartyOrganization, Placement):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    # one DELETE: the ORM would load every row to look for dependents that are gone by now
    # (should a new dependent model hold rows, the foreign keys fail the commit and nothing is lost)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Organization._meta.db_table)}")
    for model in (SnapshotCell, Snapshot, Cell, RegionVersion):  # after the organizations: their triggers bump versions
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    RoleAssignment.objects.all().delete()
    User.objects.filter(is_superuser=False).delete()
    Carrier.objects.all().delete()
    # both trees protect a node with children from deletion: detach the children first
    ManagementNode.objects.update(parent=None)
    ManagementNode.objects.all().delete()
    Region.objects.update(parent=None)
    Region.objects.all().delete()


class Command(BaseCommand):
    help = "生成上海市演示数据：行政区划、载体、管理树、两新组织和演示账号"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orgs", type=int, default=20_000, help="两新组织数量（默认 20000）")
        parser.add_argument("--reset", action="store_true", help="删除已有演示数据后重建")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，相同种子生成相同数据")
        parser.add_argument("--members", type=int, default=None, help="党员数量（默认约为从业人员的 1%%）")
        parser.add_argument("--no-party", action="store_true", help="只生成两新组织，不生成党组织和党员")
        parser.add_argument(
            "--snapshots", type=int, default=12, help="生成最近若干个月末的统计快照（默认 12，0 不生成）"
        )

    def handle(
        self, *args, orgs: int, reset: bool, seed: int, members: int | None, no_party: bool, snapshots: int, **options
    ) -> None:
        if Region.objects.exists():
            if not reset:
                self.stdout.write("演示数据已存在，未做任何修改（如需重建请加 --reset）。")
                self._print_accounts()
                return
            self.stdout.write("删除已有演示数据……")
            delete_demo_data()
        started = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            world = build_regions(rng)
            build_carriers(rng, world)
            build_nodes(world)
            create_accounts(world)
        self.stdout.write(
            f"行政区划 {Region.objects.count()} 个，载体 {Carrier.objects.count()} 个，"
            f"管理节点 {ManagementNode.objects.count()} 个；开始生成 {orgs:,} 个两新组织……"
        )
        build_organizations(self.stdout, rng, world, orgs)
        if not no_party:
            from liangxin.party.demo import build_party_demo  # party builds on orgs

            build_party_demo(rng, members=members, log=self.stdout.write)
            create_secretary_account()
            import importlib

            for name in DAILY_WORK_DEMOS:  # a year of organization life, applicants, transfers, dues
                counts = importlib.import_module(name).build_demo(rng, self.stdout.write)
                if counts:
                    self.stdout.write("、".join(f"{k} {v}" for k, v in counts.items()))
        if snapshots:
            from liangxin.stats import snapshots as stats_snapshots  # statistics build on both

            for day in stats_snapshots.month_ends(snapshots):
                taken = stats_snapshots.take(day)
                self.stdout.write(f"统计快照 {day:%Y-%m-%d}：{taken.organizations:,} 个组织，用时 {taken.seconds} 秒")
        self.stdout.write(self.style.SUCCESS(f"演示数据生成完成，用时 {time.monotonic() - started:.0f} 秒。"))
        self._print_accounts()

    def _print_accounts(self) -> None:
        self.stdout.write("演示账号：")
        for line in accounts_table():
            self.stdout.write("  " + line)
