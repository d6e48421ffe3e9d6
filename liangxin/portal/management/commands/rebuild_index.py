"""Rebuild the policy library's full-text index (after a restore, or rows loaded around the services)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from liangxin.portal import search


class Command(BaseCommand):
    help = "重建政策文件库的全文检索索引"

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            count = search.rebuild_index()
        self.stdout.write(f"已重建全文检索索引：{count} 份政策文件")
