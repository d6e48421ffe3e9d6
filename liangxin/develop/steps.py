"""The steps of the pipeline as data: what each asks for (``FIELDS``), how what people type is read
(``parse``), and every check before it is recorded (``check``). Pages, the API and the services
share these; the rules themselves are in ``rules.py``."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.dateparse import parse_date

from liangxin.core import normalize

from . import rules
from .models import StepKind as K

PASS, FAIL = "pass", "fail"
RESULTS = [(PASS, "合格/通过"), (FAIL, "不合格/不通过")]


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str  # date | int | text | members | result
    required: bool = True


FIELDS: dict[str, list[Input]] = {
    K.TALK: [Input("on", "谈话日期", "date"), Input("talker", "谈话人", "text", False),
             Input("note", "谈话情况", "text", False)],
    K.ACTIVIST: [Input("on", "确定日期", "date"), Input("contacts", "培养联系人", "members"),
                 Input("note", "推荐方式（党员推荐、群团组织推优等）", "text", False)],
    K.CONTACTS: [Input("on", "调整日期", "date"), Input("contacts", "培养联系人", "members")],
    K.CANDIDATE: [Input("on", "确定日期", "date"), Input("note", "听取意见情况", "text", False)],
    K.INTRODUCERS: [Input("on", "确定日期", "date"), Input("introducers", "入党介绍人", "members")],
    K.REVIEW: [Input("on", "审查日期", "date"), Input("result", "审查结论", "result"),
               Input("note", "审查情况", "text", False)],
    K.TRAINING: [Input("start_on", "开始日期", "date"), Input("on", "结业日期", "date"),
                 Input("days", "培训天数", "int"), Input("hours", "培训学时", "int")],
    K.PUBLICITY: [Input("start_on", "公示开始日期", "date"), Input("on", "公示结束日期", "date"),
                  Input("note", "公示结果", "text", False)],
    K.PREREVIEW: [Input("on", "预审日期", "date"), Input("result", "预审结论", "result"),
                  Input("note", "预审意见", "text", False)],
    K.VOTE: [Input("on", "支部大会日期", "date"), Input("entitled", "应到会有表决权的正式党员（名）", "int"),
             Input("present", "实到有表决权的党员（名）", "int"), Input("favour", "赞成（票）", "int")],
    K.APPROVAL: [Input("on", "审批日期", "date"), Input("doc_no", "批复文号", "text", False)],
    K.OATH: [Input("on", "宣誓日期", "date")],
    K.EXTEND: [Input("on", "决定日期", "date"), Input("months", "延长（月）", "int"),
               Input("note", "延长原因", "text")],
    K.FULL: [Input("on", "支部大会讨论通过日期", "date")],
    K.STOP: [Input("on", "终止日期", "date"), Input("reason", "终止原因", "text")],
}  # fmt: skip
LIST_INPUTS = {"contacts", "introducers"}


# -- reading what was typed ---------------------------------------------------------------------------------
def parse(kind: str, raw: Mapping) -> tuple[dict, dict[str, list[str]]]:
    """Clean values of ``kind``'s inputs, and per-input Chinese errors."""
    if kind not in FIELDS:
        known = "、".join(f"{k}（{rules.label(k)}）" for k in FIELDS)
        return {}, {"step": [f"未知的环节「{kind}」，可办理的环节：{known}"]}
    values, errors = {}, {}
    for spec in FIELDS[kind]:
        try:
            values[spec.name] = _read(spec, raw.get(spec.name))
        except ValueError as exc:
            errors[spec.name] = [str(exc)]
    return values, errors


def _read(spec: Input, value):
    empty = value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())
    if empty:
        if spec.required:
            raise ValueError(f"请{'选择' if spec.kind in ('members', 'result') else '填写'}{spec.label}")
        return [] if spec.kind == "members" else None if spec.kind in ("date", "int") else ""
    if spec.kind == "date":
        return _date(spec, value)
    if spec.kind == "int":
        return _int(spec, value)
    if spec.kind == "members":
        return _ids(spec, value)
    if spec.kind == "result":
        if value not in (PASS, FAIL):
            raise ValueError(f"{spec.label}应为 {PASS}（合格/通过）或 {FAIL}（不合格/不通过）")
        return value
    return normalize.text(value)[:500]


