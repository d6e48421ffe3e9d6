"""Where the pages and the API start: the meeting list's filters over ``Scope.meetings`` and the
parameters of a compliance request (year, window, unit) read the same way for both."""

import datetime

from django.db.models import QuerySet

from liangxin.core import normalize
from liangxin.core import params as params_

from .choices import MeetingKind, MeetingStatus
from .periods import window
from .validation import one_line

# the one error of an unreadable query parameter (pages: 400 page; API: 400), kept under its old name here
BadParameter = params_.BadParameter


def parse_year(raw, today: datetime.date) -> int:
    """A year from a query string (blank: this year); BadParameter with a Chinese reason."""
    raw = normalize.text(raw)
    if not raw:
        return today.year
    if raw.isdigit() and 2000 <= int(raw) <= today.year + 1:
        return int(raw)
    raise BadParameter("year", f"年度：「{raw}」无效，应为 2000–{today.year + 1} 之间的年份")


def rollup_unit(scope, raw):
    """The management node of a roll-up: the one asked for if it lies in the reader's subtree,
    else None (the caller answers 404, as for anything outside scope); blank: ``Scope.rollup_home``."""
    pk = params_.parse_id({"node": raw}, "node", "管理节点")
    if pk is None:
        return scope.rollup_home()
    return scope.stats_nodes().filter(pk=pk).first()


def parse_window(params, today: datetime.date) -> dict:
    """``year`` and ``period`` of a roll-up request; BadParameter with a Chinese reason."""
    year = parse_year(params.get("year"), today)
    period = (params.get("period") or "").strip().lower()
    try:
        start, end, label = window(year, period)
    except ValueError as exc:
        raise BadParameter("period", str(exc)) from None
    return {"year": year, "period": period, "start": start, "end": end, "label": label}


def filtered_meetings(scope, params, today: datetime.date) -> tuple[QuerySet, str]:
    """The meeting list for ``party_org``, ``kind``, ``status``, ``year`` and ``q`` (topic):
    (queryset, the filter in words). BadParameter with a Chinese reason for a value that is not one."""
    qs, said = scope.meetings(), []
    party_org = params_.parse_id(params, "party_org", "党组织")
    if party_org is not None:
        qs = qs.filter(party_org_id=party_org)
        said.append(f"党组织编号：{party_org}")
    for name, label, choices in (("kind", "会议类型", MeetingKind), ("status", "状态", MeetingStatus)):
        value = (params.get(name) or "").strip()
        if value:
            if value not in choices.values:
                raise BadParameter(name, f"{label}：「{value}」无效，应为 {'、'.join(choices.values)} 之一")
            qs = qs.filter(**{name: value})
            said.append(f"{label}：{choices(value).label}")
    if (params.get("year") or "").strip():
        year = parse_year(params.get("year"), today)
        qs = qs.filter(date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31))
        said.append(f"年度：{year}")
    q = one_line(params.get("q"))
    if q:
        qs = qs.filter(topic__contains=q)
        said.append(f"主题含：{q}")
    return qs, "；".join(said) or "权限范围内全部"
