"""``manage.py restore ARCHIVE``: check the keys, replace the database and the stored files
with the archive's, verify every count and checksum (docs/operations.md)."""

import time

from django.core.management.base import BaseCommand, CommandError

from liangxin.core import backup

from .backup import read_passphrase


class Command(BaseCommand):
    help = "从备份文件恢复数据库与存储文件，并逐表核对"
    # the key guard's start-up check would refuse exactly the machine that lost its key files and
    # comes back with --with-keys; restore checks the keys against the manifest itself
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件")
        parser.add_argument("--with-keys", action="store_true", help="先用口令解开备份中的密钥并装入本机")
        parser.add_argument("--passphrase-file", default=None, help="口令文件（与 --with-keys 一起使用）")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, **options):
        try:
            manifest = backup.read_manifest(options["archive"])
            if options["interactive"]:
                answer = input(
                    f"将用 {manifest['created_at']} 的备份替换当前数据库和存储文件，当前数据将被覆盖。"
                    "请先停止网站和后台任务进程。输入 yes 继续："
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("已取消，未做任何更改。")
            started = time.monotonic()
            manifest = backup.restore_backup(options["archive"], passphrase=read_passphrase(options))
        except backup.BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"已恢复并核对一致：{len(manifest['tables'])} 张表 {rows} 行，文件 {len(manifest['files'])} 个"
            f"（用时 {time.monotonic() - started:.1f} 秒）。请重启网站和后台任务进程。"
        )
