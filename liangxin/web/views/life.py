"""组织生活 pages: meetings (schedule, record as held with attendance, files), a party
organization's compliance grid per year, the roll-up for upper committees, a member's meetings.
Rules and changes live in ``liangxin.life``; these views parse, call and render."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from liangxin.core import files, normalize
from liangxin.core.models import AuditEntry
from liangxin.core.params import parse_id
from liangxin.core.xlsx import Column
from liangxin.life import attachments, compliance, prompts, queries, services
from liangxin.life.choices import AttendanceStatus, MeetingKind, MeetingStatus
from liangxin.life.models import Attachment, Meeting
from liangxin.life.validation import eligible_members
from liangxin.party import policy

from ..base import ScopedView, deny, export_response, get_in_scope, paginate

NAV: list[tuple[str, str, str | None]] = [
    ("组织生活", "web:life_meetings", "can_read_party"),
    ("组织生活达标", "web:life_rollup", "can_read_registry"),
    ("我的组织生活", "web:life_my_meetings", "member"),
    ("组织生活内容提示", "web:life_prompts", "can_read_party"),
]
PERIOD_CHOICES = [("", "全年")] + [(f"q{i}", f"第{'一二三四'[i - 1]}季度") for i in range(1, 5)]
PERIOD_CHOICES += [(f"m{i}", f"{i}月") for i in range(1, 13)]


# -- shared helpers --------------------------------------------------------------------------------
def _meeting_for_change(scope, pk) -> Meeting:
    meeting = get_in_scope(scope.meetings(), pk=pk)
    if not scope.acts_for(meeting.party_org):
        deny("该党组织的组织生活由其书记或上级党委登记，您只能查看")
    return meeting


def _parse_meeting_form(post) -> tuple[dict, dict[str, str]]:
    values = {k: post.get(k, "") for k in ("kind", "topic", "place", "minutes")}
    errors = {}
    try:
        values["date"] = datetime.date.fromisoformat(post.get("date", "").strip())
    except ValueError:
        values["date"] = None
    raw_time = post.get("start_time", "").strip()
    values["start_time"] = None
    if raw_time:
        try:
            values["start_time"] = datetime.time.fromisoformat(raw_time)
        except ValueError:
            errors["start_time"] = "开始时间：格式应为 时:分（如 14:30）"
    return values, errors


def _parse_attendance(post) -> list[dict]:
    """One row per member id posted in ``members`` (the form lists the eligible ones)."""
    return [
        {"member": pk, "status": post.get(f"att_{pk}", ""), "reason": post.get(f"reason_{pk}", "")}
        for pk in post.getlist("members")
    ]


def _shown(values) -> dict[str, str]:
    """The form's values as the inputs show them (a date as YYYY-MM-DD, a time as HH:MM)."""
    out = {}
    for name in ("kind", "date", "start_time", "topic", "place", "minutes"):
        value = values.get(name)
        if isinstance(value, datetime.time):
            value = value.strftime("%H:%M")
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        out[name] = value or ""
    return out


def _month_prompts(party_org, date_value) -> list:
    """The 内容提示 of the meeting's month (this month while no valid date is typed) reaching ``party_org``."""
    day = date_value if isinstance(date_value, datetime.date) else None
    if day is None:
        try:
            day = datetime.date.fromisoformat(str(date_value or ""))
        except ValueError:
            day = timezone.localdate()
    return list(prompts.for_nodes([party_org.node], day))


def _errors_of(exc: ValidationError) -> dict[str, str]:
    return {k: "；".join(v) for k, v in exc.message_dict.items()}


