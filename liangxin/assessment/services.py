"""Every change of an indicator set: drafts, indicators, publishing. Each audited, in one transaction.

A published version is never changed: every function that changes a version or its indicators
calls ``check_editable`` first (locking the version row), so pages, the API, the shell and the
defaults all meet the same refusal. A change to a published version is a new draft copied from it
(``new_draft``); a set has at most one draft at a time.
"""

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from liangxin.core.audit import record
from liangxin.core.models import AuditAction

from . import measures, rules
from .choices import CITY_SET, Method, RuleKind, VersionStatus
from .models import Indicator, IndicatorSet, IndicatorVersion

HUNDRED = Decimal(100)
MAX_DEPTH = 3
# what each way of getting a value may be scored by
RULES_FOR = {
    Method.COMPUTED: (RuleKind.PASS_FAIL, RuleKind.BANDS, RuleKind.LINEAR),
    Method.SCORED: (RuleKind.SCALE, RuleKind.PASS_FAIL),
}
FIELDS = (
    "name", "description", "weight", "method", "measure", "rule_kind", "rule_params",
    "note_required", "evidence_allowed", "item_source", "weight_source",
)  # fmt: skip


def check_editable(version: IndicatorVersion) -> None:
    """Refuse any change to a published version (Chinese ValidationError)."""
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(f"{version.indicator_set.name}第{version.number}版已发布，不能修改；请由它新建草稿版本")


def _locked(version: IndicatorVersion) -> IndicatorVersion:
    """The version row locked for the change, re-read (a publish in between is seen)."""
    fresh = IndicatorVersion.objects.select_for_update().select_related("indicator_set").get(pk=version.pk)
    check_editable(fresh)
    return fresh


def _text(values: Mapping, key: str, label: str, limit: int, required: bool = False) -> str:
    value = str(values.get(key) or "").strip()
    if required and not value:
        raise ValidationError(f"{label}：请填写")
    if len(value) > limit:
        raise ValidationError(f"{label}：不超过 {limit} 个字，现有 {len(value)} 个")
    return value


def _flag(raw: Any) -> bool:
    return raw in (True, "1", "true", "on", "yes", 1)


def _leaf(values: Mapping, subject_kind: str) -> dict:
    method = values.get("method") or ""
    if method not in Method.values:
        raise ValidationError(f"取值方式：应为“{Method.COMPUTED.label}”或“{Method.SCORED.label}”")
    kind = values.get("rule_kind") or ""
    if kind not in RULES_FOR[Method(method)]:
        allowed = "、".join(RuleKind(k).label for k in RULES_FOR[Method(method)])
        raise ValidationError(f"评分规则：{Method(method).label}的指标应为{allowed}之一")
    rule = rules.validate(kind, values.get("rule_params") or {})
    measure = ""
    if method == Method.COMPUTED:
        measure = str(values.get("measure") or "")
        found = measures.MEASURES.get(measure)
        if found is None or found.subject_kind != subject_kind:
            raise ValidationError("平台指标：请从适用于本指标体系评估对象的平台指标中选择")
    scored = method == Method.SCORED
    return {
        "method": method, "measure": measure, "rule_kind": kind, "rule_params": rules.as_params(rule),
        "note_required": scored and _flag(values.get("note_required")),
        "evidence_allowed": scored and _flag(values.get("evidence_allowed")),
    }  # fmt: skip


def clean_indicator(values: Mapping, subject_kind: str, leaf: bool = True) -> dict:
    """An indicator's fields as typed, checked (Chinese ValidationError naming the field); an inner
    indicator (one with children) keeps no method or rule."""
    out: dict[str, Any] = {
        "name": _text(values, "name", "指标名称", 100, required=True),
        "description": _text(values, "description", "评分说明", 2000),
        "item_source": _text(values, "item_source", "指标出处", 300, required=True),
        "weight_source": _text(values, "weight_source", "权重与标准出处", 100) or CITY_SET,
    }
    weight = rules.number(values.get("weight"), "权重")
    if not Decimal(0) < weight <= HUNDRED or weight != weight.quantize(Decimal("0.01")):
        raise ValidationError(f"权重：应大于 0、不超过 100，最多两位小数，收到「{values.get('weight')}」")
    out["weight"] = weight
    if leaf:
        out.update(_leaf(values, subject_kind))
    else:
        out.update(method="", measure="", rule_kind="", rule_params={}, note_required=False, evidence_allowed=False)
    return out


