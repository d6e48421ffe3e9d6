"""Coverage statistics at scale: in-process figures cold and warm, the API under concurrent reads
while a writer keeps changing data, and a freshness check of every watched answer.

Usage (builds the demo city once per size and caches it under bench/out/stats/):
    LIANGXIN_VAR_DIR=/tmp/statsbench .venv/bin/python bench/stats_bench.py \
        --orgs 1000000 --members 500000 --db sqlite|postgres|both
With DATABASE_URL=postgres://… set, the PostgreSQL run uses that database instead of a private
cluster (it is seeded with --reset when its organization count differs, and the writer changes it).
Prints tables of milliseconds; targets are printed next to figures, never asserted.
"""

import argparse
import bisect
import http.client
import json
import math
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Count, Q, Sum  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402

from liangxin.accounts.models import User  # noqa: E402
from liangxin.accounts.scoping import scope_for  # noqa: E402
from liangxin.core.tree import subtree_q  # noqa: E402
from liangxin.mgmt.models import COMMITTEE_KINDS  # noqa: E402
from liangxin.orgs.choices import SIZE_BANDS, Industry, OrgKind, OrgStatus, Sector  # noqa: E402
from liangxin.orgs.models import Organization  # noqa: E402
from liangxin.party import policy  # noqa: E402
from liangxin.party.models import Member  # noqa: E402
from liangxin.regions.models import CarrierKind, Region  # noqa: E402
from liangxin.stats import cube, engine  # noqa: E402
from liangxin.stats.measures import CURRENT, Thresholds, aggregates  # noqa: E402
from liangxin.stats.models import Cell  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
MANAGE = ROOT / "manage.py"
CACHE = ROOT / "bench" / "out" / "stats"
PG_BIN = (
    next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
    if Path("/usr/lib/postgresql").exists()
    else None
)
TARGETS = {  # ms, printed next to the figures
    ("root", "sqlite"): 1000, ("root", "postgresql"): 300,
    ("street", "sqlite"): 50, ("street", "postgresql"): 50,
}  # fmt: skip
UNIT_TYPES = ("city", "district", "street")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def target_note(kind: str, vendor: str, ms: float) -> str:
    limit = TARGETS.get((kind, vendor))
    if limit is None or ms != ms:
        return ""
    return f"target ≤ {limit} ms: {'met' if ms <= limit else 'MISSED'}"


# =============================================================================================
# Orchestrator: bases (cached), engines, final table
# =============================================================================================
def run(cmd: list, env: dict, what: str, check: bool = True) -> int:
    code = subprocess.call([str(c) for c in cmd], env=env)
    if check and code != 0:
        raise RuntimeError(f"{what} failed ({code}): {' '.join(map(str, cmd))}")
    return code


def seed_args(args) -> list[str]:
    cmd = ["seed_demo", "--orgs", str(args.orgs), "--members", str(args.members), "--seed", str(args.seed), "--reset"]
    help_text = subprocess.run([str(PY), str(MANAGE), "seed_demo", "--help"], capture_output=True, text=True).stdout
    if "--snapshots" in help_text:
        cmd += ["--snapshots", "0"]  # dated snapshots are not read by today's figures
    return cmd


def schema_manifest() -> dict[str, str]:
    """Every migration and the trigger SQL they install, by content."""
    import hashlib

    files = sorted(ROOT.glob("liangxin/*/migrations/*.py")) + [ROOT / "liangxin/stats/triggers.py"]
    return {str(p.relative_to(ROOT)): hashlib.sha1(p.read_bytes()).hexdigest()[:12] for p in files}


def cache_current(manifest: Path) -> bool:
    """A cached city is reused while every migration it was built with is unchanged (new ones are
    applied by ``migrate`` on the working copy; an edited one, or new trigger SQL, means rebuild)."""
    if not manifest.exists():
        return False
    now = schema_manifest()
    changed = [path for path, digest in json.loads(manifest.read_text()).items() if now.get(path) != digest]
    if changed:
        log(f"cached city {manifest.parent / manifest.stem} is stale, changed since: {', '.join(changed[:5])}")
    return not changed


def base_name(args) -> str:
    return f"o{args.orgs}-m{args.members}-s{args.seed}"


def code_version() -> str:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "liangxin"], capture_output=True, text=True
    )
    changed = len(dirty.stdout.splitlines())
    return head.stdout.strip() + (f" + {changed} uncommitted paths under liangxin/" if changed else "")


