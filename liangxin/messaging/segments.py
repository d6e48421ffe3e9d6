"""常用发送对象: a filtered list of the platform ("发送给这些" on the organization list, the member
list, the blank spots or the findings) saved as a target.

A segment stores the list's query string, never its rows: ``rows`` applies it again, with the
same filter function the list page and its export use, over the sender's own querysets, so a
segment reaches only what its user may reach today. What it reaches:

- 组织名录, 空白点, 核查发现 about organizations → those organizations (their contacts receive it);
- 党员名册, 核查发现 about members → those members;
- 核查发现 about party organizations → their secretaries (members).

``save_segment`` and ``delete_segment`` are the services (audited); who may save or use a segment
is the scope's question (``Scope.segment_refusal``), handed in by the face.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from liangxin.core import normalize
from liangxin.core.audit import AuditAction, record
from liangxin.core.params import BadParameter
from liangxin.orgs.queries import OrgAttributes, OrgFilter, filtered_organizations
from liangxin.party import policy, rules
from liangxin.party.choices import MemberCategory
from liangxin.party.queries import filtered_members
from liangxin.stats import blank_spots, engine

from .models import Segment, SegmentSource

# what a list's URL carries besides its filter: the page, the sort, the export format, the form token
NOT_FILTERS = frozenset({"cursor", "page", "sort", "format", "csrfmiddlewaretoken"})
MAX_QUERY = 1000  # Segment.query's length
MAX_NAME = 60  # Segment.name's length
CONTACTS, MEMBERS = "contacts", "members"  # what a segment reaches


class SegmentScope(Protocol):
    """What this module asks of the sender's scope (``accounts.scoping.Scope``)."""

    user_id: int | None

    def members(self, action: Any = ...) -> QuerySet: ...
    def organizations(self, action: Any = ...) -> QuerySet: ...
    def party_orgs(self, action: Any = ...) -> QuerySet: ...
    def segments(self) -> QuerySet: ...
    def segment_refusal(self, segment: Segment) -> str | None: ...
    @property
    def message_node_id(self) -> int | None: ...


@dataclass(frozen=True)
class SegmentRows:
    """The rows a segment's filter finds in the sender's scope: organizations (their contacts
    receive the message) or members; the other is None."""

    organizations: QuerySet | None = None
    members: QuerySet | None = None
    said: str = ""  # the filter in words (Chinese), as the list says it