def _depth(indicator: Indicator | None) -> int:
    depth = 0
    while indicator is not None:
        depth, indicator = depth + 1, indicator.parent
    return depth


@transaction.atomic
def add_indicator(actor, version: IndicatorVersion, values: Mapping, parent: Indicator | None = None) -> Indicator:
    """A new indicator at the end of ``parent``'s children (the top level when None). A parent that
    was a leaf becomes an inner indicator: its method and rule are cleared."""
    version = _locked(version)
    if parent is not None and parent.version_id != version.pk:
        raise ValidationError("上级指标：不属于本版本")
    if _depth(parent) >= MAX_DEPTH:
        raise ValidationError(f"上级指标：指标最多 {MAX_DEPTH} 级")
    cleaned = clean_indicator(values, version.indicator_set.subject_kind)
    siblings = Indicator.objects.filter(version=version, parent=parent)
    order = (siblings.aggregate(m=Max("order"))["m"] or 0) + 1
    if parent is not None and parent.method:
        Indicator.objects.filter(pk=parent.pk).update(
            method="", measure="", rule_kind="", rule_params={}, note_required=False, evidence_allowed=False
        )
    indicator = Indicator.objects.create(version=version, parent=parent, order=order, **cleaned)
    where = f"（上级：{parent.name}）" if parent else "（一级指标）"
    record(actor, AuditAction.CREATE, indicator, detail=f"{version}：新增指标「{indicator.name}」{where}")
    return indicator


@transaction.atomic
def update_indicator(actor, indicator: Indicator, values: Mapping) -> Indicator:
    version = _locked(indicator.version)
    indicator = Indicator.objects.get(pk=indicator.pk)
    leaf = not indicator.children.exists()
    cleaned = clean_indicator(values, version.indicator_set.subject_kind, leaf=leaf)
    changes = {k: [str(getattr(indicator, k)), str(v)] for k, v in cleaned.items() if getattr(indicator, k) != v}
    if not changes:
        return indicator
    for key, value in cleaned.items():
        setattr(indicator, key, value)
    indicator.save(update_fields=list(cleaned))
    record(actor, AuditAction.UPDATE, indicator, changes=changes, detail=f"{version}：修改指标「{indicator.name}」")
    return indicator


@transaction.atomic
def remove_indicator(actor, indicator: Indicator) -> None:
    """Remove an indicator with everything under it; its later siblings move up."""
    version = _locked(indicator.version)
    indicator = Indicator.objects.get(pk=indicator.pk)  # its order as stored now, not as the caller read it
    below = _descendants(indicator)
    name, parent_id, order = indicator.name, indicator.parent_id, indicator.order
    record(
        actor, AuditAction.UPDATE, indicator,
        detail=f"{version}：删除指标「{name}」" + (f"及其 {len(below)} 个下级指标" if below else ""),
    )  # fmt: skip
    indicator.delete()
    later = Indicator.objects.filter(version=version, parent_id=parent_id, order__gt=order).order_by("order")
    for i, sibling in enumerate(later, start=order):
        Indicator.objects.filter(pk=sibling.pk).update(order=i)


def _descendants(indicator: Indicator) -> list[Indicator]:
    by_parent = children_of(indicator.version)
    out, todo = [], list(by_parent.get(indicator.pk, []))
    while todo:
        item = todo.pop()
        out.append(item)
        todo += by_parent.get(item.pk, [])
    return out


@transaction.atomic
def move_indicator(actor, indicator: Indicator, step: int) -> None:
    """Move one place up (-1) or down (+1) among its siblings; at either end nothing moves."""
    version = _locked(indicator.version)
    siblings = list(Indicator.objects.filter(version=version, parent_id=indicator.parent_id).order_by("order", "pk"))
    i = next(i for i, s in enumerate(siblings) if s.pk == indicator.pk)
    j = i + (1 if step > 0 else -1)
    if not 0 <= j < len(siblings):
        return
    siblings[i], siblings[j] = siblings[j], siblings[i]
    for n, sibling in enumerate(siblings, start=1):
        Indicator.objects.filter(pk=sibling.pk).update(order=n)
    record(
        actor,
        AuditAction.UPDATE,
        indicator,
        detail=f"{version}：指标「{indicator.name}」{'下移' if step > 0 else '上移'}",
    )


