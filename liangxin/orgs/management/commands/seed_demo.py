"""seed_demo: a Shanghai demo world — regions, carriers, committees, organizations, accounts.

``python manage.py seed_demo --orgs N [--reset] [--seed S]``. The same seed gives the same
data. A million organizations load in minutes on SQLite: rows are built in plain Python
(no per-row queries), pinyin keys come from cached name parts and the responsible node
from a memo, and rows go in with ``bulk_create`` in batches of 5,000, one transaction each.

This is operator bulk loading, so no audit entries are written for the seeded rows.
"""

import bisect
import datetime
import math
import random
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand
from django.db import transaction
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
INDUSTRY_COMMITTEES = [LAWYERS_COMMITTEE, "上海市注册会计师行业党委", "上海市工程造价咨询行业党委", "上海市物流行业党委"]

# (username, full name, role, node name)
DEMO_ACCOUNTS = [
    ("city_admin", "市级管理员", Role.CITY_ADMIN, CITY_COMMITTEE),
    ("district_admin", "黄浦区管理员", Role.DISTRICT_ADMIN, "黄浦区社会工作党委"),
    ("street_admin", "南京东路街道管理员", Role.STREET_ADMIN, "南京东路街道综合党委"),
    ("street_admin2", "外滩街道管理员", Role.STREET_ADMIN, "外滩街道综合党委"),
    ("industry_admin", "律师行业党委管理员", Role.INDUSTRY_ADMIN, LAWYERS_COMMITTEE),
    ("auditor", "黄浦区巡查员", Role.AUDITOR, "黄浦区社会工作党委"),
]

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
    "晨曦阳春秋蓝青绿紫橙松柏杉桐竹梅兰菊荷莲华皓锦绣骏驰铭晟昊淳泓澜涛洋帆舟峰岳川源林森茂荣耀"
)
FOREIGN_CHARS = "艾克斯特瑞尔拉维诺德森菲普莱奥迪伦马欧卡罗亚贝索霍杰"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建文斌宇浩凯秀兰俊峰琳雪婷慧"

# Words after the brand, by GB/T 4754 section, for companies.
COMPANY_WORDS: dict[str, list[str]] = {
    "A": ["农业科技", "园艺", "生态农业", "花卉园艺", "水产养殖"],
    "C": ["机械制造", "电子科技", "精密机械", "塑料制品", "服饰", "食品", "化工", "包装材料", "印务", "医疗器械",
          "汽车配件", "五金制品", "家具", "新材料", "环保设备", "电气", "光电科技", "纺织品", "仪器仪表", "模具"],
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
HOMETOWNS = ["温州", "福建", "泉州", "宁波", "安徽", "江西", "湖南", "四川", "河南", "山东", "湖北", "广东", "台州",
             "莆田", "义乌", "江苏", "浙江", "重庆", "云南", "贵州", "甘肃", "黑龙江", "吉林", "辽宁", "山西"]  # fmt: skip
FOUNDATION_ENDINGS = ["公益基金会", "慈善基金会", "教育发展基金会", "助学基金会"]
# 社会中介组织: (ending, industry, share, credit code category prefix). Law firms register with 司法 (3).
INTERMEDIARY_KINDS = [
    ("律师事务所", "L", 40, "31"), ("会计师事务所（特殊普通合伙）", "L", 8, "91"), ("会计师事务所有限公司", "L", 10, "91"),
    ("税务师事务所有限公司", "L", 10, "91"), ("资产评估有限公司", "L", 8, "91"),
    ("工程造价咨询有限公司", "M", 12, "91"), ("专利代理事务所（普通合伙）", "L", 5, "91"),
    ("房地产估价有限公司", "L", 7, "91"),
]  # fmt: skip
OTHER_ECONOMIC_KINDS = [
    ("农民专业合作社", "A", "93"), ("投资合伙企业（有限合伙）", "J", "91"), ("商务咨询中心", "L", "91"),
    ("贸易商行", "F", "91"), ("企业管理咨询中心", "L", "91"),
]  # fmt: skip
SUPERVISORS = {
    OrgKind.ASSOCIATION: ["上海市科学技术协会", "上海市体育局", "上海市文化和旅游局", "上海市民政局", "{d}民政局"],
    OrgKind.NON_ENTERPRISE: ["{d}教育局", "{d}民政局", "{d}卫生健康委员会", "{d}文化和旅游局"],
    OrgKind.FOUNDATION: ["上海市民政局"],
    OrgKind.TRADE_ASSOCIATION: ["上海市商务委员会", "上海市经济和信息化委员会", "上海市工商业联合会", "{d}工商业联合会"],
}

# Kind mix (percent): private firms dominate; social organizations are ~8% together.
KIND_WEIGHT = {
    OrgKind.PRIVATE: 80.0, OrgKind.INDIVIDUAL: 6.0, OrgKind.FOREIGN: 3.0, OrgKind.HMT: 1.5,
    OrgKind.OTHER_ECONOMIC: 1.5, OrgKind.ASSOCIATION: 2.0, OrgKind.NON_ENTERPRISE: 3.4,
    OrgKind.FOUNDATION: 0.1, OrgKind.INTERMEDIARY: 1.8, OrgKind.TRADE_ASSOCIATION: 0.7,
}  # fmt: skip
# Employees ~ lognormal(mu, sigma) per kind; together the mean is about 11, most have 1–10.
EMPLOYEES = {
    OrgKind.PRIVATE: (1.45, 1.35), OrgKind.INDIVIDUAL: (0.4, 0.7), OrgKind.FOREIGN: (3.0, 1.4),
    OrgKind.HMT: (2.7, 1.4), OrgKind.OTHER_ECONOMIC: (1.2, 1.0), OrgKind.ASSOCIATION: (0.8, 0.8),
    OrgKind.NON_ENTERPRISE: (2.0, 1.0), OrgKind.FOUNDATION: (1.0, 0.7), OrgKind.INTERMEDIARY: (2.3, 1.2),
    OrgKind.TRADE_ASSOCIATION: (0.9, 0.8),
}  # fmt: skip
CREDIT_PREFIX = {
    OrgKind.PRIVATE: "91", OrgKind.FOREIGN: "91", OrgKind.HMT: "91", OrgKind.INDIVIDUAL: "92",
    OrgKind.ASSOCIATION: "51", OrgKind.TRADE_ASSOCIATION: "51", OrgKind.NON_ENTERPRISE: "52",
    OrgKind.FOUNDATION: "53",
}  # fmt: skip
MOVED_REASONS = ["迁往外省市经营", "迁往本市其他区", "经营场所变更，迁出本辖区", "随总部迁往江苏省苏州市"]
DEREGISTERED_REASONS = ["经营期限届满，已办理注销登记", "股东会决议解散", "被吊销营业执照后注销", "简易注销", "业务主管单位撤销登记"]
ROADS = ["人民路", "中山路", "建国路", "复兴路", "长江路", "银都路", "沪南路", "金海路", "海宁路", "天山路", "光复路",
         "秀川路", "华夏路", "园区路", "民生路", "新华路", "东方路", "曹安公路", "沪太路", "松汇路", "城中路"]  # fmt: skip
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

    def pick(self, rng: random.Random):
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
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights))
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
    for district, (_, _, children) in zip(world.districts, shanghai.DISTRICTS):
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
        while len(names) < rng.randint(2, 6):
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
