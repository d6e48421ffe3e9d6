"""Bulk import pages: choose a kind and a file, watch the job, download its reports."""

import os
import tempfile

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from liangxin.core import files
from liangxin.core.origin import current_origin
from liangxin.imports import engine, exporting, report, tasks
from liangxin.imports.kinds import get_kind
from liangxin.imports.models import ImportJob, JobStatus
from liangxin.imports.reading import UnusableFile
from liangxin.imports.workbook_template import write_template

from ..base import ScopedView, get_in_scope

REJECTED_SHOWN = 200


def _file_response(path: str, filename: str) -> FileResponse:
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename)
    os.unlink(path)  # the open handle keeps the data until the response closes it
    return response


def _temp_xlsx() -> str:
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    handle.close()
    return handle.name


class ImportList(ScopedView):
    required = "can_import"

    def get(self, request):
        engine.mark_interrupted()
        return self._render(request)

    def post(self, request):
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.IMPORT_MAX_BYTES + 1024 * 1024:
            messages.error(request, f"文件过大，单个文件不能超过 {settings.IMPORT_MAX_BYTES / 1024**2:.0f} MB")
            return self._render(request, status=400)
        kinds = {k.name: k for k in self.scope.import_kinds()}
        kind = kinds.get(request.POST.get("kind", ""))
        upload = request.FILES.get("file")
        if kind is None:
            messages.error(request, "请选择导入类型")
            return self._render(request, status=400)
        if upload is None:
            messages.error(request, "请选择要导入的文件（.xlsx 或 CSV）")
            return self._render(request, status=400)
        try:
            job = engine.create_job(
                request.user,
                kind.name,
                upload,
                upload.name,
                dry_run=request.POST.get("dry_run") == "1",
                all_or_nothing=request.POST.get("mode") == "all",
                origin=current_origin(),
            )
        except UnusableFile as error:
            messages.error(request, f"无法导入：{error}")
            return self._render(request, status=400)
        transaction.on_commit(lambda: tasks.start(job))
        return redirect("web:import_detail", pk=job.pk)

    def _render(self, request, status: int = 200):
        return render(
            request,
            "web/imports/list.html",
            {"kinds": self.scope.import_kinds(), "jobs": self.scope.import_jobs()[:50], "post": request.POST},
            status=status,
        )


class ImportDetail(ScopedView):
    required = "can_import"

    def get(self, request, pk):
        engine.mark_interrupted()
        job = get_in_scope(self.scope.import_jobs(), pk=pk)
        context = {
            "job": job,
            "kind": get_kind(job.kind),
            "rejected": job.rejected_rows.all()[:REJECTED_SHOWN],
            "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        }
        template = "web/imports/_progress.html" if request.headers.get("HX-Request") else "web/imports/detail.html"
        return render(request, template, context)

    def post(self, request, pk):
        """继续 (resume an interrupted job), 重新导入 (run the same file again) or 正式导入 (after a trial)."""
        job = get_in_scope(self.scope.import_jobs(), pk=pk)
        action = request.POST.get("action")
        if action == "resume" and job.status == JobStatus.INTERRUPTED:
            ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
            transaction.on_commit(lambda: tasks.start(job))
            return redirect("web:import_detail", pk=job.pk)
        if action in ("rerun", "commit") and job.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.INTERRUPTED):
            if not getattr(self.scope, get_kind(job.kind).required):
                raise Http404
            again = engine.rerun_job(job, request.user, dry_run=job.dry_run if action == "rerun" else False)
            transaction.on_commit(lambda: tasks.start(again))
            return redirect("web:import_detail", pk=again.pk)
        messages.error(request, "该任务当前不能执行此操作")
        return redirect("web:import_detail", pk=job.pk)


class ImportErrors(ScopedView):
    """The rejected rows under the file's header with a reason column: fix and import again."""

    required = "can_import"

    def get(self, request, pk):
        job = get_in_scope(self.scope.import_jobs(), pk=pk)
        path = _temp_xlsx()
        report.write_error_file(job, path)
        base = os.path.splitext(job.file_name)[0]
        return _file_response(path, f"{base}_未导入的行.xlsx")


class ImportReport(ScopedView):
    required = "can_import"

    def get(self, request, pk):
        job = get_in_scope(self.scope.import_jobs(), pk=pk)
        path = _temp_xlsx()
        report.write_report(job, path)
        return _file_response(path, f"{os.path.splitext(job.file_name)[0]}_导入报告.xlsx")


class ImportTemplate(ScopedView):
    required = "can_import"

    def get(self, request, kind):
        found = {k.name: k for k in self.scope.import_kinds()}.get(kind)
        if found is None:
            raise Http404("没有该导入类型")
        path = _temp_xlsx()
        write_template(found, path)
        return _file_response(path, f"{found.label}导入模板.xlsx")


class ExportDetail(ScopedView):
    """A background export: progress while the worker writes, then the download."""

    def get(self, request, pk):
        job = get_in_scope(self.scope.export_jobs(), pk=pk)
        context = {"job": job, "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING)}
        template = "web/imports/_export.html" if request.headers.get("HX-Request") else "web/imports/export.html"
        return render(request, template, context)


class ExportDownload(ScopedView):
    def get(self, request, pk):
        job = get_in_scope(self.scope.export_jobs(), pk=pk)
        if job.status != JobStatus.DONE or not job.file_path or not os.path.exists(job.file_path):
            raise Http404("导出文件不存在或已过期，请重新导出")
        name = exporting.file_name(job.title, f"{job.finished_at:%Y-%m-%d}", job.file_format, job.notice)
        return files.download(job.file_path, name)


__all__ = ["ImportList", "ImportDetail", "ImportErrors", "ImportReport", "ImportTemplate", "reverse"]
