"""考核轮次: every change of a round, its entries, scores and objections. Each audited, in one transaction.

The stages (``RoundState``), moved on by the city (``advance``):
自评中 — each subject scores its people-scored leaves (with a note where the leaf asks for one and
evidence where it allows it) and submits; the platform's figures were taken for every subject at once
when the round opened (``measures.compute``) and stay as taken: only an explicit 重新取数 (``refresh``)
takes them again, and only before review starts;
审核中 — the committee above the subject in the management tree (``RoundEntry.reviewer``) adjusts
values with a reason, returns the sheet to the subject with a reason, or passes it; a subject that had
not submitted may still submit; moving on needs every sheet passed;
确认中 — the next committee up (``confirmer``; the reviewer itself when none is above it) confirms;
已发布 — totals and grades are written and nothing changes any more; within the round's objection
period the subject may object, and the confirming committee answers;
异议已答复 — the city ends the round once the period is over and every objection is answered.

Permission questions are the scope's (``AssessmentScope``): a service receives the actor's scope.
"""

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from liangxin.core import attachments, normalize
from liangxin.core.audit import record
from liangxin.core.models import AuditAction
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode

from . import measures, queries, results, rules
from .choices import CITY_SET, EntryState, Method, RoundState, VersionStatus
from .models import Indicator, IndicatorVersion, Objection, Round, RoundEntry, RoundScore, ScoreEvidence

EVIDENCE_FOLDER = "assessment"
MAX_EVIDENCE = 10  # per leaf
MAX_ROUND_DAYS = 366 * 2
NEXT = {
    RoundState.SELF: RoundState.REVIEW,
    RoundState.REVIEW: RoundState.CONFIRM,
    RoundState.CONFIRM: RoundState.PUBLISHED,
    RoundState.PUBLISHED: RoundState.CLOSED,
}
SHOWN = 5  # subjects named in a refusal


def _now() -> datetime.datetime:
    return timezone.now()


def _text(raw: Any, label: str, limit: int, required: bool = True) -> str:
    value = normalize.text(raw) if limit <= 300 else str(raw or "").strip()
    if required and not value:
        raise ValidationError(f"{label}：请填写")
    if len(value) > limit:
        raise ValidationError(f"{label}：不超过 {limit} 个字，现有 {len(value)} 个")
    return value


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# -- opening a round -------------------------------------------------------------------------------
def _date(raw: Any, label: str) -> datetime.date:
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise ValidationError(f"{label}：应为日期（年-月-日），收到「{raw or ''}」") from None


def clean_round(values: Mapping, versions) -> dict:
    """A round's fields as typed, checked (Chinese ValidationError naming the field). ``versions``:
    the versions the caller may choose (published ones only are accepted)."""
    out: dict[str, Any] = {"name": _text(values.get("name"), "轮次名称", 60)}
    version_id = str(values.get("version") or "")
    version = versions.filter(pk=int(version_id)).first() if version_id.isdecimal() else None
    if version is None:
        raise ValidationError("指标体系版本：请选择")
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(f"指标体系版本：{version}尚未发布，只能用已发布的版本开展考核")
    out["version"] = version
    out["period_start"] = _date(values.get("period_start"), "考核期起")
    out["period_end"] = _date(values.get("period_end"), "考核期止")
    if out["period_end"] < out["period_start"]:
        raise ValidationError(f"考核期止：不应早于考核期起 {out['period_start']:%Y-%m-%d}")
    if (out["period_end"] - out["period_start"]).days > MAX_ROUND_DAYS:
        raise ValidationError("考核期止：考核期不应超过两年")
    lines = []
    for key, label, default in (
        ("excellent_from", "优秀分数线", 90),
        ("good_from", "良好分数线", 80),
        ("fair_from", "一般分数线", 60),
    ):
        raw = values.get(key)
        value = Decimal(default) if raw in (None, "") else rules.number(raw, label)
        if not Decimal(0) < value <= Decimal(100) or value != value.quantize(rules.CENT):
            raise ValidationError(f"{label}：应大于 0、不超过 100，最多两位小数，收到「{raw}」")
        out[key] = value
        lines.append((label, value))
    for (upper_label, upper), (label, value) in zip(lines, lines[1:], strict=False):
        if value >= upper:
            raise ValidationError(f"{label}：应低于{upper_label} {rules.plain(upper)}，收到 {rules.plain(value)}")
    defaults = all(out[k] == Decimal(d) for k, d in (("excellent_from", 90), ("good_from", 80), ("fair_from", 60)))
    out["thresholds_source"] = (
        CITY_SET if defaults else _text(values.get("thresholds_source") or CITY_SET, "分数线出处", 100)
    )
    raw_days = str(values.get("objection_days") or "7").strip()
    if not raw_days.isdecimal() or not 1 <= int(raw_days) <= 60:
        raise ValidationError(f"异议期：应为 1 至 60 天，收到「{raw_days}」")
    out["objection_days"] = int(raw_days)
    return out


