"""党建问答: asking, answering and moderating — every change of state, each checked (the forbidden
words first: a refused text stores nothing), audited and announced in one transaction.

Who may do what is the scope's question (``Scope.questions``, ``Scope.answerable_questions``): the
face hands the question it found there, and the asker's own node."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.roles import REGISTRY_EDITORS
from liangxin.core.audit import diff, record, snapshot
from liangxin.core.models import AuditAction
from liangxin.inbox.models import NoticeKind
from liangxin.inbox.services import notify
from liangxin.mgmt.models import ManagementNode
from liangxin.orgs.responsibility import nearest_committee

from . import words
from .models import Answer, ForbiddenWord, Question, QuestionStatus

LIMITS = {"title": 100, "text": 5000}
LABELS = {"title": "标题", "text": "问题内容", "answer": "答复内容", "note": "处理说明"}
MAX_ANSWER_CHARS = 10_000
MAX_NOTE_CHARS = 200


def forbidden_words() -> list[str]:
    return list(ForbiddenWord.objects.values_list("word", flat=True))


def responsible_committee(node: ManagementNode) -> ManagementNode | None:
    """Who answers a question asked from ``node`` (a member's or secretary's party organization):
    the nearest committee above it in the management tree — a street 综合党委, an industry
    committee, or higher where a branch hangs directly under a district."""
    parent = node.parent
    return nearest_committee(parent) if parent is not None else None


def _text(value, name: str, limit: int, errors: dict) -> str:
    """The text as typed (line breaks kept, Windows line ends made plain), or a Chinese reason in ``errors``."""
    text = str(value or "").replace("\r\n", "\n").strip()
    label = LABELS[name]
    if not text:
        errors[name] = [f"{label}：必填"]
    elif len(text) > limit:
        errors[name] = [f"{label}：不能超过 {limit:,} 个字（现有 {len(text):,} 个）"]
    return text


def clean_question(values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "title": " ".join(_text(values.get("title"), "title", LIMITS["title"], errors).split()),
        "text": _text(values.get("text"), "text", LIMITS["text"], errors),
        "is_public": bool(values.get("is_public")),
    }
    if errors:
        raise ValidationError(errors)
    words.check({"title": out["title"], "text": out["text"]}, forbidden_words(), LABELS)
    return out


def _committee_admins(node: ManagementNode) -> list:
    return list(
        User.objects.filter(assignments__role__in=REGISTRY_EDITORS, assignments__node=node, is_active=True).distinct()
    )


def ask(actor, node: ManagementNode, values: dict) -> Question:
    """提问 from ``node`` (one of the asker's own party organizations, resolved by the face)."""
    fields = clean_question(values)
    committee = responsible_committee(node)
    if committee is None:
        raise ValidationError({"node": ["您所在的党组织没有上级党委，无法提问，请联系管理员"]})
    with transaction.atomic():
        question = Question.objects.create(asker=actor, asker_node=node, committee=committee, **fields)
        record(actor, AuditAction.CREATE, question, detail=f"提问：{question.title}")
        others = [u for u in _committee_admins(committee) if u.pk != getattr(actor, "pk", None)]
        notify(
            others, NoticeKind.MESSAGE, f"新的党建问答：{question.title}",
            f"{node.name}的党员提出了问题，请在“党建问答”中答复。", reverse("web:qa_detail", args=[question.pk]),
        )  # fmt: skip
    return question


def clean_answer(text, official) -> dict:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"text": _text(text, "answer", MAX_ANSWER_CHARS, errors), "official": bool(official)}
    if errors:
        raise ValidationError(errors)
    words.check({"answer": out["text"]}, forbidden_words(), LABELS)
    return out


def answer(actor, question: Question, text, official=False) -> Answer:
    """答复 (the responsible committee; the face checked that). A closed question takes no answer."""
    if question.status == QuestionStatus.CLOSED:
        raise ValidationError({"answer": ["该问题已关闭，不能再答复"]})
    fields = clean_answer(text, official)
    with transaction.atomic():
        reply = Answer.objects.create(question=question, author=actor, **fields)
        question.status = QuestionStatus.ANSWERED
        question.answered_at = question.answered_at or timezone.now()
        question.save(update_fields=["status", "answered_at"])
        kind = "官方解答" if reply.official else "答复"
        record(actor, AuditAction.CREATE, reply, detail=f"{kind}：{question.title}")
        if question.asker is not None and question.asker.pk != getattr(actor, "pk", None):
            notify(
                [question.asker], NoticeKind.MESSAGE, f"您的提问已有答复：{question.title}",
                f"{question.committee.name}答复了您的提问。", reverse("web:qa_detail", args=[question.pk]),
            )  # fmt: skip
    return reply


