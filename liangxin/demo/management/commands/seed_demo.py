"""seed_demo: a Shanghai demo world — regions, carriers, committees, organizations, party, accounts.

``python manage.py seed_demo --orgs N [--reset] [--seed S]``. The same seed gives the same data.
The generators live in ``liangxin.demo``; this command only parses options and prints.
"""

import time

from django.core.management.base import BaseCommand

from liangxin.demo.accounts import accounts_table
from liangxin.demo.build import build_demo, delete_demo, demo_exists


class Command(BaseCommand):
    help = "生成上海市演示数据：行政区划、载体、管理树、两新组织和演示账号"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orgs", type=int, default=20_000, help="两新组织数量（默认 20000）")
        parser.add_argument("--reset", action="store_true", help="删除已有演示数据后重建")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，相同种子生成相同数据")
        parser.add_argument("--members", type=int, default=None, help="党员数量（默认约为从业人员的 1%%）")
        parser.add_argument("--no-party", action="store_true", help="只生成两新组织，不生成党组织和党员")
        parser.add_argument(
            "--snapshots", type=int, default=12, help="生成最近若干个月末的统计快照（默认 12，0 不生成）"
        )

    def handle(
        self, *args, orgs: int, reset: bool, seed: int, members: int | None, no_party: bool, snapshots: int, **options
    ) -> None:
        if demo_exists():
            if not reset:
                self.stdout.write("演示数据已存在，未做任何修改（如需重建请加 --reset）。")
                self._print_accounts()
                return
            self.stdout.write("删除已有演示数据……")
            delete_demo()
        started = time.monotonic()
        log = self.stdout.write
        build_demo(orgs=orgs, seed=seed, members=members, party=not no_party, snapshots=snapshots, log=log)
        self.stdout.write(self.style.SUCCESS(f"演示数据生成完成，用时 {time.monotonic() - started:.0f} 秒。"))
        self._print_accounts()

    def _print_accounts(self) -> None:
        self.stdout.write("演示账号：")
        for line in accounts_table():
            self.stdout.write("  " + line)
