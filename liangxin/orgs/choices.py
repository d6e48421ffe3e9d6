"""Enumerations of the organization registry (两新组织), with their Chinese labels."""

from django.db import models

# 未填: a ledger that did not say (DOMAIN.md: unknown is stored as unknown, never guessed). The
# value is its own row in breakdowns and a data-quality finding (party.rules) until completed.
UNKNOWN = "unknown"


class Sector(models.TextChoices):
    ECONOMIC = "economic", "新经济组织"
    SOCIAL = "social", "新社会组织"
    UNKNOWN = "unknown", "未填"


class OrgKind(models.TextChoices):
    PRIVATE = "private", "私营企业"
    FOREIGN = "foreign", "外商投资企业"
    HMT = "hmt", "港澳台商投资企业"
    INDIVIDUAL = "individual", "个体工商户"
    OTHER_ECONOMIC = "other_economic", "其他非公有制经济组织"
    ASSOCIATION = "association", "社会团体"
    NON_ENTERPRISE = "non_enterprise", "民办非企业单位"
    FOUNDATION = "foundation", "基金会"
    INTERMEDIARY = "intermediary", "社会中介组织"
    TRADE_ASSOCIATION = "trade_association", "行业协会商会"
    UNKNOWN = "unknown", "未填"


SECTOR_OF_KIND: dict[str, str] = {
    OrgKind.PRIVATE: Sector.ECONOMIC,
    OrgKind.FOREIGN: Sector.ECONOMIC,
    OrgKind.HMT: Sector.ECONOMIC,
    OrgKind.INDIVIDUAL: Sector.ECONOMIC,
    OrgKind.OTHER_ECONOMIC: Sector.ECONOMIC,
    OrgKind.ASSOCIATION: Sector.SOCIAL,
    OrgKind.NON_ENTERPRISE: Sector.SOCIAL,
    OrgKind.FOUNDATION: Sector.SOCIAL,
    OrgKind.INTERMEDIARY: Sector.SOCIAL,
    OrgKind.TRADE_ASSOCIATION: Sector.SOCIAL,
    OrgKind.UNKNOWN: Sector.UNKNOWN,  # whether it is an enterprise is not known either
}


class Industry(models.TextChoices):
    """GB/T 4754-2017 国民经济行业分类, sections (门类)."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"
    UNKNOWN = "unknown", "未填"


class OrgStatus(models.TextChoices):
    OPERATING = "operating", "在营"
    MOVED = "moved", "已迁出"
    DEREGISTERED = "deregistered", "已注销"


class AttachmentKind(models.TextChoices):
    """Overrides of the place rule for the responsible node (DOMAIN.md)."""

    INDUSTRY = "industry", "属业"
    CAPITAL = "capital", "属资"
    LINE = "line", "属条"
    SECTOR = "sector", "归口"
    DESIGNATED = "designated", "指定"


class CoverageState(models.TextChoices):
    """覆盖状态, DOMAIN.md's one definition: strongest link, else an active instructor, else none."""

    OWN = "own", "单独建立党组织"
    JOINT = "joint", "联合/区域/行业覆盖"
    ATTACHED = "attached", "挂靠/依托覆盖"
    INSTRUCTOR = "instructor", "派驻指导员"
    NONE = "none", "空白点"


class ResponsibleBasis(models.TextChoices):
    PARTY_ORG = "party_org", "党组织覆盖"
    OVERRIDE = "override", "隶属调整"
    OPERATING = "operating", "经营地属地"
    REGISTERED = "registered", "注册地属地"
    NONE = "none", "无责任主体"


# Size bands (规模) by employee count: (code, label, lowest, highest or None).
SIZE_BANDS: list[tuple[str, str, int, int | None]] = [
    ("lt10", "10人以下", 0, 9),
    ("10_49", "10–49人", 10, 49),
    ("50_99", "50–99人", 50, 99),
    ("100_299", "100–299人", 100, 299),
    ("300_999", "300–999人", 300, 999),
    ("ge1000", "1000人及以上", 1000, None),
]
SIZE_BAND_CHOICES = [(code, label) for code, label, _, _ in SIZE_BANDS] + [("unknown", "从业人员数未填")]


def size_band_of(employees: int | None) -> str:
    if employees is None:
        return "unknown"
    for code, _, low, high in SIZE_BANDS:
        if employees >= low and (high is None or employees <= high):
            return code
    raise ValueError(employees)
