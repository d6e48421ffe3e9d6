"""Every change of organization life: schedule, record as held (with attendance), edit, cancel,
attach files. Each is one transaction with its audit entry; bad input raises ValidationError
({field: [Chinese message]}) before anything is written. Scheduling notifies the members."""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.models import AuditAction
from liangxin.inbox.services import notify

from . import attachments
from .choices import AttendanceStatus, MeetingKind, MeetingStatus
from .models import Attachment, Attendance, Meeting
from .validation import check_meeting, clean_values, eligible_members, one_line, parse_attendance

EDITABLE = ["kind", "date", "start_time", "topic", "place", "minutes"]
AUDITED = ["kind", "status", "date", "start_time", "topic", "place", "minutes", "cancel_reason"]


def _snapshot(meeting: Meeting) -> dict:
    values = audit.snapshot(meeting, AUDITED)
    if isinstance(meeting.start_time, datetime.time):
        values["start_time"] = meeting.start_time.strftime("%H:%M")
    return values


def _fail(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


def _attendance_or_errors(status: str, attendance, party_org, meeting=None) -> tuple[list | None, dict]:
    """Attendance of a held meeting: parsed when given; when not, kept for a meeting already held."""
    keep_existing = meeting is not None and meeting.status == MeetingStatus.HELD
    if status != MeetingStatus.HELD:
        return None, {}
    if attendance is None:
        return (None, {}) if keep_existing else (None, {"attendance": "出席情况：请登记参会人员的出席情况"})
    return parse_attendance(attendance, party_org, meeting)


def attendance_summary(rows) -> str:
    n = {s: 0 for s in AttendanceStatus.values}
    excused = []
    for row in rows:
        n[row["status"]] += 1
        if row["status"] == AttendanceStatus.EXCUSED:
            excused.append(f"{row['member'].name}：{row['reason']}")
    text = f"出席 {n['present']} 人，请假 {n['excused']} 人，缺席 {n['absent']} 人"
    return text + (f"（请假：{'；'.join(excused)}）" if excused else "")


def _write_attendance(meeting: Meeting, rows: list[dict]) -> None:
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=r["member"], status=r["status"], reason=r["reason"]) for r in rows]
    )


def _store_files(actor, meeting: Meeting, files, kinds) -> list[Attachment]:
    return attachments.store_all(Attachment, {"meeting": meeting}, actor, files, kinds)


@transaction.atomic
def create_meeting(actor, party_org, values: dict, *, attendance=None, files=(), today=None) -> Meeting:
    """A new meeting: planned (date today or later; the members get a notice) or already held
    (date today or earlier, with attendance). ``files``: uploaded photos / PDFs."""
    today = today or timezone.localdate()
    values = clean_values(values)
    status = values.get("status") or MeetingStatus.PLANNED
    if status not in (MeetingStatus.PLANNED, MeetingStatus.HELD):
        _fail({"status": "状态：新登记的会议只能是「计划召开」或「已召开」"})
    errors = check_meeting(values, party_org, status, today)
    rows, more = _attendance_or_errors(status, attendance, party_org)
    _fail({**errors, **more})
    kinds = attachments.check_uploads(files, limit=attachments.MAX_PER_MEETING, label="附件", per="每次会议")
    meeting = Meeting(party_org=party_org, status=status, created_by=actor, **{k: values.get(k) for k in EDITABLE})
    meeting.minutes = meeting.minutes or ""
    meeting.save()
    if rows is not None:
        _write_attendance(meeting, rows)
    stored = _store_files(actor, meeting, files, kinds)
    try:
        detail = attendance_summary(rows) if rows is not None else "已通知党员"
        if stored:
            detail += f"；附件 {len(stored)} 个：" + "、".join(a.name for a in stored)
        audit.record(actor, AuditAction.CREATE, meeting, changes=audit.diff({}, _snapshot(meeting)), detail=detail)
        if status == MeetingStatus.PLANNED:
            notify_members(meeting, "会议通知")
    except Exception:
        for a in stored:
            attachments.remove(a.stored_name)
        raise
    return meeting