def _attendance_rows(party_org, meeting=None, post=None) -> list[dict]:
    """The attendance table of the form: every eligible member with the status shown."""
    recorded = {a.member_id: a for a in meeting.attendance.select_related("member")} if meeting else {}
    people = list(eligible_members(party_org).order_by("name", "pk"))
    current = {m.pk for m in people}
    people += [a.member for pk, a in recorded.items() if pk not in current]  # recorded, moved on since
    rows = []
    for m in people:
        if post is not None:
            status, reason = post.get(f"att_{m.pk}", ""), post.get(f"reason_{m.pk}", "")
        elif m.pk in recorded:
            status, reason = recorded[m.pk].status, recorded[m.pk].reason
        else:
            status, reason = AttendanceStatus.PRESENT, ""
        rows.append(
            {"member": m, "status": status, "reason": reason, "moved": m.pk not in current,
             "inflow": m.pk in current and m.party_org_id != party_org.pk}
        )  # fmt: skip
    return rows


# -- meetings --------------------------------------------------------------------------------------
class MeetingList(ScopedView):
    required = "can_read_party"

    def get(self, request):
        g, today = request.GET, timezone.localdate()
        context = {"g": g, "kinds": MeetingKind.choices, "statuses": MeetingStatus.choices, "today": today}
        try:
            qs, _ = queries.filtered_meetings(self.scope, g, today)
        except ValueError as exc:
            return render(request, "web/life/meetings.html", {**context, "error": str(exc)}, status=400)
        party_org = parse_id(g, "party_org", "党组织")  # read (and refused) by filtered_meetings already
        qs = qs.annotate(
            n_present=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT), distinct=True),
            n_attendance=Count("attendance", distinct=True),
            n_files=Count("attachments", distinct=True),
        )
        page, query = paginate(request, qs.order_by("-date", "-pk"))
        # a secretary's own party organizations (admins reach the grids from the roll-up)
        context.update(
            page=page,
            query=query,
            my_party_orgs=list(self.scope.own_party_orgs()),
            party_org=self.scope.party_orgs("view").filter(pk=party_org).first() if party_org else None,
        )
        return render(request, "web/life/meetings.html", context)


class MeetingCreate(ScopedView):
    """安排会议 (status planned: a notice to the members) or 登记已召开的会议 (held, with attendance)."""

    required = "can_edit_party"

    def _party_org(self, request):
        raw = request.POST.get("party_org") or request.GET.get("party_org") or ""
        pk = parse_id({"party_org": raw}, "party_org", "党组织")
        if pk is None:
            return None
        po = get_in_scope(self.scope.party_orgs("view").filter(node__is_active=True), pk=pk)
        if not self.scope.acts_for(po):
            deny("该党组织由其他党委管理，您只能查看")
        return po

    def _choices(self, request):
        q = normalize.text(request.GET.get("q"))
        qs = self.scope.party_orgs("change").filter(node__is_active=True)
        if q:
            qs = qs.filter(node__name__contains=q)
        return qs.order_by("node__path")[:50], q

    def get(self, request):
        po = self._party_org(request)
        if po is None:
            choices, q = self._choices(request)
            if len(choices) != 1 or q:
                return render(request, "web/life/choose.html", {"choices": choices, "q": q, "g": request.GET})
            po = choices[0]  # a secretary's one party organization
        status = MeetingStatus.HELD if request.GET.get("status") == MeetingStatus.HELD else MeetingStatus.PLANNED
        initial = {"kind": request.GET.get("kind", ""), "date": request.GET.get("date", "")}
        return self._render(request, po, status, initial, {}, None)

    def post(self, request):
        po = self._party_org(request)
        if po is None:
            return render(request, "web/life/choose.html", {"choices": [], "error": "请选择党组织"}, status=400)
        status = request.POST.get("status", "")
        values, errors = _parse_meeting_form(request.POST)
        values["status"] = status
        held = status == MeetingStatus.HELD
        try:
            if errors:
                raise ValidationError({k: [v] for k, v in errors.items()})
            meeting = services.create_meeting(
                request.user, po, values,
                attendance=_parse_attendance(request.POST) if held else None,
                files=request.FILES.getlist("files"),
            )  # fmt: skip
        except ValidationError as exc:
            return self._render(request, po, status, request.POST, _errors_of(exc), request.POST, 400)
        messages.success(request, "已登记会议" if held else "已安排会议，并已向党员发送会议通知")
        return redirect("web:life_meeting_detail", pk=meeting.pk)

    def _render(self, request, po, status, values, errors, post, code=200):
        context = {
            "po": po, "status": status, "held": status == MeetingStatus.HELD, "v": _shown(values),
            "errors": errors, "kinds": MeetingKind.choices, "att_statuses": AttendanceStatus.choices,
            "rows": _attendance_rows(po, post=post) if status == MeetingStatus.HELD else [],
            "max_mb": attachments.max_bytes() // (1024 * 1024), "allowed": attachments.ALLOWED_TEXT,
            "month_prompts": _month_prompts(po, values.get("date")),
        }  # fmt: skip
        return render(request, "web/life/form.html", context, status=code)


