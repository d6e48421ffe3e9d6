"""信息报送: a street committee or a party organization reports an event, experience or problem to
the committee above; that committee 采用 it with a grade or 退回 it with a reason, and may publish
it on the portal as a 工作动态 or pass it further up (报送上级), where the next committee reviews it
in turn. Every level is an ``InfoReview`` row (the chain is kept); every step is audited.

Who writes, and which reports a user reviews, is the scope's question (``Scope.info_reports``,
``Scope.may_review_report``); the face resolves the node and the report and hands them here.
The figure — adopted reports per child node and year — is ``adoption_ranking``.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from liangxin.core import attachments, normalize, richtext
from liangxin.core.audit import diff, record, snapshot
from liangxin.core.models import AuditAction
from liangxin.mgmt.models import ManagementNode

from . import news
from .models import (
    AdoptionGrade,
    InfoReport,
    InfoReportFile,
    InfoReview,
    NewsCategory,
    NewsStatus,
    ReportKind,
    ReportStatus,
)

ATTACHMENT_FOLDER = news.ATTACHMENT_FOLDER
EDITABLE = ["kind", "title", "body"]
MAX_FILES = 10


def clean_report(values: Mapping[str, Any]) -> dict[str, Any]:
    """The report's fields as stored (the body sanitised), or ValidationError per field in Chinese."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"kind": str(values.get("kind") or "")}
    if out["kind"] not in ReportKind.values:
        errors["kind"] = ["信息类别：请选择 " + "、".join(str(label) for label in ReportKind.labels) + " 之一"]
    out["title"] = " ".join(str(values.get("title") or "").split())
    if not out["title"]:
        errors["title"] = ["标题：必填"]
    elif len(out["title"]) > news.MAX_TITLE:
        errors["title"] = [f"标题：不能超过 {news.MAX_TITLE} 个字（现有 {len(out['title'])} 个）"]
    raw = str(values.get("body") or "")
    if len(raw) > news.MAX_BODY_CHARS:
        errors["body"] = [f"正文：不能超过 {news.MAX_BODY_CHARS:,} 个字（现有 {len(raw):,} 个）"]
    else:
        out["body"] = richtext.clean_html(raw)
        if not richtext.plain_text(out["body"]):
            errors["body"] = ["正文：必填"]
    if errors:
        raise ValidationError(errors)
    return out


def _check_files(files: Sequence, already: int = 0) -> list:
    return attachments.check_uploads(
        list(files), limit=MAX_FILES, label="附件", per="每条信息", already=already, types=attachments.DOCUMENT_TYPES
    )


def _send(actor, report: InfoReport, to: ManagementNode, now: datetime.datetime) -> InfoReview:
    report.at_node, report.status = to, ReportStatus.PENDING
    report.save()
    return InfoReview.objects.create(report=report, node=to, sent_by=actor, sent_at=now)


def submit(actor, node: ManagementNode, values: Mapping[str, Any], files: Sequence = ()) -> InfoReport:
    """报送 from ``node`` (a street committee or party organization of the actor, resolved by the
    face) to the committee above it; refused where there is none."""
    fields = clean_report(values)
    kinds = _check_files(files)
    to = news.review_node_for(node)
    if to is None:
        raise ValidationError("本单位没有上级党委，无法报送")
    with transaction.atomic():
        report = InfoReport(node=node, author=actor, at_node=to, **fields)
        report.save()
        _send(actor, report, to, timezone.now())
        record(actor, AuditAction.CREATE, report, detail=f"报送{report.get_kind_display()}至{to.name}：{report.title}")
        if files:
            attachments.store_all(InfoReportFile, {"report": report}, actor, list(files), kinds, ATTACHMENT_FOLDER)
    return report


def resubmit(actor, report: InfoReport, values: Mapping[str, Any], files: Sequence = ()) -> InfoReport:
    """修改后重新报送: a report returned at its first level, changed by its writer, goes to that
    committee again (a new level in the chain, so the return and its reason stay readable)."""
    if report.status != ReportStatus.RETURNED or report.reviews.count() != 1:
        raise ValidationError("只有被上级党委直接退回的信息可以修改后重新报送")
    fields = clean_report(values)
    kinds = _check_files(files, already=report.files.count())
    with transaction.atomic():
        before = snapshot(report, EDITABLE)
        for name, value in fields.items():
            setattr(report, name, value)
        _send(actor, report, report.at_node, timezone.now())
        record(actor, AuditAction.UPDATE, report, changes=diff(before, snapshot(report, EDITABLE)),
               detail=f"修改后重新报送至{report.at_node.name}")  # fmt: skip
        if files:
            attachments.store_all(InfoReportFile, {"report": report}, actor, list(files), kinds, ATTACHMENT_FOLDER)
    return report


def current_review(report: InfoReport) -> InfoReview:
    return report.reviews.order_by("-sent_at", "-id").first() or InfoReview(report=report, node=report.at_node)


def _pending(report: InfoReport) -> InfoReview:
    if report.status != ReportStatus.PENDING:
        raise ValidationError(f"该信息当前为「{report.get_status_display()}」，不在待审核状态")
    return current_review(report)


