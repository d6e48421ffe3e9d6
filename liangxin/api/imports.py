"""Bulk import through the API: upload a file (multipart), poll the job, fetch the error file."""

import os
import tempfile

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from liangxin.core.origin import current_origin
from liangxin.imports import engine, report, tasks
from liangxin.imports.models import ImportJob
from liangxin.imports.reading import UnusableFile

from .base import ScopedViewSet


class ImportJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    rejected_rows = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "file_name", "file_sha256", "file_size", "dry_run", "all_or_nothing", "status",
            "status_label", "phase", "message", "header_row", "ignored_columns", "rows_total", "rows_seen",
            "percent", "created", "updated", "unchanged", "rejected", "created_at", "started_at", "finished_at",
            "rejected_rows",
        ]  # fmt: skip
        read_only_fields = fields

    def get_rejected_rows(self, job) -> list[dict]:
        """The first 100 rejected rows: row number and each (column, value, reason)."""
        return [
            {"row": r.number, "errors": [{"column": c, "value": v, "reason": why} for c, v, why in r.errors]}
            for r in job.rejected_rows.all()[:100]
        ]


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="organizations, members, party_orgs, regions, carriers, assignments")
    file = serializers.FileField(help_text=".xlsx 或 CSV（UTF-8/GB18030）")
    dry_run = serializers.BooleanField(default=False, help_text="只校验不写入")
    all_or_nothing = serializers.BooleanField(default=False, help_text="全部通过才写入")


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """导入任务: POST a file to start one (it runs in the background); GET it to follow progress."""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()  # the schema's model; requests use the scope's (get_queryset)
    required = "can_import"
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return self.scope.import_jobs()

    def keyset_order(self):
        return ("id", True)

    @extend_schema(request=ImportUploadSerializer, responses={202: ImportJobSerializer})
    def create(self, request):
        d = self.body(ImportUploadSerializer)
        kind = {k.name: k for k in self.scope.import_kinds()}.get(d["kind"])
        if kind is None:
            raise PermissionDenied
        file = d["file"]
        try:
            job = engine.create_job(
                request.user,
                kind.name,
                file,
                file.name,
                dry_run=d["dry_run"],
                all_or_nothing=d["all_or_nothing"],
                origin=current_origin(),
            )
        except UnusableFile as error:
            raise ValidationError({"file": [str(error)]}) from None
        transaction.on_commit(lambda: tasks.start(job))
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY}
    )
    @action(detail=True, methods=["get"], url_path="errors")
    def errors(self, request, pk=None):
        """The rejected rows as .xlsx, with a reason column (fix and upload again)."""
        job = self.get_object()
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
        handle.close()
        report.write_error_file(job, handle.name)
        response = FileResponse(open(handle.name, "rb"), as_attachment=True, filename=f"job{job.pk}_errors.xlsx")
        os.unlink(handle.name)
        return response


__all__ = ["ImportJobViewSet", "inline_serializer"]
