from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DEACTIVATE = "deactivate", "注销/迁出"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    VIEW_SENSITIVE = "view_sensitive", "查看敏感信息"
    LOGIN = "login", "登录"
    ACCOUNT = "account", "账号管理"


class AuditEntryManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(not o.content_hash for o in objs):
            raise PermissionError("操作日志只能经 core.audit.record 写入")
        return super().bulk_create(objs, *args, **kwargs)


class AuditEntry(models.Model):
    """操作日志: one change or export. Append-only: written by ``core.audit.record`` only.

    ``mgmt_path`` and ``region_path`` place the entry in the two trees so the log can be
    read within a scope, as the object stood when the entry was written. ``content_hash`` and
    ``prev_hash`` chain the entries (``core.chain``); database triggers (``core.audit_guard``)
    refuse UPDATE and DELETE, whichever code path sends them.
    """

    # set before the insert (not auto_now_add) because the time is part of the hashed content
    at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("操作人姓名", max_length=150)
    origin = models.CharField("来源", max_length=100)
    action = models.CharField("操作", max_length=16, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=50)
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    object_repr = models.CharField("对象", max_length=200)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    detail = models.TextField("说明", blank=True)
    mgmt_path = models.CharField("管理路径", max_length=200, blank=True, db_index=True)
    region_path = models.CharField("区划路径", max_length=80, blank=True, db_index=True)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True, editable=False)
    content_hash = models.CharField("本条哈希", max_length=64, blank=True, editable=False)

    objects = AuditEntryManager()

    class Meta:
        verbose_name = verbose_name_plural = "操作日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("操作日志只能追加，不能修改")
        if not self.content_hash:
            raise PermissionError("操作日志只能经 core.audit.record 写入")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("操作日志只能追加，不能删除")


class AuditChainHead(models.Model):
    """操作日志链尾: one row (id 1) holding the last entry's hash. Writers lock it (SELECT … FOR
    UPDATE) inside the insert's transaction, so two writers never chain to the same entry."""

    last_id = models.BigIntegerField("最后一条编号", null=True)
    last_hash = models.CharField("最后一条哈希", max_length=64, default="0" * 64)

    class Meta:
        verbose_name = verbose_name_plural = "操作日志链尾"

    def __str__(self) -> str:
        return f"{self.last_id}: {self.last_hash}"


class StoredFile(models.Model):
    """An uploaded file kept under ``VAR_DIR`` (meeting attachments, exit evidence): what the
    user called it, what its first bytes say it is (checked on upload, not the browser's claim),
    its size and checksum, the name it is stored under, and who uploaded it when."""

    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("文件类型", max_length=100)  # an Office type is up to 73 characters
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    stored_name = models.CharField("存储名", max_length=120, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name