def adopt(actor, report: InfoReport, grade: str, now: datetime.datetime | None = None) -> InfoReport:
    """采用 at the level it waits at, with a grade (一般采用 / 重点采用)."""
    review = _pending(report)
    if grade not in AdoptionGrade.values:
        raise ValidationError(
            {"grade": ["采用等级：请选择 " + "、".join(str(g) for g in AdoptionGrade.labels) + " 之一"]}
        )
    with transaction.atomic():
        review.status, review.grade, review.reviewer = ReportStatus.ADOPTED, grade, actor
        review.decided_at = now or timezone.now()
        review.save()
        report.status = ReportStatus.ADOPTED
        report.save()
        label = AdoptionGrade(grade).label
        record(actor, AuditAction.UPDATE, report, changes={"status": ["待审核", f"已采用（{label}）"]},
               detail=f"{review.node.name}采用：{label}")  # fmt: skip
    return report


def return_report(actor, report: InfoReport, reason: str) -> InfoReport:
    """退回 with a reason (the writer, or the committee that passed it up, reads it)."""
    review = _pending(report)
    reason = normalize.reason(reason, "退回理由", news.MAX_REASON)
    with transaction.atomic():
        review.status, review.reason, review.reviewer, review.decided_at = (
            ReportStatus.RETURNED, reason, actor, timezone.now(),
        )  # fmt: skip
        review.save()
        report.status = ReportStatus.RETURNED
        report.save()
        record(actor, AuditAction.UPDATE, report, changes={"status": ["待审核", "退回"]}, detail=f"退回：{reason}")
    return report


def pass_up(actor, report: InfoReport) -> InfoReport:
    """报送上级: an adopted report goes on to the committee above the one that adopted it."""
    if report.status != ReportStatus.ADOPTED:
        raise ValidationError("请先采用该信息，再报送上级")
    to = news.review_node_for(report.at_node)
    if to is None:
        raise ValidationError(f"{report.at_node.name}没有上级党委，无法继续报送")
    with transaction.atomic():
        came_from = report.at_node
        _send(actor, report, to, timezone.now())
        record(actor, AuditAction.UPDATE, report, detail=f"{came_from.name}报送上级：{to.name}")
    return report


def publish(actor, report: InfoReport, to_everyone: bool = False) -> Any:
    """发布到互动网: an adopted report becomes a 工作动态 of the committee that adopted it (its
    source recorded); a street's goes to its district for review like any item it writes."""
    if report.status != ReportStatus.ADOPTED:
        raise ValidationError("请先采用该信息，再发布到互动网")
    if hasattr(report, "news_item"):
        raise ValidationError("该信息已发布为工作动态")
    values = {"title": report.title, "body": report.body, "category": NewsCategory.NEWS, "to_everyone": to_everyone}
    with transaction.atomic():
        item = news.write(actor, report.at_node, values, source_report=report)
        state = "已发布" if item.status == NewsStatus.PUBLISHED else "已提交上级审核"
        record(actor, AuditAction.UPDATE, report, detail=f"发布为工作动态（{state}）：{item.title}")
    return item


def file_path(found: InfoReportFile):
    return attachments.path_of(found.stored_name, ATTACHMENT_FOLDER)


# -- the figure -------------------------------------------------------------------------------------
@dataclass
class RankRow:
    """One child node's adopted reports in the year, by the ranking node (``received``: sent to it)."""

    node: ManagementNode
    received: int = 0
    adopted: int = 0
    grades: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.adopted / self.received if self.received else None


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year in the platform's time zone: a decision at 23:59 on 31 December counts in it."""
    tz = timezone.get_current_timezone()
    return (datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz))


def adoption_ranking(node: ManagementNode, year: int) -> list[RankRow]:
    """采用排名: for each active child of ``node``, the reports from its subtree that ``node``
    received and adopted in ``year`` (decided in it), with counts per grade; most adopted first.
    One query per child node would not scale to a district of 300 branches: one grouped query."""
    start, end = year_bounds(year)
    children = list(node.children.filter(is_active=True).order_by("name"))
    rows = {c.pk: RankRow(node=c, grades={g: 0 for g in AdoptionGrade.values}) for c in children}
    depth = len(node.ancestor_ids)  # the child's id is the next step in a report node's path
    reviews = InfoReview.objects.filter(node=node).filter(
        Q(decided_at__gte=start, decided_at__lt=end)
        | Q(status=ReportStatus.PENDING, sent_at__gte=start, sent_at__lt=end)
    )
    counted = reviews.values("report__node__path", "status", "grade").annotate(n=Count("id"))
    for entry in counted:
        steps = [int(p) for p in entry["report__node__path"].split("/") if p]
        row = rows.get(steps[depth]) if len(steps) > depth else None
        if row is None:
            continue
        row.received += entry["n"]
        if entry["status"] == ReportStatus.ADOPTED:
            row.adopted += entry["n"]
            row.grades[entry["grade"]] = row.grades.get(entry["grade"], 0) + entry["n"]
    return sorted(rows.values(), key=lambda r: (-r.adopted, -r.grades.get(AdoptionGrade.KEY, 0), r.node.path))
