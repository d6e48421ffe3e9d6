"""Running an import job: read the file in batches, prepare rows on both cores, apply each
batch in one transaction together with the job's checkpoint, report every rejected row.

Consistency: a batch's rows, its rejections and the job's checkpoint (``rows_done``) commit
together, so a process killed mid-file leaves whole batches only; ``run`` on the same job
resumes after the checkpoint. All-or-nothing runs a checking pass first and writes only if
every row passed, in one transaction.
"""

import contextlib
import datetime
import gc
import hashlib
import multiprocessing
import os
import shutil
import signal
import socket
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from liangxin.core import audit, files
from liangxin.core.models import AuditAction
from liangxin.core.origin import DEFAULT_ORIGIN, current_origin, reset_origin, set_origin

from . import cells
from .kinds import get_kind
from .models import ImportBatch, ImportJob, JobStatus, RejectedRow
from .reading import Source, UnusableFile
from .spec import Column, HeaderMap, Kind, Outcome, Prepared, find_header

BATCH = 5000  # rows a transaction: fewer commits (each one a WAL checkpoint on SQLite), bounded memory
PARALLEL_FROM_ROWS = 20_000  # smaller files are prepared in this process (forking costs more)
HEADER_SEARCH_ROWS = 30
Progress = Callable[[ImportJob], None]
TOTALS = {"_totals": True}  # the values of a skipped 合计 row (checked by key: workers send copies)


class Rollback(Exception):
    """Raised inside the all-or-nothing transaction when a row fails at writing time."""


# -- submitting --------------------------------------------------------------------------------
def store_upload(handle, file_name: str) -> tuple[str, str, int]:
    """Copy an upload (a file object) under IMPORT_DIR; returns (path, sha256, size)."""
    directory = settings.IMPORT_DIR / timezone.localdate().strftime("%Y%m")
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    limit = settings.IMPORT_MAX_BYTES
    tmp = directory / f".upload-{os.getpid()}-{id(handle)}"
    # encrypted with the field keys, 0600 (core/files.py): a roll holds identity numbers
    with files.EncryptedWriter(tmp) as out:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            size += len(chunk)
            if size > limit:
                out.abort()
                raise UnusableFile(f"文件过大，单个文件不能超过 {limit / 1024**2:.0f} MB")
            digest.update(chunk)
            out.write(chunk)
    path = directory / f"{digest.hexdigest()[:16]}-{timezone.now():%H%M%S%f}{_suffix(file_name)}"
    shutil.move(tmp, path)
    return str(path), digest.hexdigest(), size


def _suffix(name: str) -> str:
    lower = name.lower()
    return ".xlsx" if lower.endswith(".xlsx") else ".csv" if lower.endswith((".csv", ".txt")) else ""


def create_job(
    actor, kind: str, handle, file_name: str, *, dry_run=False, all_or_nothing=False, origin=""
) -> ImportJob:
    if get_kind(kind) is None:
        raise UnusableFile(f"未知的导入类型：{kind}")
    path, digest, size = store_upload(handle, file_name)
    return ImportJob.objects.create(
        kind=kind,
        file_name=os.path.basename(file_name)[:200],
        file_sha256=digest,
        file_size=size,
        stored_path=path,
        actor=actor,
        origin=origin[:100],
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
    )


def rerun_job(job: ImportJob, actor, *, dry_run: bool) -> ImportJob:
    """A new job on the file an earlier one kept (重新导入, or 正式导入 after a trial)."""
    return ImportJob.objects.create(
        kind=job.kind,
        file_name=job.file_name,
        file_sha256=job.file_sha256,
        file_size=job.file_size,
        stored_path=job.stored_path,
        actor=actor,
        origin=current_origin(),
        dry_run=dry_run,
        all_or_nothing=job.all_or_nothing,
    )


# -- workers -----------------------------------------------------------------------------------
@dataclass
class _WorkerState:
    kind: Kind
    header: HeaderMap
    decode: Callable
    ctx: object = None  # the job's lookups, for ``Kind.look_up`` (copied into forked workers)


