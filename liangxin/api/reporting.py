"""报送任务 over the API: the sender's tasks (send, completion per node, 催报, 退回, 关闭, the
collected answers as figures) and the answering node's assignments (the form with the platform's
pre-filled figures, submit). Excel templates (``/api/v1/report-templates/``): upload a workbook
(multipart), confirm its columns, then send a task with it like any form; the answering node
downloads its pre-filled workbook (``report-assignments/{id}/template/``) and uploads it filled
(``…/workbook/``, multipart) or sends the rows as JSON (``…/submit/``). The same services as the
pages (``reporting.services``, ``reporting.template_tasks``); the same scope (``scope.report_tasks``,
``scope.report_assignments``, ``scope.report_templates``). An online form's file fields are answered
on the page."""

from decimal import Decimal

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from liangxin.messaging import tasks as messaging_tasks
from liangxin.mgmt.models import NodeKind
from liangxin.reporting import services
from liangxin.reporting import template_tasks as templates
from liangxin.reporting.choices import SUMMABLE_KINDS, AddresseeRule, FieldKind, FormKind
from liangxin.reporting.models import ReportAssignment, ReportField, ReportForm, ReportTask

from .base import ScopedViewSet
from .errors import service_errors


class TaskSerializer(serializers.ModelSerializer):
    form_name = serializers.CharField(source="form.name", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    completion = serializers.SerializerMethodField(help_text="各状态的单位数；all 应报，overdue 逾期未报")

    class Meta:
        model = ReportTask
        fields = [
            "id", "title", "form", "form_name", "node", "node_name", "period_start", "period_end", "deadline",
            "state", "state_display", "addressee_rule", "addressee_kinds", "created_at", "closed_at", "completion",
        ]  # fmt: skip
        read_only_fields = fields

    def get_completion(self, task: ReportTask) -> dict[str, int]:
        return services.completion(task)


class TaskCreateSerializer(serializers.Serializer):
    node = serializers.IntegerField(required=False, help_text="发起单位（管理节点 ID）；不填即本人的第一个发起单位")
    form = serializers.IntegerField(help_text="报送表单 ID")
    title = serializers.CharField(max_length=200, help_text="任务名称")
    period_start = serializers.DateField(help_text="统计期起")
    period_end = serializers.DateField(help_text="统计期止")
    deadline = serializers.DateField(help_text="截止日期")
    addressee_rule = serializers.ChoiceField(choices=AddresseeRule.choices, help_text="报送对象")
    addressee_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=[k for k in NodeKind.choices if k[0] != NodeKind.CITY]),
        required=False, help_text="报送单位类型（报送对象为指定类型时必填）",
    )  # fmt: skip


class ReturnSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(help_text="报送单位记录 ID（见 assignments）")
    reason = serializers.CharField(allow_blank=True, max_length=500, help_text="退回原因")


class AssignmentSerializer(serializers.ModelSerializer):
    node_name = serializers.CharField(source="node.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    deadline = serializers.DateField(source="task.deadline", read_only=True)

    class Meta:
        model = ReportAssignment
        fields = ["id", "task", "task_title", "deadline", "node", "node_name", "state", "state_display", "version",
                  "submitted_at", "reminded_at"]  # fmt: skip
        read_only_fields = fields


class SubmitSerializer(serializers.Serializer):
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="在线表单：栏目代码 → 填报值"
    )
    rows = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)), required=False,
        max_length=5000,
        help_text="Excel 模板任务：数据行，每行为 列代码（c1、c2 …）→ 填报值；单位名称和代码由平台添加",
    )  # fmt: skip
    notes = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="平台预填栏目代码 → 更正说明"
    )


class WorkbookSerializer(serializers.Serializer):
    workbook = serializers.FileField(
        required=False, help_text="填好的 Excel 文件（multipart，.xlsx，由“下载模板”取得）"
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TemplateColumnSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportField
        fields = ["key", "label", "kind", "required", "choices"]
        read_only_fields = fields


class ReportTemplateSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    columns = TemplateColumnSerializer(source="fields", many=True, read_only=True)
    in_use = serializers.SerializerMethodField(help_text="已用于报送任务（列的设置不能再修改）")

    class Meta:
        model = ReportForm
        fields = ["id", "name", "description", "owner", "owner_name", "template_name", "sheet_name", "is_active",
                  "in_use", "columns"]  # fmt: skip
        read_only_fields = fields

    def get_in_use(self, form: ReportForm) -> bool:
        return form.tasks.exists()


class TemplateUploadSerializer(serializers.Serializer):
    node = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="制作单位（管理节点 ID）；不填即本人的第一个发起单位",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text="模板名称")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000, help_text="说明")
    file = serializers.FileField(required=False, help_text="Excel 模板（multipart，.xlsx；第一个工作表的第一行为表头）")


class ColumnSpecSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=20, help_text="类型：text（文本）/ number（数字）/ date（日期）/ choice（选择）"
    )
    required = serializers.BooleanField(required=False, default=False, help_text="必填")
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=200, help_text="选择列的选项"
    )


class TemplateColumnsSerializer(serializers.Serializer):
    columns = serializers.DictField(
        child=ColumnSpecSerializer(), help_text="列代码（c1、c2 …）→ 类型、必填、选项；每列都要给出"
    )


class RollupSerializer(serializers.Serializer):
    source = serializers.IntegerField(help_text="本单位发起的同一表单报送任务 ID")


def _figure(kind: str, value):
    """A number field's answer as a number (the API's figures); other answers as stored."""
    if kind in SUMMABLE_KINDS and value not in (None, ""):
        return Decimal(str(value))
    if kind == FieldKind.FILE and isinstance(value, dict):
        return value.get("name", "")
    return value


def _versions(assignment: ReportAssignment) -> list[dict]:
    kinds = {f.key: f.kind for f in services.fields_of(assignment.task.form)}
    return [
        {
            "version": s.version, "submitted_at": s.submitted_at, "submitted_by": s.submitted_by_name, "late": s.late,
            "values": {k: _figure(kinds.get(k, ""), v) for k, v in s.values.items()},
            "prefilled": {k: Decimal(v) for k, v in s.prefilled.items()}, "corrections": s.corrections,
            "returned_reason": s.returned_reason, "returned_at": s.returned_at,
            "rolled_up_from": s.rolled_up_from_id, "rows": s.rows,
        }
        for s in assignment.submissions.order_by("-version")
    ]  # fmt: skip


