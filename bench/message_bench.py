"""信息群发 at scale: the fan-out of a message to every member against a naive baseline, a member's
inbox of 10,000 notices, one message's read rate per district, and the city's 到达率.

Usage (builds the demo city once per size and caches the SQLite one under bench/out/message/):
    .venv/bin/python bench/message_bench.py                       # 100,000 orgs / 50,000 members, SQLite
    .venv/bin/python bench/message_bench.py --db both             # + PostgreSQL (scripts/pg.sh run)
    .venv/bin/python bench/message_bench.py --orgs 1000000 --members 500000 --db both   # the issue's size
    DATABASE_URL=postgres://… .venv/bin/python bench/message_bench.py --existing  # a city seeded already
(--existing measures on the database DATABASE_URL names, seeded with seed_demo beforehand — seeding
the 1M city takes 30–50 min here; the run adds messages and accounts to it.)
Prints tables of figures; targets are printed next to them, never asserted.
"""

import argparse
import datetime
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
MANAGE = ROOT / "manage.py"
CACHE = ROOT / "bench" / "out" / "message"
# the targets (issue 14 §4); the fan-out's is for 500,000 members, so a smaller city's
# figure is also printed scaled linearly to 500,000 (labelled as such)
TARGET_FANOUT_S = {"sqlite": 60.0, "postgresql": 30.0}
TARGET_MEMBERS = 500_000
TARGET_INBOX_MS = 100
TARGET_BY_DISTRICT_MS = 300
TARGET_REACH_MS = 1000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list, env: dict, what: str) -> None:
    code = subprocess.call([str(c) for c in cmd], env=env)
    if code != 0:
        raise RuntimeError(f"{what} failed ({code}): {' '.join(map(str, cmd))}")


def seed_args(args) -> list[str]:
    return ["seed_demo", "--orgs", str(args.orgs), "--members", str(args.members), "--seed", str(args.seed),
            "--snapshots", "0", "--reset"]  # fmt: skip


def schema_digest() -> str:
    import hashlib

    files = sorted(ROOT.glob("liangxin/*/migrations/*.py")) + sorted(ROOT.glob("liangxin/demo/**/*.py"))
    return hashlib.sha1(b"".join(p.read_bytes() for p in files)).hexdigest()[:12]