_STATE: _WorkerState | None = None  # set before forking; read by the worker processes


class JobTooLong(UnusableFile):
    """The job ran past ``IMPORT_JOB_SECONDS``: it fails with this reason; the worker goes on."""


class _RunState:
    """What one run keeps beside the job: its header, the 合计 rows skipped, its deadline."""

    def __init__(self, header=None, seconds: int | None = None) -> None:
        self.header = header
        self.totals: list[int] = []
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise JobTooLong(time_limit_message(self.seconds))


def time_limit_message(seconds: int) -> str:
    return f"导入用时超过上限（{seconds} 秒），已停止；已写入的批次保留，请拆分文件后导入其余的行"


_RUN = _RunState()


TOTALS_WORDS = ("合计", "总计", "小计")


def is_totals_row(decoded: list) -> bool:
    """A ledger's 合计/总计/小计 line: those words open its first text cell (numbers — a 序号
    column, the sums — do not count as text)."""
    for cell in decoded:
        if isinstance(cell, str) and cell.strip():
            return "".join(cell.split()).startswith(TOTALS_WORDS)
    return False


def _prepare_chunk(chunk: list[tuple[int, object]]) -> list[Prepared]:
    state = _STATE
    out = []
    for number, raw in chunk:
        decoded = state.decode(raw)
        if all(cells.is_blank(c) for c in decoded):
            continue
        if is_totals_row(decoded):
            out.append(Prepared(number, [], values=TOTALS))  # skipped, and said in the report
            continue
        row = state.kind.prepare(number, [_plain(c) for c in decoded], state.header.cells_of(decoded))
        if state.ctx is not None:
            state.kind.look_up(state.ctx, row)
        out.append(row)
    return out


def _plain(value):
    """A cell as kept for the error file: text, numbers and dates stay what they were."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _chunks(rows: Iterator[tuple[int, object]], size: int) -> Iterator[list[tuple[int, object]]]:
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _prepared_batches(source: Source, start_after: int, parallel: bool) -> Iterator[list[Prepared]]:
    raw = ((n, r) for n, r in source.raw_rows() if n > start_after)
    if not parallel:
        for chunk in _chunks(raw, BATCH):
            yield _prepare_chunk(chunk)
        return
    # one core stays with this process, the single writer; every worker is a whole Django
    # process (≈ 130 MB), so their number is also what bounds the job's memory
    workers = max(1, min((os.cpu_count() or 2) - 1, 3))
    context = multiprocessing.get_context("fork")
    gc.freeze()  # objects made so far are never collected: their pages stay shared with the workers
    try:
        with context.Pool(workers) as pool:
            pending: deque = deque()
            for chunk in _chunks(raw, BATCH):
                pending.append(pool.apply_async(_prepare_chunk, (chunk,)))
                if len(pending) >= workers * 2:  # bounded: never more than a few batches in memory
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        gc.unfreeze()  # a long-lived worker process must collect them again


# -- running -----------------------------------------------------------------------------------
def run(job_id: int, scope, progress: Progress | None = None) -> ImportJob:
    """Run (or resume) a job to its end. Safe to call again on a finished or killed job.
    ``scope`` is the actor's (``Scope``, built by the caller: the task, the command)."""
    global _STATE
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    if job.status in (JobStatus.DONE, JobStatus.FAILED):
        return job
    kind = get_kind(job.kind)
    token = set_origin(job.origin or DEFAULT_ORIGIN)
    try:
        return _run(job, kind, scope, progress)
    finally:
        reset_origin(token)


