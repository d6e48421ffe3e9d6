"""Read-side helpers: the filtered lists behind the pages, the API and the exports (one function
each, so a list and its export always hold the same rows)."""

import datetime

from django.db.models import DateField, OuterRef, Q, QuerySet, Subquery

from liangxin.core import normalize
from liangxin.core import params as params_
from liangxin.party.choices import FloatingStatus
from liangxin.party.queries import search_people

from . import rules
from .models import OPEN_STATES, CensusRecord, TransferKind, TransferState


def overdue_q(params: dict, today: datetime.date) -> Q:
    """超期: open, and the letter issued before the earliest date still valid today."""
    return Q(state__in=OPEN_STATES, issued_on__lt=rules.overdue_issued_before(params, today))


def filtered_transfers(scope, g, params: dict, today: datetime.date) -> tuple[QuerySet, str]:
    """The transfer list for these parameters: (queryset, the filter in words)."""
    qs = scope.transfers()
    said = []
    state = g.get("state") or ""
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
        said.append("状态：办理中")
    elif state in TransferState.values:
        qs = qs.filter(state=state)
        said.append(f"状态：{TransferState(state).label}")
    if g.get("overdue") == "1":
        qs = qs.filter(overdue_q(params, today))
        said.append("仅超期")
    if g.get("kind") in TransferKind.values:
        qs = qs.filter(kind=g["kind"])
        said.append(f"类型：{TransferKind(g['kind']).label}")
    direction = g.get("direction")
    if direction in ("out", "in") and not scope.is_city_wide:
        mine = scope.party_orgs("view").values("pk")
        qs = qs.filter(from_party_org__in=mine) if direction == "out" else qs.filter(to_party_org__in=mine)
        said.append("本方转出" if direction == "out" else "转入本方")
    po = params_.parse_id(g, "party_org", "党组织")
    if po is not None:
        qs = qs.filter(Q(from_party_org_id=po) | Q(to_party_org_id=po))
        said.append(f"党组织编号：{po}")
    q = normalize.text(g.get("q"))
    if q:
        qs = qs.filter(Q(person_name__contains=q) | Q(letter_no__contains=q))
        said.append(f"姓名或介绍信编号含：{q}")
    return qs, "；".join(said) or "权限范围内全部"


def last_census() -> Subquery:
    latest = CensusRecord.objects.filter(member=OuterRef("pk")).order_by("-confirmed_on").values("confirmed_on")[:1]
    return Subquery(latest, output_field=DateField())


def filtered_floating(scope, g, params: dict, today: datetime.date) -> tuple[QuerySet, str]:
    """Floating members for these parameters, each with ``last_confirmed``: (queryset, filter in words)."""
    qs = scope.floating_members().annotate(last_confirmed=last_census())
    said = []
    if g.get("floating") in (FloatingStatus.OUTFLOW, FloatingStatus.INFLOW):
        qs = qs.filter(floating=g["floating"])
        said.append(f"流动：{FloatingStatus(g['floating']).label}")
    if g.get("managed") == "1" and not scope.is_city_wide:
        qs = qs.filter(inflow_party_org__in=scope.party_orgs("view").values("pk"))
        said.append("本方为流入地党组织")
    po = params_.parse_id(g, "party_org", "党组织")
    if po is not None:
        qs = qs.filter(Q(party_org_id=po) | Q(inflow_party_org_id=po))
        said.append(f"党组织编号：{po}")
    if g.get("unconfirmed") == "1":
        qs = qs.filter(unconfirmed_q(params, today))
        said.append(f"超过 {rules.months(params, rules.CENSUS_KEY)} 个月未排摸")
    q = normalize.text(g.get("q"))
    if q:
        by_name_or_card = Q(name__contains=q) | Q(floating_card_no__contains=normalize.code(q))
        qs, searched = search_people(qs, q, by_name_or_card, "姓名或活动证号含")
        said.append(searched)
    return qs, "；".join(said) or "权限范围内全部在册流动党员"


def unconfirmed_q(params: dict, today: datetime.date) -> Q:
    """Not confirmed in the census period (needs the ``last_confirmed`` annotation)."""
    return Q(last_confirmed__isnull=True) | Q(last_confirmed__lt=rules.census_confirmed_since(params, today))