def committees_above(subject: ManagementNode, committees: Mapping[int, ManagementNode]) -> list[ManagementNode]:
    """The committees above ``subject`` in the management tree, nearest first (``committees``: all
    active committee nodes by id)."""
    above = [i for i in subject.ancestor_ids if i != subject.pk]
    return [committees[i] for i in reversed(above) if i in committees]


def reviewer_and_confirmer(
    subject: ManagementNode, committees: Mapping[int, ManagementNode]
) -> tuple[ManagementNode, ManagementNode] | None:
    """The committee that reviews ``subject`` (the nearest above it) and the one that confirms (the next
    one up; the reviewer itself when it is the top). None: nothing above it (the city's own node)."""
    above = committees_above(subject, committees)
    if not above:
        return None
    return above[0], above[1] if len(above) > 1 else above[0]


def _leaves(version: IndicatorVersion) -> list[Indicator]:
    items = list(Indicator.objects.filter(version=version))
    parents = {i.parent_id for i in items}
    return [i for i in items if i.pk not in parents]


def _fill_computed(rnd: Round) -> int:
    """Take every computed leaf's figure for every subject at once; how many values changed."""
    entries = list(rnd.entries.select_related("subject"))
    subjects = [e.subject for e in entries]
    entry_of = {e.subject_id: e.pk for e in entries}
    changed = 0
    for leaf in _leaves(rnd.version):
        if leaf.method != Method.COMPUTED:
            continue
        values = measures.compute(leaf.measure, subjects, rnd.period_start, rnd.period_end)
        rows = {r.entry_id: r for r in RoundScore.objects.filter(entry__round=rnd, indicator=leaf)}
        dirty = []
        for subject_id, value in values.items():
            row = rows.get(entry_of.get(subject_id, 0))
            if row is not None and row.computed != value:
                row.computed = value
                dirty.append(row)
        RoundScore.objects.bulk_update(dirty, ["computed"], batch_size=500)
        changed += len(dirty)
    rnd.computed_at = _now()
    rnd.save(update_fields=["computed_at"])
    return changed


@transaction.atomic
def open_round(actor, scope, values: Mapping) -> Round:
    """发起考核: a round over the subjects of the set's kind in the starter's scope (the city), each
    with its reviewing and confirming committee from the management tree; the platform's figures taken."""
    if not scope.can_start_rounds:
        raise PermissionDenied("考核轮次由市级管理员发起")
    cleaned = clean_round(values, IndicatorVersion.objects.filter(indicator_set__in=scope.indicator_sets()))
    version = cleaned["version"]
    committees = {n.pk: n for n in ManagementNode.objects.filter(kind__in=COMMITTEE_KINDS, is_active=True)}
    home = ManagementNode.objects.get(pk=next(g.node_id for g in scope.grants if g.role in ("city_admin",)))
    rnd = Round.objects.create(**cleaned, node=home, created_by=_user(actor))
    entries = []
    for subject in scope.assessment_subjects(version.indicator_set.subject_kind):
        pair = reviewer_and_confirmer(subject, committees)
        if pair is not None:
            entries.append(RoundEntry(round=rnd, subject=subject, reviewer=pair[0], confirmer=pair[1]))
    if not entries:
        raise ValidationError(f"评估对象：{version.indicator_set.name}在您的范围内没有可考核的对象")
    RoundEntry.objects.bulk_create(entries, batch_size=500)
    leaves = _leaves(version)
    created = list(rnd.entries.all())
    RoundScore.objects.bulk_create(
        [RoundScore(entry=e, indicator=leaf) for e in created for leaf in leaves], batch_size=1000
    )
    _fill_computed(rnd)
    record(actor, AuditAction.CREATE, rnd, detail=f"发起考核轮次「{rnd.name}」（{version}，{len(created)} 个评估对象）")
    return rnd


def _locked_round(rnd: Round) -> Round:
    return Round.objects.select_for_update().select_related("version__indicator_set", "node").get(pk=rnd.pk)