def _run(job: ImportJob, kind: Kind, scope, progress: Progress | None) -> ImportJob:
    global _STATE, _RUN
    now = timezone.now()
    _RUN = _RunState(seconds=getattr(settings, "IMPORT_JOB_SECONDS", None))
    if job.all_or_nothing or job.dry_run and job.rows_done:
        _restart(job)  # a checking pass keeps nothing: start again
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=job.started_at or now,
                                               heartbeat_at=now, phase="读取文件", worker=_this_process())  # fmt: skip
    job.refresh_from_db()
    # the stored upload is encrypted; the reader needs a real file (zip's random access): a
    # decrypted 0600 copy for the length of the run, removed at its end
    plain = contextlib.ExitStack()
    try:
        suffix = os.path.splitext(job.stored_path)[1]
        source = Source(
            plain.enter_context(files.plain_copy(job.stored_path, suffix=suffix, owner=f"import-{job.pk}")),
            deadline=_RUN,
        )
    except (UnusableFile, FileNotFoundError, files.DamagedFile) as error:
        plain.close()
        if isinstance(error, FileNotFoundError):
            return _fail(job, scope, "上传的文件已不存在，请重新上传")
        return _fail(job, scope, str(error))
    try:
        found = _find_sheet_and_header(source, kind)
        if found is None:
            return _fail(job, scope, "找不到表头：前 30 行中没有一行含两个以上可识别的列名。请使用导入模板的列名，"
                              f"如：{'、'.join(c.header for c in kind.columns[:4])}")  # fmt: skip
        header_row, header = found
        missing = kind.missing_columns(header)
        if missing:
            return _fail(job, scope, f"缺少必填列：{'、'.join(missing)}（第 {header_row} 行为表头）")
        _RUN.header = header
        ImportJob.objects.filter(pk=job.pk).update(
            header_row=header_row,
            header_cells=[cells.text(c) for c in dict(_first_rows(source))[header_row]],
            ignored_columns=header.ignored,
            rows_total=_data_rows(source, header_row),
        )
        job.refresh_from_db()
        start_after = max(job.rows_done, header_row)
        parallel = (source.estimated_rows or 0) - start_after > PARALLEL_FROM_ROWS
        _STATE = _WorkerState(kind, header, source.decode)
        if parallel:
            connections.close_all()  # never carry a database connection into forked workers
        _tune_connection()
        if job.all_or_nothing:
            _run_checked_then_written(job, kind, source, header_row, parallel, scope, progress)
        else:
            ctx = kind.context(job.actor, scope)
            _rebuild_seen(kind, ctx, source, header_row, start_after)
            _STATE.ctx = ctx
            for batch in _prepared_batches(source, start_after, parallel):
                _commit_batch(job, kind, ctx, batch, write=not job.dry_run, progress=progress)
            _finish(job, kind, ctx, scope)
    except UnusableFile as error:
        return _fail(job, scope, str(error))
    finally:
        _STATE = None
        _RUN = _RunState()
        source.close()
        plain.close()
    job.refresh_from_db()
    return job


def run_limited(job_id: int, scope) -> ImportJob:
    """Run a job in a child process under a watchdog: its memory (``IMPORT_JOB_MEMORY_MB``, the
    resident memory of the child and its pool's processes) and its time (``IMPORT_JOB_SECONDS``
    plus a grace, after the job's own check has had the chance to fail it). Whatever a file does
    to the reader, the job fails visibly with a Chinese reason and the worker process that
    called this goes on serving other jobs.

    Why a watchdog and not ``setrlimit(RLIMIT_AS)``: an address-space limit makes SQLite's
    shared-memory mapping fail as "disk I/O error", indistinguishable from a real one.
    Inside a caller's transaction (a test's) a child could not see the job: it runs here."""
    if connections["default"].in_atomic_block:
        return run(job_id, scope)
    memory_mb = int(settings.IMPORT_JOB_MEMORY_MB)
    seconds = int(settings.IMPORT_JOB_SECONDS)
    connections.close_all()  # the child opens its own
    pid = os.fork()
    if pid == 0:  # the child: never returns into the worker's code
        code = 1
        try:
            os.setpgid(0, 0)  # its own group: the pool's processes are killed with it
            run(job_id, scope)
            code = 0
        except MemoryError:
            code = _OUT_OF_MEMORY
        finally:
            os._exit(code)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also from here: the first check must not race the child's own call
    deadline = time.monotonic() + seconds + _WATCHDOG_GRACE
    reason = ""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            reason = time_limit_message(seconds)
        elif memory_mb and _group_rss(pid) > memory_mb * 1024 * 1024:
            reason = memory_limit_message(memory_mb)
        if reason:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(_WATCHDOG_EVERY)
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    if job.status in (JobStatus.DONE, JobStatus.FAILED):
        return job
    code = os.waitstatus_to_exitcode(status)
    if not reason:
        reason = (
            memory_limit_message(memory_mb)
            if code == _OUT_OF_MEMORY
            else f"导入进程意外退出（代码 {code}），已停止；已写入的批次保留，可重新导入"
        )
    return _fail(job, scope, reason)


