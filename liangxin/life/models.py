"""组织生活: meetings of a party organization (三会一课, 主题党日, 组织生活会, 民主评议党员),
who attended, and the files kept with them."""

from django.db import models

from liangxin.core.models import StoredFile

from .choices import AttendanceStatus, MeetingKind, MeetingStatus


class Meeting(models.Model):
    """组织生活会议: one meeting of a party organization, planned (a notice goes to the members)
    and later recorded as held with its attendance, or cancelled. Only held meetings count for
    compliance (``liangxin.life.compliance``)."""

    party_org = models.ForeignKey(
        "party.PartyOrganization", verbose_name="党组织", on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField("会议类型", max_length=12, choices=MeetingKind.choices)
    status = models.CharField("状态", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    date = models.DateField("会议日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    topic = models.CharField("会议主题", max_length=200)
    place = models.CharField("会议地点", max_length=200)
    minutes = models.TextField("会议记录", blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活会议"
        indexes = [
            # a party organization's grid and list: its meetings of a kind by date
            models.Index(fields=["party_org", "kind", "date"], name="life_meeting_org_kind_date"),
            # roll-ups and reminders: held or planned meetings in a date range
            models.Index(fields=["status", "date"], name="life_meeting_status_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.topic}"

    def audit_paths(self) -> tuple[str, str]:
        return self.party_org.node.path, ""


class Attendance(models.Model):
    """参会情况: whether one member of the party organization attended a held meeting; an
    absence with leave (请假) carries its reason."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "party.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="meeting_attendance"
    )
    status = models.CharField("出席情况", max_length=8, choices=AttendanceStatus.choices)
    reason = models.CharField("请假事由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "参会情况"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="life_one_attendance_per_member")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_status_display()}"


class Attachment(StoredFile):
    """会议附件: a photo or PDF kept with a meeting, stored under ``VAR_DIR/life/`` and served
    only through the scoped download view. ``content_type`` is what the file's first bytes
    say it is (checked on upload), not what the browser claimed."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        verbose_name = verbose_name_plural = "会议附件"

    def audit_paths(self) -> tuple[str, str]:
        return self.meeting.party_org.node.path, ""


class ContentPrompt(models.Model):
    """组织生活内容提示: what a committee (city, district, street or industry) suggests its subtree's
    party organizations take up in one month's organization life — a title, a text and suggested
    topics (one a line). Every secretary below sees the prompts of all their committees above for
    the month, on the home page and when scheduling or recording a meeting (seed 004: "定期发布组织
    生活内容提示，确保组织生活有主题、有讨论、有共识、有行动").

    A prompt is never deleted: from the moment it is published every secretary below may have read
    it (its month's list, the meeting form of a meeting planned ahead), so a wrong one is 撤回 —
    ``withdrawn_at`` with who and why — and no longer shown below, while its publisher and the
    committees above still read it with its history."""

    node = models.ForeignKey(
        "mgmt.ManagementNode", verbose_name="发布党委", on_delete=models.PROTECT, related_name="content_prompts"
    )
    month = models.DateField("月份", help_text="该月的第一天")
    title = models.CharField("标题", max_length=100)
    text = models.TextField("内容")
    topics = models.TextField("建议主题", blank=True, help_text="每行一个")
    published_by = models.ForeignKey(
        "accounts.User", verbose_name="发布人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User", verbose_name="撤回人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活内容提示"
        ordering = ["-month", "node__path", "id"]
        # a secretary's home page: the prompts of a few ancestor nodes for one month
        indexes = [models.Index(fields=["month", "node"], name="life_prompt_month_node")]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}：{self.title}"

    def audit_paths(self) -> tuple[str, str]:
        region = self.node.region
        return self.node.path, region.path if region else ""

    @property
    def topic_list(self) -> list[str]:
        return [line.strip() for line in self.topics.splitlines() if line.strip()]
