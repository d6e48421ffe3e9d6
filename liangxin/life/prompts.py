"""组织生活内容提示: publishing, editing and withdrawing (撤回) a committee's monthly prompt (checked,
audited in one transaction), and which prompts reach a party organization in a month (every
committee above it, withdrawn ones left out). A prompt is withdrawn, never deleted: it may have
been read below from the moment it was published (``ContentPrompt``).

Who publishes at which node is the scope's question (``Scope.prompt_publish_nodes``): the face
resolves the node and hands it here."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from liangxin.core import normalize
from liangxin.core.audit import diff, record, snapshot
from liangxin.core.models import AuditAction
from liangxin.mgmt.models import ManagementNode

from .models import ContentPrompt

EDITABLE = ["month", "title", "text", "topics"]
LIMITS = {"title": 100, "text": 5000, "topics": 2000}
LABELS = {"month": "月份", "title": "标题", "text": "内容", "topics": "建议主题", "reason": "撤回原因"}
MAX_REASON = 200
MAX_TOPIC_CHARS = 200  # a topic fills a meeting's 会议主题 (200 characters)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(-\d{1,2})?$")


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def parse_month(value) -> datetime.date | None:
    """ "2025-03" (a month input) or a date: the first day of that month; None if it is not one."""
    if isinstance(value, datetime.date):
        return month_of(value)
    found = _MONTH.match(str(value or "").strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 9999:
        return None
    return datetime.date(int(found.group(1)), int(found.group(2)), 1)


def clean_prompt(values: dict, today: datetime.date) -> dict:
    errors: dict[str, list[str]] = {}
    out: dict = {"month": parse_month(values.get("month"))}
    if out["month"] is None:
        errors["month"] = ["月份：必填，格式为 年-月（如 2025-03）"]
    elif out["month"] < month_of(today).replace(year=today.year - 1):
        errors["month"] = ["月份：不能早于一年前"]  # a prompt is for the months ahead, not a back-dated record
    for name in ("title", "text", "topics"):
        text = str(values.get(name) or "").replace("\r\n", "\n").strip()
        out[name] = " ".join(text.split()) if name == "title" else text
        if len(out[name]) > LIMITS[name]:
            errors[name] = [f"{LABELS[name]}：不能超过 {LIMITS[name]} 个字（现有 {len(out[name])} 个）"]
    for name in ("title", "text"):
        if not out[name]:
            errors[name] = [f"{LABELS[name]}：必填"]
    topics = [" ".join(t.split()) for t in out["topics"].splitlines() if t.strip()]
    long = [t for t in topics if len(t) > MAX_TOPIC_CHARS]
    if long:
        errors["topics"] = [f"建议主题：每个不超过 {MAX_TOPIC_CHARS} 个字（「{long[0][:10]}…」过长）"]
    out["topics"] = "\n".join(topics)
    if errors:
        raise ValidationError(errors)
    return out


def publish(actor, node: ManagementNode, values: dict, today: datetime.date) -> ContentPrompt:
    """发布内容提示 at ``node`` (a committee the actor administers) for its subtree."""
    fields = clean_prompt(values, today)
    with transaction.atomic():
        prompt = ContentPrompt.objects.create(node=node, published_by=actor, **fields)
        record(actor, AuditAction.CREATE, prompt, detail=f"发布组织生活内容提示：{prompt}")
    return prompt


def check_editable(prompt: ContentPrompt) -> None:
    """A withdrawn prompt stays as it was withdrawn: it is published again, not changed."""
    if prompt.withdrawn_at is not None:
        raise ValidationError("该内容提示已撤回，不能修改：如需要请重新发布")


def edit(actor, prompt: ContentPrompt, values: dict, today: datetime.date) -> ContentPrompt:
    check_editable(prompt)
    fields = clean_prompt(values, today)
    with transaction.atomic():
        before = snapshot(prompt, EDITABLE)
        for name, value in fields.items():
            setattr(prompt, name, value)
        prompt.save()
        changes = diff(before, snapshot(prompt, EDITABLE))
        if changes:
            record(actor, AuditAction.UPDATE, prompt, changes=changes)
    return prompt


def withdraw(actor, prompt: ContentPrompt, reason, now: datetime.datetime | None = None) -> ContentPrompt:
    """撤回 with a reason: no longer shown to the secretaries and members below (home page, meeting
    form, their list); kept with who withdrew it, when and why, for its publisher and the committees above."""
    if prompt.withdrawn_at is not None:
        raise ValidationError("该内容提示已撤回")
    reason = normalize.reason(reason, "撤回原因", MAX_REASON)
    with transaction.atomic():
        prompt.withdrawn_at, prompt.withdrawn_by, prompt.withdraw_reason = now or timezone.now(), actor, reason
        prompt.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason", "updated_at"])
        record(
            actor, AuditAction.UPDATE, prompt, changes={"状态": ["已发布", "已撤回"]},
            detail=f"撤回组织生活内容提示：{prompt}（{reason}）",
        )  # fmt: skip
    return prompt


def for_nodes(nodes, month: datetime.date) -> QuerySet[ContentPrompt]:
    """The prompts of ``month`` that reach any of ``nodes``: those of every committee above them
    (a node's own prompts too, so a street's administrator sees what it published); withdrawn ones never."""
    ids = {i for node in nodes for i in node.ancestor_ids}
    qs = ContentPrompt.objects.filter(node_id__in=ids, month=month_of(month), withdrawn_at__isnull=True)
    qs = qs.select_related("node")
    return qs.order_by("node__path", "id")
