"""Enumerations of 组织生活 and the policy parameter behind each kind of meeting."""

from django.db import models


class MeetingKind(models.TextChoices):
    GENERAL = "general", "支部党员大会"
    COMMITTEE = "committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    REVIEW = "review", "组织生活会"
    APPRAISAL = "appraisal", "民主评议党员"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "计划召开"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    EXCUSED = "excused", "请假（有事由）"
    ABSENT = "absent", "缺席"


# "at least once per this many months" (a calendar period), per kind: policy.PARAMETERS
KIND_PARAMETER: dict[str, str] = {
    MeetingKind.GENERAL: "life_general_meeting_months",
    MeetingKind.COMMITTEE: "life_committee_meeting_months",
    MeetingKind.GROUP: "life_group_meeting_months",
    MeetingKind.LECTURE: "life_lecture_months",
    MeetingKind.THEME_DAY: "life_theme_day_months",
    MeetingKind.REVIEW: "life_review_meeting_months",
    MeetingKind.APPRAISAL: "life_appraisal_months",
}

# kinds that need a branch committee (支委会): see compliance.has_committee
COMMITTEE_ONLY_KINDS = (MeetingKind.COMMITTEE, MeetingKind.GROUP)