def clean_query(query: str) -> str:
    """The list's query string as stored: without paging, sort, format or form token, without
    blank values (a leading ``?`` is allowed)."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    for key in NOT_FILTERS:
        params.pop(key, None)
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        values = [v for v in values if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def clean_name(name: str) -> str:
    name = normalize.text(name)
    if not name:
        raise ValidationError({"name": ["请填写名称"]})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": [f"名称不能超过 {MAX_NAME} 个字"]})
    return name


def _finding_rule(params: QueryDict) -> rules.Rule:
    code = (params.get("rule") or "").strip()
    if not code:
        return next(iter(rules.RULES.values()))  # the list's own default: its first rule
    if code not in rules.RULES:
        raise ValidationError(f"核查规则「{code[:20]}」不存在")
    return rules.RULES[code]


def reaches(source: str, query: str) -> str:
    """What a segment of ``source`` reaches: organization contacts (``CONTACTS``) or members
    (``MEMBERS``; the findings about party organizations reach their secretaries)."""
    if source == SegmentSource.MEMBERS:
        return MEMBERS
    if source == SegmentSource.FINDINGS:
        try:
            rule = _finding_rule(QueryDict(query))
        except ValidationError:
            return CONTACTS  # a broken rule reaches nobody anyway; the stricter answer for refusals
        return CONTACTS if rule.target == "organization" else MEMBERS
    return CONTACTS


def _refuse(errors: Any) -> None:
    messages = list(errors.values()) if isinstance(errors, dict) else list(errors)
    raise ValidationError(messages)


def _organizations(scope: SegmentScope, params: QueryDict) -> SegmentRows:
    qs, f = filtered_organizations(scope, params)
    if f.errors:
        _refuse(f.errors)
    said = "；".join(f"{label}：{value}" for label, value in f.describe())
    return SegmentRows(organizations=qs, said=said)


def _blank_spots(scope: SegmentScope, params: QueryDict) -> SegmentRows:
    which = params.get("list") or "blank"
    if which not in blank_spots.LISTS:
        raise ValidationError(f"空白点清单「{which[:20]}」不存在")
    q = engine.parse_query(params, scope)
    if q.errors:
        _refuse(q.errors)
    found = blank_spots.blank_spots(q, which).order_by().values("pk")
    said = "；".join([f"清单：{blank_spots.LISTS[which]}", f"范围：{q.unit_label}"] + [
        f"{label}：{value}" for label, value in _attributes_said(q)
    ])  # fmt: skip
    # the unit lies inside the scope (parse_query); the scope's queryset says so once more
    return SegmentRows(organizations=scope.organizations("view").filter(pk__in=found), said=said)


def _attributes_said(q: engine.StatsQuery) -> list[tuple[str, str]]:
    """The organization attributes a statistics query is narrowed by, in words."""
    shown = OrgFilter(**{name: getattr(q, name) for name in OrgAttributes.__dataclass_fields__})
    shown.status, shown.carrier_kind = "all", q.carrier_kind
    return [(label, value) for label, value in shown.describe() if label != "状态"]


def _members(scope: SegmentScope, params: QueryDict) -> SegmentRows:
    errors = []
    category = params.get("category") or ""
    if category and category not in MemberCategory.values:
        errors.append(f"党员类别「{category[:20]}」不存在")
    floating = params.get("floating") or ""
    if floating and floating not in ("outflow", "inflow"):
        errors.append(f"流动情况「{floating[:20]}」不存在")
    if errors:
        raise ValidationError(errors)
    try:
        qs, _, said = filtered_members(scope, params)
    except BadParameter as error:
        raise ValidationError(error.reason) from None
    return SegmentRows(members=qs, said=said)


def _findings(scope: SegmentScope, params: QueryDict) -> SegmentRows:
    rule = _finding_rule(params)
    level = params.get("level") or ""
    if level and level not in rules.LEVEL_LABELS:
        raise ValidationError(f"级别「{level[:20]}」不存在")
    said = f"规则：{rule.label}" + (f"；级别：{rules.LEVEL_LABELS[level]}" if level else "")
    values, day = policy.values(), timezone.localdate()
    found = rules.candidates(rule, scope, values, day)
    if level:
        # a finding's level is its check's (a term finding is more urgent as the date comes
        # closer): the list filters its rows in Python, and so does this
        pks = []
        for obj in found.iterator(chunk_size=2000):
            finding = rule.check(obj, values, day)
            if finding is not None and finding.level == level:
                pks.append(obj.pk)
        found = found.model._default_manager.filter(pk__in=pks)
    if rule.target == "organization":
        return SegmentRows(organizations=scope.organizations("view").filter(pk__in=found.values("pk")), said=said)
    if rule.target == "party_org":
        secretaries = found.filter(secretary__isnull=False).values("secretary_id")
        return SegmentRows(
            members=scope.members("view").filter(is_active=True, pk__in=secretaries), said=f"{said}（各党组织书记）"
        )
    return SegmentRows(members=scope.members("view").filter(is_active=True, pk__in=found.values("pk")), said=said)


READERS = {
    SegmentSource.ORGANIZATIONS: _organizations,
    SegmentSource.BLANK_SPOTS: _blank_spots,
    SegmentSource.MEMBERS: _members,
    SegmentSource.FINDINGS: _findings,
}


def rows(segment: Segment, scope: SegmentScope) -> SegmentRows:
    """What ``segment``'s filter finds today within ``scope``, by the list's own filter function.
    A filter that no longer reads (a region now outside the scope, a rule removed) is refused in
    Chinese, naming the segment: it is never widened by leaving the filter out."""
    reader = READERS.get(segment.source)  # type: ignore[call-overload]
    if reader is None:
        raise ValidationError(f"常用发送对象「{segment.name}」的来源列表「{segment.source}」不存在")
    try:
        return reader(scope, QueryDict(segment.query))
    except ValidationError as error:
        raise ValidationError(
            [f"常用发送对象「{segment.name}」的筛选条件有误：{text}" for text in error.messages]
        ) from None


def save_segment(actor, scope: SegmentScope, source: str, query: str, name: str) -> Segment:
    """Save a list's filter as a segment of ``actor`` at their node. Refused (``ValidationError``,
    Chinese): a user who may not send messages, or not to what the list reaches (a secretary and
    organization contacts), an unknown list, a query the list cannot read, a missing name."""
    if source not in SegmentSource.values:
        raise ValidationError({"source": [f"来源列表「{str(source)[:20]}」不存在"]})
    if len(query) > MAX_QUERY * 2:
        raise ValidationError({"query": ["筛选条件过长"]})
    query = clean_query(query)
    if len(query) > MAX_QUERY:
        raise ValidationError({"query": ["筛选条件过长"]})
    name = clean_name(name)
    segment = Segment(node_id=scope.message_node_id, owner=actor, name=name, source=source, query=query)
    refusal = scope.segment_refusal(segment)
    if refusal:
        raise ValidationError(refusal)
    try:
        READERS[SegmentSource(source)](scope, QueryDict(query))
    except ValidationError as error:
        raise ValidationError({"query": error.messages}) from None
    with transaction.atomic():
        segment.save()
        record(
            actor,
            AuditAction.CREATE,
            segment,
            detail=f"保存常用发送对象「{name}」（{segment.get_source_display()}）：{query or '全部'}",
        )
    return segment


def delete_segment(actor, scope: SegmentScope, segment: Segment) -> None:
    """Delete one of ``actor``'s own segments (another user's: refused)."""
    if not scope.segments().filter(pk=segment.pk).exists():
        raise ValidationError("只能删除本人保存的常用发送对象")
    with transaction.atomic():
        # the log has no "delete" action: a removed segment is recorded as a change, saying so
        record(actor, AuditAction.UPDATE, segment, detail=f"删除常用发送对象「{segment.name}」")
        segment.delete()
