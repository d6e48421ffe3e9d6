"""Checks of a meeting before anything is saved; each message names the field (Chinese) and
the reason. Pages and the API call the same functions through ``services``."""

import datetime

from django.db.models import Q

from liangxin.party.models import Member

from .choices import AttendanceStatus, MeetingKind, MeetingStatus

TEXT_LIMITS = {"topic": ("会议主题", 200), "place": ("会议地点", 200)}
MINUTES_LIMIT = 20_000


def eligible_members(party_org):
    """Who may attend a party organization's meetings: its members on the roll, and floating
    members who joined its activities as their inflow party organization (流入党员)."""
    return Member.objects.filter(Q(party_org=party_org) | Q(inflow_party_org=party_org), is_active=True)


def check_meeting(values: dict, party_org, status: str, today: datetime.date) -> dict[str, str]:
    """Field → message for the meeting's own fields (``values`` already parsed)."""
    errors: dict[str, str] = {}
    if values.get("kind") not in MeetingKind.values:
        errors["kind"] = "会议类型：请选择" + ("" if not values.get("kind") else f"（「{values['kind']}」无效）")
    day = values.get("date")
    if not isinstance(day, datetime.date):
        errors["date"] = "会议日期：请填写有效日期（如 2025-03-31）"
    elif status == MeetingStatus.HELD and day > today:
        errors["date"] = f"会议日期：已召开的会议，日期不能晚于今天（{today:%Y-%m-%d}）"
    elif status == MeetingStatus.PLANNED and day < today:
        errors["date"] = f"会议日期：计划召开的会议，日期应为今天（{today:%Y-%m-%d}）或以后"
    elif party_org.founded_on and day < party_org.founded_on:
        errors["date"] = f"会议日期：早于党组织成立日期（{party_org.founded_on:%Y-%m-%d}）"
    for name, (label, limit) in TEXT_LIMITS.items():
        text = values.get(name) or ""
        if not text:
            errors[name] = f"{label}：请填写"
        elif len(text) > limit:
            errors[name] = f"{label}：不能超过 {limit} 个字（现 {len(text)} 个）"
    if len(values.get("minutes") or "") > MINUTES_LIMIT:
        errors["minutes"] = f"会议记录：不能超过 {MINUTES_LIMIT} 个字"
    return errors


def parse_attendance(rows, party_org, meeting=None) -> tuple[list[dict], dict[str, str]]:
    """``rows``: [{"member": id, "status": …, "reason": …}] → (clean rows with Member objects,
    errors). Attendees must be eligible members of this party organization (or already recorded
    for this ``meeting``: a member who has moved on since keeps their line); 请假 needs a reason;
    a held meeting needs at least one member present."""
    eligible = {m.pk: m for m in eligible_members(party_org)}
    if meeting is not None and meeting.pk:
        eligible.update({m.pk: m for m in Member.objects.filter(meeting_attendance__meeting=meeting)})
    clean, seen = [], set()
    for row in rows:
        raw_id = str(row.get("member", "")).strip()
        member = eligible.get(int(raw_id)) if raw_id.isdigit() else None
        if member is None:
            return [], {"attendance": f"参会人员：编号「{raw_id}」不是本党组织（{party_org.name}）的党员"}
        if member.pk in seen:
            return [], {"attendance": f"参会人员：{member.name} 重复登记"}
        seen.add(member.pk)
        status = row.get("status")
        if status not in AttendanceStatus.values:
            return [], {"attendance": f"出席情况：{member.name} 的出席情况「{status or '空'}」无效"}
        reason = one_line(row.get("reason"))
        if status == AttendanceStatus.EXCUSED and not reason:
            return [], {"reason": f"请假事由：{member.name} 为请假，须填写请假事由"}
        if len(reason) > 200:
            return [], {"reason": f"请假事由：{member.name} 的事由不能超过 200 个字"}
        clean.append({"member": member, "status": status, "reason": reason if status != "present" else ""})
    if not any(r["status"] == AttendanceStatus.PRESENT for r in clean):
        return [], {"attendance": "出席情况：已召开的会议至少应有一名党员出席"}
    return clean, {}


def one_line(value) -> str:
    """Free text on one line: trimmed, runs of spaces (an ideographic space too) made one. Not
    NFKC: Chinese punctuation (，。「」) stays as typed."""
    return " ".join(str(value or "").replace("\u3000", " ").split())


def clean_values(raw: dict) -> dict:
    """Text fields trimmed to one line; the minutes keep their line breaks."""
    out = dict(raw)
    for name in ("topic", "place"):
        if name in out:
            out[name] = one_line(out[name])
    if "minutes" in out:
        out["minutes"] = (out["minutes"] or "").replace("\r\n", "\n").strip()
    return out
