"""What the parts of the demo share: batch sizes, weighted choice, the committees and logins, person names."""

import bisect
import functools
import random
from collections.abc import Callable
from typing import Any

from pypinyin import lazy_pinyin

from liangxin.accounts.roles import Role

BATCH = 5_000
PROGRESS_EVERY = 100_000
DEMO_PASSWORD = "Demo@2026"
Log = Callable[[str], Any]

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
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建文斌宇浩凯兰俊峰琳雪婷慧"
# e-mail addresses only on the domains reserved for examples (RFC 2606): never a real mailbox
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")


def mobile_number(rng: random.Random) -> str:
    """An 11-digit mobile number in an issued 号段 (13x, 15x, 18x, 19x; 154x and 194x are not
    issued and become 157x, 197x): the same draws as ever, so the rest of the city is unchanged."""
    number = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    return f"{number[:2]}7{number[3:]}" if number[2] == "4" and number[1] in "59" else number


@functools.cache
def _syllable(char: str) -> str:
    return lazy_pinyin(char)[0]


def email_of(name: str, number: int) -> str:
    """A person's address as people make them: the name's pinyin and a number (王红 → wanghong27@example.org)."""
    return f"{''.join(_syllable(c) for c in name)}{number}@{EXAMPLE_DOMAINS[number % len(EXAMPLE_DOMAINS)]}"


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