class MeetingDetail(ScopedView):
    required = "can_read_party"

    def get(self, request, pk):
        meeting = get_in_scope(self.scope.meetings(), pk=pk)
        attendance = meeting.attendance.select_related("member").order_by("status", "member__name")
        context = {
            "m": meeting,
            "can_edit": self.scope.acts_for(meeting.party_org),
            "attendance": attendance,
            "counts": {s: sum(1 for a in attendance if a.status == s) for s in AttendanceStatus.values},
            "files": meeting.attachments.order_by("pk"),
            "history": AuditEntry.objects.filter(object_type="life.meeting", object_id=str(meeting.pk))[:50],
            "max_mb": attachments.max_bytes() // (1024 * 1024),
            "allowed": attachments.ALLOWED_TEXT,
            "today": timezone.localdate(),
        }
        return render(request, "web/life/detail.html", context)


class MeetingEdit(ScopedView):
    """Edit a meeting; ``record`` turns a planned meeting into a held one (attendance required)."""

    required = "can_edit_party"
    record = False

    def _status(self, meeting):
        return MeetingStatus.HELD if self.record else meeting.status

    def get(self, request, pk):
        meeting = _meeting_for_change(self.scope, pk)
        if meeting.status == MeetingStatus.CANCELLED or (self.record and meeting.status != MeetingStatus.PLANNED):
            messages.error(request, f"本会议{meeting.get_status_display()}，不能这样修改")
            return redirect("web:life_meeting_detail", pk=pk)
        values = {k: getattr(meeting, k) for k in services.EDITABLE}
        return self._render(request, meeting, values, {}, None)

    def post(self, request, pk):
        meeting = _meeting_for_change(self.scope, pk)
        status = self._status(meeting)
        values, errors = _parse_meeting_form(request.POST)
        values["status"] = status
        try:
            if errors:
                raise ValidationError({k: [v] for k, v in errors.items()})
            held = status == MeetingStatus.HELD
            services.update_meeting(
                request.user, meeting, values, attendance=_parse_attendance(request.POST) if held else None
            )
        except ValidationError as exc:
            return self._render(request, meeting, request.POST, _errors_of(exc), request.POST, 400)
        messages.success(request, "已登记会议召开情况" if self.record else "已保存")
        return redirect("web:life_meeting_detail", pk=pk)

    def _render(self, request, meeting, values, errors, post, code=200):
        status = self._status(meeting)
        context = {
            "po": meeting.party_org, "m": meeting, "status": status, "held": status == MeetingStatus.HELD,
            "record": self.record, "v": _shown(values), "errors": errors, "kinds": MeetingKind.choices,
            "att_statuses": AttendanceStatus.choices,
            "rows": _attendance_rows(meeting.party_org, meeting, post) if status == MeetingStatus.HELD else [],
            "month_prompts": _month_prompts(meeting.party_org, values.get("date")),
        }  # fmt: skip
        return render(request, "web/life/form.html", context, status=code)


class MeetingRecord(MeetingEdit):
    record = True