def sqlite_env(var: Path) -> dict:
    env = {**os.environ, "LIANGXIN_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "liangxin.settings"}
    env.pop("DATABASE_URL", None)
    return env


def sqlite_base(args) -> Path:
    base = CACHE / f"sqlite-{base_name(args)}"
    if (base / "ready").exists() and cache_current(base / "schema.json"):
        log(f"SQLite: cached demo city {base}")
        return base
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    env = sqlite_env(base)
    manifest = schema_manifest()
    started = time.perf_counter()
    log(f"SQLite: building the demo city in {base} (manage.py {' '.join(seed_args(args))})")
    run([PY, MANAGE, "migrate", "-v0"], env, "migrate")
    run([PY, MANAGE, *seed_args(args)], env, "seed_demo")
    db = sqlite3.connect(base / "liangxin.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    (base / "schema.json").write_text(json.dumps(manifest, indent=0))
    (base / "ready").write_text(f"seeded in {time.perf_counter() - started:.0f} s\n")
    log(f"SQLite: demo city built in {time.perf_counter() - started:.0f} s")
    return base


def run_sqlite(args, work: Path, out: Path) -> dict:
    base = sqlite_base(args)
    target = work / "sqlite"
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    shutil.copytree(
        base, target, ignore=shutil.ignore_patterns("*-wal", "*-shm", "ready", "schema.json", "imports", "exports")
    )
    log(f"SQLite: working copy {target} ({time.perf_counter() - started:.0f} s)")
    return child(args, sqlite_env(target), out / "sqlite.json")


class Postgres:
    """A private cluster from scripts/pg.sh (or the server of a given DATABASE_URL)."""

    def __init__(self, args, work: Path) -> None:
        self.given = os.environ.get("DATABASE_URL", "")
        self.dir = work / "pg"
        self.port = args.pg_port
        if not self.given:
            log(f"PostgreSQL: starting a private cluster (scripts/pg.sh start {self.dir} {self.port})")
            run(["bash", ROOT / "scripts" / "pg.sh", "start", self.dir, self.port], dict(os.environ), "pg.sh start")

    @property
    def url(self) -> str:
        return self.given or f"postgres://postgres@127.0.0.1:{self.port}/liangxin"

    def env(self, var: Path) -> dict:
        return {**os.environ, "LIANGXIN_VAR_DIR": str(var), "DATABASE_URL": self.url,
                "DJANGO_SETTINGS_MODULE": "liangxin.settings"}  # fmt: skip

    def psql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql)

    def count_orgs(self) -> int:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            try:
                return conn.execute("SELECT COUNT(*) FROM orgs_organization").fetchone()[0]
            except psycopg.errors.UndefinedTable:
                return -1

    def stop(self) -> None:
        if not self.given:
            run(["bash", ROOT / "scripts" / "pg.sh", "stop", self.dir], dict(os.environ), "pg.sh stop", check=False)
            log("PostgreSQL: private cluster stopped")


def run_postgres(args, work: Path, out: Path, measure: bool = True) -> dict | None:
    pg = Postgres(args, work)
    try:
        var = work / "pg-var"
        var.mkdir(parents=True, exist_ok=True)
        env = pg.env(var)
        dump = CACHE / f"pg-{base_name(args)}.dump"
        key = CACHE / f"pg-{base_name(args)}.secret_key"
        schema = CACHE / f"pg-{base_name(args)}.schema.json"
        if pg.given:
            if pg.count_orgs() != args.orgs:
                log(f"PostgreSQL: seeding the given database (manage.py {' '.join(seed_args(args))})")
                run([PY, MANAGE, "migrate", "-v0"], env, "migrate")
                run([PY, MANAGE, *seed_args(args)], env, "seed_demo")
        elif dump.exists() and cache_current(schema):
            started = time.perf_counter()
            log(f"PostgreSQL: restoring the cached demo city {dump}")
            if key.exists():
                shutil.copy(key, var / "secret_key")
            run([PG_BIN / "pg_restore", "-h", "127.0.0.1", "-p", pg.port, "-U", "postgres", "-d", "liangxin",
                 "-j", "2", "--no-owner", dump], dict(os.environ), "pg_restore")  # fmt: skip
            log(f"PostgreSQL: restored in {time.perf_counter() - started:.0f} s")
        else:
            started = time.perf_counter()
            manifest = schema_manifest()
            log(f"PostgreSQL: building the demo city (manage.py {' '.join(seed_args(args))})")
            run([PY, MANAGE, "migrate", "-v0"], env, "migrate")
            run([PY, MANAGE, *seed_args(args)], env, "seed_demo")
            log(f"PostgreSQL: demo city built in {time.perf_counter() - started:.0f} s; caching it as {dump}")
            CACHE.mkdir(parents=True, exist_ok=True)
            partial = dump.with_suffix(".partial")
            run([PG_BIN / "pg_dump", "-h", "127.0.0.1", "-p", pg.port, "-U", "postgres", "-Fc", "-Z", "1",
                 "-f", partial, "liangxin"], dict(os.environ), "pg_dump")  # fmt: skip
            partial.rename(dump)
            shutil.copy(var / "secret_key", key)
            schema.write_text(json.dumps(manifest, indent=0))
        if not measure:
            return None
        started = time.perf_counter()
        pg.psql("VACUUM ANALYZE")
        log(f"PostgreSQL: VACUUM ANALYZE {time.perf_counter() - started:.0f} s")
        return child(args, env, out / "postgres.json")
    finally:
        pg.stop()


def child(args, env: dict, result: Path) -> dict:
    options = {"repeat": args.repeat, "mix": args.mix, "mix-seed": args.mix_seed, "duration": args.duration,
               "clients": args.clients, "write-interval": args.write_interval, "single": args.single,
               "quiet-duration": args.quiet_duration, "orgs": args.orgs,
               "members": args.members}  # fmt: skip
    cmd = [PY, __file__, "--_measure", str(result)] + [x for k, v in options.items() for x in (f"--{k}", str(v))]
    run(cmd, env, "measuring")
    return json.loads(result.read_text())


def fmt(v, digits=0) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "–"
    return f"{v:,.{digits}f}"


def final_table(results: dict) -> str:
    names = [n for n in ("sqlite", "postgresql") if n in results]
    head = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    lines = ["| figure | " + " | ".join(head[n] for n in names) + " | target |",
             "|---|" + "---:|" * len(names) + "---|"]  # fmt: skip

    def row(label, getter, target=""):
        cells = []
        for n in names:
            try:
                cells.append(getter(results[n]))
            except (KeyError, IndexError, TypeError, ValueError, StopIteration, statistics.StatisticsError):
                cells.append("–")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    def case(r, key):
        return next(c for c in r["inprocess"] if c["key"] == key)

    row("organizations / members", lambda r: f"{r['meta']['organizations']:,} / {r['meta']['members']:,}")
    row("cells after a full rebuild", lambda r: f"{r['meta']['cells']:,}")
    loads = ("load_start", "load_inprocess_end", "load_end")
    row("load average (1 min): start / after in-process / end (2 cores)",
        lambda r: " / ".join(f"{r['meta'][k][0]:.1f}" for k in loads))  # fmt: skip
    for key, label, tgt in (("root", "city root", "PG ≤ 300, SQLite ≤ 1000"), ("district", "district", ""),
                            ("street", "street", "≤ 50")):  # fmt: skip
        row(f"in-process {label}: cold ms (regions recomputed)",
            lambda r, k=key: f"{fmt(case(r, k)['cold_ms'])} ({case(r, k)['refreshed']})")  # fmt: skip
        row(f"in-process {label}: warm ms (median)", lambda r, k=key: fmt(case(r, k)["warm_ms"], 1), tgt)
    row("random mix: cases (cells / live)",
        lambda r: f"{len(r['mix'])} ({sum(c['source'] == 'cells' for c in r['mix'])} / "
                  f"{sum(c['source'] == 'live' for c in r['mix'])})")  # fmt: skip
    row(
        "random mix: cold ms median / max",
        lambda r: (
            f"{fmt(statistics.median(c['cold_ms'] for c in r['mix']))} / {fmt(max(c['cold_ms'] for c in r['mix']))}"
        ),
    )
    row("random mix: warm ms median / max (cells)",
        lambda r: f"{fmt(statistics.median(c['warm_ms'] for c in r['mix'] if c['source'] == 'cells'), 1)} / "
                  f"{fmt(max(c['warm_ms'] for c in r['mix'] if c['source'] == 'cells'), 1)}")  # fmt: skip
    row("random mix: warm ms median / max (live)",
        lambda r: f"{fmt(statistics.median(c['warm_ms'] for c in r['mix'] if c['source'] == 'live'))} / "
                  f"{fmt(max(c['warm_ms'] for c in r['mix'] if c['source'] == 'live'))}")  # fmt: skip
    row("baseline: one GROUP BY, one conditional count, ms", lambda r: fmt(r["baseline"]["plain_ms"]))
    row("baseline ÷ city root warm", lambda r: f"{r['baseline']['plain_ms'] / case(r, 'root')['warm_ms']:.1f}×")
    row("baseline: one GROUP BY, all 23 measures, ms", lambda r: fmt(r["baseline"]["all_measures_ms"]))
    c = "concurrency"
    row("API server", lambda r: r[c]["server"])
    for unit in UNIT_TYPES:
        row(f"API {unit}, one client, no writer: p50 / max ms",
            lambda r, u=unit: f"{fmt(r[c]['single'][u]['p50'])} / {fmt(r[c]['single'][u]['max'])}")  # fmt: skip
    targets = {"city": "PG ≤ 300, SQLite ≤ 1000 (p95)", "street": "≤ 50 (p95)"}
    for phase, key in (("no writer", "quiet"), ("with writer", None)):
        for unit in UNIT_TYPES:
            row(f"API {unit}, 20 clients, {phase}: p50 / p95 / max ms (answers)",
                lambda r, u=unit, k=key: " / ".join(fmt((r[c][k] if k else r[c])["by_unit"][u][x])
                                                    for x in ("p50", "p95", "max"))
                + f" ({(r[c][k] if k else r[c])['by_unit'][u]['n']:,})", targets.get(unit, ""))  # fmt: skip
        row(f"API throughput, {phase}, answers/s", lambda r, k=key: fmt((r[c][k] if k else r[c])["throughput"], 1))
    row("API errors (non-200 or failed), with writer", lambda r: f"{r[c]['errors']:,}")
    row("writer: commits (per s) / failed", lambda r: f"{r[c]['writer']['commits']:,} ({r[c]['writer']['rate']:.1f}) / "
                                                      f"{r[c]['writer']['failed']}")  # fmt: skip
    row(
        "writer: commit p50 / p95 / max ms",
        lambda r: " / ".join(fmt(r[c]["writer"][k], 1) for k in ("p50", "p95", "max")),
    )
    row(
        "freshness: answers checked / below (stale or torn) / above (torn)",
        lambda r: f"{r[c]['fresh']['checked']:,} / {r[c]['fresh']['stale']} / {r[c]['fresh']['ahead']}",
        "0 / 0",
    )
    for unit in ("city", "district", "street"):
        row(f"freshness, {unit}: checked / below / above", lambda r, u=unit: " / ".join(
            f"{n:,}" for n in r[c]["fresh"]["by_unit"][u]))  # fmt: skip
    row("final figures = SQL truth = writer's count", lambda r: "yes" if r[c]["final_ok"] else "NO")
    return "\n".join(lines)


def orchestrate(args) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(os.environ.get("LIANGXIN_VAR_DIR") or "/tmp/statsbench")
    work.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = CACHE / f"logs-{stamp}"
    log(f"stats bench: {args.orgs:,} organizations, {args.members:,} members, demo seed {args.seed}, "
        f"random-mix seed {args.mix_seed}, databases: {args.db}; work dir {work}; results {out}")  # fmt: skip
    load = os.getloadavg()
    log(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
        f"code {code_version()}")  # fmt: skip
    results = {}
    if args.prepare:  # build the cached demo cities only (e.g. both at once, before an idle measuring run)
        if args.db in ("sqlite", "both"):
            sqlite_base(args)
        if args.db in ("postgres", "both"):
            run_postgres(args, work, out, measure=False)
        return
    out.mkdir(parents=True)
    if args.db in ("sqlite", "both"):
        results["sqlite"] = run_sqlite(args, work, out)
    if args.db in ("postgres", "both"):
        results["postgresql"] = run_postgres(args, work, out)
    table = final_table(results)
    summary = {"args": vars(args), "finished": time.strftime("%Y-%m-%d %H:%M:%S"), "results": results,
               "table": table, "load_end": os.getloadavg()}  # fmt: skip
    (out / "results.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str))
    (CACHE / f"results-{base_name(args)}.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1, default=str)
    )
    print(f"\n## Coverage statistics: {args.orgs:,} organizations, {args.members:,} members "
          f"(random-mix seed {args.mix_seed})\n")  # fmt: skip
    print(table)
    load = os.getloadavg()
    print(f"\nload average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; results: {out / 'results.json'}")


# =============================================================================================
# Measuring (a subprocess per database: Django is set up on it)
# =============================================================================================
def mark_all_stale() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE stats_regionversion SET computed_version = 0")


class Units:
    def __init__(self) -> None:
        self.city = Region.objects.get(level=1)
        self.district = scope_for(User.objects.get(username="district_admin")).stats_home()[1]
        self.street = scope_for(User.objects.get(username="street_admin")).stats_home()[1]
        self.districts = list(Region.objects.filter(level=2).order_by("code"))
        self.streets = list(Region.objects.filter(level=3).order_by("code"))
        self.grids = list(Region.objects.filter(level=4).order_by("code"))


def inprocess(scope, units: Units, vendor: str, repeat: int, mix: int, mix_seed: int) -> tuple[list, list]:
    t = Thresholds.of(policy.values())

    def answer(params):
        q = engine.parse_query(params, scope)
        if q.errors:
            raise RuntimeError(f"{params}: {q.errors}")
        return engine.as_dict(engine.compute(q))

    def measure(params: dict) -> dict:
        q = engine.parse_query(params, scope)
        refreshed = None
        if not q.is_live:
            mark_all_stale()
            where = subtree_q(q.region.path, "region__path") if q.region is not None else Q()
            refreshed = len(cube.stale(where, t))
        start = time.perf_counter()
        data = answer(params)
        cold = (time.perf_counter() - start) * 1000
        samples, stale_in_warm = [], 0
        for _ in range(repeat):
            if not q.is_live:  # nothing writes now: a warm run should recompute nothing (checked, untimed)
                stale_in_warm += len(cube.stale(where, t))
            start = time.perf_counter()
            answer(params)
            samples.append((time.perf_counter() - start) * 1000)
        return {"params": params, "source": data["source"], "cold_ms": cold, "warm_ms": statistics.median(samples),
                "warm_samples": samples, "stale_in_warm": stale_in_warm, "refreshed": refreshed,
                "counted": data["measures"]["counted"]["value"]}  # fmt: skip

    print(f"\n{'case':<64}{'source':<8}{'cold ms':>10}{'warm ms':>10}  regions recomputed cold / note", flush=True)
    fixed = []
    for key, region in (("root", units.city), ("district", units.district), ("street", units.street)):
        r = measure({"region": region.code}) | {"key": key, "label": f"{key} {region.name}"}
        fixed.append(r)
        note = target_note(key, vendor, r["warm_ms"])
        print(f"{r['label']:<64}{r['source']:<8}{r['cold_ms']:>10.0f}{r['warm_ms']:>10.1f}  {r['refreshed']}  {note}",
              flush=True)  # fmt: skip

    rng = random.Random(mix_seed)
    nodes = list(scope.stats_nodes().filter(kind__in=COMMITTEE_KINDS).order_by("pk"))
    cells_filters = {
        "kind": [v for v, _ in OrgKind.choices], "sector": [v for v, _ in Sector.choices],
        "carrier_kind": [v for v, _ in CarrierKind.choices],
    }  # fmt: skip
    live_filters = {
        "industry": [v for v, _ in Industry.choices], "size": [c for c, *_ in SIZE_BANDS],
        "above_scale": ["1", "0"], "key_industry": ["1", "0"],
    }  # fmt: skip
    cases = []
    for i in range(mix):
        kind = rng.choices(["city", "district", "street", "grid", "node"], [1, 3, 4, 1, 2])[0]
        if kind == "city":
            unit, label = {"region": units.city.code}, "city"
        elif kind == "node":
            node = rng.choice(nodes)
            unit, label = {"node": str(node.pk)}, f"node {node.name}"
        else:
            region = rng.choice(
                {"district": units.districts, "street": units.streets, "grid": units.grids or units.streets}[kind]
            )
            unit, label = {"region": region.code}, f"{kind} {region.name}"
        params = dict(unit)
        cell_names = rng.sample(["kind", "carrier_kind"], rng.randint(0, 2))
        if "kind" in cell_names and rng.random() < 0.4:
            cell_names[cell_names.index("kind")] = "sector"
        live = i % 2 == 1  # half the cases need a pass over organizations
        live_names = rng.sample(list(live_filters), rng.randint(1, 2)) if live else []
        if not cell_names and not live_names:
            cell_names = [rng.choice(list(cells_filters))]
        for name in cell_names:
            params[name] = rng.choice(cells_filters[name])
        for name in live_names:
            params[name] = rng.choice(live_filters[name])
        r = measure(params)
        r["label"] = label + " " + "&".join(f"{k}={v}" for k, v in params.items() if k not in ("region", "node"))
        cases.append(r)
        print(f"{r['label'][:63]:<64}{r['source']:<8}{r['cold_ms']:>10.0f}{r['warm_ms']:>10.1f}  "
              f"{r['refreshed'] if r['refreshed'] is not None else '(live: first run)'}", flush=True)  # fmt: skip
    return fixed, cases


def baseline(repeat: int) -> dict:
    t = Thresholds.of(policy.values())
    sql = (
        "SELECT operating_region_id, COUNT(*) FILTER (WHERE status = %s AND employees >= %s) "
        "FROM orgs_organization GROUP BY operating_region_id"
    )

    def plain():
        with connection.cursor() as cursor:
            cursor.execute(sql, [OrgStatus.OPERATING.value, t.basis])
            return cursor.fetchall()

    def every():
        return list(Organization.objects.values("operating_region_id").annotate(**aggregates(t, CURRENT)).order_by())

    out = {}
    for name, func in (("plain_ms", plain), ("all_measures_ms", every)):
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            func()
            samples.append((time.perf_counter() - start) * 1000)
        out[name] = statistics.median(samples)
    return out


# -- the writer ---------------------------------------------------------------------------------
def truth(region: Region | None, basis: int) -> tuple[int, int]:
    """(counted, members) straight from the organization table: the ground truth."""
    counted = Q(status=OrgStatus.OPERATING, employees__gte=basis)
    qs = Organization.objects.all()
    if region is not None and region.level > 1:
        qs = qs.filter(subtree_q(region.path, "operating_region__path"))
    found = qs.aggregate(counted=Count("pk", filter=counted), members=Coalesce(Sum("member_count", filter=counted), 0))
    return found["counted"], found["members"]


def writer_main(config: dict) -> None:
    """Changes data through the ORM, one commit per change, and logs each commit's interval
    (monotonic clock, shared by processes) with the exact figures it leaves for three units.

    Every tracked figure only grows: the watched street S gains organizations (added, moved in,
    reopened) and members (a member changes employer to one of S's organizations); moves,
    employee changes and other employer changes only touch organizations outside S (moves
    outside the district D, or into D), and never change whether an organization is counted.
    So an answer is fresh iff it is ≥ the figure of the last commit that ended before the request
    was sent, and it can never exceed that of the last commit that began before the answer came.
    """
    rng = random.Random(config["seed"])
    t = Thresholds.of(policy.values())
    basis = t.basis
    city = Region.objects.get(level=1)
    district = Region.objects.get(code=config["district"])
    street = Region.objects.get(code=config["street"])
    in_s = list(Region.objects.filter(subtree_q(street.path)).values_list("id", flat=True))
    s_set = set(in_s)
    d_set = set(Region.objects.filter(subtree_q(district.path)).values_list("id", flat=True))
    places = list(Region.objects.filter(level__gte=3).values_list("id", flat=True))
    outside_d = [r for r in places if r not in d_set]
    d_not_s = [r for r in places if r in d_set and r not in s_set]
    code_of = dict(Region.objects.values_list("id", "code"))
    max_org = Organization.objects.order_by("-pk").values_list("pk", flat=True).first()
    max_member = Member.objects.order_by("-pk").values_list("pk", flat=True).first()

    def is_counted(o) -> bool:
        return o.status == OrgStatus.OPERATING and o.employees >= basis

    def pick_org(pred, tries=200):
        for _ in range(tries):
            o = Organization.objects.filter(pk__gte=rng.randint(1, max_org)).order_by("pk").first()
            if o is not None and pred(o):
                return o
        return None

    def pick_in_s(extra: Q):
        qs = Organization.objects.filter(operating_region_id__in=in_s).filter(extra).order_by("pk")
        n = qs.count()
        return qs[rng.randrange(n)] if n else None

    def pick_member(pred, tries=200):
        for _ in range(tries):
            m = Member.objects.filter(pk__gte=rng.randint(1, max_member), is_active=True).order_by("pk").first()
            if m is not None and pred(m):
                return m
        return None

    template_ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True)[:500])
    added = 0

    def new_org(region_id: int) -> Organization:
        nonlocal added
        added += 1
        o = Organization.objects.get(pk=rng.choice(template_ids))
        o.pk = o.id = None
        o._state.adding = True
        o.name = f"压测新增组织{added}号"
        o.credit_code = None
        o.operating_region_id = region_id
        o.carrier = None
        o.status, o.status_date = OrgStatus.OPERATING, None
        o.employees = max(basis, rng.randint(1, 400))
        o.member_count = 0
        return o

    counted_s = Q(status=OrgStatus.OPERATING, employees__gte=basis)

    def s_orgs() -> set:
        return set(Organization.objects.filter(operating_region_id__in=in_s).values_list("pk", flat=True))

    # Each op reads what it needs first (only this process changes organizations and members, so
    # what it read still holds), then returns (what, region id, deltas, the saves to commit).
    def op_add_s():
        r = rng.choice(in_s)
        o = new_org(r)
        return "add org to S", r, {"city": 1, "district": 1, "street": 1}, [o.save]

    def op_move_into_s():
        a = pick_org(lambda o: o.operating_region_id not in d_set and is_counted(o))
        b = pick_org(lambda o: o.operating_region_id not in d_set and is_counted(o) and o.pk != a.pk)
        c = pick_in_s(counted_s & Q(member_count=0))
        deltas = {"district": 0, "street": 0, "street_members": 0}
        saves = []
        for o in (a, b):
            o.operating_region_id, o.carrier = rng.choice(in_s), None
            saves.append(o.save)
            deltas["district"] += 1
            deltas["street"] += 1
            deltas["street_members"] += o.member_count
        if c is not None and d_not_s:
            c.operating_region_id, c.carrier = rng.choice(d_not_s), None
            saves.append(c.save)
            deltas["street"] -= 1
        return "move 2 orgs into S, 1 out of S", a.operating_region_id, deltas, saves

    def op_member_into_s():
        target = pick_in_s(counted_s)
        inside = s_orgs()
        m = pick_member(lambda m: m.employer_id not in inside)
        m.employer = target
        return "member's employer → S", target.operating_region_id, {"street_members": 1}, [m.save]

    def op_reopen_s():
        o = pick_in_s(~Q(status=OrgStatus.OPERATING) & Q(employees__gte=basis))
        if o is None:
            return op_add_s()
        o.status, o.status_date = OrgStatus.OPERATING, None
        deltas = {"city": 1, "district": 1, "street": 1, "street_members": o.member_count}
        return "reopen org in S", o.operating_region_id, deltas, [o.save]

    def op_move_other():
        o = pick_org(lambda o: o.operating_region_id not in d_set)
        into_d = rng.random() < 0.3
        o.operating_region_id = rng.choice(d_not_s if into_d else outside_d)
        o.carrier = None
        return "move org between streets", o.operating_region_id, {"district": int(into_d and is_counted(o))}, [o.save]

    def op_employees():
        o = pick_org(lambda o: o.operating_region_id not in s_set)
        low, high = (basis, 3000) if o.employees >= basis else (0, max(0, basis - 1))
        o.employees = rng.randint(low, high)
        return "change employees", o.operating_region_id, {}, [o.save]

    def op_member_other():
        inside = s_orgs()
        m = pick_member(lambda m: m.employer_id is not None and m.employer_id not in inside)
        m.employer = pick_org(lambda o: o.operating_region_id not in s_set)
        return "member's employer changes", m.employer.operating_region_id, {}, [m.save]

    def op_add_other():
        r = rng.choice(d_not_s) if rng.random() < 0.3 else rng.choice(outside_d)
        o = new_org(r)
        return "add org elsewhere", r, {"city": 1, "district": int(r in d_set)}, [o.save]

    ops = [(op_add_s, 15), (op_move_into_s, 10), (op_member_into_s, 10), (op_reopen_s, 5),
           (op_move_other, 20), (op_employees, 20), (op_member_other, 10), (op_add_other, 10)]  # fmt: skip
    c_counted, _ = truth(city, basis)
    d_counted, _ = truth(district, basis)
    s_counted, s_members = truth(street, basis)
    expected = {"city": c_counted, "district": d_counted, "street": s_counted, "street_members": s_members}
    connection.close()
    print("READY", flush=True)
    end = float(sys.stdin.readline().split()[1])
    out = open(config["log"], "w")
    now = time.monotonic()
    out.write(json.dumps({"i": 0, "t0": now, "t1": now, "op": "start", "exp": expected}) + "\n")
    i = failed = 0
    while time.monotonic() < end:
        func = rng.choices([f for f, _ in ops], [w for _, w in ops])[0]
        try:
            what, region_id, deltas, saves = func()
            t0 = time.monotonic()
            with transaction.atomic():
                for save in saves:
                    save()
        except Exception as exc:  # e.g. "database is locked" under load: nothing was committed
            failed += 1
            out.write(json.dumps({"failed": f"{func.__name__}: {type(exc).__name__}: {exc}"[:300]}) + "\n")
            connection.close()
            continue
        t1 = time.monotonic()
        i += 1
        for k, v in deltas.items():
            expected[k] += v
        out.write(json.dumps({"i": i, "t0": t0, "t1": t1, "op": what, "region": code_of.get(region_id),
                              "exp": dict(expected)}) + "\n")  # fmt: skip
        time.sleep(config["interval"])
    out.close()
    print(json.dumps({"commits": i, "failed": failed, "final": expected}), flush=True)