def _template_collected(task: ReportTask) -> dict:
    """A template task's collected rows as figures: every row each node gave, 小计 per level, 合计."""
    fields = services.fields_of(task.form)
    rows, subtotals = [], []
    for item in templates.collect(task):
        if isinstance(item, templates.Row):
            rows.append({
                "node_name": item.node_name, "unit_name": item.unit_name, "unit_code": item.unit_code,
                "state": item.state, "version": item.version, "submitted_at": item.submitted_at,
                "submitted_by": item.submitted_by, "late": item.late,
                "values": {f.key: _figure(f.kind, v) for f, v in zip(fields, item.cells, strict=True)}
                if item.answered else {},
            })  # fmt: skip
        else:
            numeric = [f.key for f in fields if f.kind == FieldKind.NUMBER]
            sums = dict(zip(numeric, item.sums, strict=True))
            subtotals.append({"node": item.node_id, "label": item.label, "answered": item.answered,
                              "expected": item.expected, "sums": sums})  # fmt: skip
    return {
        "fields": [{"key": f.key, "label": f.label, "kind": f.kind} for f in fields], "rows": rows,
        "subtotals": subtotals[:-1], "total": subtotals[-1],
    }  # fmt: skip


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """报送任务：本单位及下级单位发起的任务（只读）；本单位的任务可催报、退回、关闭、收集汇总。"""

    serializer_class = TaskSerializer
    queryset = ReportTask.objects.none()
    required = "can_read_reports"
    scope_method = "report_tasks"

    def keyset_order(self):
        return ("id", True)

    def managed(self) -> ReportTask:
        task = self.get_object()
        if not self.scope.may_manage_report(task):
            raise PermissionDenied
        return task

    @extend_schema(request=TaskCreateSerializer, responses=TaskSerializer)
    def create(self, request, *args, **kwargs):
        """发起报送：向直接下级，或本单位下指定类型的全部单位。"""
        if not self.scope.can_send_reports:
            raise PermissionDenied
        data = self.body(TaskCreateSerializer)
        senders = self.scope.report_sender_nodes()
        node = senders.filter(pk=data["node"]).first() if data.get("node") else senders.first()
        if node is None:
            raise serializers.ValidationError({"node": ["发起单位：您不能以该单位的名义发起报送"]})
        form = self.scope.report_forms().filter(pk=data["form"]).first()
        with service_errors():
            task = services.create_task(
                request.user, node, form, title=data["title"], period_start=data["period_start"],
                period_end=data["period_end"], deadline=data["deadline"], rule=data["addressee_rule"],
                kinds=data.get("addressee_kinds") or [],
            )  # fmt: skip
        return Response(TaskSerializer(task).data, status=201)

    @extend_schema(responses=AssignmentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def assignments(self, request, pk=None):
        """完成情况：每个报送单位的状态、版本、提交与催报时间。"""
        task = self.get_object()
        rows = task.assignments.select_related("node", "task").order_by("node__path")
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(AssignmentSerializer(page, many=True).data)
        return Response(AssignmentSerializer(rows, many=True).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def collected(self, request, pk=None):
        """收集汇总（数据）：每个单位的最新一版、各级小计与合计（数字栏目为数值）。"""
        task = self.managed()
        if task.form.kind == FormKind.TEMPLATE:
            return Response(_template_collected(task))
        collected = services.collect(task)
        kinds = {f.key: f.kind for f in collected.fields}

        def subtotal(s) -> dict:
            return {"node": s.node_id, "label": s.label, "answered": s.answered, "expected": s.expected,
                    "sums": s.sums}  # fmt: skip

        return Response({
            "fields": [{"key": f.key, "label": f.label, "kind": f.kind} for f in collected.fields],
            "rows": [
                {"node": r.node_id, "node_name": r.node_name, "state": r.state, "version": r.version,
                 "submitted_at": r.submitted_at, "submitted_by": r.submitted_by, "late": r.late,
                 "corrected": r.corrected,
                 "values": {k: _figure(kinds.get(k, ""), v) for k, v in r.values.items()} if r.answered else {}}
                for r in collected.rows
            ],
            "subtotals": [subtotal(s) for s in collected.subtotals],
            "total": subtotal(collected.total),
        })  # fmt: skip

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        """催报：向未提交（含被退回）单位的管理员发信息（站内消息，有邮箱、手机的同时发邮件、短信），每个单位一次。"""
        task = self.managed()
        with service_errors():
            done = services.remind(request.user, task)
        if done.message is not None:  # e-mail and SMS go from the worker
            messaging_tasks.start_sending(done.message)
        return Response({"detail": f"已催报 {done.nodes} 个单位", "reminded": done.nodes,
                         "message": done.message.pk if done.message else None})  # fmt: skip

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """关闭任务：此后不再接受提交。"""
        task = self.managed()
        with service_errors():
            task = services.close_task(request.user, task)
        return Response(TaskSerializer(task).data)

    @extend_schema(request=ReturnSerializer, responses={200: dict})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回一个单位的报送，须说明原因；该单位修改后重新提交（新版本）。"""
        task = self.managed()
        data = self.body(ReturnSerializer)
        assignment = task.assignments.filter(pk=data["assignment"]).select_related("node", "task").first()
        if assignment is None:
            raise serializers.ValidationError({"assignment": ["该单位不在本报送任务中"]})
        with service_errors():
            services.return_submission(request.user, assignment, data["reason"])
        assignment.refresh_from_db()
        return Response({"detail": f"已退回{assignment.node.name}的报送",
                         "assignment": AssignmentSerializer(assignment).data})  # fmt: skip


class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """报送模板（Excel）：本人发起单位制作的模板。上传后逐列确认类型和是否必填，即可用于发起报送（form）。"""

    serializer_class = ReportTemplateSerializer
    queryset = ReportForm.objects.none()
    required = "can_send_reports"
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return self.scope.report_templates().prefetch_related("fields")

    def keyset_order(self):
        return ("id", True)

    def _detail(self, form: ReportForm, code=status.HTTP_200_OK) -> Response:
        return Response(ReportTemplateSerializer(self.get_queryset().get(pk=form.pk)).data, status=code)

    @extend_schema(request={"multipart/form-data": TemplateUploadSerializer}, responses={201: ReportTemplateSerializer})
    def create(self, request, *args, **kwargs):
        """上传模板（multipart）：第一个工作表的表头成为各列（类型按示例行推测）；确认各列后才可用于发起报送。"""
        data = self.body(TemplateUploadSerializer)
        nodes = self.scope.report_sender_nodes()
        node = nodes.filter(pk=data["node"]).first() if "node" in data else nodes.first()
        if node is None:
            raise serializers.ValidationError({"node": ["制作单位：只能以您任职的单位制作模板"]})
        with service_errors():
            form = templates.create_template(
                request.user, node, name=data.get("name", ""), description=data.get("description", ""),
                upload=data.get("file"),
            )  # fmt: skip
        return self._detail(form, status.HTTP_201_CREATED)

    @extend_schema(request=TemplateColumnsSerializer, responses=ReportTemplateSerializer)
    @action(detail=True, methods=["post"])
    def columns(self, request, pk=None):
        """确认列：每列的类型（文本、数字、日期、选择）、是否必填、选择列的选项；模板用于任务后不能再改。"""
        form = self.get_object()
        data = self.body(TemplateColumnsSerializer)
        specs = {
            key: templates.ColumnSpec(spec["kind"], spec.get("required", False), list(spec.get("choices") or []))
            for key, spec in data["columns"].items()
        }
        with service_errors():
            templates.set_columns(request.user, form, specs)
        return self._detail(form)


class MineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """待报送：本单位需要填报的任务。读取单条时给出表单栏目、平台预填值与历次报送；Excel 模板任务可下载
    本单位的模板、上传填好的文件。"""

    serializer_class = AssignmentSerializer
    queryset = ReportAssignment.objects.none()
    required = "can_answer_reports"
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return self.scope.report_assignments()

    def keyset_order(self):
        return ("id", True)

    @extend_schema(responses={200: dict})
    def retrieve(self, request, *args, **kwargs):
        a = self.get_object()
        measured = services.prefill(a) if a.task.state == "open" else {}
        fields = [
            {"key": f.key, "label": f.label, "kind": f.kind, "choices": f.choices, "required": f.required,
             "measured": Decimal(measured[f.key]) if f.key in measured else None}
            for f in services.fields_of(a.task.form)
        ]  # fmt: skip
        return Response({**AssignmentSerializer(a).data, "fields": fields, "versions": _versions(a)})

    @extend_schema(request=SubmitSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交（被退回后为重新提交）。平台预填栏目不填即采用平台数据；与平台数据不同须填写更正说明。"""
        a = self.get_object()
        data = self.body(SubmitSerializer)
        with service_errors():
            if a.task.form.kind == FormKind.TEMPLATE:
                s = templates.submit_rows(request.user, a, data.get("rows") or [])
            else:
                answer = services.Answer(values=data.get("values") or {}, notes=data.get("notes") or {})
                s = services.submit(request.user, a, answer)
        a.refresh_from_db()
        return Response({"detail": f"已提交第{s.version}版" + ("（逾期提交）" if s.late else ""),
                         "assignment": AssignmentSerializer(a).data})  # fmt: skip

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def template(self, request, pk=None):
        """下载模板：本任务的 Excel 模板，已预填本单位名称和代码（仅 Excel 模板任务）。"""
        a = self.get_object()
        if a.task.form.kind != FormKind.TEMPLATE:
            raise NotFound
        name, handle = templates.node_workbook(a)
        return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)

    @extend_schema(request={"multipart/form-data": WorkbookSerializer}, responses={200: dict})
    @action(detail=True, methods=["post"])
    def workbook(self, request, pk=None):
        """上传填好的模板（multipart，workbook）：表头和每个单元格按列检查，有错误时整个文件不予接收，
        错误说明第几行、哪一列、什么原因。"""
        a = self.get_object()
        data = self.body(WorkbookSerializer)
        with service_errors():
            s = templates.submit_workbook(request.user, a, data.get("workbook"))
        a.refresh_from_db()
        return Response({"detail": f"已提交第{s.version}版，共 {len(s.rows)} 行" + ("（逾期提交）" if s.late else ""),
                         "assignment": AssignmentSerializer(a).data})  # fmt: skip

    @extend_schema(request=RollupSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def rollup(self, request, pk=None):
        """汇总上报：以本单位发起的同一表单任务中下级单位报送之和作为本单位的报送提交。"""
        a = self.get_object()
        data = self.body(RollupSerializer)
        own = services.rollup_sources(a).filter(pk__in=self.scope.report_tasks("change").values("pk"))
        source = own.filter(pk=data["source"]).first()
        if source is None:
            raise serializers.ValidationError({"source": ["请选择本单位发起的同一表单的报送任务"]})
        with service_errors():
            s = (templates.rollup if a.task.form.kind == FormKind.TEMPLATE else services.rollup)(
                request.user, a, source
            )
        a.refresh_from_db()
        return Response({"detail": f"已汇总上报第{s.version}版" + ("（逾期提交）" if s.late else ""),
                         "assignment": AssignmentSerializer(a).data})  # fmt: skip


def register(router) -> None:
    router.register("report-tasks", TaskViewSet, basename="report-task")
    router.register("report-assignments", MineViewSet, basename="report-assignment")
    router.register("report-templates", TemplateViewSet, basename="report-template")