def check_unlocked(rnd: Round) -> None:
    if rnd.is_locked:
        raise ValidationError(f"考核轮次「{rnd.name}」已发布，结果已锁定，不能修改")


@transaction.atomic
def refresh(actor, scope, rnd: Round) -> int:
    """重新取数: take the platform's figures again (before review starts only); how many changed."""
    if not scope.can_start_rounds:
        raise PermissionDenied("重新取数由市级管理员办理")
    rnd = _locked_round(rnd)
    check_unlocked(rnd)
    if rnd.state != RoundState.SELF:
        raise ValidationError(f"考核轮次「{rnd.name}」已{rnd.get_state_display()}，审核开始后不能重新取数")
    changed = _fill_computed(rnd)
    record(actor, AuditAction.UPDATE, rnd, detail=f"重新取数：{changed} 项平台取数有变化")
    return changed


def _names(entries: Sequence[RoundEntry]) -> str:
    shown = "、".join(e.subject.name for e in entries[:SHOWN])
    return shown + (f"等 {len(entries)} 个" if len(entries) > SHOWN else "")


@transaction.atomic
def advance(actor, scope, rnd: Round) -> Round:
    """The city moves the round to its next stage (see the module's text for what each needs)."""
    if not scope.can_start_rounds:
        raise PermissionDenied("考核轮次的阶段由市级管理员推进")
    rnd = _locked_round(rnd)
    target = NEXT.get(RoundState(rnd.state))
    if target is None:
        raise ValidationError(f"考核轮次「{rnd.name}」已结束")
    entries = rnd.entries.select_related("subject")
    if target == RoundState.CONFIRM:
        waiting = list(entries.exclude(state=EntryState.REVIEWED))
        if waiting:
            raise ValidationError(f"尚有 {len(waiting)} 个对象未审核通过（{_names(waiting)}），不能进入确认")
    if target == RoundState.PUBLISHED:
        waiting = list(entries.exclude(state=EntryState.CONFIRMED))
        if waiting:
            raise ValidationError(f"尚有 {len(waiting)} 个对象未确认（{_names(waiting)}），不能发布")
        found = results.results(rnd)
        for entry in entries:
            entry.total, entry.grade = found[entry.pk].total, found[entry.pk].grade
        RoundEntry.objects.bulk_update(list(entries), ["total", "grade"], batch_size=500)
        rnd.published_at = _now()
    if target == RoundState.CLOSED:
        deadline = results.objection_deadline(rnd)
        if deadline is not None and _now() <= deadline:
            raise ValidationError(f"异议期至 {timezone.localtime(deadline):%Y-%m-%d %H:%M} 止，期满后才能结束本轮")
        open_ones = Objection.objects.filter(entry__round=rnd, answered_at__isnull=True).count()
        if open_ones:
            raise ValidationError(f"尚有 {open_ones} 条异议未答复，不能结束本轮")
    before = rnd.get_state_display()
    rnd.state = target
    rnd.save(update_fields=["state", "published_at"])
    record(actor, AuditAction.UPDATE, rnd, changes={"state": [before, rnd.get_state_display()]},
           detail=f"考核轮次「{rnd.name}」：{before} → {rnd.get_state_display()}")  # fmt: skip
    return rnd


# -- a subject's sheet ---------------------------------------------------------------------------------
def _locked_entry(entry: RoundEntry) -> RoundEntry:
    fresh = RoundEntry.objects.select_for_update().get(pk=entry.pk)
    return RoundEntry.objects.select_related("round__version__indicator_set", "subject", "reviewer", "confirmer").get(
        pk=fresh.pk
    )


def _label(entry: RoundEntry, leaf: Indicator | None = None) -> str:
    return f"「{entry.subject.name}」" + (f"指标「{leaf.name}」" if leaf else "")


def _check_value(entry: RoundEntry, leaf: Indicator, raw: Any) -> Decimal | None:
    try:
        return rules.check_value(rules.validate(leaf.rule_kind, leaf.rule_params), raw)
    except ValidationError as error:
        raise ValidationError(f"{_label(entry, leaf)}{error.messages[0]}") from None


