"""The blank-spot page (空白点) at the demo's size: milliseconds and queries per request, per role.

Usage (seeds the demo first if the database is empty — ``make run``'s size by default)::

    LIANGXIN_VAR_DIR=$(mktemp -d) python bench/blank_spots_bench.py [--orgs 5000] [--repeat 5]
    # the same database against an older checkout, for a before/after ratio:
    LIANGXIN_VAR_DIR=... python bench/blank_spots_bench.py --code /path/to/old/checkout

``--code`` runs the timing in a subprocess with that checkout's code on the same database (it
must share the migrations). Prints the median over ``--repeat`` requests after one warm-up;
``--baseline FILE`` compares with the figures a previous run wrote with ``--save FILE``.
Not a test: figures only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROLES = ["street_admin", "district_admin", "city_admin"]
LISTS = ["blank", "blank_50", "blank_100"]


def measure(repeat: int) -> dict[str, dict[str, float]]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's response context; ALLOWED_HOSTS gains "testserver"
    settings.DEBUG = True  # connection.queries counts the queries
    from liangxin.accounts.models import User

    out: dict[str, dict[str, float]] = {}
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for which in LISTS:
            url = f"/stats/blank-spots/?list={which}"
            start = time.perf_counter()
            assert client.get(url).status_code == 200  # the first request: warms caches, cells, templates
            first = (time.perf_counter() - start) * 1000
            samples, queries = [], 0
            for _ in range(repeat):
                reset_queries()
                start = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - start) * 1000)
                queries = len(connection.queries)
                assert response.status_code == 200, response.status_code
            out[f"{username} {which}"] = {"first": first, "ms": statistics.median(samples), "queries": queries}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--code", help="另一份代码（旧版本）的目录：在同一数据库上计时")
    parser.add_argument("--save", help="把结果写入此 JSON 文件")
    parser.add_argument("--baseline", help="与此 JSON 文件（--save 写出）比较")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the subprocess's output
    parser.add_argument("--root", help=argparse.SUPPRESS)  # the code the subprocess imports
    args = parser.parse_args()
    root = Path(args.code or args.root or Path(__file__).resolve().parent.parent).resolve()
    if args.code:
        env = {**os.environ, "PYTHONPATH": str(root)}
        script = Path(__file__).resolve()
        raw = subprocess.run(
            [sys.executable, str(script), "--json", "--root", str(root), "--repeat", str(args.repeat)],
            cwd=root, env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        results = json.loads(raw.strip().splitlines()[-1])
    else:
        sys.path.insert(0, str(root))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from liangxin.orgs.models import Organization

        if not Organization.objects.exists():
            call_command("migrate", verbosity=0)
            call_command("seed_demo", orgs=args.orgs, verbosity=0)
        results = measure(args.repeat)
    if args.json:
        print(json.dumps(results))
        return
    if args.save:
        Path(args.save).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    baseline = json.loads(Path(args.baseline).read_text()) if args.baseline else {}
    head = f"{'role / list':28} {'first ms':>9} {'ms':>8} {'queries':>8}"
    print(head + (f" {'before ms':>10} {'queries':>8} {'ratio':>7}" if baseline else ""))
    for key, row in results.items():
        line = f"{key:28} {row['first']:9.1f} {row['ms']:8.1f} {row['queries']:8d}"
        if key in baseline:
            before = baseline[key]["ms"]
            line += f" {before:10.1f} {baseline[key]['queries']:8d} {before / row['ms']:6.1f}×"
        print(line)


if __name__ == "__main__":
    main()
