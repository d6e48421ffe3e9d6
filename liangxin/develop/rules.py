"""The rules of 发展党员 as plain functions (no database): each failed check is a Chinese sentence
naming the rule and the policy parameter's value it used. Numbers come from ``policy.values()``.

Boundaries, all by calendar months (``core.dates.add_months``):
- talk: on or before application + ``applicant_talk_within_months`` is in time, a day later is late;
- cultivation: a development candidate from activist date + ``activist_cultivation_months``;
- approval: up to vote + ``approval_within_months`` in time, up to ``approval_within_max_months``
  with a warning, beyond refused;
- probation ends at vote + ``probation_months`` (+ an extension of ``probation_extension_min_months``
  to ``_max_months``); 转正 on or after that day;
- age: ``minimum_age`` reached on the day of the application (the 18th birthday counts).
"""

import datetime
from dataclasses import dataclass, field

from liangxin.core.dates import add_months
from liangxin.party import policy
from liangxin.party.choices import MemberCategory
from liangxin.party.validation import age_on

from .models import Stage, StepKind


# -- parameters in words ------------------------------------------------------------------------------
def num(params: dict, key: str) -> int:
    return int(params[key])


def shown(params: dict, key: str) -> str:
    """A parameter's value with its unit: "12 个月", "18 周岁", a share as "50%"."""
    return policy.shown(key, params[key])


def rule(params: dict, key: str) -> str:
    """The rule as users read it everywhere: its name, the value in force and its source."""
    return policy.cite(key, params=params)


def day(d: datetime.date) -> str:
    return f"{d:%Y-%m-%d}"


# -- deadlines ------------------------------------------------------------------------------------------
def talk_deadline(applied_on: datetime.date, params: dict) -> datetime.date:
    return add_months(applied_on, num(params, "applicant_talk_within_months"))


def cultivation_complete_on(activist_on: datetime.date, params: dict) -> datetime.date:
    return add_months(activist_on, num(params, "activist_cultivation_months"))


def approval_deadline(voted_on: datetime.date, params: dict) -> datetime.date:
    return add_months(voted_on, num(params, "approval_within_months"))


def approval_last_day(voted_on: datetime.date, params: dict) -> datetime.date:
    return add_months(voted_on, num(params, "approval_within_max_months"))


def probation_end(voted_on: datetime.date, params: dict, extension_months: int = 0) -> datetime.date:
    """预备期自支部大会通过之日起计算 (《细则》第三十五条)."""
    return add_months(voted_on, num(params, "probation_months") + extension_months)


# -- single rules ---------------------------------------------------------------------------------------
def check_age(birth: datetime.date, applied_on: datetime.date, params: dict) -> str | None:
    minimum = num(params, "minimum_age")
    if age_on(birth, applied_on) >= minimum:
        return None
    turns = add_months(birth, 12 * minimum)
    return (
        f"递交申请时未满 {minimum} 周岁（规则：{rule(params, 'minimum_age')}），"
        f"出生日期 {day(birth)}，{day(turns)} 年满 {minimum} 周岁"
    )


def talk_late(applied_on: datetime.date, talked_on: datetime.date, params: dict) -> str | None:
    """A talk after the deadline is recorded (it took place) with this warning."""
    deadline = talk_deadline(applied_on, params)
    if talked_on <= deadline:
        return None
    return (
        f"谈话逾期 {(talked_on - deadline).days} 天（规则：{rule(params, 'applicant_talk_within_months')}，"
        f"应在 {day(deadline)} 前谈话）"
    )


def check_cultivation(activist_on: datetime.date, on: datetime.date, params: dict) -> str | None:
    ready = cultivation_complete_on(activist_on, params)
    if on >= ready:
        return None
    months = num(params, "activist_cultivation_months")
    return (
        f"培养教育考察不足 {months} 个月（规则：{rule(params, 'activist_cultivation_months')}），"
        f"还差 {(ready - on).days} 天（{day(ready)} 起可确定为发展对象）"
    )


def _not_full_member(person, party_org_id: int) -> bool:
    return not (person.is_active and person.category == MemberCategory.FULL and person.party_org_id == party_org_id)


def _pool_errors(people: list, party_org_id: int, role: str) -> list[str]:
    out = []
    for person in people:
        if _not_full_member(person, party_org_id):
            who = f"「{person.name}」" if person.party_org_id == party_org_id else f"编号 {person.pk} 的党员"
            out.append(f"{who}不是本党组织的正式党员，不能担任{role}（规则：{role}须为本党组织正式党员）")
    return out


def check_contacts(people: list, party_org_id: int, params: dict) -> list[str]:
    low, high = num(params, "cultivation_contacts_min"), num(params, "cultivation_contacts_max")
    out = []
    if not low <= len(people) <= high:
        out.append(
            f"培养联系人应为 {low}–{high} 名，当前 {len(people)} 名"
            f"（规则：{rule(params, 'cultivation_contacts_min')}，{rule(params, 'cultivation_contacts_max')}）"
        )
    return out + _pool_errors(people, party_org_id, "培养联系人")


