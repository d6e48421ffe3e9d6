"""python manage.py prune_files [--export-days N] [--import-days N]: delete stored files that
hold personal data once past their retention — background export files after
``EXPORT_RETENTION_DAYS`` (7), import uploads after ``IMPORT_RETENTION_DAYS`` (30) since their
last job ended — and decrypted working copies a killed process left (older than a day). Run
daily from cron (docs/operations.md). Meeting attachments and exit
evidence are records kept with their meeting or exit, not pruned here."""

from django.core.management.base import BaseCommand

from liangxin.core import files

from ...engine import prune_uploads
from ...exporting import prune


class Command(BaseCommand):
    help = "删除超过保存期限的导出文件和导入文件"

    def add_arguments(self, parser):
        parser.add_argument("--export-days", type=int, default=None)
        parser.add_argument("--import-days", type=int, default=None)

    def handle(self, *args, export_days: int | None, import_days: int | None, **options):
        exports = prune(export_days)
        uploads = prune_uploads(import_days)
        scratch = files.sweep_scratch()
        self.stdout.write(f"已删除 {exports} 个过期导出文件、{uploads} 个过期导入文件、{scratch} 个残留临时文件")