# -- the readers ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latency(answers: list[tuple], elapsed: float) -> dict:
    ok = [a for a in answers if a[4] == 200]
    by_unit = {}
    for unit in UNIT_TYPES:
        lat = [(a[3] - a[2]) * 1000 for a in ok if a[0] == unit]
        by_unit[unit] = {"n": len(lat), "p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat, default=float("nan")),
                         "per_s": len(lat) / elapsed}  # fmt: skip
    return {"by_unit": by_unit, "throughput": len(ok) / elapsed, "errors": len(answers) - len(ok)}


def concurrency(units: Units, args, var: Path, vendor: str) -> dict:
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=User.objects.get(username="city_admin"))[0].key
    rng = random.Random(args.mix_seed + 1)
    watched_street = rng.choice([s for s in units.streets if s.parent_id != units.city.pk])
    watched_district = Region.objects.get(pk=watched_street.parent_id)
    basis = Thresholds.of(policy.values()).basis
    connections.close_all()
    env = dict(os.environ)
    port = free_port()
    server_log = var / "server.log"
    if args.server == "gunicorn":  # the production server (docs/operations.md)
        command = [str(PY.parent / "gunicorn"), "liangxin.wsgi", "--workers", str(args.workers), "--threads", "2",
                   "--bind", f"127.0.0.1:{port}", "--chdir", str(MANAGE.parent)]  # fmt: skip
        server_name = f"gunicorn --workers {args.workers} --threads 2"
    else:
        command = [str(PY), str(MANAGE), "runserver", "--noreload", f"127.0.0.1:{port}"]
        server_name = "runserver (threaded, one process)"
    server = subprocess.Popen(command, env=env, stdout=open(server_log, "w"), stderr=subprocess.STDOUT)
    writer_log = var / "writer.jsonl"
    writer = None
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                conn.request("GET", f"/api/v1/stats/coverage/?region={units.city.code}",
                             headers={"Authorization": f"Token {token}"})  # fmt: skip
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    break
                raise RuntimeError(f"server answered {resp.status}")
            except (ConnectionError, OSError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"the server did not come up, see {server_log}") from None
                time.sleep(0.5)
        log(f"API server up: {server_name} on port {port}")
        single = {}  # one client, no writer: the server's own cost, without queueing
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for unit, region in (("city", units.city), ("district", units.district), ("street", units.street)):
            lat = []
            for _ in range(1 + args.single):
                sent = time.monotonic()
                conn.request("GET", f"/api/v1/stats/coverage/?region={region.code}",
                             headers={"Authorization": f"Token {token}"})  # fmt: skip
                resp = conn.getresponse()
                size = len(resp.read())
                lat.append((time.monotonic() - sent) * 1000)
                if resp.will_close:
                    conn.close()
            single[unit] = {
                "region": region.name,
                "p50": statistics.median(lat[1:]),
                "max": max(lat[1:]),
                "bytes": size,
            }
        conn.close()
        log(
            "one client, no writer (first answer not counted): "
            + "; ".join(
                f"{u} {v['region']} p50 {v['p50']:.0f} ms, max {v['max']:.0f} ms, {v['bytes']:,} bytes"
                for u, v in single.items()
            )
        )
        config = {"seed": args.mix_seed + 2, "district": watched_district.code, "street": watched_street.code,
                  "interval": args.write_interval, "log": str(writer_log)}  # fmt: skip
        writer = subprocess.Popen([str(PY), __file__, "--_writer", json.dumps(config)], env=env, text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
        if writer.stdout.readline().strip() != "READY":
            raise RuntimeError("the writer did not start")

        def clients(seconds: float, salt: int) -> tuple[list[tuple], float, float]:
            """``args.clients`` threads asking in a closed loop for ``seconds``; (answers, start, end)."""
            start = time.monotonic()
            end = start + seconds
            answers: list[tuple] = []
            lock = threading.Lock()

            def client(n: int) -> None:
                crng = random.Random(args.mix_seed * 100 + n + salt)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                mine = []
                while time.monotonic() < end:
                    unit = crng.choice(UNIT_TYPES)
                    if unit == "city":
                        region = units.city
                    elif unit == "district":
                        region = watched_district if crng.random() < 0.5 else crng.choice(units.districts)
                    else:
                        region = watched_street if crng.random() < 0.5 else crng.choice(units.streets)
                    sent = time.monotonic()
                    try:
                        conn.request("GET", f"/api/v1/stats/coverage/?region={region.code}",
                                     headers={"Authorization": f"Token {token}"})  # fmt: skip
                        resp = conn.getresponse()
                        body = resp.read()
                        got = time.monotonic()
                        if resp.will_close:
                            conn.close()
                            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                        if resp.status != 200:
                            text = body[:200].decode(errors="replace")
                            mine.append((unit, region.code, sent, got, resp.status, None, None, text))
                            continue
                        data = json.loads(body)
                        mine.append((unit, region.code, sent, got, 200, data["measures"]["counted"]["value"],
                                     data["measures"]["members"]["value"], data["source"]))  # fmt: skip
                    except (OSError, http.client.HTTPException) as exc:
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                        mine.append((unit, region.code, sent, time.monotonic(), 0, None, None, repr(exc)))
                conn.close()
                with lock:
                    answers.extend(mine)

            threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            return answers, start, time.monotonic()

        quiet = None
        if args.quiet_duration > 0:
            log(f"{args.clients} clients for {args.quiet_duration} s, no writer (same mix)")
            answers, start, stop = clients(args.quiet_duration, 7)
            quiet = latency(answers, stop - start)
        start = time.monotonic()
        writer.stdin.write(f"go {start + args.duration}\n")
        writer.stdin.flush()
        log(f"{args.clients} clients for {args.duration} s: city root / a district (½ {watched_district.name}) / "
            f"a street (½ {watched_street.name}, watched); writer every {args.write_interval} s")  # fmt: skip
        answers, start, stop = clients(args.duration, 0)
        elapsed = stop - start
        last = writer.stdout.readline()
        writer.wait(timeout=120)
        summary = json.loads(last)
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    commits, failures = [], []
    for line in writer_log.read_text().splitlines():
        entry = json.loads(line)
        (failures if "failed" in entry else commits).append(entry)
    ends = [c["t1"] for c in commits]
    starts = [c["t0"] for c in commits]
    checks = {"city": (units.city.code, "city", None), "district": (watched_district.code, "district", None),
              "street": (watched_street.code, "street", "street_members")}  # fmt: skip
    # below: under the figure of the last commit ended before the request (stale, or torn);
    # above: over the figure of every commit begun before the answer came (torn: never a real state)
    fresh = {"checked": 0, "stale": 0, "ahead": 0, "by_unit": {u: [0, 0, 0] for u in checks}, "examples": []}
    by_code = {code: (unit, key, mkey) for unit, (code, key, mkey) in checks.items()}
    ok = [a for a in answers if a[4] == 200]
    for unit, code, sent, got, _, counted, members, source in ok:
        if code not in by_code or by_code[code][0] != unit:
            continue
        _, key, mkey = by_code[code]
        lo = max(bisect.bisect_right(ends, sent) - 1, 0)  # last commit ended before the request was sent
        hi = bisect.bisect_right(starts, got) - 1  # last commit begun before the answer came
        fresh["checked"] += 1
        fresh["by_unit"][unit][0] += 1
        pairs = [(key, counted)] + ([(mkey, members)] if mkey else [])
        for k, value in pairs:
            low, high = commits[lo]["exp"][k], commits[hi]["exp"][k]
            if value < low or value > high:
                fresh["stale" if value < low else "ahead"] += 1
                fresh["by_unit"][unit][1 if value < low else 2] += 1
                if len(fresh["examples"]) < 8:
                    fresh["examples"].append({"unit": unit, "measure": k, "answer": value, "expected_min": low,
                                              "expected_max": high, "sent": sent, "commit_lo": lo, "commit_hi": hi,
                                              "source": source,
                                              "ops_between": [c["op"] for c in commits[lo + 1 : hi + 1]]})  # fmt: skip
                break

    loaded = latency(answers, elapsed)
    errors = [a for a in answers if a[4] != 200]
    commit_ms = [(c["t1"] - c["t0"]) * 1000 for c in commits[1:]]

    # after the run: the engine, the table and the writer must agree exactly
    connections.close_all()
    scope = scope_for(User.objects.get(username="city_admin"))
    final = {}
    final_ok = True
    for unit, (code, key, mkey) in checks.items():
        region = Region.objects.get(code=code)
        data = engine.as_dict(engine.compute(engine.parse_query({"region": code}, scope)))
        got_pair = (data["measures"]["counted"]["value"], data["measures"]["members"]["value"])
        table = truth(region, basis)
        final[unit] = {"engine": got_pair, "sql": table, "writer": summary["final"][key]}
        final_ok &= got_pair == table and table[0] == summary["final"][key]
        if mkey:
            final[unit]["writer_members"] = summary["final"][mkey]
            final_ok &= table[1] == summary["final"][mkey]
    return {
        "server": server_name,
        "single": single,
        "clients": args.clients, "duration_s": elapsed, "by_unit": loaded["by_unit"], "quiet": quiet,
        "throughput": loaded["throughput"], "errors": len(errors),
        "error_examples": [e[4:] for e in errors[:5]],
        "writer": {"commits": len(commits) - 1, "failed": len(failures), "rate": (len(commits) - 1) / elapsed,
                   "p50": pct(commit_ms, 50), "p95": pct(commit_ms, 95), "max": max(commit_ms, default=float("nan")),
                   "failure_examples": [f["failed"] for f in failures[:5]],
                   "ops": {op: sum(c["op"] == op for c in commits) for op in {c["op"] for c in commits}}},
        "fresh": fresh, "final": final, "final_ok": bool(final_ok),
        "watched": {"street": f"{watched_street.code} {watched_street.name}",
                    "district": f"{watched_district.code} {watched_district.name}"},
        "answers_by_source": {s: sum(a[7] == s for a in ok) for s in {a[7] for a in ok}},
    }  # fmt: skip


def measure_main(args) -> None:
    result_path = Path(args._measure)
    var = Path(os.environ["LIANGXIN_VAR_DIR"])
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    units = Units()
    scope = scope_for(User.objects.get(username="city_admin"))
    meta = {
        "vendor": vendor, "organizations": Organization.objects.count(), "members": Member.objects.count(),
        "regions": Region.objects.count(), "streets": len(units.streets), "grids": len(units.grids),
        "database_version": connection.cursor().connection.info.server_version if vendor == "postgresql"
        else sqlite3.sqlite_version, "load_start": os.getloadavg(), "code": code_version(),
    }  # fmt: skip
    print(f"\n### {vendor}: {meta['organizations']:,} organizations, {meta['members']:,} members, "
          f"{meta['regions']} regions ({meta['streets']} streets, {meta['grids']} grids); "
          f"in-process parse_query + compute + as_dict, warm = median of {args.repeat}; "
          f"random-mix seed {args.mix_seed}", flush=True)  # fmt: skip
    fixed, mix = inprocess(scope, units, vendor, args.repeat, args.mix, args.mix_seed)
    mark_all_stale()
    engine.compute(engine.parse_query({}, scope))  # every cell current again before counting them
    meta["cells"] = Cell.objects.count()
    base = baseline(args.repeat)
    root_warm = fixed[0]["warm_ms"]
    print(f"\nbaseline, one GROUP BY over orgs_organization (median of {args.repeat}):\n"
          f"  one conditional count per region: {base['plain_ms']:.0f} ms = {base['plain_ms'] / root_warm:.1f}× the "
          f"city root warm ({root_warm:.1f} ms)\n"
          f"  all 23 measures per region (what a full cell rebuild aggregates): {base['all_measures_ms']:.0f} ms",
          flush=True)  # fmt: skip
    meta["load_inprocess_end"] = os.getloadavg()
    conc = concurrency(units, args, var, vendor)
    print(f"\nconcurrency: {conc['server']}, {args.clients} client threads, {conc['duration_s']:.0f} s; "
          f"writer {conc['writer']['commits']:,} commits ({conc['writer']['rate']:.1f}/s, "
          f"{conc['writer']['failed']} failed; commit p50/p95/max {conc['writer']['p50']:.1f} / "
          f"{conc['writer']['p95']:.1f} / {conc['writer']['max']:.0f} ms)", flush=True)  # fmt: skip
    print(f"{'phase':<14}{'unit':<10}{'answers':>9}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target")
    phases = [("no writer", conc["quiet"]), ("with writer", conc)] if conc["quiet"] else [("with writer", conc)]
    for phase, figures in phases:
        for unit in UNIT_TYPES:
            u = figures["by_unit"][unit]
            note = target_note({"city": "root", "street": "street"}.get(unit, ""), vendor, u["p95"])
            print(f"{phase:<14}{unit:<10}{u['n']:>9,}{u['per_s']:>8.1f}{u['p50']:>9.0f}{u['p95']:>9.0f}"
                  f"{u['max']:>9.0f}  {note}")  # fmt: skip
        print(f"{phase:<14}{'all':<10}{'':>9}{figures['throughput']:>8.1f}  answers/s, errors {figures['errors']}")
    f = conc["fresh"]
    print(f"errors {conc['errors']} {conc['error_examples'][:2]}")
    print(
        f"freshness (watched: {conc['watched']['street']}, {conc['watched']['district']}, city root): "
        f"{f['checked']:,} answers checked, {f['stale']} below the last commit before the request (stale or torn), "
        f"{f['ahead']} above every commit begun before the answer (torn); [checked, below, above] by unit: "
        f"{f['by_unit']}"
    )
    for example in f["examples"][:4]:
        print(f"  e.g. {example}")
    print(f"final figures (engine, SQL, writer): {conc['final']} → {'agree' if conc['final_ok'] else 'DISAGREE'}")
    print(f"writer ops: {conc['writer']['ops']}; failures: {conc['writer']['failure_examples'][:2]}", flush=True)
    meta["load_end"] = os.getloadavg()
    result_path.write_text(json.dumps({"meta": meta, "inprocess": fixed, "mix": mix, "baseline": base,
                                       "concurrency": conc}, ensure_ascii=False, default=str))  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=None, help="default: half the organizations")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=2026, help="seed_demo's seed (part of the cache key)")
    parser.add_argument("--mix-seed", type=int, default=None, help="random mix and units (default: the time)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mix", type=int, default=20, help="random filter combinations")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--quiet-duration", type=float, default=20, help="the same clients first, without the writer")
    parser.add_argument("--write-interval", type=float, default=0.05, help="writer's pause after each commit, s")
    parser.add_argument("--single", type=int, default=15, help="answers per unit with one client, before the load")
    parser.add_argument("--pg-port", type=int, default=54361)
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--prepare", action="store_true", help="only build (and cache) the demo cities")
    parser.add_argument("--_measure", help=argparse.SUPPRESS)
    parser.add_argument("--_writer", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._writer:
        return writer_main(json.loads(args._writer))
    if args.members is None:
        args.members = args.orgs // 2
    if args.mix_seed is None:
        args.mix_seed = int(time.time())
    if args._measure:
        return measure_main(args)
    orchestrate(args)


if __name__ == "__main__":
    main()