def check_introducers(people: list, party_org_id: int, params: dict) -> list[str]:
    wanted = num(params, "introducers_required")
    out = []
    if len(people) != wanted:
        out.append(f"入党介绍人应为 {wanted} 名，当前 {len(people)} 名（规则：{rule(params, 'introducers_required')}）")
    return out + _pool_errors(people, party_org_id, "入党介绍人")


def check_training(start: datetime.date, end: datetime.date, days: int, hours: int, params: dict) -> list[str]:
    out = []
    span = (end - start).days + 1
    if end < start:
        out.append(f"结业日期（{day(end)}）不能早于开始日期（{day(start)}）")
    elif days > span:
        out.append(f"培训天数 {days} 天超过起止日期之间的 {span} 天")
    need_days, need_hours = num(params, "candidate_training_days"), num(params, "candidate_training_hours")
    if days < need_days and hours < need_hours:
        out.append(
            f"集中培训不足：{days} 天、{hours} 学时（规则：发展对象集中培训至少 "
            f"{shown(params, 'candidate_training_days')}或 {shown(params, 'candidate_training_hours')}）"
        )
    return out


@dataclass
class VoteResult:
    errors: list[str] = field(default_factory=list)  # the numbers cannot be right: refused
    failures: list[str] = field(default_factory=list)  # a valid vote that did not pass the thresholds

    @property
    def passed(self) -> bool:
        return not self.errors and not self.failures


def check_vote(entitled: int, present: int, favour: int, full_members: int, params: dict) -> VoteResult:
    """到会有表决权的党员超过应到会的半数，赞成人数超过应到会有表决权的正式党员的半数 (《细则》第二十七条)."""
    result = VoteResult()
    if entitled < 1:
        result.errors.append("应到会有表决权的正式党员人数至少为 1")
    if entitled > full_members:
        result.errors.append(f"应到会有表决权的正式党员 {entitled} 名，超过本党组织在册正式党员 {full_members} 名")
    if present > entitled:
        result.errors.append(f"实到 {present} 名，超过应到会 {entitled} 名")
    if favour > present:
        result.errors.append(f"赞成 {favour} 票，超过实到 {present} 名")
    if result.errors:
        return result
    present_share, favour_share = params["admission_present_share"], params["admission_favour_share"]
    if not present > present_share * entitled:
        result.failures.append(
            f"实到有表决权的党员 {present} 名，未超过应到会 {entitled} 名的 {shown(params, 'admission_present_share')}"
            f"（规则：{rule(params, 'admission_present_share')}）"
        )
    if not favour > favour_share * entitled:
        result.failures.append(
            f"赞成 {favour} 票，未超过应到会有表决权正式党员 {entitled} 名的 {shown(params, 'admission_favour_share')}"
            f"（规则：{rule(params, 'admission_favour_share')}）"
        )
    return result


def check_approval(voted_on: datetime.date, on: datetime.date, params: dict) -> tuple[str | None, str | None]:
    """(refusal, warning): in time, late with a warning up to the maximum, refused beyond it."""
    deadline, last = approval_deadline(voted_on, params), approval_last_day(voted_on, params)
    if on > last:
        return (
            f"审批日期已超过最长期限 {(on - last).days} 天：支部大会通过（{day(voted_on)}）后最迟 {day(last)} 审批"
            f"（规则：{rule(params, 'approval_within_max_months')}）",
            None,
        )
    if on > deadline:
        return None, (
            f"审批晚于期限 {(on - deadline).days} 天（规则：{rule(params, 'approval_within_months')}，"
            f"应在 {day(deadline)} 前审批），仍在最长期限 {day(last)} 以内"
        )
    return None, None


def check_extension(months: int, params: dict) -> str | None:
    low, high = num(params, "probation_extension_min_months"), num(params, "probation_extension_max_months")
    if low <= months <= high:
        return None
    return (
        f"延长预备期应为 {low}–{high} 个月，填写的是 {months} 个月"
        f"（规则：{rule(params, 'probation_extension_min_months')}，{rule(params, 'probation_extension_max_months')}）"
    )


def check_full(end: datetime.date, on: datetime.date, extension_months: int, params: dict) -> str | None:
    if on >= end:
        return None
    extended = f"，延长 {extension_months} 个月" if extension_months else ""
    return (
        f"预备期未满：{day(end)} 期满，还差 {(end - on).days} 天（规则：{rule(params, 'probation_months')}{extended}）"
    )