@transaction.atomic
def save_self(actor, scope, score: RoundScore, value: Any, note: Any = "", uploads: Sequence = ()) -> RoundScore:
    """自评: the subject's own score for a people-scored leaf, its note and evidence (checked uploads)."""
    entry = _locked_entry(score.entry)
    if not scope.may_self_assess(entry):
        raise PermissionDenied("只有评估对象本方（党组织书记或本级党委管理员）可以自评")
    check_unlocked(entry.round)
    leaf = Indicator.objects.get(pk=score.indicator_id)
    if entry.state not in (EntryState.SELF, EntryState.RETURNED) or entry.round.state not in (
        RoundState.SELF, RoundState.REVIEW,
    ):  # fmt: skip
        raise ValidationError(f"{_label(entry)}{entry.get_state_display()}，不能修改自评")
    if leaf.method != Method.SCORED:
        raise ValidationError(f"{_label(entry, leaf)}由平台计算，不由自评打分")
    score = RoundScore.objects.get(pk=score.pk)
    found = _check_value(entry, leaf, value)
    text = _text(note, f"{_label(entry, leaf)}说明", 2000, required=False)
    uploads = list(uploads)
    kinds = []
    if uploads:
        if not leaf.evidence_allowed:
            raise ValidationError(f"{_label(entry, leaf)}不需上传佐证材料")
        kinds = attachments.check_uploads(
            uploads, limit=MAX_EVIDENCE, label=f"{_label(entry, leaf)}佐证材料", per="每项指标",
            already=score.evidence.count(),
        )  # fmt: skip
    changes = {}
    if found != score.self_value:
        changes["self_value"] = [_show(score.self_value), _show(found)]
    if text != score.self_note:
        changes["self_note"] = [score.self_note, text]
    score.self_value, score.self_note = found, text
    score.save(update_fields=["self_value", "self_note"])
    stored = []
    if uploads:
        stored = attachments.store_all(ScoreEvidence, {"score": score}, actor, uploads, kinds, EVIDENCE_FOLDER)
    if changes or stored:
        extra = f"，上传佐证材料 {len(stored)} 件" if stored else ""
        record(actor, AuditAction.UPDATE, entry, changes=changes, detail=f"自评：{leaf.name}{extra}")
    return score


def _show(value: Decimal | None) -> str:
    return "" if value is None else rules.plain(value)


def sheet_problems(entry: RoundEntry) -> list[str]:
    """What keeps a sheet from being submitted: each people-scored leaf needs a score, and a note
    where the leaf asks for one."""
    found = []
    by_leaf = {row.indicator_id: row for row in entry.scores.select_related("indicator")}
    for item in queries.flat(queries.tree(entry.round.version)):
        row = by_leaf.get(item.indicator.pk)
        if row is None:
            continue
        leaf = row.indicator
        if leaf.method != Method.SCORED:
            continue
        if row.self_value is None:
            found.append(f"{_label(entry, leaf)}尚未自评打分")
        elif leaf.note_required and not row.self_note.strip():
            found.append(f"{_label(entry, leaf)}须填写自评说明")
    return found


@transaction.atomic
def submit(actor, scope, entry: RoundEntry) -> RoundEntry:
    """提交自评: the sheet goes to the reviewing committee."""
    entry = _locked_entry(entry)
    if not scope.may_self_assess(entry):
        raise PermissionDenied("只有评估对象本方可以提交自评")
    check_unlocked(entry.round)
    if entry.state not in (EntryState.SELF, EntryState.RETURNED) or entry.round.state not in (
        RoundState.SELF, RoundState.REVIEW,
    ):  # fmt: skip
        raise ValidationError(f"{_label(entry)}{entry.get_state_display()}，不能提交")
    found = sheet_problems(entry)
    if found:
        raise ValidationError(found)
    return _move(actor, entry, EntryState.SUBMITTED, "提交自评", submitted_at=_now())


def _move(actor, entry: RoundEntry, state: str, what: str, **fields) -> RoundEntry:
    before = entry.get_state_display()
    entry.state = state
    for key, value in fields.items():
        setattr(entry, key, value)
    entry.save(update_fields=["state", *fields])
    record(actor, AuditAction.UPDATE, entry, changes={"state": [before, entry.get_state_display()]}, detail=what)
    return entry


def _check_review(scope, entry: RoundEntry) -> None:
    if not scope.may_review(entry):
        raise PermissionDenied(f"{_label(entry)}由{entry.reviewer.name}审核")
    check_unlocked(entry.round)
    if entry.round.state != RoundState.REVIEW:
        raise ValidationError(f"考核轮次「{entry.round.name}」{entry.round.get_state_display()}，不在审核阶段")
    if entry.state != EntryState.SUBMITTED:
        raise ValidationError(f"{_label(entry)}{entry.get_state_display()}，不能审核")


