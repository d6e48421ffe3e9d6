"""政策文件库: publishing, editing and deleting a policy document — every change of state, each
checked, indexed for search (``portal.search``) and audited in one transaction.

Who may publish and where (the node) is the scope's question (``Scope.can_publish_policies``,
``Scope.policy_publish_nodes``): the face resolves the node within the scope and hands it here.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liangxin.core import attachments
from liangxin.core.audit import diff, record, snapshot
from liangxin.core.models import AuditAction
from liangxin.mgmt.models import ManagementNode

from . import search
from .models import PolicyAttachment, PolicyCategory, PolicyDocument

ATTACHMENT_FOLDER = "portal"
EDITABLE = ["title", "number", "issuer", "issued_on", "category", "body", "to_everyone"]
MAX_BODY_CHARS = 200_000  # a long regulation is ~50,000 characters; beyond this it is not one document
LIMITS = {"title": 200, "number": 60, "issuer": 100}
LABELS = {
    "title": "标题", "number": "文号", "issuer": "发文机关", "issued_on": "发文日期", "category": "类别",
    "body": "正文", "to_everyone": "所有用户可见",
}  # fmt: skip


def _line(value: Any) -> str:
    """One line as typed, its runs of spaces single (full-width punctuation is the document's own)."""
    return " ".join(str(value or "").split())


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def clean_policy(values: Mapping[str, Any], today: datetime.date | None = None) -> dict[str, Any]:
    """The document's fields as stored, or ValidationError with a Chinese reason per field."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name in ("title", "number", "issuer"):
        out[name] = _line(values.get(name))
        if len(out[name]) > LIMITS[name]:
            errors[name] = [f"{LABELS[name]}：不能超过 {LIMITS[name]} 个字（现有 {len(out[name])} 个）"]
    for name in ("title", "issuer"):
        if not out[name]:
            errors[name] = [f"{LABELS[name]}：必填"]
    raw_date = values.get("issued_on")
    out["issued_on"] = _date(raw_date)
    if out["issued_on"] is None:
        errors["issued_on"] = ["发文日期：必填，格式为 年-月-日（如 2024-03-01）" if raw_date else "发文日期：必填"]
    elif out["issued_on"] > today:
        errors["issued_on"] = [f"发文日期：不能晚于今天（{today.isoformat()}）"]
    out["category"] = str(values.get("category") or "")
    if out["category"] not in PolicyCategory.values:
        allowed = "、".join(str(label) for label in PolicyCategory.labels)
        errors["category"] = [f"类别：请选择 {allowed} 之一"]
    # the text as pasted, line breaks kept (it is shown as written), Windows line ends made plain
    out["body"] = str(values.get("body") or "").replace("\r\n", "\n").strip()
    if not out["body"]:
        errors["body"] = ["正文：必填"]
    elif len(out["body"]) > MAX_BODY_CHARS:
        errors["body"] = [f"正文：不能超过 {MAX_BODY_CHARS:,} 个字（现有 {len(out['body']):,} 个）"]
    out["to_everyone"] = bool(values.get("to_everyone"))
    if errors:
        raise ValidationError(errors)
    return out


def _check_attachment(upload) -> list:
    if upload is None:
        return []
    try:
        return attachments.check_uploads(
            [upload], limit=1, label="附件", per="每份政策文件", types=attachments.DOCUMENT_TYPES
        )
    except ValidationError as error:
        # one file, so the field is named as the form and the API name it: ``attachment``
        raise ValidationError({"attachment": error.message_dict["attachments"]}) from None


def _store_attachment(actor, doc: PolicyDocument, upload, kinds: list) -> None:
    owner = {"document": doc}
    attachments.store_all(PolicyAttachment, owner, actor, [upload], kinds, ATTACHMENT_FOLDER)


def publish(
    actor, node: ManagementNode, values: Mapping[str, Any], attachment=None, today: datetime.date | None = None
) -> PolicyDocument:
    """发布政策文件 at ``node`` (one of the actor's publishing nodes, resolved by the face). Every
    field and the attachment are checked before anything is written."""
    fields = clean_policy(values, today)
    kinds = _check_attachment(attachment)
    with transaction.atomic():
        doc = PolicyDocument.objects.create(node=node, publisher=actor, **fields)
        search.index_document(doc)
        record(actor, AuditAction.CREATE, doc, detail=f"发布政策文件：{doc.title}")
        # the file last: a failure before it leaves no file behind, and store_all removes its own
        if attachment is not None:
            _store_attachment(actor, doc, attachment, kinds)
    return doc


def edit(
    actor,
    doc: PolicyDocument,
    values: Mapping[str, Any],
    attachment=None,
    remove_attachment: bool = False,
    today: datetime.date | None = None,
) -> PolicyDocument:
    """Change the document's fields; a new attachment replaces the old one, ``remove_attachment``
    drops it. The index is rewritten in the same transaction (old words are no longer found)."""
    fields = clean_policy(values, today)
    kinds = _check_attachment(attachment)
    old = PolicyAttachment.objects.filter(document=doc).first()
    with transaction.atomic():
        before = snapshot(doc, EDITABLE)
        for name, value in fields.items():
            setattr(doc, name, value)
        doc.save()
        search.index_document(doc)
        notes = []
        if old is not None and (attachment is not None or remove_attachment):
            old.delete()
            notes.append(f"删除附件：{old.name}")
            stored = old.stored_name
            transaction.on_commit(lambda: attachments.remove(stored, ATTACHMENT_FOLDER))
        if attachment is not None:
            notes.append(f"上传附件：{attachments.display_name(attachment.name)}")
        changes = diff(before, snapshot(doc, EDITABLE))
        if changes or notes:
            record(actor, AuditAction.UPDATE, doc, changes=changes, detail="；".join(notes))
        if attachment is not None:
            _store_attachment(actor, doc, attachment, kinds)
    return doc


def delete(actor, doc: PolicyDocument) -> None:
    """删除政策文件: the row, its index entry and its attachment. The audit log has no delete
    action; the entry is an update whose detail says so, with the document's fields kept."""
    old = PolicyAttachment.objects.filter(document=doc).first()
    with transaction.atomic():
        kept = snapshot(doc, EDITABLE)
        kept.pop("body")  # the full text would swamp the entry; the title and 文号 identify it
        record(
            actor, AuditAction.UPDATE, doc, changes={k: [v, None] for k, v in kept.items()},
            detail=f"删除政策文件：{doc.title}" + (f"（附件：{old.name}）" if old else ""),
        )  # fmt: skip
        search.remove_document(doc.pk)
        doc.delete()
        if old is not None:
            stored = old.stored_name
            transaction.on_commit(lambda: attachments.remove(stored, ATTACHMENT_FOLDER))


def attachment_path(attachment: PolicyAttachment):
    return attachments.path_of(attachment.stored_name, ATTACHMENT_FOLDER)
