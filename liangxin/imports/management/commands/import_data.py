"""python manage.py import_data KIND FILE --as USERNAME [--dry-run] [--all-or-nothing] [--errors OUT.xlsx]

``--as`` is required: a row is accepted only inside that account's territory, and no account
stands for "everyone" (a superuser has no territory, so every row would be refused).

Exit status: 0 every row accepted, 1 some rows rejected (the rest imported), 2 the file
cannot be used at all (the message says why).
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from liangxin.accounts.models import User
from liangxin.accounts.scoping import scope_for

from ... import engine, report
from ...kinds import KINDS
from ...models import ImportJob, JobStatus
from ...reading import UnusableFile


class Command(BaseCommand):
    help = "批量导入台账（.xlsx 或 CSV）"

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", choices=sorted(KINDS), help="导入类型")
        parser.add_argument("file", nargs="?", help="文件路径（.xlsx 或 CSV）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--all-or-nothing", action="store_true", help="全部通过校验才写入")
        parser.add_argument("--errors", metavar="OUT.xlsx", help="把未导入的行及原因写入此文件")
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            metavar="账号",
            help="必填：以此账号的权限导入（只导入该账号管辖范围内的行）；继续中断的任务（--resume）时可省略",
        )
        parser.add_argument("--resume", type=int, metavar="JOB", help="继续一个中断的导入任务")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        self.quiet = options["quiet"] or not sys.stderr.isatty()
        if options["resume"]:
            job = ImportJob.objects.filter(pk=options["resume"]).first()
            if job is None:
                raise CommandError(f"导入任务 {options['resume']} 不存在")
        else:
            job = self._create(options)
        self.started = time.monotonic()
        job = engine.run(job.pk, scope_for(job.actor), progress=self._progress)
        if not self.quiet:
            sys.stderr.write("\n")
        return self._report(job, options)

    def _create(self, options) -> ImportJob:
        if not options["kind"] or not options["file"]:
            raise CommandError("请给出导入类型和文件，例如：import_data organizations 台账.xlsx")
        actor = self._actor(options["username"])
        try:
            with open(options["file"], "rb") as handle:
                return engine.create_job(
                    actor,
                    options["kind"],
                    handle,
                    options["file"],
                    dry_run=options["dry_run"],
                    all_or_nothing=options["all_or_nothing"],
                    origin="命令行",
                )
        except FileNotFoundError:
            self.stderr.write(f"文件不存在：{options['file']}")
            sys.exit(2)
        except UnusableFile as error:
            self.stderr.write(f"无法导入：{error}")
            sys.exit(2)

    @staticmethod
    def _actor(username: str) -> User:
        if not username:
            raise CommandError(
                "请用 --as 指定以哪个账号的权限导入（只导入该账号管辖范围内的行），例如：--as huangpu_admin"
            )
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号「{username}」不存在或已停用")
        return user

    def _progress(self, job: ImportJob) -> None:
        if self.quiet:
            return
        total = job.rows_total or 0
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = job.rows_seen / elapsed
        if total:
            done = min(job.rows_seen / total, 1)
            bar = "█" * int(done * 30) + "·" * (30 - int(done * 30))
            sys.stderr.write(f"\r{bar} {done:5.1%}  {job.rows_seen:,}/{total:,} 行  {rate:,.0f} 行/秒 ")
        else:
            sys.stderr.write(f"\r{job.rows_seen:,} 行  {rate:,.0f} 行/秒 ")
        sys.stderr.flush()

    def _report(self, job: ImportJob, options) -> None:
        if job.status == JobStatus.FAILED:
            self.stderr.write(f"无法导入：{job.message}")
            sys.exit(2)
        mode = "试导入（未写入）：" if job.dry_run else ""
        self.stdout.write(
            f"{mode}任务 {job.pk}：新增 {job.created}，更新 {job.updated}，未变 {job.unchanged}，未导入 {job.rejected}"
        )
        if job.ignored_columns:
            self.stdout.write(f"未识别的列（已忽略）：{'、'.join(job.ignored_columns)}")
        if job.message:
            self.stdout.write(job.message)
        if job.rejected:
            for row in job.rejected_rows.all()[:10]:
                reasons = "；".join(f"{c}「{v}」：{r}" if v else f"{c}：{r}" for c, v, r in row.errors)
                self.stdout.write(f"  第 {row.number} 行：{reasons}")
            if job.rejected > 10:
                self.stdout.write(f"  ……共 {job.rejected} 行未导入")
            if options.get("errors"):
                report.write_error_file(job, options["errors"])
                self.stdout.write(f"未导入的行已写入 {options['errors']}（改正后可直接再次导入该文件）")
            sys.exit(1)
