"""Every change of a 述职报告, each audited: create (figures taken), refresh (while editable), edit the
text (sanitised rich text), submit, and the level above's review (退回修改 with a reason, 审阅通过).
The faces check who acts (``Scope.may_write_duty_report`` / ``may_review_duty_report``); the states
are checked here, on a freshly locked row."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liangxin.core.audit import AuditAction, diff, record, snapshot
from liangxin.core.richtext import clean_html, plain_text
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode

from . import figures as figures_
from .choices import EDITABLE, ReportStatus, ReviewAction
from .models import DutyReport, DutyReview
from .word import report_docx

TEXT_FIELDS = {"practice": "主要做法和成效", "problems": "存在的问题", "plans": "下一步打算"}
MAX_TEXT_CHARS = 20000
MAX_COMMENT_CHARS = 2000
FIRST_YEAR = 2000


def review_node_for(node: ManagementNode) -> ManagementNode | None:
    """The level above that reviews ``node``'s report: the nearest active committee above it."""
    above = [n for n in node.ancestors() if n.pk != node.pk and n.kind in COMMITTEE_KINDS and n.is_active]
    return above[-1] if above else None


def clean_year(value: Any, today: datetime.date) -> int:
    raw = str(value if value is not None else "").strip()
    if not raw.isdecimal():
        raise ValidationError({"year": ["年度：请填写四位数字的年份"]})
    year = int(raw)
    if not FIRST_YEAR <= year <= today.year:
        raise ValidationError({"year": [f"年度：应在 {FIRST_YEAR} 年至 {today.year} 年之间"]})
    return year


def clean_texts(values: Mapping[str, Any]) -> dict[str, str]:
    """The text sections sent (only those named), sanitised like every rich text of the platform."""
    out, errors = {}, {}
    for name, label in TEXT_FIELDS.items():
        if name not in values:
            continue
        raw = values.get(name)
        if raw is not None and not isinstance(raw, str):
            errors[name] = [f"{label}：应为文字"]
            continue
        text = clean_html(raw or "")
        if len(text) > MAX_TEXT_CHARS:
            errors[name] = [f"{label}：不能超过 {MAX_TEXT_CHARS} 个字符"]
        out[name] = text
    if errors:
        raise ValidationError(errors)
    return out


def create(actor, node: ManagementNode, year_value: Any, today: datetime.date | None = None) -> DutyReport:
    """新建述职报告 for a committee and a year, the figures taken now."""
    today = today or timezone.localdate()
    year = clean_year(year_value, today)
    if node.kind not in COMMITTEE_KINDS:
        raise ValidationError({"node": ["述职党委：只有党委（市、区、街道/镇、行业）撰写述职报告"]})
    review_node = review_node_for(node)
    if review_node is None:
        raise ValidationError({"node": ["述职党委：没有上级党委审阅，不需撰写述职报告"]})
    if DutyReport.objects.filter(node=node, year=year).exists():
        raise ValidationError({"year": [f"年度：{node.name}{year}年度的述职报告已经建立"]})
    data = figures_.assemble(node, year, today)
    as_of = datetime.date.fromisoformat(data["as_of"])
    with transaction.atomic():
        report = DutyReport.objects.create(
            node=node, review_node=review_node, year=year, figures=data, as_of=as_of,
            figures_taken_at=timezone.now(), author=actor,
        )  # fmt: skip
        record(actor, AuditAction.CREATE, report, detail=f"新建述职报告，数据截止 {data['as_of']}")
    return report


def _locked(report: DutyReport) -> DutyReport:
    return DutyReport.objects.select_for_update().select_related("node").get(pk=report.pk)


def _check_editable(report: DutyReport, what: str) -> None:
    if report.status not in EDITABLE:
        raise ValidationError({"status": [f"述职报告{report.get_status_display()}，不能{what}"]})