# -- the parent: databases ----------------------------------------------------------------------
def sqlite_env(var: Path) -> dict:
    env = {**os.environ, "LIANGXIN_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "liangxin.settings"}
    env.pop("DATABASE_URL", None)
    return env


def sqlite_base(args) -> Path:
    base = CACHE / f"sqlite-o{args.orgs}-m{args.members}-s{args.seed}"
    digest = schema_digest()
    if (base / "ready").exists() and (base / "ready").read_text().split()[0] == digest:
        log(f"SQLite: cached demo city {base}")
        return base
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    env = sqlite_env(base)
    started = time.perf_counter()
    log(f"SQLite: building the demo city in {base} (manage.py {' '.join(seed_args(args))})")
    run([PY, MANAGE, "migrate", "-v0"], env, "migrate")
    run([PY, MANAGE, *seed_args(args)], env, "seed_demo")
    db = sqlite3.connect(base / "liangxin.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    (base / "ready").write_text(f"{digest} seeded in {time.perf_counter() - started:.0f} s\n")
    log(f"SQLite: demo city built in {time.perf_counter() - started:.0f} s")
    return base


def child_cmd(args, out: Path, seed_first: bool) -> list:
    cmd = [PY, Path(__file__).resolve(), "--child", "--out", out, "--orgs", args.orgs, "--members", args.members,
           "--seed", args.seed, "--naive-sample", args.naive_sample, "--old-sample", args.old_sample,
           "--inbox", args.inbox, "--repeat", args.repeat]  # fmt: skip
    return cmd + (["--seed-first"] if seed_first else [])


def run_sqlite(args, work: Path) -> dict:
    base = sqlite_base(args)
    target = work / "sqlite"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(base, target, ignore=shutil.ignore_patterns("*-wal", "*-shm", "ready"))
    out = work / "sqlite.json"
    run(child_cmd(args, out, seed_first=False), sqlite_env(target), "SQLite measurements")
    return json.loads(out.read_text())


def run_postgres(args, work: Path) -> dict:
    """A fresh private server for the whole run (scripts/pg.sh run): migrate, seed, measure."""
    var = work / "pg-var"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    out = work / "postgres.json"
    env = {**os.environ, "LIANGXIN_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "liangxin.settings"}
    run(["bash", ROOT / "scripts" / "pg.sh", "run", "--", *child_cmd(args, out, seed_first=True)], env, "PostgreSQL")
    return json.loads(out.read_text())


# -- the child: measurements in one process on one database --------------------------------------
def timed(fn, repeat: int) -> tuple[float, float, object]:
    """(first run ms, median of ``repeat`` further runs ms, the last result)."""
    started = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - started) * 1000
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(runs) if runs else first, result


def child(args) -> None:  # noqa: PLR0915 — one straight measurement script
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    if args.seed_first:
        log("PostgreSQL: migrate and seed_demo")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command(*seed_args(args))
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        log(f"PostgreSQL: demo city built in {time.perf_counter() - started:.0f} s")

    from liangxin.accounts.models import RoleAssignment, User
    from liangxin.accounts.scoping import scope_for
    from liangxin.core import bulk
    from liangxin.inbox.models import Notice
    from liangxin.messaging import facts, reach, services, targets
    from liangxin.messaging.models import Delivery, ReachFact
    from liangxin.mgmt.models import ManagementNode
    from liangxin.party.models import Member
    from liangxin.stats import engine

    vendor = connection.vendor
    from liangxin.orgs.models import Organization

    figures: dict = {"db": vendor, "orgs": Organization.objects.count(), "members_asked": args.members}
    city_admin = RoleAssignment.objects.filter(role="city_admin").select_related("user").first().user
    city_node = ManagementNode.objects.get(parent__isnull=True)
    scope = scope_for(city_admin)

    # setup (untimed): every member gets a login account, so the inbox reaches them all
    started = time.perf_counter()
    without = list(Member.objects.filter(user__isnull=True).values_list("pk", flat=True))
    bulk.insert(User, ({"username": f"bench-m{pk}", "password": "!", "full_name": ""} for pk in without))
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE party_member SET user_id = (SELECT u.id FROM accounts_user u WHERE u.username = 'bench-m' || "
            "CAST(party_member.id AS VARCHAR(20))) WHERE user_id IS NULL"
        )
    log(f"setup: {len(without)} member accounts in {time.perf_counter() - started:.1f} s")

    # 1. a message to all members: resolve + fan-out, then the naive baseline on a sample
    message = services.create_message(city_admin, city_node, "关于开展主题党日活动的通知", "请各支部按时组织。")
    started = time.perf_counter()
    resolution = targets.resolve(targets.Target(people=["members"]), scope)
    resolve_s = time.perf_counter() - started
    added = services.create_deliveries(message, resolution.recipients(), ["inbox"])
    fanout_s = time.perf_counter() - started
    figures.update(recipients=resolution.people, deliveries=added, resolve_s=resolve_s, fanout_s=fanout_s)
    log(f"fan-out: {added} deliveries to {resolution.people} people in {fanout_s:.1f} s (resolve {resolve_s:.2f} s)")

    naive = services.create_message(city_admin, city_node, "逐条写入的对照", "同一批收件人，逐条写入。")
    sample = min(args.naive_sample, resolution.people)
    started = time.perf_counter()
    for i, r in enumerate(resolution.recipients()):
        if i >= sample:
            break
        Delivery.objects.create(
            message=naive, recipient_key=r.key, recipient_name=r.name[:100], user_id=r.user_id, member_id=r.member_id,
            organization_id=r.organization_id, channel="inbox", address="",
            idempotency_key=services.idempotency_key(naive.pk, r.key, "inbox"),
        )  # fmt: skip
    naive_sample_s = time.perf_counter() - started
    naive_s = naive_sample_s / sample * resolution.people if sample else 0.0
    figures.update(naive_sample=sample, naive_sample_s=naive_sample_s, naive_extrapolated_s=naive_s)
    log(f"naive: {sample} one-by-one creates in {naive_sample_s:.1f} s → {naive_s:.1f} s extrapolated")
    Delivery.objects.filter(message=naive).delete()

    # the previous fan-out, for the ratio: Django's bulk_create(ignore_conflicts) per 500, without
    # the 到达事实 (what create_deliveries did before core.bulk), timed on a sample and extrapolated
    old = services.create_message(city_admin, city_node, "批量写入的对照", "同一批收件人，bulk_create。")
    old_sample = min(args.old_sample, resolution.people)
    started = time.perf_counter()
    chunk: list = []
    for i, r in enumerate(resolution.recipients()):
        if i >= old_sample:
            break
        chunk.append(Delivery(
            message=old, recipient_key=r.key, recipient_name=r.name[:100], user_id=r.user_id, member_id=r.member_id,
            organization_id=r.organization_id, channel="inbox", address="",
            idempotency_key=services.idempotency_key(old.pk, r.key, "inbox"),
        ))  # fmt: skip
        if len(chunk) == 500:
            with transaction.atomic():
                Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    if chunk:
        with transaction.atomic():
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    old_sample_s = time.perf_counter() - started
    figures.update(old_sample=old_sample, old_sample_s=old_sample_s,
                   old_extrapolated_s=old_sample_s / old_sample * resolution.people if old_sample else 0.0)  # fmt: skip
    log(f"bulk_create: {old_sample} in {old_sample_s:.1f} s → {figures['old_extrapolated_s']:.1f} s extrapolated")
    Delivery.objects.filter(message=old).delete()
    figures.update(facts=ReachFact.objects.filter(delivery__message=message).count())

    # the deliveries as the worker leaves them (untimed): sent through the year, 40 % read, 5 % replied
    now = timezone.now()
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    spread = max(1, int((now - year_start).total_seconds()) - 60)
    with connection.cursor() as cur:
        table = Delivery._meta.db_table
        cur.execute(f"SELECT MIN(id) FROM {table} WHERE message_id = %s", [message.pk])
        first_id = cur.fetchone()[0] or 0
        rows = [(year_start + datetime.timedelta(seconds=(i * 7919) % spread)) for i in range(1000)]
        # 1,000 distinct times spread over the year, in one update through a small table of them
        # (one update per time read the message's 500,000 deliveries 1,000 times at 1M)
        stamp = "TIMESTAMP WITH TIME ZONE" if connection.vendor == "postgresql" else "DATETIME"
        cur.execute(f"CREATE TEMPORARY TABLE bench_sent_times (bucket INTEGER PRIMARY KEY, at {stamp})")
        cur.executemany("INSERT INTO bench_sent_times (bucket, at) VALUES (%s, %s)", list(enumerate(rows)))
        cur.execute(
            f"UPDATE {table} SET state = 'sent', sent_at = (SELECT t.at FROM bench_sent_times t "
            f"WHERE t.bucket = ({table}.id - %s) %% 1000) WHERE message_id = %s",
            [first_id, message.pk],
        )
        cur.execute("DROP TABLE bench_sent_times")
        cur.execute(
            f"UPDATE {table} SET state = 'read', read_at = sent_at WHERE message_id = %s AND id %% 5 < 2",
            [message.pk],
        )
        cur.execute(
            f"UPDATE {table} SET state = 'replied', replied_at = sent_at WHERE message_id = %s AND id %% 20 = 0",
            [message.pk],
        )

    # a second message, to the organizations' contacts (the log channel: every contact has it)
    contacts = services.create_message(city_admin, city_node, "致两新组织的一封信", "各位负责人：……")
    started = time.perf_counter()
    contact_resolution = targets.resolve(targets.Target(organizations=targets.OrgFilter()), scope)
    contact_added = services.create_deliveries(contacts, contact_resolution.recipients(), ["log"])
    figures.update(contact_deliveries=contact_added, contact_fanout_s=time.perf_counter() - started)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET state = 'sent', sent_at = %s WHERE message_id = %s AND id %% 10 < 3",
            [now - datetime.timedelta(days=1), contacts.pk],
        )

    # the worker's state changes copied into the 到达事实, as the services do one by one (untimed)
    started = time.perf_counter()
    facts.sync(Delivery.objects.filter(message__in=[message, contacts]))
    log(f"facts synced with the deliveries' states in {time.perf_counter() - started:.1f} s")

    # the planner's statistics after the writes above, as autovacuum (PostgreSQL) or the
    # operator's periodic ANALYZE (SQLite) leaves them; stale ones chose worse plans (PG: 780 → 300 ms)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    # 2. a member's inbox with 10,000 notices: the first page, through the page itself
    # a plain member (no role): a secretary's page also gathers their branch's meeting reminders
    reader = User.objects.filter(member__isnull=False, assignments__isnull=True).order_by("pk").first()
    bulk.insert(Notice, ({"recipient_id": reader.pk, "kind": "message", "title": f"通知第{i}号", "body": "正文",
                          "url": "", "key": ""} for i in range(args.inbox)))  # fmt: skip
    client = Client()
    client.force_login(reader)

    def inbox_page():
        response = client.get("/inbox/")
        assert response.status_code == 200, response.status_code
        return response

    first, warm, _ = timed(inbox_page, args.repeat)
    figures.update(inbox_items=Notice.objects.filter(recipient=reader).count(), inbox_first_ms=first, inbox_ms=warm)

    # 3. the read rate per district of the first message
    from liangxin.messaging import rates

    first, warm, by_district = timed(lambda: rates.by_child(message, city_node), args.repeat)
    # the baseline: the same counts by one GROUP BY over the message's deliveries (how rates read
    # them before the stored 投递统计), timed in the same run — and the two must agree
    from django.db.models import Count, Q

    from liangxin.messaging.choices import ChannelKind
    from liangxin.messaging.models import DeliveryTally

    got = Q(state__in=facts.RECEIVED)
    grouped = {
        "deliveries": Count("pk"),
        "received": Count("pk", filter=got),
        "read": Count("pk", filter=got & Q(read_at__isnull=False) & ~Q(channel=ChannelKind.SMS)),
        "replied": Count("pk", filter=got & Q(replied_at__isnull=False)),
    }

    def group_by():
        rows = Delivery.objects.filter(message=message).values("recipient_node_id").annotate(**grouped).order_by()
        return {(r["recipient_node_id"] or 0): tuple(r[k] for k in grouped) for r in rows}

    _, group_by_ms, recount = timed(group_by, 3)
    stored = {
        t.node_key: (t.deliveries, t.received, t.read, t.replied)
        for t in DeliveryTally.objects.filter(message=message).exclude(deliveries=0)
    }
    figures.update(group_by_ms=group_by_ms, tally_equals_recount=stored == recount, tally_nodes=len(stored))
    figures.update(by_district_first_ms=first, by_district_ms=warm, by_district=[
        {"label": r.label, "deliveries": r.deliveries, "received": r.received, "read": r.read, "replied": r.replied,
         "read_percent": float(r.read_percent) if r.read_percent is not None else None}
        for r in [*by_district.children, by_district.elsewhere]
    ])  # fmt: skip

    # 4. the city's 到达率, this year so far, every channel; and the never-reached list's first page
    q = engine.parse_query({}, scope)
    period = reach.default_period()
    first, warm, result = timed(lambda: reach.reach(q, period), args.repeat)
    figures.update(reach_first_ms=first, reach_ms=warm, reach_counted=result.total.counted,
                   reach_reached=result.total.reached, reach_read=result.total.read,
                   reach_children=len(result.children))  # fmt: skip
    from liangxin.core.pagination import keyset_page

    first, warm, _ = timed(lambda: keyset_page(reach.never_reached(q, period), "employees", True, None, 50), 3)
    figures.update(never_page_first_ms=first, never_page_ms=warm)
    Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))


