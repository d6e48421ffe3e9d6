"""Enumerations of the party side: types, setup modes, link kinds, coverage states."""

from django.db import models

from liangxin.orgs.choices import CoverageState  # noqa: F401  (coverage is a fact of the organization)


class PartyOrgType(models.TextChoices):
    COMMITTEE = "committee", "基层党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
    FUNCTIONAL = "functional", "功能型/活动型党组织"


class SetupMode(models.TextChoices):
    SINGLE = "single", "单独组建"
    JOINT = "joint", "联合组建"
    ATTACHED = "attached", "挂靠组建"
    BASED = "based", "依托组建"
    DISPATCHED = "dispatched", "派驻/选派"
    REGIONAL = "regional", "区域联建"
    INDUSTRY = "industry", "行业统建"
    TEMPORARY = "temporary", "临时组建"
    COMBINED = "combined", "兼合式"


class LinkKind(models.TextChoices):
    OWN = "own", "单独覆盖"
    JOINT = "joint", "联合覆盖"
    ATTACHED = "attached", "挂靠/依托"


# own > joint > attached (DOMAIN.md)
LINK_STRENGTH = {LinkKind.OWN: 3, LinkKind.JOINT: 2, LinkKind.ATTACHED: 1}

# Defaults of the city-editable table mapping setup modes to link kinds (DOMAIN.md).
DEFAULT_LINK_KIND: dict[str, str | None] = {
    SetupMode.SINGLE: LinkKind.OWN,
    SetupMode.COMBINED: LinkKind.OWN,
    SetupMode.JOINT: LinkKind.JOINT,
    SetupMode.REGIONAL: LinkKind.JOINT,
    SetupMode.INDUSTRY: LinkKind.JOINT,
    SetupMode.TEMPORARY: LinkKind.JOINT,
    SetupMode.ATTACHED: LinkKind.ATTACHED,
    SetupMode.BASED: LinkKind.ATTACHED,
    SetupMode.DISPATCHED: None,  # an instructor assignment, not a link
}


class MemberCategory(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class FloatingStatus(models.TextChoices):
    NONE = "", "非流动党员"
    OUTFLOW = "outflow", "流出"
    INFLOW = "inflow", "流入"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"
    DOCTOR = "doctor", "博士研究生"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


# Seats of a branch committee (支委会职务), in the order they are listed.
COMMITTEE_POSITIONS = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员", "委员"]


class ExitKind(models.TextChoices):
    """党员减少: why a member left the roll. The five kinds of 出党 (Party Constitution art. 8–9,
    40; 《中国共产党纪律处分条例》), death, and the two that other workflows record themselves."""

    LAPSED = "lapsed", "自行脱党"
    REMOVED = "removed", "除名"
    PERSUADED = "persuaded", "劝退"
    EXPELLED = "expelled", "开除党籍"
    WITHDREW = "withdrew", "退党"
    DEATH = "death", "死亡"
    TRANSFER_OUT = "transfer_out", "转出至系统外"
    PROBATION_CANCELLED = "probation_cancelled", "取消预备党员资格"
    INFLOW_LEFT = "inflow_left", "流入党员离开本地"
    HISTORICAL = "historical", "历史数据（原因不详）"


# 出党: the kinds a branch proposes as leaving the party (the member is shown as 已出党)
PARTY_EXIT_KINDS = (ExitKind.LAPSED, ExitKind.REMOVED, ExitKind.PERSUADED, ExitKind.EXPELLED, ExitKind.WITHDREW)
# what the exit form offers; 转出 goes through the transfer workflow, the others are recorded by it
PROPOSABLE_EXIT_KINDS = (*PARTY_EXIT_KINDS, ExitKind.DEATH)


class ExitState(models.TextChoices):
    PROPOSED = "proposed", "待审批"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批准"
    REVERSED = "reversed", "已撤销"