@transaction.atomic
def adjust(actor, scope, score: RoundScore, value: Any, reason: Any) -> RoundScore:
    """审核调整: the reviewer's value for a leaf, with the reason (required); an empty value takes the
    adjustment back (the reason still says why)."""
    entry = _locked_entry(score.entry)
    _check_review(scope, entry)
    leaf = Indicator.objects.get(pk=score.indicator_id)
    found = _check_value(entry, leaf, value)
    why = _text(reason, f"{_label(entry, leaf)}调整理由", 300)
    score = RoundScore.objects.get(pk=score.pk)
    before = score.adjusted
    score.adjusted, score.adjust_reason = found, why
    score.adjusted_by, score.adjusted_at = _user(actor), _now()
    score.save(update_fields=["adjusted", "adjust_reason", "adjusted_by", "adjusted_at"])
    record(actor, AuditAction.UPDATE, entry, changes={"adjusted": [_show(before), _show(found)]},
           detail=f"审核调整：{leaf.name}；理由：{why}")  # fmt: skip
    return score


@transaction.atomic
def return_entry(actor, scope, entry: RoundEntry, reason: Any) -> RoundEntry:
    """退回: back to the subject to score again, with the reason."""
    entry = _locked_entry(entry)
    _check_review(scope, entry)
    why = _text(reason, "退回理由", 300)
    return _move(actor, entry, EntryState.RETURNED, f"审核退回：{why}", return_reason=why)


@transaction.atomic
def pass_review(actor, scope, entry: RoundEntry) -> RoundEntry:
    entry = _locked_entry(entry)
    _check_review(scope, entry)
    return _move(actor, entry, EntryState.REVIEWED, "审核通过", reviewed_at=_now(), reviewed_by=_user(actor))


@transaction.atomic
def confirm(actor, scope, entry: RoundEntry) -> RoundEntry:
    """确认: the committee above the reviewer confirms the reviewed sheet."""
    entry = _locked_entry(entry)
    if not scope.may_confirm(entry):
        raise PermissionDenied(f"{_label(entry)}由{entry.confirmer.name}确认")
    check_unlocked(entry.round)
    if entry.round.state != RoundState.CONFIRM:
        raise ValidationError(f"考核轮次「{entry.round.name}」{entry.round.get_state_display()}，不在确认阶段")
    if entry.state != EntryState.REVIEWED:
        raise ValidationError(f"{_label(entry)}{entry.get_state_display()}，不能确认")
    return _move(actor, entry, EntryState.CONFIRMED, "确认", confirmed_at=_now(), confirmed_by=_user(actor))


# -- objections ------------------------------------------------------------------------------------------
@transaction.atomic
def raise_objection(actor, scope, entry: RoundEntry, text: Any) -> Objection:
    """异议: the subject objects to its published result, within the round's objection period."""
    entry = _locked_entry(entry)
    if not scope.may_object(entry):
        raise PermissionDenied("只有评估对象本方可以提出异议")
    rnd = entry.round
    deadline = results.objection_deadline(rnd)
    if rnd.state != RoundState.PUBLISHED or deadline is None:
        raise ValidationError(f"考核轮次「{rnd.name}」{rnd.get_state_display()}，不受理异议")
    if _now() > deadline:
        until = f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}"
        raise ValidationError(f"{_label(entry)}异议期已过：异议期 {rnd.objection_days} 天，至 {until} 止")
    if entry.objections.filter(answered_at__isnull=True).exists():
        raise ValidationError(f"{_label(entry)}已有一条异议待答复")
    objection = Objection.objects.create(entry=entry, text=_text(text, "异议内容", 2000), raised_by=_user(actor))
    record(actor, AuditAction.CREATE, entry, detail=f"提出异议：{objection.text[:100]}")
    return objection


@transaction.atomic
def answer_objection(actor, scope, objection: Objection, text: Any) -> Objection:
    """答复: the confirming committee answers an objection (once)."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    entry = RoundEntry.objects.select_related("round", "subject", "confirmer").get(pk=objection.entry_id)
    objection.entry = entry
    if not scope.may_answer(objection):
        raise PermissionDenied(f"{_label(entry)}的异议由{entry.confirmer.name}答复")
    if objection.answered_at is not None:
        raise ValidationError(f"{_label(entry)}的这条异议已答复")
    objection.answer = _text(text, "答复", 2000)
    objection.answered_at, objection.answered_by = _now(), _user(actor)
    objection.save(update_fields=["answer", "answered_at", "answered_by"])
    record(actor, AuditAction.UPDATE, entry, detail=f"答复异议：{objection.answer[:100]}")
    return objection
