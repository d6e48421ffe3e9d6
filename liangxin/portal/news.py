"""工作动态 and 通知公告: writing, reviewing, editing and removing a news item — every change of
state checked and audited in one transaction.

The rules of the tree are plain functions here (``needs_review``, ``review_node_for``): an item
written at a street committee or at a party organization waits for the nearest committee above
it; a city, district or industry committee publishes at once. The states are the item's own: what
is not published (待审核, 退回, 已撤下) may be changed; what readers may have read (已发布) is
never changed in place nor deleted — it is 撤下 with a reason and kept, then may be changed and
published (or reviewed) again; only what was never published (待审核, 退回) is deleted. Who may write, review or change
an item is the scope's question (``Scope.news_items``, ``Scope.may_review_news``): the face
resolves the node and the item within the scope and hands them here.
"""

import datetime
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liangxin.core import attachments, normalize, richtext
from liangxin.core.audit import diff, record, snapshot
from liangxin.core.models import AuditAction
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode, NodeKind

from .models import InfoReport, NewsCategory, NewsFile, NewsItem, NewsStatus

ATTACHMENT_FOLDER = "portal"
EDITABLE = ["title", "category", "body", "pinned", "to_everyone"]
MAX_TITLE = 200
MAX_BODY_CHARS = 100_000  # a long report with its pictures described is ~20,000 characters
MAX_REASON = 500
MAX_FILES = 10
COVER_TYPES = attachments.TYPES[:2]  # a cover is a photo: JPEG or PNG
# the nodes whose items the level above reviews (DOMAIN: workflows follow the management tree)
REVIEWED_KINDS = (NodeKind.STREET, NodeKind.GRASSROOTS)
LABELS = {"title": "标题", "category": "栏目", "body": "正文", "pinned": "置顶", "to_everyone": "所有用户可见"}
EDITABLE_STATES = (NewsStatus.PENDING, NewsStatus.RETURNED, NewsStatus.WITHDRAWN)
DELETABLE_STATES = (NewsStatus.PENDING, NewsStatus.RETURNED)  # never published: nobody has read them


def needs_review(node: ManagementNode) -> bool:
    """An item written at a street or a party organization is reviewed before it appears."""
    return node.kind in REVIEWED_KINDS


def review_node_for(node: ManagementNode) -> ManagementNode | None:
    """The committee that reviews what ``node`` writes: the nearest committee above it."""
    above = [n for n in node.ancestors() if n.pk != node.pk and n.kind in COMMITTEE_KINDS and n.is_active]
    return above[-1] if above else None


