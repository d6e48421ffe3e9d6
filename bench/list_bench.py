"""Organization list at scale: keyset pages vs OFFSET pages, filters and search, per role.

Usage (builds the demo city first if the database is empty):
    LIANGXIN_VAR_DIR=/tmp/bench DATABASE_URL=... python bench/list_bench.py --orgs 1000000
Prints a table of median milliseconds over repeated runs. Not a test: figures only.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402

from liangxin.accounts.models import User  # noqa: E402
from liangxin.accounts.scoping import scope_for  # noqa: E402
from liangxin.core.pagination import keyset_page  # noqa: E402
from liangxin.orgs.models import Organization  # noqa: E402
from liangxin.orgs.queries import SORTS, filtered_organizations  # noqa: E402

PAGE = 50


def timed(func, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def page_at_depth(scope, params: str, depth: int):
    """Walk ``depth`` pages with cursors, return the cursor of the last one (setup, not timed)."""
    qs, f = filtered_organizations(scope, QueryDict(params))
    key, desc = SORTS[f.sort]
    cursor = None
    for _ in range(depth):
        cursor = keyset_page(qs, key, desc, cursor, PAGE).next_cursor
    return qs, key, desc, cursor


def total_orgs() -> int:
    return Organization.objects.count()


def cases(scope):
    def keyset(params, cursor=None):
        def run():  # the filter is built in the timing: a code search asks its matches first
            qs, f = filtered_organizations(scope, QueryDict(params))
            key, desc = SORTS[f.sort]
            return keyset_page(qs.select_related("operating_region", "responsible_node"), key, desc, cursor, PAGE)

        return run

    def offset(params, depth):
        qs, f = filtered_organizations(scope, QueryDict(params))
        key, desc = SORTS[f.sort]
        order = [("-" if desc else "") + key, "pk"]
        return lambda: list(qs.select_related("operating_region", "responsible_node").order_by(*order)[
            depth * PAGE : depth * PAGE + PAGE])  # fmt: skip

    def count(params):
        return lambda: filtered_organizations(scope, QueryDict(params))[0].count()

    deep_qs, key, desc, deep_cursor = page_at_depth(scope, "sort=name", 200)
    # a code in the middle of the table: its runs are found by a scan, not by the unique index
    code = Organization.objects.filter(credit_code__isnull=False).order_by("pk")[total_orgs() // 2].credit_code
    return [
        ("first page, sort by pinyin", keyset("sort=name")),
        ("page 201 via keyset cursor", keyset("sort=name", deep_cursor)),
        ("page 201 via OFFSET (baseline)", offset("sort=name", 200)),
        ("first page, sort by employees desc", keyset("sort=-employees")),
        ("filter kind+size+above_scale", keyset("kind=private&size=100_299&above_scale=1")),
        ("filter district region", keyset("region=310101")),
        ("search pinyin initials 'SHJX'", keyset("q=SHJX")),
        ("search name contains '科技'", keyset("q=科技")),
        (f"search code last 4 '{code[-4:]}'", keyset(f"q={code[-4:]}")),
        (f"search code middle 6 '{code[8:14]}'", keyset(f"q={code[8:14]}")),
        (f"search code first 4 '{code[:4]}'", keyset(f"q={code[:4]}")),
        (f"count, code last 4 '{code[-4:]}'", count(f"q={code[-4:]}")),
        ("count (total shown on list)", count("")),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-party", action="store_true", help="seed organizations only (faster)")
    parser.add_argument("--users", default="city_admin,district_admin,street_admin")
    parser.add_argument("--only", default="", help="only the cases whose label contains this text")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if Organization.objects.count() < args.orgs:
        start = time.perf_counter()
        call_command("seed_demo", orgs=args.orgs, reset=True, no_party=args.no_party, snapshots=0)
        print(f"seed_demo --orgs {args.orgs}: {time.perf_counter() - start:.0f} s")
    total = Organization.objects.count()
    print(f"\ndatabase: {connection.vendor}, organizations: {total:,}, page size {PAGE}, median of {args.repeat}")
    print(f"{'user':<16}{'case':<40}{'ms':>10}")
    for username in args.users.split(","):
        scope = scope_for(User.objects.get(username=username))
        for label, func in cases(scope):
            if args.only not in label:
                continue
            print(f"{username:<16}{label:<40}{timed(func, args.repeat):>10.1f}")


if __name__ == "__main__":
    main()
