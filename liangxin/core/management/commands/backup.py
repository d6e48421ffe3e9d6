"""``manage.py backup``: one archive of the database, the stored files and a manifest
(docs/operations.md, "Backup and restore")."""

import getpass
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from liangxin.core import backup


def read_passphrase(options: dict) -> str | None:
    """The passphrase for ``--with-keys``: from a file, the environment, or typed — never from
    the command line (it would show in the process list and the shell history)."""
    if not options["with_keys"]:
        return None
    if options.get("passphrase_file"):
        return Path(options["passphrase_file"]).read_text().strip()
    if os.environ.get("LIANGXIN_BACKUP_PASSPHRASE"):
        return os.environ["LIANGXIN_BACKUP_PASSPHRASE"]
    return getpass.getpass("备份密钥口令：")


class Command(BaseCommand):
    help = "备份数据库与存储文件到一个备份文件（含核对清单）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=None, help="备份文件所在目录（默认 var/backups，应放在另一块磁盘或另一台机器上）"
        )
        parser.add_argument("--keep", type=int, default=0, help="只保留最新的若干个备份文件（0：不删除）")
        parser.add_argument("--with-keys", action="store_true", help="把密钥用口令加密后一并放入备份")
        parser.add_argument("--passphrase-file", default=None, help="口令文件（与 --with-keys 一起使用）")

    def handle(self, *args, **options):
        output = Path(options["output"] or Path(settings.VAR_DIR) / backup.BACKUP_DIR_NAME)
        started = time.monotonic()
        try:
            path, manifest = backup.create_backup(output, passphrase=read_passphrase(options))
        except backup.BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"已备份：{path}（{path.stat().st_size / 1e6:.1f} MB；{len(manifest['tables'])} 张表 {rows} 行，"
            f"文件 {len(manifest['files'])} 个；用时 {time.monotonic() - started:.1f} 秒）"
        )
        self.stdout.write(
            f"密钥指纹：字段密钥 {'、'.join(manifest['keys']['field_keys'])}，检索密钥 {manifest['keys']['hash_key']}"
        )
        if options["keep"]:
            for p in backup.prune_backups(output, options["keep"]):
                self.stdout.write(f"已删除过期备份：{p.name}")
