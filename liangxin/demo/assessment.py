"""Demo data for 考核评估: the shipped indicator sets (五个好, 十个有, 阵地, 效能评估), installed like the
migration installs them (idempotent: a database migrated since keeps the sets it has)."""

import random

from django.apps import apps

from liangxin.assessment import defaults
from liangxin.demo.common import Log


def build_demo(rng: random.Random, log: Log) -> dict[str, int]:
    created = defaults.install(apps.get_model)
    if created:
        log("指标体系：" + "、".join(created))
    return {}
