import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from liangxin.core import crypto


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "无法导入"
    INTERRUPTED = "interrupted", "已中断"


class ImportJob(models.Model):
    """导入任务: one uploaded file and what became of it. The file stays under
    ``settings.IMPORT_DIR`` so that an interrupted job can be resumed or rerun.

    ``rows_done`` is the checkpoint: the last row of the file whose batch was committed
    (written in the same transaction as the batch), so a resumed job starts right after it.
    """

    kind = models.CharField("导入类型", max_length=30)
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField("文件摘要", max_length=64)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    stored_path = models.CharField("存储位置", max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField("来源", max_length=100, blank=True)
    dry_run = models.BooleanField("仅校验（试导入）", default=False)
    all_or_nothing = models.BooleanField("全部成功才导入", default=False)
    status = models.CharField("状态", max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField("阶段", max_length=40, blank=True)
    message = models.TextField("说明", blank=True)
    header_row = models.PositiveIntegerField("表头所在行", null=True, blank=True)
    header_cells = models.JSONField("表头", default=list, blank=True)
    ignored_columns = models.JSONField("未识别的列", default=list, blank=True)
    rows_total = models.PositiveIntegerField("预计行数", null=True, blank=True)
    rows_seen = models.PositiveIntegerField("已处理数据行", default=0)
    rows_done = models.PositiveIntegerField("已提交至文件行", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    rejected = models.PositiveIntegerField("未导入", default=0)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    worker = models.CharField("处理进程", max_length=100, blank=True)  # host:pid of the process running it

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def percent(self) -> int | None:
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, int(100 * self.rows_seen / self.rows_total))


class ImportBatch(models.Model):
    """One committed batch: the rows it created and updated (row number → object id)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="batches")
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    created_rows = models.JSONField(default=list)  # [[row number, object id], ...]
    updated_rows = models.JSONField(default=list)

    class Meta:
        ordering = ["first_row"]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.first_row}–{self.last_row}"


class EncryptedJSONField(models.TextField):
    """A JSON value stored encrypted with the field keys (``core.crypto``): the raw cells of a
    rejected row hold whole identity numbers, which must not be readable in the database, its
    WAL or a dump. Values written before encryption (plain JSON) are still read."""

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or not isinstance(value, str):
            return value
        if value.startswith("gAAAA"):  # a Fernet token
            value = crypto.decrypt(value)
        return json.loads(value)

    def get_prep_value(self, value):
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))


class RejectedRow(models.Model):
    """A row not imported: its cells as read (encrypted) and each reason (column, value, reason;
    identity numbers in reasons are masked)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejected_rows")
    number = models.PositiveIntegerField("行号")
    cells = EncryptedJSONField("原始内容（密文）", default=list)
    errors = models.JSONField("原因", default=list)  # [[column, value, reason], ...]

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["job", "number"], name="rejected_job_row")]

    def __str__(self) -> str:
        return f"{self.job_id}: 第{self.number}行"


class ExportJob(models.Model):
    """导出任务: a list export too large to write while the user waits (or asked for as CSV
    in the background). The worker writes the file under ``settings.EXPORT_DIR``."""

    list_name = models.CharField("名录", max_length=30)
    title = models.CharField("标题", max_length=100)
    params = models.TextField("筛选参数", blank=True)
    file_format = models.CharField("格式", max_length=4, default="xlsx")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    message = models.TextField("说明", blank=True)
    filter_text = models.TextField("筛选条件", blank=True)
    rows_total = models.PositiveIntegerField("行数", default=0)
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    file_path = models.CharField("文件", max_length=300, blank=True)
    notice = models.CharField("提示", max_length=40, blank=True)  # e.g. 含完整公民身份号码
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0


class KeyFingerprint(models.Model):
    """密钥指纹: which field and hash keys the data in this database was written with. Kept in
    the database (not beside the keys) so that when the key files are lost the platform can
    still say which key it needs. A fingerprint is a hash of the key, never the key."""

    name = models.CharField("密钥", max_length=20)
    fingerprint = models.CharField("指纹", max_length=32)
    recorded_at = models.DateTimeField("首次使用", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "密钥指纹"
        constraints = [models.UniqueConstraint(fields=["name", "fingerprint"], name="key_fingerprint_unique")]

    def __str__(self) -> str:
        return f"{self.name}:{self.fingerprint}"
