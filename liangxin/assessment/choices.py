"""The vocabularies of 考核评估 (indicator sets)."""

from django.db import models


class SubjectKind(models.TextChoices):
    """评估对象: what a set's indicators judge."""

    PARTY_ORG = "party_org", "党组织"
    COMMITTEE = "committee", "党委（管理节点）"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Method(models.TextChoices):
    """How a leaf indicator gets its value."""

    COMPUTED = "computed", "平台计算"
    SCORED = "scored", "人工评分"


class RuleKind(models.TextChoices):
    """评分规则的类型."""

    PASS_FAIL = "pass_fail", "达标判定"
    BANDS = "bands", "分档计分"
    LINEAR = "linear", "线性计分"
    SCALE = "scale", "人工打分"


class Direction(models.TextChoices):
    AT_LEAST = "gte", "不低于"
    AT_MOST = "lte", "不高于"


class Unit(models.TextChoices):
    """A measure's unit: a rate in percent, a number of times, a number of things."""

    RATE = "rate", "比例"
    TIMES = "times", "次数"
    COUNT = "count", "个数"


# the source of a weight or threshold chosen by the city (never a seed: the seeds name items, not weights)
CITY_SET = "市级设定"


class RoundState(models.TextChoices):
    """考核轮次的阶段: the city moves a round forward one stage at a time (``rounds.advance``)."""

    SELF = "self", "自评中"
    REVIEW = "review", "审核中"
    CONFIRM = "confirm", "确认中"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "异议已答复"


class EntryState(models.TextChoices):
    """一个评估对象在轮次中的状态."""

    SELF = "self", "自评中"
    RETURNED = "returned", "已退回"
    SUBMITTED = "submitted", "待审核"
    REVIEWED = "reviewed", "待确认"
    CONFIRMED = "confirmed", "已确认"


class Grade(models.TextChoices):
    """等次, by the round's thresholds (a total at a threshold reaches that grade)."""

    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"
