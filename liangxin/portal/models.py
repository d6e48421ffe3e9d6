"""互动网: what the platform publishes to the people it serves — the 政策文件库 (policy library), the
工作动态 and 通知公告 (news), and the 信息报送 (information reports up) that may become news."""

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


# -- 工作动态 and 通知公告 ------------------------------------------------------------------------------
class NewsCategory(models.TextChoices):
    NEWS = "news", "工作动态"
    NOTICE = "notice", "通知公告"


class NewsStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    RETURNED = "returned", "退回"
    WITHDRAWN = "withdrawn", "已撤下"


class NewsItem(models.Model):
    """工作动态 / 通知公告: one item of the 互动网's news, written at a node (a committee, or a party
    organization by its secretary) for that node's subtree or for everyone. An item written at a
    street or a party organization waits (待审核) for the committee above (``review_node``) to
    publish it (已发布) or return it with a reason (退回); a committee above a street publishes
    at once. A published item is never changed in place nor deleted: it is 撤下 (已撤下, with a
    reason, kept for the record) and may then be changed and published or reviewed again.
    ``source_report`` names the 信息报送 an item was published from."""

    title = models.CharField("标题", max_length=200)
    category = models.CharField("栏目", max_length=16, choices=NewsCategory.choices)
    body = models.TextField("正文")  # sanitised HTML (core.richtext.clean_html), safe to show as is
    pinned = models.BooleanField("置顶", default=False)
    to_everyone = models.BooleanField(
        "所有用户可见", default=False, help_text="不勾选时，仅发布单位及其下级单位的用户可见"
    )
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="发布单位", on_delete=models.PROTECT, related_name="news_items"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撰写人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=NewsStatus.choices, default=NewsStatus.PENDING)
    review_node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="审核单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="news_to_review",
    )  # fmt: skip
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.CharField("退回理由", max_length=500, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤下理由", max_length=500, blank=True)
    source_report = models.OneToOneField(
        "portal.InfoReport", verbose_name="来源信息", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="news_item",
    )  # fmt: skip
    created_at = models.DateTimeField("撰写时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作动态与通知公告"
        ordering = ["-pinned", "-published_at", "-id"]
        indexes = [
            # the portal's lists: published items of a category, pinned first, newest first
            models.Index(fields=["status", "category", "pinned", "published_at"], name="news_published"),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_paths(self) -> tuple[str, str]:
        region = self.node.region
        return self.node.path, region.path if region else ""


class NewsFile(StoredFile):
    """工作动态的题图与附件: the cover image (``is_cover``, a photo) or an attachment (PDF, Office
    file, photo) of a news item, checked by content, stored encrypted under ``VAR_DIR/portal``."""

    item = models.ForeignKey(NewsItem, verbose_name="工作动态", on_delete=models.CASCADE, related_name="files")
    is_cover = models.BooleanField("题图", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "工作动态附件"
        ordering = ["-is_cover", "id"]


# -- 信息报送 --------------------------------------------------------------------------------------------
class ReportKind(models.TextChoices):
    EVENT = "event", "动态信息"
    EXPERIENCE = "experience", "经验做法"
    PROBLEM = "problem", "问题反映"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ADOPTED = "adopted", "已采用"
    RETURNED = "returned", "退回"


class AdoptionGrade(models.TextChoices):
    # the grades committees commonly keep (the seeds name none): an ordinary adoption, and a key one
    # (carried in a bulletin or passed to the leaders)
    NORMAL = "normal", "一般采用"
    KEY = "key", "重点采用"


class InfoReport(models.Model):
    """信息报送: an event, experience or problem a street committee or a party organization reports
    to the committee above. Each level it reaches is an ``InfoReview`` (the chain); ``at_node`` and
    ``status`` repeat the latest level's, so "what waits for me" is one indexed query."""

    kind = models.CharField("信息类别", max_length=16, choices=ReportKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")  # sanitised HTML (core.richtext.clean_html)
    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="报送单位", on_delete=models.PROTECT, related_name="info_reports"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at_node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="当前审核单位", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息报送"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["at_node", "status"], name="info_report_waiting")]

    def __str__(self) -> str:
        return self.title

    def audit_paths(self) -> tuple[str, str]:
        region = self.node.region
        return self.node.path, region.path if region else ""


class InfoReview(models.Model):
    """信息报送的审核环节: one level a report reached — the committee that reviews it there, and its
    decision (采用 with a grade, or 退回 with a reason). The adopted ones are the figure committees
    rank their child nodes by (``portal.reports.adoption_ranking``)."""

    report = models.ForeignKey(InfoReport, verbose_name="信息报送", on_delete=models.CASCADE, related_name="reviews")
    node = models.ForeignKey("mgmt.ManagementNode", verbose_name="审核单位", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField("报送时间")
    status = models.CharField("结果", max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    grade = models.CharField("采用等级", max_length=16, choices=AdoptionGrade.choices, blank=True)
    reason = models.CharField("退回理由", max_length=500, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息报送审核"
        ordering = ["report", "sent_at", "id"]
        indexes = [
            # the ranking: a node's adoptions in a year
            models.Index(fields=["node", "status", "decided_at"], name="info_review_adopted"),
        ]

    def __str__(self) -> str:
        return f"{self.report} @ {self.node}"


class InfoReportFile(StoredFile):
    """信息报送的附件 (photos, PDF, Office files), checked by content, stored under ``VAR_DIR/portal``."""

    report = models.ForeignKey(InfoReport, verbose_name="信息报送", on_delete=models.CASCADE, related_name="files")

    class Meta:
        verbose_name = verbose_name_plural = "信息报送附件"
        ordering = ["id"]