# -- order of the steps --------------------------------------------------------------------------------------
# which recorded dates a step needs first (attribute, the step that sets it)
PREREQUISITES: dict[str, list[tuple[str, str]]] = {
    StepKind.TALK: [],
    StepKind.ACTIVIST: [("talked_on", StepKind.TALK)],
    StepKind.CONTACTS: [("activist_on", StepKind.ACTIVIST)],
    StepKind.CANDIDATE: [("activist_on", StepKind.ACTIVIST)],
    StepKind.INTRODUCERS: [("candidate_on", StepKind.CANDIDATE)],
    StepKind.REVIEW: [("candidate_on", StepKind.CANDIDATE)],
    StepKind.TRAINING: [("candidate_on", StepKind.CANDIDATE)],
    StepKind.PUBLICITY: [
        ("introducers_on", StepKind.INTRODUCERS),
        ("reviewed_on", StepKind.REVIEW),
        ("trained_on", StepKind.TRAINING),
    ],
    StepKind.PREREVIEW: [("publicized_on", StepKind.PUBLICITY)],
    StepKind.VOTE: [("prereviewed_on", StepKind.PREREVIEW)],
    StepKind.APPROVAL: [("voted_on", StepKind.VOTE)],
    StepKind.OATH: [("approved_on", StepKind.APPROVAL)],
    StepKind.EXTEND: [("approved_on", StepKind.APPROVAL)],
    StepKind.FULL: [("approved_on", StepKind.APPROVAL), ("oath_on", StepKind.OATH)],
    StepKind.STOP: [],
}
# a step may be recorded (again) until this date is set (attribute, the step that sets it)
CLOSED_BY: dict[str, tuple[str, str]] = {
    StepKind.TALK: ("talked_on", StepKind.TALK),
    StepKind.ACTIVIST: ("activist_on", StepKind.ACTIVIST),
    StepKind.CONTACTS: ("voted_on", StepKind.VOTE),
    StepKind.CANDIDATE: ("candidate_on", StepKind.CANDIDATE),
    StepKind.INTRODUCERS: ("publicized_on", StepKind.PUBLICITY),
    StepKind.REVIEW: ("publicized_on", StepKind.PUBLICITY),
    StepKind.TRAINING: ("publicized_on", StepKind.PUBLICITY),
    StepKind.PUBLICITY: ("prereviewed_on", StepKind.PREREVIEW),
    StepKind.PREREVIEW: ("voted_on", StepKind.VOTE),
    StepKind.VOTE: ("voted_on", StepKind.VOTE),
    StepKind.APPROVAL: ("approved_on", StepKind.APPROVAL),
    StepKind.OATH: ("oath_on", StepKind.OATH),
    StepKind.FULL: ("full_on", StepKind.FULL),
    StepKind.STOP: ("stopped_on", StepKind.STOP),
}
# steps that only the upper committee records (预审、审批)
UPPER_COMMITTEE_STEPS = {StepKind.PREREVIEW, StepKind.APPROVAL}
# the steps in the order the detail page offers them
ORDER = [k for k in StepKind.values if k != StepKind.APPLY]


def label(kind: str) -> str:
    return StepKind(kind).label


def order_errors(a, kind: str) -> list[str]:
    """Why ``kind`` cannot be recorded now on applicant ``a`` (empty: it can)."""
    this = label(kind)
    if a.stage in (Stage.FULL, Stage.STOPPED):
        return [f"该申请人已{'转为正式党员' if a.stage == Stage.FULL else '终止发展'}，不能办理「{this}」"]
    closer = CLOSED_BY.get(kind)
    if closer and getattr(a, closer[0]):
        if closer[1] == kind:
            return [f"「{this}」已于 {day(getattr(a, closer[0]))} 办理，不能重复办理"]
        return [f"已办理「{label(closer[1])}」（{day(getattr(a, closer[0]))}），不能再办理「{this}」"]
    if kind == StepKind.EXTEND and a.extension_months:
        return [f"预备期已延长 {a.extension_months} 个月，只能延长一次"]
    missing = [label(step) for attr, step in PREREQUISITES[kind] if not getattr(a, attr)]
    if missing:
        return [f"尚未完成「{'」「'.join(missing)}」，不能办理「{this}」"]
    return []


def latest_prior(a, kind: str) -> tuple[datetime.date, str] | None:
    """The latest date among the steps ``kind`` follows (the application for the first)."""
    dates = [(getattr(a, attr), label(step)) for attr, step in PREREQUISITES[kind] if getattr(a, attr)]
    if kind == StepKind.STOP:
        dates = [(d, "上一环节") for d in _all_dates(a)]
    dates.append((a.applied_on, label(StepKind.APPLY)))
    return max(dates, key=lambda pair: pair[0])


def _all_dates(a) -> list[datetime.date]:
    names = ["talked_on", "activist_on", "candidate_on", "introducers_on", "reviewed_on", "trained_on"]
    names += ["publicized_on", "prereviewed_on", "voted_on", "approved_on", "oath_on"]
    return [getattr(a, n) for n in names if getattr(a, n)]