# -- the report -----------------------------------------------------------------------------------
def report(results: list[dict]) -> None:
    print()
    print("信息群发 benchmark — figures, never assertions")
    for r in results:
        db = r["db"]
        scale = TARGET_MEMBERS / r["recipients"] if r["recipients"] else 0
        print(f"\n== {db}: {r['orgs']:,} organizations, {r['recipients']:,} member recipients ==")
        rows = [
            ("message to all members: resolve + fan-out", f"{r['fanout_s']:.1f} s "
             f"({r['deliveries']:,} deliveries; resolve {r['resolve_s']:.2f} s)",
             f"≤ {TARGET_FANOUT_S[db]:.0f} s for 500,000; scaled linearly: {r['fanout_s'] * scale:.0f} s"),
            (f"  naive: one Delivery.objects.create each ({r['naive_sample']:,} sampled, extrapolated)",
             f"{r['naive_extrapolated_s']:.1f} s (sample {r['naive_sample_s']:.1f} s)",
             f"ours is {r['naive_extrapolated_s'] / r['fanout_s']:.1f}× faster" if r["fanout_s"] else ""),
            (f"  previous: bulk_create per 500, no facts ({r['old_sample']:,} sampled, extrapolated)",
             f"{r['old_extrapolated_s']:.1f} s (sample {r['old_sample_s']:.1f} s)",
             f"ours is {r['old_extrapolated_s'] / r['fanout_s']:.1f}× faster" if r["fanout_s"] else ""),
            ("  到达事实 written with the fan-out", f"{r['facts']:,} rows", ""),
            ("  message to every organization's contact (log channel)",
             f"{r['contact_fanout_s']:.1f} s ({r['contact_deliveries']:,} deliveries)", ""),
            (f"inbox first page ({r['inbox_items']:,} notices), GET /inbox/",
             f"{r['inbox_ms']:.0f} ms (first {r['inbox_first_ms']:.0f} ms)", f"≤ {TARGET_INBOX_MS} ms"),
            ("read rate per district, one message (rates.by_child)",
             f"{r['by_district_ms']:.0f} ms (first {r['by_district_first_ms']:.0f} ms)",
             f"≤ {TARGET_BY_DISTRICT_MS} ms"),
            (f"  baseline: one GROUP BY over the message's deliveries ({r['tally_nodes']:,} nodes)",
             f"{r['group_by_ms']:.0f} ms",
             f"stored counts {r['group_by_ms'] / r['by_district_ms']:.0f}× faster; "
             f"{'equal to' if r['tally_equals_recount'] else 'DIFFERENT FROM'} the recount"),
            ("到达率, city, this year (reach.reach)", f"{r['reach_ms']:.0f} ms (first {r['reach_first_ms']:.0f} ms)",
             f"≤ {TARGET_REACH_MS} ms"),
            ("  never-reached list, first page of 50",
             f"{r['never_page_ms']:.0f} ms (first {r['never_page_first_ms']:.0f} ms)", ""),
        ]  # fmt: skip
        width = max(len(a) for a, _, _ in rows)
        for what, figure, target in rows:
            print(f"  {what:<{width}}  {figure:<40}  {target}")
        pct = lambda a, b: f"{a / b * 100:.1f}%" if b else "—"  # noqa: E731
        print(f"  city: counted {r['reach_counted']:,}, reached {r['reach_reached']:,} "
              f"({pct(r['reach_reached'], r['reach_counted'])}), read-reached {r['reach_read']:,} "
              f"({pct(r['reach_read'], r['reach_counted'])})")  # fmt: skip
        top = [d for d in r["by_district"] if d["deliveries"]][:6]
        print("  per district (first six with deliveries): " + "; ".join(
            f"{d['label']} {d['read']}/{d['received']}" for d in top))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--naive-sample", type=int, default=20_000, help="one-by-one creates timed, then extrapolated")
    parser.add_argument("--old-sample", type=int, default=100_000, help="bulk_create rows timed, then extrapolated")
    parser.add_argument("--inbox", type=int, default=10_000, help="notices in the measured member's inbox")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per figure (the median is printed)")
    parser.add_argument("--work", default="/tmp/messagebench", help="working copies and results")
    parser.add_argument("--existing", action="store_true", help="measure on DATABASE_URL's seeded city")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed-first", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.existing:
        out = work / "existing.json"
        run(child_cmd(args, out, seed_first=False), {**os.environ, "DJANGO_SETTINGS_MODULE": "liangxin.settings"},
            "measurements")  # fmt: skip
        report([json.loads(out.read_text())])
        return
    results = []
    if args.db in ("sqlite", "both"):
        results.append(run_sqlite(args, work))
    if args.db in ("postgres", "both"):
        results.append(run_postgres(args, work))
    report(results)


if __name__ == "__main__":
    main()