def _date(spec: Input, value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        parsed = parse_date(normalize.text(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"{spec.label}格式应为 年-月-日，如 2025-03-01")
    return parsed


def _int(spec: Input, value) -> int:
    try:
        number = int(normalize.text(value)) if not isinstance(value, int) or isinstance(value, bool) else value
    except ValueError:
        raise ValueError(f"{spec.label}应为整数") from None
    if isinstance(number, bool) or number < 0:
        raise ValueError(f"{spec.label}不能为负数")
    return number


def _ids(spec: Input, value) -> list[int]:
    items = value if isinstance(value, (list, tuple)) else normalize.text(value).replace("，", ",").split(",")
    ids = []
    for item in items:
        text = normalize.text(item) if not isinstance(item, int) else str(item)
        if not text.isdigit():
            raise ValueError(f"{spec.label}应为党员编号的列表")
        if int(text) not in ids:
            ids.append(int(text))
    return ids


# -- the checks -------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What checking a step found: refusals by input ("step" for the order), warnings recorded with
    the step, and whether a valid step passed (a failed review, pre-review or vote is recorded as such)."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    passed: bool = True

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def messages(self) -> list[str]:
        return [m for ms in self.errors.values() for m in ms]


@dataclass
class Context:
    """Facts from the database a check needs (found by the service)."""

    branch_full_members: int = 0
    contacts: list = field(default_factory=list)  # the applicant's current cultivation contacts


def check(kind: str, a, v: dict, params: dict, today: datetime.date, ctx: Context | None = None) -> Outcome:
    """Every reason ``kind`` with values ``v`` cannot be recorded on applicant ``a`` now."""
    out = Outcome()
    for message in rules.order_errors(a, kind):
        out.refuse("step", message)
    if out.errors:
        return out  # out of order: the values are not looked at
    _check_dates(kind, a, v, today, out)
    CHECKS.get(kind, lambda *args: None)(a, v, params, ctx or Context(), out)
    if kind in (K.REVIEW, K.PREREVIEW) and v.get("result") == FAIL:
        out.passed = False
    return out


def _check_dates(kind: str, a, v: dict, today: datetime.date, out: Outcome) -> None:
    labels = {spec.name: spec.label for spec in FIELDS[kind]}
    for name in ("start_on", "on"):
        if v.get(name) and v[name] > today:
            out.refuse(name, f"{labels[name]}（{rules.day(v[name])}）不能晚于今天：只能登记已经完成的环节")
    prior, prior_label = rules.latest_prior(a, kind)
    first = v.get("start_on") or v.get("on")
    name = "start_on" if v.get("start_on") else "on"
    if first and first < prior:
        out.refuse(name, f"{labels[name]}（{rules.day(first)}）不能早于「{prior_label}」（{rules.day(prior)}）")


def _talk(a, v, params, ctx, out):
    warning = rules.talk_late(a.applied_on, v["on"], params) if v.get("on") else None
    if warning:
        out.warnings.append(warning)


def _contacts(a, v, params, ctx, out):
    for message in rules.check_contacts(v.get("contacts", []), a.party_org_id, params):
        out.refuse("contacts", message)


def _candidate(a, v, params, ctx, out):
    if v.get("on"):
        message = rules.check_cultivation(a.activist_on, v["on"], params)
        if message:
            out.refuse("on", message)
    for message in rules.check_contacts(ctx.contacts, a.party_org_id, params):
        out.refuse("contacts", f"{message}；请先调整培养联系人")


def _introducers(a, v, params, ctx, out):
    for message in rules.check_introducers(v.get("introducers", []), a.party_org_id, params):
        out.refuse("introducers", message)


def _training(a, v, params, ctx, out):
    if v.get("start_on") and v.get("on") and v.get("days") is not None and v.get("hours") is not None:
        for message in rules.check_training(v["start_on"], v["on"], v["days"], v["hours"], params):
            out.refuse("days", message)


def _publicity(a, v, params, ctx, out):
    if v.get("start_on") and v.get("on") and v["on"] < v["start_on"]:
        out.refuse("on", f"公示结束日期（{rules.day(v['on'])}）不能早于开始日期（{rules.day(v['start_on'])}）")


def _vote(a, v, params, ctx, out):
    if any(v.get(n) is None for n in ("entitled", "present", "favour")):
        return
    result = rules.check_vote(v["entitled"], v["present"], v["favour"], ctx.branch_full_members, params)
    for message in result.errors:
        out.refuse("entitled", message)
    if result.failures:
        out.passed = False
        out.warnings += ["表决未通过，未接收为预备党员", *result.failures]


def _approval(a, v, params, ctx, out):
    if v.get("on"):
        refusal, warning = rules.check_approval(a.voted_on, v["on"], params)
        if refusal:
            out.refuse("on", refusal)
        if warning:
            out.warnings.append(warning)


def _extend(a, v, params, ctx, out):
    if v.get("months") is not None:
        message = rules.check_extension(v["months"], params)
        if message:
            out.refuse("months", message)


def _full(a, v, params, ctx, out):
    if v.get("on") and a.probation_end:
        message = rules.check_full(a.probation_end, v["on"], a.extension_months, params)
        if message:
            out.refuse("on", message)


CHECKS = {
    K.TALK: _talk,
    K.ACTIVIST: _contacts,
    K.CONTACTS: _contacts,
    K.CANDIDATE: _candidate,
    K.INTRODUCERS: _introducers,
    K.TRAINING: _training,
    K.PUBLICITY: _publicity,
    K.VOTE: _vote,
    K.APPROVAL: _approval,
    K.EXTEND: _extend,
    K.FULL: _full,
}


def facts(kind: str, v: dict) -> dict[str, str]:
    """The step's values in Chinese, as kept on its record."""
    out = {}
    for spec in FIELDS[kind]:
        value = v.get(spec.name)
        if value in (None, "", []):
            continue
        if spec.kind == "members":
            value = "、".join(p.name for p in value)
        elif spec.kind == "result":
            value = dict(RESULTS)[value]
        elif spec.kind == "date":
            value = rules.day(value)
        out[spec.label] = str(value)
    return out