def _still_answered(question: Question) -> None:
    """The question's state follows its answers: none left standing → 待答复 again (unless closed)."""
    if question.status == QuestionStatus.CLOSED:
        return
    standing = question.answers.filter(withdrawn=False).exists()
    question.status = QuestionStatus.ANSWERED if standing else QuestionStatus.OPEN
    question.save(update_fields=["status"])


def edit_answer(actor, reply: Answer, text, official) -> Answer:
    """修改答复 (its text, and whether it is the 官方解答: 标为 / 取消官方解答). A withdrawn answer is
    kept as it was withdrawn."""
    if reply.withdrawn:
        raise ValidationError({"answer": ["该答复已撤回，不能修改"]})
    fields = clean_answer(text, official)
    with transaction.atomic():
        before = snapshot(reply, ["text", "official"])
        reply.text, reply.official = fields["text"], fields["official"]
        reply.save(update_fields=["text", "official", "updated_at"])
        changes = diff(before, snapshot(reply, ["text", "official"]))
        if changes:
            record(actor, AuditAction.UPDATE, reply, changes=changes, detail=f"修改答复：{reply.question.title}")
    return reply


def withdraw_answer(actor, reply: Answer, note) -> Answer:
    """撤回答复: kept for the record, no longer shown; the question is 待答复 again if none is left."""
    errors: dict[str, list[str]] = {}
    reason = _text(note, "note", MAX_NOTE_CHARS, errors)
    if errors:
        raise ValidationError(errors)
    if reply.withdrawn:
        raise ValidationError({"note": ["该答复已撤回"]})
    with transaction.atomic():
        reply.withdrawn = True
        reply.save(update_fields=["withdrawn", "updated_at"])
        record(
            actor, AuditAction.UPDATE, reply, changes={"withdrawn": [False, True]},
            detail=f"撤回答复：{reply.question.title}（{reason}）",
        )  # fmt: skip
        _still_answered(reply.question)
    return reply


def moderate(actor, question: Question, *, hidden: bool | None = None, close: bool = False, note="") -> Question:
    """屏蔽 / 取消屏蔽 (``hidden``) or 关闭 (``close``) a question, with a reason (取消屏蔽 needs none)."""
    errors: dict[str, list[str]] = {}
    needs_reason = close or hidden is True
    reason = _text(note, "note", MAX_NOTE_CHARS, errors) if needs_reason else " ".join(str(note or "").split())
    if errors:
        raise ValidationError(errors)
    if close and question.status == QuestionStatus.CLOSED:
        raise ValidationError({"note": ["该问题已关闭"]})
    fields = ["status", "hidden", "moderation_note"]
    with transaction.atomic():
        before = snapshot(question, fields)
        if hidden is not None:
            question.hidden = hidden
        if close:
            question.status = QuestionStatus.CLOSED
        question.moderation_note = reason[:MAX_NOTE_CHARS]
        question.save(update_fields=fields)
        what = "关闭问题" if close else ("屏蔽问题" if question.hidden else "取消屏蔽")
        record(actor, AuditAction.UPDATE, question, changes=diff(before, snapshot(question, fields)), detail=what)
    return question


def set_forbidden_words(actor, text) -> list[str]:
    """Replace the list with the words typed (one a line); one audit entry naming what was added and removed."""
    wanted = words.parse_list(text)
    with transaction.atomic():
        current = forbidden_words()
        added = [w for w in wanted if w not in current]
        removed = [w for w in current if w not in wanted]
        if not added and not removed:
            return wanted
        ForbiddenWord.objects.filter(word__in=removed).delete()
        ForbiddenWord.objects.bulk_create([ForbiddenWord(word=w, added_by=actor) for w in added])
        parts = ([f"添加：{'、'.join(added)}"] if added else []) + ([f"删除：{'、'.join(removed)}"] if removed else [])
        record(
            actor, AuditAction.UPDATE, None, object_type="qa.forbiddenword", object_repr="禁用词",
            changes={"禁用词": ["、".join(current), "、".join(wanted)]}, detail="修改禁用词：" + "；".join(parts),
        )  # fmt: skip
    return wanted
