import datetime

from django.core.management.base import BaseCommand, CommandError

from liangxin.stats import snapshots


class Command(BaseCommand):
    help = "生成统计快照：各区划在某日的覆盖统计（默认上月末），由带日期的覆盖、选派、就业和经营地记录算出。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="统计截止日期 YYYY-MM-DD（默认上月最后一天）")
        parser.add_argument(
            "--months", type=int, default=0, help="补生成最近若干个月末的快照（含 --as-of 所指月份之前）"
        )

    def handle(self, *args, as_of=None, months=0, **options):
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else snapshots.last_month_end()
        except ValueError:
            raise CommandError(f"统计截止日期应为 YYYY-MM-DD，收到「{as_of}」") from None
        days = snapshots.month_ends(months, day + datetime.timedelta(days=1)) if months > 1 else [day]
        for d in days:
            snap = snapshots.take(d)
            self.stdout.write(
                f"{d:%Y-%m-%d}: {snap.organizations} 个组织，{snap.cells.count()} 个统计单元，用时 {snap.seconds} 秒"
            )