def clean_news(values: Mapping[str, Any]) -> dict[str, Any]:
    """The item's fields as stored (the body sanitised), or ValidationError in Chinese per field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"title": " ".join(str(values.get("title") or "").split())}
    if not out["title"]:
        errors["title"] = ["标题：必填"]
    elif len(out["title"]) > MAX_TITLE:
        errors["title"] = [f"标题：不能超过 {MAX_TITLE} 个字（现有 {len(out['title'])} 个）"]
    out["category"] = str(values.get("category") or "")
    if out["category"] not in NewsCategory.values:
        errors["category"] = ["栏目：请选择 " + "、".join(str(label) for label in NewsCategory.labels) + " 之一"]
    raw = str(values.get("body") or "")
    if len(raw) > MAX_BODY_CHARS:
        errors["body"] = [f"正文：不能超过 {MAX_BODY_CHARS:,} 个字（现有 {len(raw):,} 个）"]
    else:
        out["body"] = richtext.clean_html(raw)
        if not richtext.plain_text(out["body"]):
            errors["body"] = ["正文：必填"]
    out["pinned"] = bool(values.get("pinned"))
    out["to_everyone"] = bool(values.get("to_everyone"))
    if errors:
        raise ValidationError(errors)
    return out


def check_files(cover=None, files: Sequence = (), already: int = 0) -> tuple[list, list]:
    """The cover (a photo) and the attachments, checked by content before anything is written."""
    cover_kinds: list = []
    if cover is not None:
        try:
            cover_kinds = [attachments.check_upload(cover, COVER_TYPES)]
        except ValidationError as error:
            raise ValidationError({"cover": [f"题图：{error.messages[0]}（题图只接受照片 JPEG/PNG）"]}) from None
    kinds = attachments.check_uploads(
        list(files), limit=MAX_FILES, label="附件", per="每条信息", already=already, types=attachments.DOCUMENT_TYPES
    )
    return cover_kinds, kinds


def _store(actor, item: NewsItem, cover, cover_kinds, files, kinds) -> None:
    if cover is not None:
        attachments.store_all(
            NewsFile, {"item": item, "is_cover": True}, actor, [cover], cover_kinds, ATTACHMENT_FOLDER
        )
    if files:
        attachments.store_all(NewsFile, {"item": item}, actor, list(files), kinds, ATTACHMENT_FOLDER)


def _waiting_or_published(item: NewsItem, node: ManagementNode) -> None:
    """Published at once above a street; else waiting for the committee above (none: the city's
    own items never wait, and a node with no committee above publishes itself)."""
    reviewer = review_node_for(node) if needs_review(node) else None
    item.review_node = reviewer
    item.reviewer, item.reviewed_at, item.return_reason = None, None, ""
    item.withdrawn_at, item.withdraw_reason = None, ""
    if reviewer is None:
        item.status, item.published_at = NewsStatus.PUBLISHED, timezone.now()
    else:
        item.status, item.published_at = NewsStatus.PENDING, None


def write(
    actor,
    node: ManagementNode,
    values: Mapping[str, Any],
    *,
    cover=None,
    files: Sequence = (),
    source_report: InfoReport | None = None,
) -> NewsItem:
    """撰写 at ``node`` (one of the actor's writing nodes, resolved by the face): published at once,
    or 待审核 by the committee above. Every field and file is checked before anything is written."""
    fields = clean_news(values)
    cover_kinds, kinds = check_files(cover, files)
    with transaction.atomic():
        item = NewsItem(node=node, author=actor, source_report=source_report, **fields)
        _waiting_or_published(item, node)
        item.save()
        what = "发布" if item.status == NewsStatus.PUBLISHED else "提交审核"
        source = f"（来自信息报送「{source_report.title}」）" if source_report else ""
        record(actor, AuditAction.CREATE, item, detail=f"{what}{item.get_category_display()}：{item.title}{source}")
        _store(actor, item, cover, cover_kinds, files, kinds)
    return item


def edit(
    actor, item: NewsItem, values: Mapping[str, Any], *, resubmit: bool, cover=None, files: Sequence = (),
    remove: Sequence[int] = (),
) -> NewsItem:  # fmt: skip
    """Change an item not published (``check_editable``); ``resubmit`` (its writer, not a reviewer)
    sends a reviewed node's item back to 待审核, so nothing unreviewed appears, and publishes a
    withdrawn item again (or submits it for review). ``remove`` names files to drop, new ones are added."""
    check_editable(item)
    fields = clean_news(values)
    kept = item.files.exclude(pk__in=list(remove))
    cover_kinds, kinds = check_files(cover, files, already=kept.filter(is_cover=False).count())
    with transaction.atomic():
        before = snapshot(item, EDITABLE)
        for name, value in fields.items():
            setattr(item, name, value)
        notes = []
        if resubmit and (needs_review(item.node) or item.status == NewsStatus.WITHDRAWN):
            _waiting_or_published(item, item.node)
            notes.append("重新发布" if item.status == NewsStatus.PUBLISHED else "重新提交审核")
        item.save()
        dropped = list(item.files.filter(pk__in=list(remove)))
        if cover is not None:
            dropped += list(item.files.filter(is_cover=True).exclude(pk__in=[f.pk for f in dropped]))
        for old in dropped:
            old.delete()
            notes.append(f"删除{'题图' if old.is_cover else '附件'}：{old.name}")
            transaction.on_commit(functools.partial(attachments.remove, old.stored_name, ATTACHMENT_FOLDER))
        notes += [f"上传附件：{attachments.display_name(f.name)}" for f in [*([cover] if cover else []), *files]]
        changes = diff(before, snapshot(item, EDITABLE))
        if changes or notes:
            record(actor, AuditAction.UPDATE, item, changes=changes, detail="；".join(notes))
        _store(actor, item, cover, cover_kinds, files, kinds)
    return item


def check_editable(item: NewsItem) -> None:
    """A published item is read as it stands: it is withdrawn (撤下) before it is changed."""
    if item.status not in EDITABLE_STATES:
        raise ValidationError(f"该信息当前为「{item.get_status_display()}」，不能直接修改：请先撤下，修改后重新发布")


def check_deletable(item: NewsItem) -> None:
    """Only what was never published is deleted; a published or withdrawn item stays on record."""
    if item.status == NewsStatus.PUBLISHED:
        raise ValidationError("该信息已发布，不能删除：请撤下（撤下的信息留作记录）")
    if item.status not in DELETABLE_STATES:
        raise ValidationError(f"该信息当前为「{item.get_status_display()}」，留作记录，不能删除")


def _pending(item: NewsItem) -> None:
    if item.status != NewsStatus.PENDING:
        raise ValidationError(f"该信息当前为「{item.get_status_display()}」，不在待审核状态")


def approve(actor, item: NewsItem, now: datetime.datetime | None = None) -> NewsItem:
    """审核通过: the item appears on the portal for its readers."""
    _pending(item)
    with transaction.atomic():
        item.status, item.reviewer = NewsStatus.PUBLISHED, actor
        item.reviewed_at = item.published_at = now or timezone.now()
        item.return_reason = ""
        item.save()
        record(
            actor, AuditAction.UPDATE, item, changes={"status": ["待审核", "已发布"]}, detail=f"审核通过：{item.title}"
        )
    return item


def return_item(actor, item: NewsItem, reason: str) -> NewsItem:
    """退回 with a reason the writer reads; the item stays unpublished until changed and resubmitted."""
    _pending(item)
    reason = normalize.reason(reason, "退回理由", MAX_REASON)
    with transaction.atomic():
        item.status, item.reviewer, item.reviewed_at, item.return_reason = (
            NewsStatus.RETURNED, actor, timezone.now(), reason,
        )  # fmt: skip
        item.save()
        record(actor, AuditAction.UPDATE, item, changes={"status": ["待审核", "退回"]}, detail=f"退回：{reason}")
    return item


def withdraw(actor, item: NewsItem, reason: str, now: datetime.datetime | None = None) -> NewsItem:
    """撤下 a published item with a reason: readers no longer see it; the row, its files and the
    reason are kept, and its writer may change it and publish (or submit) it again."""
    if item.status != NewsStatus.PUBLISHED:
        raise ValidationError(f"该信息当前为「{item.get_status_display()}」，只有已发布的信息可以撤下")
    reason = normalize.reason(reason, "撤下理由", MAX_REASON)
    with transaction.atomic():
        item.status, item.withdrawn_at, item.withdraw_reason = NewsStatus.WITHDRAWN, now or timezone.now(), reason
        item.save()
        record(actor, AuditAction.UPDATE, item, changes={"status": ["已发布", "已撤下"]}, detail=f"撤下：{reason}")
    return item


def delete(actor, item: NewsItem) -> None:
    """删除 an item never published (待审核, 退回): the row and its files. The audit log has no
    delete action: an update saying so."""
    check_deletable(item)
    stored = [f.stored_name for f in item.files.all()]
    with transaction.atomic():
        kept = snapshot(item, EDITABLE)
        kept.pop("body")
        record(
            actor, AuditAction.UPDATE, item, changes={k: [v, None] for k, v in kept.items()},
            detail=f"删除{item.get_category_display()}：{item.title}",
        )  # fmt: skip
        item.delete()
        for name in stored:
            # the files go once the rows are gone for good (a rolled-back delete keeps them)
            transaction.on_commit(functools.partial(attachments.remove, name, ATTACHMENT_FOLDER))


def file_path(found: NewsFile):
    return attachments.path_of(found.stored_name, ATTACHMENT_FOLDER)
