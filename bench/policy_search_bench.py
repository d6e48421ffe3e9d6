"""政策文件库 full-text search at 10,000 documents, on SQLite and on PostgreSQL.

Generates documents of realistic Chinese text (sentences built from a vocabulary of party-building
terms, 600–2,000 characters each, each treating one to three of 35 specific topics such as 快递小哥
or 律师行业, 文号 and 发文机关 like real ones), spread over a small management
tree (city, districts, streets, a branch) with a third addressed to everyone, then measures:

- index: ``portal.search.rebuild_index()`` over every document (jieba segmentation in Python plus
  the inserts), and its documents per second;
- search: ``portal.search.search(q, visible, limit=20)`` as the list page calls it — the count,
  one ranked page and the highlighted title and snippet of each hit — over the documents a branch
  secretary may read (the scope's queryset, a subquery), median and p95 over ``--repeat`` runs
  after one warm-up, for several queries (whole words, a word inside a longer one, a single
  character, two words);
- baseline: the naive way in the same run — ``icontains`` over title and full text (each word ANDed),
  counted and the newest 20 read, unranked and unhighlighted — and the ratio baseline ÷ ours.

Usage::

    .venv/bin/python bench/policy_search_bench.py                 # both engines, 10,000 documents
    .venv/bin/python bench/policy_search_bench.py --db sqlite --docs 2000 --repeat 5

Each engine runs in a child process on a fresh database: SQLite in a temporary ``LIANGXIN_VAR_DIR``,
PostgreSQL on a throw-away server (``scripts/pg.sh run``). Target: a search ≤ 100 ms. Not a test:
figures only, never a failure.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0
QUERIES = [
    ("快递小哥", "少见的词（约 3%）"),
    ("律师行业 党建联盟", "两个少见的词"),
    ("覆盖", "一个词"),
    ("党建", "一个词（几乎每份都有）"),
    ("两新组织党建", "短语"),
    ("导员", "长词中的两个字"),
    ("流动党员 组织关系", "两个词"),
    ("会", "单字"),
    ("区块链", "没有的词"),
]

SUBJECTS = [
    "各级党组织", "街道综合党委", "区社会工作党委", "两新组织党组织", "非公企业党支部", "社会组织党组织",
    "党建工作指导员", "专职党群工作者", "行业党委", "楼宇联合党支部", "园区党委", "基层党组织书记",
]  # fmt: skip
VERBS = [
    "认真落实", "深入推进", "切实加强", "全面开展", "扎实做好", "进一步规范", "积极探索", "统筹推进",
    "持续深化", "严格执行", "定期检查", "及时报告",
]  # fmt: skip
OBJECTS = [
    "两个覆盖工作", "党的组织覆盖和工作覆盖", "三会一课制度", "组织生活会", "民主评议党员", "主题党日活动",
    "发展党员工作", "党费收缴管理", "流动党员管理", "组织关系转接", "党务公开", "五个好创建",
    "区域化党建", "党建阵地建设", "双达标工作", "党组织书记轮训", "党员教育管理", "入党积极分子培养",
    "空白点排查", "规模以上企业党建", "商务楼宇党建", "志愿服务", "党建带群建", "十个有标准",
]  # fmt: skip
MANNERS = [
    "按照上级党委的部署", "结合本单位实际", "在年度工作中", "以提升组织力为重点", "坚持属地管理原则",
    "对照问题清单", "在三年行动计划中", "围绕中心工作", "根据党章和党内法规",
]  # fmt: skip
# specific topics: each document treats one to three, so each is found in a few percent of them
TOPICS = [
    "快递小哥", "网约车司机", "外卖骑手", "律师行业", "会计师事务所", "社会组织孵化基地", "商务楼宇党建联盟",
    "产业园区党群服务中心", "跨国公司", "港澳台资企业", "民办学校", "民营医院", "养老服务机构", "物业服务企业",
    "电子商务平台", "互联网企业", "文化创意园区", "人力资源服务机构", "行业协会商会", "基金会",
    "小微企业", "个体工商户", "新就业群体", "流动党员服务站", "红色物业", "两新组织出资人", "科创企业",
    "金融机构", "建筑企业", "餐饮行业", "旅游景区", "专业市场", "商业街区", "集贸市场", "物流园区",
]  # fmt: skip
ENDS = [
    "，确保取得实效。",
    "，形成长效机制。",
    "，并将情况书面报告。",
    "，做到应建尽建。",
    "。",
    "，不断提高工作水平。",
]
ISSUERS = ["中共上海市社会工作委员会", "黄浦区社会工作党委", "徐汇区社会工作党委", "南京东路街道综合党委", "市委组织部"]
CATEGORIES = ["central", "city", "district", "street", "rules", "study"]


def sentence(rng: random.Random) -> str:
    return (
        rng.choice(MANNERS)
        + "，"
        + rng.choice(SUBJECTS)
        + "要"
        + rng.choice(VERBS)
        + rng.choice(OBJECTS)
        + rng.choice(ENDS)
    )


def topic_sentence(rng: random.Random, topic: str) -> str:
    return (
        f"针对{topic}的特点，{rng.choice(SUBJECTS)}要{rng.choice(VERBS)}{topic}{rng.choice(OBJECTS)}{rng.choice(ENDS)}"
    )


def document_text(rng: random.Random) -> str:
    paragraphs = [topic_sentence(rng, topic) for topic in rng.sample(TOPICS, rng.randint(1, 3))]
    target = rng.randint(600, 2000)
    size = 0
    number = 1
    while size < target:
        para = f"{'一二三四五六七八九十'[(number - 1) % 10]}、" + "".join(
            sentence(rng) for _ in range(rng.randint(2, 6))
        )
        paragraphs.append(para)
        size += len(para)
        number += 1
    return "\n".join(paragraphs)


def title(rng: random.Random) -> str:
    kind = rng.choice(["通知", "意见", "实施办法", "工作要点", "指导意见"])
    return f"关于{rng.choice(VERBS)}{rng.choice(OBJECTS)}的{kind}"


def timed(fn, repeat: int) -> tuple[float, float, object]:
    fn()  # warm-up: plans, caches, jieba's dictionary
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return statistics.median(samples), p95, result


def inner(docs: int, repeat: int) -> dict:
    """Runs in the child: a fresh database, the documents, the figures (as JSON on stdout)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    call_command("migrate", verbosity=0)
    from liangxin.accounts.models import RoleAssignment, User
    from liangxin.accounts.scoping import scope_for
    from liangxin.core import bulk
    from liangxin.mgmt.models import ManagementNode
    from liangxin.portal import search
    from liangxin.portal.models import PolicyDocument

    city = ManagementNode.objects.create(name="市社会工作党委", kind="city")
    districts = [
        ManagementNode.objects.create(name=f"第{i}区社会工作党委", kind="district", parent=city) for i in (1, 2)
    ]
    streets = [
        ManagementNode.objects.create(name=f"第{d.pk}{i}街道综合党委", kind="street", parent=d)
        for d in districts
        for i in (1, 2)
    ]
    branch = ManagementNode.objects.create(name="某公司党支部", kind="grassroots", parent=streets[0])
    secretary = User.objects.create_user(username="bench_secretary", password="x" * 12)
    RoleAssignment.objects.create(user=secretary, role="secretary", node=branch)
    nodes = [city, *districts, *streets]

    rng = random.Random(20261205)
    start_on = datetime.date(2005, 1, 1)
    rows = []
    for i in range(docs):
        rows.append(
            {
                "title": title(rng),
                "number": f"沪社工委〔{2005 + i % 20}〕{i % 300 + 1}号",
                "issuer": rng.choice(ISSUERS),
                "issued_on": start_on + datetime.timedelta(days=rng.randint(0, 7300)),
                "category": rng.choice(CATEGORIES),
                "body": document_text(rng),
                "to_everyone": rng.random() < 0.33,
                "node_id": rng.choice(nodes).pk,
            }
        )
    chars = sum(len(r["body"]) for r in rows)
    bulk.insert(PolicyDocument, rows)

    start = time.perf_counter()
    indexed = search.rebuild_index()
    index_s = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {search.TSV_TABLE}")
            cursor.execute("ANALYZE portal_policydocument")

    visible = scope_for(secretary).policy_documents()
    everything = PolicyDocument.objects.all()

    def ours(q, qs):
        return lambda: (lambda page: (page.total, len(page.hits)))(search.search(q, qs, limit=20))

    def naive(q, qs):
        def run():
            cond = Q()
            for word in q.split():
                cond &= Q(title__icontains=word) | Q(body__icontains=word)
            found = qs.filter(cond).order_by("-issued_on", "-id")
            return found.count(), len(list(found[:20]))

        return run

    results = []
    for q, what in QUERIES:
        for label, qs in (("书记可见", visible), ("全部", everything)):
            ms, p95, (total, shown) = timed(ours(q, qs), repeat)
            base_ms, base_p95, (base_total, _) = timed(naive(q, qs), max(3, repeat // 4))
            results.append(
                {"q": q, "what": what, "set": label, "total": total, "shown": shown, "ms": ms, "p95": p95,
                 "naive_ms": base_ms, "naive_p95": base_p95, "naive_total": base_total}
            )  # fmt: skip
    return {
        "vendor": connection.vendor,
        "docs": indexed,
        "chars": chars,
        "visible": visible.count(),
        "index_s": index_s,
        "results": results,
    }


def run_engine(db: str, docs: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "LIANGXIN_VAR_DIR": var}
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--inner",
            "--docs",
            str(docs),
            "--repeat",
            str(repeat),
        ]
        env.pop("DATABASE_URL", None)  # SQLite under the fresh VAR_DIR; pg.sh sets its own
        if db == "postgres":
            command = [str(ROOT / "scripts" / "pg.sh"), "run", "--", *command]
        out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{db}: the child failed ({out.returncode})")
        return json.loads(out.stdout.strip().splitlines()[-1])


def report(figures: dict) -> None:
    name = {"sqlite": "SQLite (FTS5, bm25)", "postgresql": "PostgreSQL (tsvector + GIN, ts_rank)"}[figures["vendor"]]
    print(
        f"\n== {name}: {figures['docs']:,} 份政策文件, 正文 {figures['chars']:,} 字；书记可见 {figures['visible']:,} 份"
    )
    rate = figures["docs"] / figures["index_s"]
    print(f"建索引（jieba 分词 + 写入）: {figures['index_s']:.1f} s, {rate:,.0f} 份/s")
    print(f"{'查询':<12}{'类型':<16}{'范围':<6}{'命中':>7}{'中位 ms':>9}{'p95 ms':>8}", end="")
    print(f"{'≤100ms':>8}{'icontains ms':>14}{'倍数':>7}")
    for r in figures["results"]:
        ok = "是" if r["p95"] <= TARGET_MS else "否"
        ratio = r["naive_ms"] / r["ms"] if r["ms"] else float("inf")
        print(
            f"{r['q']:<12}{r['what']:<16}{r['set']:<6}{r['total']:>7,}{r['ms']:>9.1f}{r['p95']:>8.1f}{ok:>8}"
            f"{r['naive_ms']:>14.1f}{ratio:>6.1f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(inner(args.docs, args.repeat), ensure_ascii=False))
        return
    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in engines:
        report(run_engine(db, args.docs, args.repeat))
    print(f"\n目标：一次检索 ≤ {TARGET_MS:.0f} ms（p95）；倍数 = icontains 朴素检索耗时 ÷ 全文检索耗时（同一次运行）。")


if __name__ == "__main__":
    main()
