"""报送任务 at a city's size: send a task to every party organization, then collect the answers.

Usage (a fresh database: builds its own tree, not the demo's)::

    LIANGXIN_VAR_DIR=$(mktemp -d) python bench/reporting_bench.py [--nodes 80000] [--streets 200]
    # PostgreSQL: scripts/pg.sh run -- env LIANGXIN_VAR_DIR=$(mktemp -d) python bench/reporting_bench.py

Builds one city, 16 districts, ``--streets`` streets and ``--nodes`` grassroots nodes (paths
written directly: loading, not a measured step), then measures ``services.create_task`` (the
assignments, one per node), writes one answer per node directly (loading again: the answering
service is per node, measured by the tests), and measures ``services.collect`` and writing the
collected sheet (``reporting.exports.collected`` → ``core.xlsx.write_workbook``).
Then the Excel-template kind: a template task to the same nodes, ``--rows`` rows per node written
directly, and the collected sheet streamed (``template_tasks.collect`` →
``exports.template_collected`` → a constant-memory workbook), with the process's peak memory
before and after. Prints seconds per step. Not a test: figures only.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=80_000)
    parser.add_argument("--streets", type=int, default=200)
    parser.add_argument("--rows", type=int, default=2, help="rows per node in the template task")
    args = parser.parse_args()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from liangxin.accounts.models import User
    from liangxin.core import bulk
    from liangxin.core.xlsx import write_workbook
    from liangxin.mgmt.models import ManagementNode
    from liangxin.reporting import exports, services
    from liangxin.reporting.models import ReportAssignment, ReportForm, ReportSubmission

    if ManagementNode.objects.exists():
        raise SystemExit("请使用空数据库运行（LIANGXIN_VAR_DIR 指向新目录）")
    city = ManagementNode.objects.create(name="市级党委", kind="city")
    districts = [ManagementNode.objects.create(name=f"区{i}", kind="district", parent=city) for i in range(16)]
    streets = [
        ManagementNode.objects.create(name=f"街道{i}", kind="street", parent=districts[i % 16])
        for i in range(args.streets)
    ]
    next_id = ManagementNode.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    rows = []
    for i in range(args.nodes):
        street = streets[i % len(streets)]
        pk = next_id + i
        rows.append({"id": pk, "name": f"党支部{i}", "kind": "grassroots", "parent_id": street.pk,
                     "path": f"{street.path}{pk}/", "is_active": True})  # fmt: skip
    bulk.insert(ManagementNode, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('mgmt_managementnode', 'id'), %s)", [next_id + args.nodes]
            )
    admin = User.objects.create_user(username="bench_city", password="x")
    form = ReportForm.objects.get(name="两新组织覆盖情况月报")
    today = timezone.localdate()

    start = time.perf_counter()
    task = services.create_task(
        admin, city, form, title="全市月报", period_start=today.replace(day=1), period_end=today,
        deadline=today + datetime.timedelta(days=7), rule="kinds", kinds=["grassroots"],
    )  # fmt: skip
    sent = time.perf_counter() - start
    print(f"发起报送：{task.assignments.count()} 个单位，{sent:.1f} 秒")

    now = timezone.now()
    ids = list(task.assignments.values_list("pk", flat=True))
    bulk.insert(ReportSubmission, (
        {"assignment_id": pk, "version": 1, "values": {"orgs_counted": "3", "new_party_orgs": str(pk % 3),
         "progress": "按计划推进"}, "prefilled": {}, "corrections": {}, "submitted_by_name": "书记",
         "submitted_at": now, "late": False}
        for pk in ids
    ))  # fmt: skip
    ReportAssignment.objects.filter(task=task).update(state="submitted", version=1, submitted_at=now)

    start = time.perf_counter()
    collected = services.collect(task)
    collecting = time.perf_counter() - start
    start = time.perf_counter()
    export = exports.collected(collected)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        written = write_workbook(handle.name, export.title, [], export.columns, export.rows)
    writing = time.perf_counter() - start
    print(f"收集汇总：{len(collected.rows)} 行、{len(collected.subtotals)} 个小计，读取 {collecting:.1f} 秒，"
          f"写入表格 {written} 行 {writing:.1f} 秒")  # fmt: skip
    del collected, export
    template_bench(admin, city, today, args.rows)


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def template_bench(admin, city, today, per_node: int) -> None:
    import io

    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from liangxin.core import bulk
    from liangxin.core.xlsx import write_workbook
    from liangxin.reporting import exports, services
    from liangxin.reporting import template_tasks as tt
    from liangxin.reporting.models import ReportAssignment, ReportSubmission

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("清单").write_row(0, 0, ["项目名称", "参与党员数", "开展日期", "类别"])
    book.close()
    form = tt.create_template(admin, city, name="党建项目清单", description="",
                              upload=SimpleUploadedFile("清单.xlsx", buffer.getvalue()))  # fmt: skip
    specs = {"c1": tt.ColumnSpec("text", True), "c2": tt.ColumnSpec("number", True),
             "c3": tt.ColumnSpec("date", False), "c4": tt.ColumnSpec("choice", False, ["学习", "服务"])}  # fmt: skip
    form = tt.set_columns(admin, form, specs)
    start = time.perf_counter()
    task = services.create_task(
        admin, city, form, title="全市党建项目", period_start=today.replace(day=1), period_end=today,
        deadline=today + datetime.timedelta(days=7), rule="kinds", kinds=["grassroots"],
    )  # fmt: skip
    print(f"模板任务发起：{task.assignments.count()} 个单位，{time.perf_counter() - start:.1f} 秒")
    now = timezone.now()
    answers = task.assignments.values_list("pk", "node_id", "node__name")
    bulk.insert(ReportSubmission, (
        {"assignment_id": pk, "version": 1, "values": {}, "prefilled": {}, "corrections": {},
         "rows": [[name, str(node_id), f"项目{j}", str(node_id % 7 + j), "2026-03-01", "学习"]
                  for j in range(per_node)],
         "submitted_by_name": "书记", "submitted_at": now, "late": False}
        for pk, node_id, name in answers.iterator(chunk_size=5000)
    ))  # fmt: skip
    ReportAssignment.objects.filter(task=task).update(state="submitted", version=1, submitted_at=now)
    before = _peak_mb()
    start = time.perf_counter()
    export = exports.template_collected(task)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        written = write_workbook(handle.name, export.title, [], export.columns, export.rows)
        size = os.path.getsize(handle.name) / 1024 / 1024
    took = time.perf_counter() - start
    print(f"模板收集汇总（流式）：写入 {written} 行（含小计）{took:.1f} 秒，文件 {size:.1f} MB；"
          f"进程内存峰值 {before:.0f} MB → {_peak_mb():.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
