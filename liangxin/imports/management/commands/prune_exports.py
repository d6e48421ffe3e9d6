"""python manage.py prune_exports [--days N]: delete background export files older than N days
(default 7). They hold personal data; the job stays listed and can be exported again."""

from django.core.management.base import BaseCommand

from ...exporting import prune


class Command(BaseCommand):
    help = "删除过期的后台导出文件"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days: int, **options):
        self.stdout.write(f"已删除 {prune(days)} 个过期导出文件")