@transaction.atomic
def update_meeting(actor, meeting: Meeting, values: dict, *, attendance=None, today=None) -> Meeting:
    """Edit a meeting; ``status`` may go planned → held (attendance required) or planned →
    cancelled (``cancel_reason`` required). A held meeting stays held; its attendance is
    replaced when given. A planned meeting moved to another day, time or place re-notifies."""
    today = today or timezone.localdate()
    values = clean_values(values)
    meeting = Meeting.objects.select_for_update().select_related("party_org__node").get(pk=meeting.pk)
    status = values.get("status") or meeting.status
    if status == MeetingStatus.CANCELLED and meeting.status == MeetingStatus.PLANNED:
        return _cancel(actor, meeting, values.get("cancel_reason", ""))
    if meeting.status == MeetingStatus.CANCELLED:
        _fail({"status": "状态：已取消的会议不能再修改"})
    if meeting.status == MeetingStatus.HELD and status != MeetingStatus.HELD:
        _fail({"status": "状态：已召开的会议不能改回计划或取消"})
    merged = {k: values[k] if k in values else getattr(meeting, k) for k in EDITABLE}
    errors = check_meeting(merged, meeting.party_org, status, today)
    if status == MeetingStatus.PLANNED and merged["date"] == meeting.date and merged["date"] < today:
        errors.pop("date", None)  # a planned day that has passed may stay while the topic is edited
    rows, more = _attendance_or_errors(status, attendance, meeting.party_org, meeting)
    _fail({**errors, **more})
    before = _snapshot(meeting)
    moved = (merged["date"], merged["start_time"], merged["place"]) != (meeting.date, meeting.start_time, meeting.place)
    for k, v in merged.items():
        setattr(meeting, k, v if v is not None or k == "start_time" else "")
    meeting.status = status
    meeting.save()
    detail = ""
    if rows is not None:
        _write_attendance(meeting, rows)
        detail = attendance_summary(rows)
    changes = audit.diff(before, _snapshot(meeting))
    if changes or detail:
        audit.record(actor, AuditAction.UPDATE, meeting, changes=changes, detail=detail)
    if status == MeetingStatus.PLANNED and moved:
        notify_members(meeting, "会议变更")
    return meeting


@transaction.atomic
def cancel_meeting(actor, meeting: Meeting, reason: str) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("party_org__node").get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        _fail({"status": f"状态：只有计划召开的会议可以取消（本会议{meeting.get_status_display()}）"})
    return _cancel(actor, meeting, reason)


def _cancel(actor, meeting: Meeting, reason: str) -> Meeting:
    reason = one_line(reason)
    if not reason:
        _fail({"cancel_reason": "取消原因：请填写"})
    if len(reason) > 200:
        _fail({"cancel_reason": "取消原因：不能超过 200 个字"})
    before = _snapshot(meeting)
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit.record(actor, AuditAction.UPDATE, meeting, changes=audit.diff(before, _snapshot(meeting)), detail="取消会议")
    notify_members(meeting, "会议取消")
    return meeting


@transaction.atomic
def add_attachments(actor, meeting: Meeting, files) -> list[Attachment]:
    meeting = Meeting.objects.select_for_update().select_related("party_org__node").get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        _fail({"attachments": "附件：已取消的会议不能上传附件"})
    if not files:
        _fail({"attachments": "附件：请选择要上传的文件"})
    kinds = attachments.check_uploads(
        files, limit=attachments.MAX_PER_MEETING, label="附件", per="每次会议", already=meeting.attachments.count()
    )
    stored = _store_files(actor, meeting, files, kinds)
    try:
        names = "、".join(a.name for a in stored)
        audit.record(actor, AuditAction.UPDATE, meeting, detail=f"上传附件 {len(stored)} 个：{names}")
    except Exception:
        for a in stored:
            attachments.remove(a.stored_name)
        raise
    return stored


@transaction.atomic
def delete_attachment(actor, attachment: Attachment) -> None:
    meeting = attachment.meeting
    detail = f"删除附件：{attachment.name}（SHA-256 {attachment.sha256}）"
    audit.record(actor, AuditAction.UPDATE, meeting, detail=detail)
    stored = attachment.stored_name
    attachment.delete()
    transaction.on_commit(lambda: attachments.remove(stored))


# -- notices ------------------------------------------------------------------------------------
def notice_recipients(meeting: Meeting) -> list:
    """The login accounts of the members a meeting concerns: the party organization's members
    (and its inflow members); for a 支部委员会, the committee's members when it has seats."""
    members = eligible_members(meeting.party_org).filter(user__isnull=False, user__is_active=True)
    if meeting.kind == MeetingKind.COMMITTEE:
        seats = meeting.party_org.committee.values("member_id")
        if seats.exists():
            members = members.filter(Q(pk__in=seats))
    return [m.user for m in members.select_related("user")]


def notify_members(meeting: Meeting, what: str) -> int:
    when = f"{meeting.date:%Y-%m-%d}" + (f" {meeting.start_time:%H:%M}" if meeting.start_time else "")
    title = f"{what}：{when} {meeting.get_kind_display()}「{meeting.topic}」"
    if meeting.status == MeetingStatus.CANCELLED:
        body = (
            f"{meeting.party_org.name}原定于 {when} 召开的{meeting.get_kind_display()}已取消。"
            f"原因：{meeting.cancel_reason}"
        )
    else:
        body = (
            f"{meeting.party_org.name}定于 {when} 在{meeting.place}召开{meeting.get_kind_display()}，"
            f"主题：{meeting.topic}。请准时参加，不能参加的请向支部请假并说明事由。"
        )
    place = hashlib.sha256(meeting.place.encode()).hexdigest()[:8]
    key = f"life:meeting:{meeting.pk}:{meeting.status}:{when}:{place}"
    return notify(notice_recipients(meeting), "meeting", title, body, reverse("web:life_my_meetings"), key=key)
