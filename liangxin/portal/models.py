"""互动网: what the platform publishes to the people it serves. Today the 政策文件库 (policy library);
news, Q&A and notices join it later, each in its own modules."""

from django.conf import settings
from django.db import models

from liangxin.core.models import StoredFile


class PolicyCategory(models.TextChoices):
    CENTRAL = "central", "中央文件"
    CITY = "city", "市级文件"
    DISTRICT = "district", "区级文件"
    STREET = "street", "街道文件"
    RULES = "rules", "工作制度"
    STUDY = "study", "学习资料"


class PolicyDocument(models.Model):
    """政策文件: one document of the policy library — its 文号, 发文机关, date, category and full text
    (searched through ``portal.search``), published by a committee for its subtree or for everyone."""

    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    issuer = models.CharField("发文机关", max_length=100)
    issued_on = models.DateField("发文日期")
    category = models.CharField("类别", max_length=16, choices=PolicyCategory.choices)
    body = models.TextField("正文")
    to_everyone = models.BooleanField(
        "所有用户可见", default=False, help_text="不勾选时，仅发布单位及其下级单位的用户可见"
    )
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="发布单位", on_delete=models.PROTECT, related_name="policy_documents"
    )
    publisher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策文件"
        ordering = ["-issued_on", "-id"]
        indexes = [
            # the list's order, and its category filter in the same order
            models.Index(fields=["issued_on", "id"], name="policy_doc_issued"),
            models.Index(fields=["category", "issued_on"], name="policy_doc_category"),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_paths(self) -> tuple[str, str]:
        region = self.node.region
        return self.node.path, region.path if region else ""


class PolicyAttachment(StoredFile):
    """政策文件的附件 (one per document: the original PDF or Office file), checked by content, stored
    encrypted under ``VAR_DIR/portal``."""

    document = models.OneToOneField(
        PolicyDocument, verbose_name="政策文件", on_delete=models.CASCADE, related_name="attachment"
    )

    class Meta:
        verbose_name = verbose_name_plural = "政策文件附件"