class MeetingCancel(ScopedView):
    required = "can_edit_party"

    def post(self, request, pk):
        meeting = _meeting_for_change(self.scope, pk)
        try:
            services.cancel_meeting(request.user, meeting, request.POST.get("reason", ""))
            messages.success(request, "会议已取消，已通知党员")
        except ValidationError as exc:
            messages.error(request, "；".join(_errors_of(exc).values()))
        return redirect("web:life_meeting_detail", pk=pk)


class AttachmentUpload(ScopedView):
    required = "can_edit_party"

    def post(self, request, pk):
        meeting = _meeting_for_change(self.scope, pk)
        try:
            stored = services.add_attachments(request.user, meeting, request.FILES.getlist("files"))
            messages.success(request, f"已上传附件 {len(stored)} 个")
        except ValidationError as exc:
            messages.error(request, "；".join(_errors_of(exc).values()))
        return redirect("web:life_meeting_detail", pk=pk)


def _attachment_in_scope(scope, pk) -> Attachment:
    return get_in_scope(scope.meeting_attachments(), pk=pk)


class AttachmentDownload(ScopedView):
    """The only way to a stored file: the meeting must be in the reader's scope."""

    required = "can_read_party"

    def get(self, request, pk):
        attachment = _attachment_in_scope(self.scope, pk)
        return files.download(attachments.path_of(attachment.stored_name), attachment.name, attachment.content_type)


class AttachmentDelete(ScopedView):
    required = "can_edit_party"

    def post(self, request, pk):
        attachment = _attachment_in_scope(self.scope, pk)
        if not self.scope.acts_for(attachment.meeting.party_org):
            deny()
        services.delete_attachment(request.user, attachment)
        messages.success(request, f"已删除附件「{attachment.name}」")
        return redirect("web:life_meeting_detail", pk=attachment.meeting_id)


# -- compliance ------------------------------------------------------------------------------------
class ComplianceGrid(ScopedView):
    """One party organization's year: rows are kinds of meeting, columns months."""

    required = "can_read_party"

    def get(self, request, pk):
        po = get_in_scope(self.scope.party_orgs("view"), pk=pk)
        today = timezone.localdate()
        try:
            year = queries.parse_year(request.GET.get("year"), today)
        except ValueError as exc:
            return render(request, "web/life/compliance.html", {"po": po, "error": str(exc)}, status=400)
        facts = compliance.org_facts(self.scope.party_orgs("view").filter(pk=pk))[0]
        found = compliance.grid(facts, year, today)
        context = {
            "po": po, "grid": found, "year": year, "today": today, "months": range(1, 13),
            "years": range(today.year + 1, max(today.year - 6, 1999), -1),
            "can_edit": po.node.is_active and self.scope.acts_for(po), "counts": found.counts(),
            "labels": compliance.STATE_LABELS,
        }  # fmt: skip
        return render(request, "web/life/compliance.html", context)


def parse_rollup(scope, g, today) -> dict:
    """Unit, year and window of a roll-up request: 404 for a node outside scope, ValueError
    with a Chinese reason for a bad year or period."""
    unit = queries.rollup_unit(scope, g.get("node"))
    if unit is None:
        raise Http404("管理节点不存在")
    return {"unit": unit, **queries.parse_window(g, today)}


def orgs_url(q: dict, node_id: int, state: str, exact: bool = False) -> str:
    params = {"node": node_id, "year": q["year"], "period": q["period"], "state": state}
    if exact:
        params["exact"] = 1
    return reverse("web:life_rollup_orgs") + "?" + urlencode(params)