# -- the tree and publishing ---------------------------------------------------------------------
def children_of(version: IndicatorVersion) -> dict[int | None, list[Indicator]]:
    """{parent id (None: top level): children in order} — the whole tree in one query."""
    by_parent: dict[int | None, list[Indicator]] = defaultdict(list)
    for item in Indicator.objects.filter(version=version).order_by("order", "pk"):
        by_parent[item.parent_id].append(item)
    return by_parent


def problems(version: IndicatorVersion) -> list[str]:
    """What keeps a version from being published, in Chinese (empty: it may be published): the
    weights of each set of siblings sum to 100; every leaf has a valid method and rule."""
    by_parent = children_of(version)
    if not by_parent.get(None):
        return ["尚无指标：至少设一个一级指标"]
    names = {i.pk: i.name for items in by_parent.values() for i in items}
    found = []
    for parent_id, items in by_parent.items():
        total = sum((i.weight for i in items), Decimal(0))
        if total != HUNDRED:
            where = f"「{names[parent_id]}」的下级指标" if parent_id else "一级指标"
            found.append(f"{where}权重合计应为 100，现为 {rules.plain(total)}")
    subject_kind = version.indicator_set.subject_kind
    for items in by_parent.values():
        for item in items:
            if item.pk in by_parent:
                continue
            try:
                _leaf(vars(item), subject_kind)
            except ValidationError as error:
                found += [f"「{item.name}」{text}" for text in error.messages]
    return found


@transaction.atomic
def publish(actor, version: IndicatorVersion) -> IndicatorVersion:
    """Publish a draft (发布): checked by ``problems``; from now on it is never changed."""
    version = _locked(version)
    found = problems(version)
    if found:
        raise ValidationError(found)
    version.status, version.published_at = VersionStatus.PUBLISHED, timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["status", "published_at", "published_by"])
    record(actor, AuditAction.UPDATE, version, changes={"status": ["草稿", "已发布"]}, detail=f"发布{version}")
    return version


def current_draft(indicator_set: IndicatorSet) -> IndicatorVersion | None:
    return indicator_set.versions.filter(status=VersionStatus.DRAFT).first()


def copy_tree(source: IndicatorVersion, target: IndicatorVersion) -> int:
    """Copy ``source``'s indicators into ``target`` (parents before children); how many."""
    by_parent = children_of(source)
    new_ids: dict[int | None, Indicator | None] = {None: None}
    todo: list[int | None] = [None]
    count = 0
    while todo:
        parent_id = todo.pop(0)
        for item in by_parent.get(parent_id, []):
            copy = Indicator(version=target, parent=new_ids[parent_id], order=item.order)
            for key in FIELDS:
                setattr(copy, key, getattr(item, key))
            copy.save()
            new_ids[item.pk] = copy
            todo.append(item.pk)
            count += 1
    return count


@transaction.atomic
def new_draft(actor, source: IndicatorVersion, note: str = "") -> IndicatorVersion:
    """A new draft version copied from a published one (the way to change a published set)."""
    indicator_set = IndicatorSet.objects.select_for_update().get(pk=source.indicator_set_id)
    if source.status != VersionStatus.PUBLISHED:
        raise ValidationError("只能由已发布的版本新建草稿；草稿可直接修改")
    existing = current_draft(indicator_set)
    if existing is not None:
        raise ValidationError(f"{indicator_set.name}已有草稿（第{existing.number}版），请先修改或发布该草稿")
    number = (indicator_set.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    draft = IndicatorVersion.objects.create(
        indicator_set=indicator_set, number=number, based_on=source, created_by=_user(actor),
        note=_text({"note": note}, "note", "版本说明", 200),
    )  # fmt: skip
    count = copy_tree(source, draft)
    record(actor, AuditAction.CREATE, draft, detail=f"由第{source.number}版新建草稿（复制 {count} 个指标）")
    return draft


def _user(actor):
    return actor if getattr(actor, "pk", None) else None
