"""List exports: every list builds its export (columns, rows, filter in words) from the same
scoped queryset as its page; small ones are written while the user waits, large ones (or CSV
asked for in the background) by the worker with progress."""

import datetime
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from liangxin.core import audit, files
from liangxin.core.models import AuditAction
from liangxin.core.xlsx import ListExport, now_text, write_csv, write_workbook

from .kinds import get_kind
from .models import ExportJob, JobStatus

PROGRESS_EVERY = 5000


def kind_export(
    kind_name: str,
    queryset,
    *,
    title: str,
    object_type: str,
    filter_text: str,
    order: tuple[str, ...] = ("pk",),
    each: Callable[[Any], Any] | None = None,
    chunk_size: int = 2000,
    notice: str = "",
) -> ListExport:
    """A list's export under its import kind's headers (so the file imports back unchanged):
    ``queryset`` is the list page's own; ``each`` may prepare every object before it is written."""
    kind = get_kind(kind_name)
    rows = queryset.select_related(*kind.export_related).order_by(*order).iterator(chunk_size=chunk_size)
    return ListExport(
        title=title,
        object_type=object_type,
        filter_text=filter_text,
        columns=kind.export_columns(),
        rows=map(each, rows) if each else rows,
        count=queryset.count(),
        notice=notice,
    )


def cover(actor, export: ListExport) -> list[tuple[str, str]]:
    return [("导出人", actor.display_name), ("导出时间", now_text()), ("筛选条件", export.filter_text),
            ("行数", str(export.count))]  # fmt: skip


def write(export: ListExport, actor, path: str, file_format: str, progress: Callable[[int], None] | None = None) -> int:
    rows = _counted(export.rows, progress) if progress else export.rows
    if file_format == "csv":
        first = None
        if export.notice:  # the cover sheet's facts on one line above the header
            facts = "；".join(f"{label}：{value}" for label, value in cover(actor, export))
            first = f"注意：本文件{export.notice}，仅限工作使用，妥善保管，用后删除。{facts}"
        return write_csv(path, export.columns, rows, first_line=first)
    return write_workbook(path, export.title, cover(actor, export), export.columns, rows)


def file_name(export_title: str, day: str, file_format: str, notice: str = "") -> str:
    """The name a download is offered under; a CSV with whole identity numbers says so."""
    warn = f"_{notice}" if notice and file_format == "csv" else ""
    return f"{export_title}_{day}{warn}.{file_format}"


def _counted(rows: Iterable[Any], progress: Callable[[int], None]) -> Iterator[Any]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)


def record(actor, scope, export: ListExport, count: int, file_format: str) -> None:
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type=export.object_type,
        object_repr=export.title,
        detail=f"导出 {count} 条（{file_format}）；{export.filter_text}",
        **scope.home_paths,
    )


def queue(actor, list_name: str, export: ListExport, params: str, file_format: str) -> ExportJob:
    """The job a large export becomes; the face hands it to the worker (``tasks.start_export``)."""
    return ExportJob.objects.create(
        list_name=list_name, title=export.title, params=params, file_format=file_format, actor=actor,
        filter_text=export.filter_text, rows_total=export.count, notice=export.notice,
    )  # fmt: skip


def run_job(job_id: int, scope, builder: Callable[[Any, Any], ListExport]) -> ExportJob:
    """The worker's side: the same builder, the actor's scope as it is now (built by the task),
    progress saved."""
    job = ExportJob.objects.select_related("actor").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    export = builder(scope, QueryDict(job.params))
    directory = settings.EXPORT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = str(directory / f"{job.pk}-{timezone.now():%Y%m%d%H%M%S}.{job.file_format}")

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    # the writers need a real file (xlsxwriter seeks); it lives in a 0700 folder only while it is
    # written, then is encrypted with the field keys into EXPORT_DIR (0600) and removed
    plain = files.plain_temp(suffix=f".{job.file_format}")
    try:
        count = write(export, job.actor, plain, job.file_format, progress)
        files.encrypt_file(plain, path)
    except Exception as error:  # the job must end, with the reason, whatever went wrong
        if os.path.exists(plain):
            os.unlink(plain)
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=f"导出失败：{error}")
        raise
    record(job.actor, scope, export, count, job.file_format)
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, rows_done=count, rows_total=count, file_path=path, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def prune(days: int | None = None) -> int:
    """Delete export files older than ``days`` (default ``EXPORT_RETENTION_DAYS``): they hold
    personal data; the job stays listed and can be exported again."""
    days = settings.EXPORT_RETENTION_DAYS if days is None else days
    limit = timezone.now() - datetime.timedelta(days=days)
    removed = 0
    for job in ExportJob.objects.filter(finished_at__lt=limit).exclude(file_path=""):
        if os.path.exists(job.file_path):
            os.unlink(job.file_path)
            removed += 1
        ExportJob.objects.filter(pk=job.pk).update(file_path="")
    return removed
