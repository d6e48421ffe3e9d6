"""Recompute every organization's coverage state and responsible node.

Links and instructor assignments carry end dates; a date passing changes no row, so a daily
cron line runs this (docs/operations.md). Services keep states current for every change.
"""

from django.core.management.base import BaseCommand

from liangxin.party import coverage


class Command(BaseCommand):
    help = "按当日有效的覆盖关系和指导员选派，重新计算所有组织的覆盖状态"

    def handle(self, *args, **options):
        changed = coverage.refresh_all()
        self.stdout.write(f"覆盖状态已更新：{changed} 个组织发生变化")