_OUT_OF_MEMORY = 3
_WATCHDOG_GRACE = 60  # seconds after the job's own deadline before the watchdog kills it
_WATCHDOG_EVERY = 0.1


def _group_rss(group: int) -> int:
    """Resident bytes of the processes of a process group (Linux /proc; shared pages are
    counted in each process, so the figure errs high)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) == group:  # after the name: state, ppid, pgrp, …; rss is the 22nd
                total += int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def memory_limit_message(megabytes: int) -> str:
    return f"导入占用内存超过上限（{megabytes} MB），已停止；已写入的批次保留，请拆分文件后导入其余的行"


def _find_sheet_and_header(source: Source, kind: Kind):
    """The first worksheet (a cover or instructions sheet may come first) with a header."""
    for index in range(min(source.sheet_count, 10)):
        source.select_sheet(index)
        found = find_header(_first_rows(source), kind.columns, kind.export_only)
        if found is not None:
            return found
    source.select_sheet(0)
    return None


def _tune_connection() -> None:
    if connections["default"].vendor == "sqlite":
        # a large table's index pages outgrow SQLite's default 2 MB page cache (as seed_demo)
        with connections["default"].cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")  # 64 MB, this connection only (memory stays bounded)
            # checkpoint the WAL every ≈ 40 MB rather than every 4 MB: a checkpoint rewrites the
            # index pages a batch touched, scattered all over the file (readers are not blocked)
            cursor.execute("PRAGMA wal_autocheckpoint = 10000")


def _first_rows(source: Source) -> list[tuple[int, list]]:
    rows = []
    for item in source.rows():
        rows.append(item)
        if len(rows) >= HEADER_SEARCH_ROWS:
            break
    return rows


def _data_rows(source: Source, header_row: int) -> int | None:
    return max(0, source.estimated_rows - header_row) if source.estimated_rows else None


def _rebuild_seen(kind: Kind, ctx, source: Source, header_row: int, start_after: int) -> None:
    """On resume: the keys of rows already committed, so later duplicates are still caught."""
    if start_after <= header_row or not hasattr(ctx, "seen"):
        return
    for number, raw in source.raw_rows():
        if number <= header_row:
            continue
        if number > start_after:
            break
        rows = _prepare_chunk([(number, raw)])
        for row in rows:
            if not row.errors and not row.values.get("_totals") and hasattr(kind, "remember"):
                kind.remember(ctx, row)


def _take_totals(batch: list[Prepared]) -> list[Prepared]:
    """The batch without its 合计 rows, whose numbers are kept for the report."""
    rows = [r for r in batch if not r.values.get("_totals")]
    if len(rows) != len(batch):
        _RUN.totals += [r.number for r in batch if r.values.get("_totals")]
    return rows


def _commit_batch(job: ImportJob, kind: Kind, ctx, batch: list[Prepared], *, write: bool, progress) -> None:
    _RUN.check_time()
    last = batch[-1].number if batch else None
    batch = _take_totals(batch)
    if not batch:
        if last is not None:
            ImportJob.objects.filter(pk=job.pk).update(rows_done=last)
            job.rows_done = last
        return
    with transaction.atomic():
        outcomes = kind.apply(ctx, batch, write=write)
        _record_batch(job, kind, batch, outcomes, write=write)
    if progress:
        progress(job)


def _record_batch(job: ImportJob, kind: Kind, batch: list[Prepared], outcomes: list[Outcome], *, write: bool) -> None:
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    rejected = []
    order = {c.header: i for i, c in enumerate(kind.columns)}
    for row, outcome in zip(batch, outcomes, strict=True):
        counts[outcome.result] += 1
        if outcome.result == "rejected":
            ordered = sorted(outcome.errors, key=lambda e: order.get(e.column, len(order)))  # as the columns go
            errors = [[e.column, e.value, e.reason] for e in ordered]
            rejected.append(RejectedRow(job=job, number=row.number, cells=row.raw, errors=errors))
    RejectedRow.objects.bulk_create(rejected, batch_size=500)
    if write:
        ImportBatch.objects.create(
            job=job,
            first_row=batch[0].number,
            last_row=batch[-1].number,
            created_rows=[[o.number, o.object_id] for o in outcomes if o.result == "created"],
            updated_rows=[[o.number, o.object_id] for o in outcomes if o.result == "updated"],
        )
    job.created += counts["created"]
    job.updated += counts["updated"]
    job.unchanged += counts["unchanged"]
    job.rejected += counts["rejected"]
    job.rows_seen += len(batch)
    job.rows_done = batch[-1].number
    job.heartbeat_at = timezone.now()
    job.phase = "校验" if not write else "导入"
    job.save(update_fields=["created", "updated", "unchanged", "rejected", "rows_seen", "rows_done",
                            "heartbeat_at", "phase"])  # fmt: skip


def _run_checked_then_written(job, kind, source, header_row, parallel, scope, progress) -> None:
    ctx = kind.context(job.actor, scope)
    _STATE.ctx = ctx
    for batch in _prepared_batches(source, header_row, parallel):
        _commit_batch(job, kind, ctx, batch, write=False, progress=progress)
    job.refresh_from_db()
    if job.rejected or job.dry_run:
        note = "有未通过校验的行，按“全部成功才导入”未写入任何数据" if job.rejected else ""
        _finish(job, kind, ctx, scope, note=note)
        return
    checked = {f: getattr(job, f) for f in ("created", "updated", "unchanged")}
    _reset_counts(job)
    ImportJob.objects.filter(pk=job.pk).update(phase="写入（全部成功才提交）", heartbeat_at=timezone.now())
    try:
        with transaction.atomic():
            ctx = kind.context(job.actor, scope)
            _STATE.ctx = ctx
            for batch in _prepared_batches(source, header_row, parallel):
                _RUN.check_time()
                batch = [r for r in batch if not r.values.get("_totals")]  # counted by the checking pass
                if not batch:
                    continue
                outcomes = kind.apply(ctx, batch, write=True)
                if any(o.result == "rejected" for o in outcomes):
                    raise Rollback
                _record_batch(job, kind, batch, outcomes, write=True)
            _finish(job, kind, ctx, scope)
    except Rollback:
        job.refresh_from_db()
        _restart(job)
        ImportJob.objects.filter(pk=job.pk).update(**checked)
        _fail(job, scope, "写入时数据已被他人修改，部分行不再通过校验；按“全部成功才导入”未写入任何数据，请重新导入")


def _reset_counts(job: ImportJob) -> None:
    for name in ("created", "updated", "unchanged", "rejected", "rows_seen", "rows_done"):
        setattr(job, name, 0)


def _restart(job: ImportJob) -> None:
    job.batches.all().delete()
    job.rejected_rows.all().delete()
    _reset_counts(job)
    job.save()


def _finish(job: ImportJob, kind: Kind, ctx, scope, note: str = "") -> None:
    wrote = not job.dry_run and not (job.all_or_nothing and job.rejected)
    kind.finish(ctx, write=wrote)
    said = kind.notes(ctx, _RUN.header) if _RUN.header is not None else []
    if _RUN.totals:
        said = [
            *said,
            f"第 {'、'.join(map(str, _RUN.totals[:20]))} 行为合计行，已跳过"
            + (f"（共 {len(_RUN.totals)} 行）" if len(_RUN.totals) > 20 else ""),
        ]
    note = "；".join([*said, note] if note else said)
    job.refresh_from_db()
    job.status = JobStatus.DONE
    job.finished_at = timezone.now()
    job.phase = ""
    job.message = note or job.message
    job.save()
    mode = "试导入（不写入）" if job.dry_run else "全部成功才导入" if job.all_or_nothing else "导入通过校验的行"
    audit.record(
        job.actor,
        AuditAction.IMPORT,
        object_type="imports.importjob",
        **scope.home_paths,
        object_repr=f"导入{kind.label}：{job.file_name}"[:200],
        detail=(
            f"文件 {job.file_name}（SHA-256 {job.file_sha256}，{job.file_size} 字节）；方式：{mode}；"
            f"新增 {job.created}、更新 {job.updated}、未变 {job.unchanged}、未导入 {job.rejected}"
            + (f"；{note}" if note else "")
        ),
    )


def _fail(job: ImportJob, scope, message: str) -> ImportJob:
    job.status = JobStatus.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.phase = ""
    job.save()
    audit.record(
        job.actor,
        AuditAction.IMPORT,
        object_type="imports.importjob",
        **scope.home_paths,
        object_repr=f"导入失败：{job.file_name}"[:200],
        detail=f"文件 {job.file_name}（SHA-256 {job.file_sha256}）无法导入：{message}",
    )
    return job


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str) -> bool | None:
    """Whether the process named ``host:pid`` still runs; None when it ran on another host."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted(stale_seconds: int = 120, other_host_seconds: int = 1800) -> int:
    """Jobs whose process died are shown as 已中断, resumable. A job without progress for a
    while is looked at: on this host its process is asked directly (an all-or-nothing write
    commits no progress until its end), elsewhere only a long silence counts."""
    now = timezone.now()
    stale = ImportJob.objects.filter(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - datetime.timedelta(seconds=stale_seconds)
    )
    dead = []
    for job in stale.only("pk", "worker", "heartbeat_at"):
        alive = _alive(job.worker)
        silent = (now - job.heartbeat_at).total_seconds() > other_host_seconds
        if alive is False or (alive is None and silent):
            dead.append(job.pk)
    if not dead:
        return 0
    try:
        return ImportJob.objects.filter(pk__in=dead, status=JobStatus.RUNNING).update(status=JobStatus.INTERRUPTED)
    except OperationalError:  # SQLite busy with a long import: say nothing now, ask again later
        return 0


__all__ = ["create_job", "run", "store_upload", "mark_interrupted", "Column"]


# -- retention ---------------------------------------------------------------------------------
def prune_uploads(days: int | None = None) -> int:
    """Delete stored uploads whose jobs all ended more than ``days`` ago (default
    ``IMPORT_RETENTION_DAYS``): they hold identity numbers and are kept only so a job can be
    resumed or rerun. A file still used by a queued or running job is kept."""
    days = settings.IMPORT_RETENTION_DAYS if days is None else days
    limit = timezone.now() - datetime.timedelta(days=days)
    ended = (JobStatus.DONE, JobStatus.FAILED)
    old = set(ImportJob.objects.filter(status__in=ended, finished_at__lt=limit).values_list("stored_path", flat=True))
    live = set(
        ImportJob.objects.filter(stored_path__in=old)
        .exclude(status__in=ended, finished_at__lt=limit)
        .values_list("stored_path", flat=True)
    )
    removed = 0
    for path in old - live - {""}:
        if os.path.exists(path):
            os.unlink(path)
            removed += 1
    return removed