def refresh(actor, report: DutyReport, today: datetime.date | None = None) -> DutyReport:
    """更新数据: the figures taken again (a draft or a returned report only)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        report = _locked(report)
        _check_editable(report, "更新数据")
        old_as_of = report.as_of
        data = figures_.assemble(report.node, report.year, today)
        as_of = datetime.date.fromisoformat(data["as_of"])
        report.figures, report.as_of, report.figures_taken_at = data, as_of, timezone.now()
        report.save(update_fields=["figures", "as_of", "figures_taken_at", "updated_at"])
        record(actor, AuditAction.UPDATE, report, changes={"as_of": [str(old_as_of), data["as_of"]]},
               detail="更新述职报告的平台数据")  # fmt: skip
    return report


def update_text(actor, report: DutyReport, values: Mapping[str, Any]) -> DutyReport:
    """修改 the text sections (a draft or a returned report only)."""
    fields = clean_texts(values)
    with transaction.atomic():
        report = _locked(report)
        _check_editable(report, "修改")
        before = snapshot(report, list(TEXT_FIELDS))
        for name, value in fields.items():
            setattr(report, name, value)
        report.save(update_fields=[*fields, "updated_at"])
        changes = diff(before, snapshot(report, list(TEXT_FIELDS)))
        if changes:
            record(actor, AuditAction.UPDATE, report, changes=changes, detail="修改述职报告")
    return report


def submit(actor, report: DutyReport) -> DutyReport:
    """提交 to the level above: the figures are frozen from now on."""
    with transaction.atomic():
        report = _locked(report)
        _check_editable(report, "提交")
        empty = [label for name, label in TEXT_FIELDS.items() if not plain_text(getattr(report, name))]
        if empty:
            raise ValidationError({"status": [f"请先填写：{'、'.join(empty)}"]})
        old_label = report.get_status_display()
        report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
        report.save(update_fields=["status", "submitted_at", "updated_at"])
        DutyReview.objects.create(report=report, action=ReviewAction.SUBMIT, actor=actor, node=report.node)
        changes = {"status": [old_label, report.get_status_display()]}
        record(actor, AuditAction.UPDATE, report, changes=changes, detail="提交述职报告")
    return report


def review(actor, report: DutyReport, decision: Any, comment: Any) -> DutyReport:
    """审阅 by the level above: ``approve`` (审阅通过, comments optional) or ``return`` (退回修改, a reason)."""
    if decision not in (ReviewAction.APPROVE, ReviewAction.RETURN):
        raise ValidationError({"decision": ["审阅结果：应为审阅通过或退回修改"]})
    text = " ".join(str(comment or "").split()) if isinstance(comment, str | type(None)) else None
    if text is None:
        raise ValidationError({"comment": ["审阅意见：应为文字"]})
    if decision == ReviewAction.RETURN and not text:
        raise ValidationError({"comment": ["审阅意见：退回修改须写明原因"]})
    if len(text) > MAX_COMMENT_CHARS:
        raise ValidationError({"comment": [f"审阅意见：不能超过 {MAX_COMMENT_CHARS} 个字"]})
    with transaction.atomic():
        report = _locked(report)
        if report.status != ReportStatus.SUBMITTED:
            raise ValidationError({"status": [f"述职报告{report.get_status_display()}，不在待审阅状态"]})
        new = ReportStatus.APPROVED if decision == ReviewAction.APPROVE else ReportStatus.RETURNED
        old_label = report.get_status_display()
        report.status, report.reviewed_at = new, timezone.now()
        report.save(update_fields=["status", "reviewed_at", "updated_at"])
        reviewer = report.review_node
        assert reviewer is not None, "a report is created with the committee that reviews it"
        DutyReview.objects.create(report=report, action=decision, comment=text, actor=actor, node=reviewer)
        label = ReviewAction(decision).label
        record(actor, AuditAction.UPDATE, report, changes={"status": [old_label, report.get_status_display()]},
               detail=f"{label}：{text}" if text else label)  # fmt: skip
    return report


def word_file(actor, report: DutyReport) -> bytes:
    """The report as a Word file (audited as an export)."""
    data = report_docx(report)
    record(actor, AuditAction.EXPORT, report, detail="下载述职报告 Word 文件")
    return data