def _rollup_context(scope, g, today) -> dict:
    q = parse_rollup(scope, g, today)
    rows, total = compliance.rollup(scope.party_orgs("view"), q["unit"], q["year"], q["period"], today)
    linked = [
        (row, [(s, row.counts[s], orgs_url(q, row.node_id, s, row.exact)) for s in compliance.ORG_STATES])
        for row in [*rows, total]
    ]
    inner = scope.stats_nodes().filter(parent=q["unit"]).annotate(n=Count("children")).filter(n__gt=0)
    child_ids = set(inner.values_list("pk", flat=True))  # children with their own children: open as a unit
    return {"q": q, "rows": linked[:-1], "total": linked[-1], "states": compliance.ORG_STATES, "drill": child_ids}


ROLLUP_FORM = {"periods": PERIOD_CHOICES}


class Rollup(ScopedView):
    required = "can_read_registry"

    def get(self, request):
        today = timezone.localdate()
        base = {**ROLLUP_FORM, "g": request.GET, "years": range(today.year, today.year - 6, -1)}
        try:
            context = _rollup_context(self.scope, request.GET, today)
        except ValueError as exc:
            return render(request, "web/life/rollup.html", {**base, "error": str(exc)}, status=400)
        unit = context["q"]["unit"]
        readable = set(self.scope.stats_nodes().filter(pk__in=unit.ancestor_ids).values_list("pk", flat=True))
        context["trail"] = [n for n in unit.ancestors() if n.pk in readable]
        context["query"] = urlencode({k: v for k, v in request.GET.items()})
        return render(request, "web/life/rollup.html", {**base, **context, "params": policy.values()})


class RollupExport(ScopedView):
    required = "can_read_registry"

    def get(self, request):
        today = timezone.localdate()
        try:
            context = _rollup_context(self.scope, request.GET, today)
        except ValueError as exc:
            return render(request, "web/life/rollup.html", {**ROLLUP_FORM, "error": str(exc)}, status=400)
        q = context["q"]
        columns = [Column("单位", lambda r: r.label, 32)] + [
            Column(label, lambda r, s=s: r.counts[s], 12, "number") for s, label in compliance.ORG_STATES.items()
        ]
        columns.append(Column("达标率（%）", lambda r: float(r.share) if r.share is not None else None, 12, "number"))
        rows = [row for row, _ in [*context["rows"], context["total"]]]
        return export_response(
            request, title="组织生活达标统计", object_type="life.rollup",
            filter_text=f"单位：{q['unit'].name}；期间：{q['label']}；截至 {today:%Y-%m-%d}",
            columns=columns, rows=rows,
        )  # fmt: skip


def _drill(scope, g, today) -> tuple[dict, list, str]:
    q = parse_rollup(scope, g, today)
    state = g.get("state") or "all"
    if state not in compliance.ORG_STATES:
        raise ValueError(f"类别「{state}」无效，应为 {'、'.join(compliance.ORG_STATES)} 之一")
    party_orgs = scope.party_orgs("view").filter(node__is_active=True)
    if g.get("exact") == "1":  # a party organization's own row: itself, not its branches
        party_orgs = party_orgs.filter(node=q["unit"])
    else:
        party_orgs = compliance.in_subtree(party_orgs, q["unit"])
    items = compliance.assessments(party_orgs, q["year"], q["period"], today)
    return q, [a for a in items if compliance.in_state(a, state)], state


ORG_STATE_LABELS = {compliance.COMPLIANT: "达标", compliance.MISSING: "未达标", compliance.PENDING: "尚无到期要求"}


class RollupOrgs(ScopedView):
    """The party organizations behind one number of the roll-up (``answer``: the page; the
    export answers the same filter with a file). A filter ``_drill`` refuses is a 400 page."""

    required = "can_read_registry"

    def get(self, request):
        today = timezone.localdate()
        try:
            q, items, state = _drill(self.scope, request.GET, today)
        except ValueError as exc:
            return render(request, "web/life/rollup_orgs.html", {"error": str(exc)}, status=400)
        return self.answer(request, q, items, state, today)

    def answer(self, request, q, items, state, today):
        page, query = paginate(request, items, 100)
        context = {
            "q": q, "state": state, "state_label": compliance.ORG_STATES[state], "total": len(items),
            "page": page, "query": query, "org_states": ORG_STATE_LABELS, "today": today, "g": request.GET,
        }  # fmt: skip
        return render(request, "web/life/rollup_orgs.html", context)


class RollupOrgsExport(RollupOrgs):
    def answer(self, request, q, items, state, today):
        columns = [
            Column("党组织", lambda a: a.facts.name, 36),
            Column("上级", lambda a: a.facts.parent_name or "", 28),
            Column("成立日期", lambda a: a.facts.founded_on, 12, "date"),
            Column("到期周期数", lambda a: a.due, 10, "number"),
            Column("未召开周期数", lambda a: len(a.missing), 10, "number"),
            Column("达标情况", lambda a: ORG_STATE_LABELS[a.state], 12),
            Column("未召开", lambda a: a.missing_text, 80),
        ]
        return export_response(
            request, title="组织生活达标_党组织", object_type="life.rollup",
            filter_text=(
                f"单位：{q['unit'].name}；期间：{q['label']}；"
                f"类别：{compliance.ORG_STATES[state]}；截至 {today:%Y-%m-%d}"
            ),
            columns=columns, rows=items,
        )  # fmt: skip


# -- a member's own meetings -----------------------------------------------------------------------
class MyMeetings(ScopedView):
    required = "member"

    def get(self, request):
        member, today = self.scope.member, timezone.localdate()
        own = [member.party_org_id] + ([member.inflow_party_org_id] if member.inflow_party_org_id else [])
        meetings = Meeting.objects.filter(party_org_id__in=own).select_related("party_org__node")
        if not member.seats.exists():
            meetings = meetings.exclude(kind=MeetingKind.COMMITTEE)
        upcoming = meetings.filter(status=MeetingStatus.PLANNED, date__gte=today).order_by("date", "start_time")
        mine = {a.meeting_id: a for a in member.meeting_attendance.all()}
        # the inflow party organization's meetings only where they were recorded as attending
        past = meetings.filter(Q(party_org_id=member.party_org_id) | Q(attendance__member=member))
        past = past.filter(status=MeetingStatus.HELD).distinct().order_by("-date", "-pk")[:100]
        context = {"upcoming": upcoming[:50], "past": [(m, mine.get(m.pk)) for m in past], "m": member}
        return render(request, "web/life/my_meetings.html", context)


urlpatterns = [
    path("life/", MeetingList.as_view(), name="life_meetings"),
    path("life/new/", MeetingCreate.as_view(), name="life_meeting_create"),
    path("life/<int:pk>/", MeetingDetail.as_view(), name="life_meeting_detail"),
    path("life/<int:pk>/edit/", MeetingEdit.as_view(), name="life_meeting_edit"),
    path("life/<int:pk>/record/", MeetingRecord.as_view(), name="life_meeting_record"),
    path("life/<int:pk>/cancel/", MeetingCancel.as_view(), name="life_meeting_cancel"),
    path("life/<int:pk>/files/", AttachmentUpload.as_view(), name="life_attachment_upload"),
    path("life/files/<int:pk>/", AttachmentDownload.as_view(), name="life_attachment_download"),
    path("life/files/<int:pk>/delete/", AttachmentDelete.as_view(), name="life_attachment_delete"),
    path("life/compliance/<int:pk>/", ComplianceGrid.as_view(), name="life_compliance"),
    path("life/rollup/", Rollup.as_view(), name="life_rollup"),
    path("life/rollup/export.xlsx", RollupExport.as_view(), name="life_rollup_export"),
    path("life/rollup/orgs/", RollupOrgs.as_view(), name="life_rollup_orgs"),
    path("life/rollup/orgs/export.xlsx", RollupOrgsExport.as_view(), name="life_rollup_orgs_export"),
    path("me/meetings/", MyMeetings.as_view(), name="life_my_meetings"),
]
