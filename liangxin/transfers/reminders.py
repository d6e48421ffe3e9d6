"""What is due for a user in 组织关系转接与流动党员 (see liangxin.inbox.reminders).

- a secretary: transfers waiting for their party organization to accept (超期 flagged), their
  own transfers to outside waiting for the receipt, their transfers that came back (退回, within
  a letter's validity after the return), and the floating members of their branch (held there
  or flowed in) not confirmed within ``floating_census_months``;
- a committee admin: transfers of the party organizations right under them waiting for review;
- a member-role user: the state of their own transfer.
"""

import datetime
import hashlib

from django.db.models import Q
from django.urls import reverse

from liangxin.core.tree import any_subtree_q
from liangxin.inbox.reminders import Reminder
from liangxin.party import policy
from liangxin.party.models import Member, PartyOrganization

from . import queries, rules
from .models import OPEN_STATES, Transfer, TransferKind, TransferState


def due_for(user, scope, today: datetime.date) -> list:
    params = None
    out: list = []
    party_paths = scope.secretary_paths()
    admin_nodes = list(scope.committee_ids())
    member = scope.member
    if not (party_paths or admin_nodes or member):
        return out
    params = policy.values()
    if party_paths:
        mine = PartyOrganization.objects.filter(any_subtree_q(party_paths, "node__path"), node__is_active=True)
        out += _secretary(mine, params, today)
        out += _census(mine, params, today)
    if admin_nodes:
        out += _reviews(admin_nodes, params, today)
    if member is not None:
        out += _own(member, params, today)
    return out


def _url(transfer: Transfer) -> str:
    return reverse("web:transfers_detail", args=[transfer.pk])


def _waiting(transfer: Transfer, title: str, params, today, stage: str):
    overdue = rules.is_overdue(transfer, params, today)
    valid_until = rules.letter_valid_until(transfer.issued_on, params)
    key = f"transfer:{transfer.pk}:{stage}:{'overdue' if overdue else 'due'}"
    suffix = f"（{rules.overdue_text(transfer, params)}）" if overdue else ""
    return Reminder("transfer", title + suffix, valid_until, _url(transfer), key, overdue=overdue)


def _transfers():
    return Transfer.objects.select_related("from_party_org__node", "to_party_org__node")


def _secretary(mine, params, today) -> list:
    ids = list(mine.values_list("pk", flat=True))
    out = []
    waiting = ~Q(state=TransferState.INITIATED, needs_review=True)
    incoming = _transfers().filter(
        waiting, state__in=OPEN_STATES, to_party_org_id__in=ids, kind__in=[TransferKind.INTERNAL, TransferKind.IN]
    )
    for t in incoming.order_by("issued_on", "pk")[:50]:
        out.append(
            _waiting(t, f"组织关系转入待接收：{t.person_name}（来自{t.from_org_name}）", params, today, "accept")
        )
    receipts = _transfers().filter(waiting, state__in=OPEN_STATES, from_party_org_id__in=ids, kind=TransferKind.OUT)
    for t in receipts.order_by("issued_on", "pk")[:50]:
        out.append(
            _waiting(t, f"转出至系统外待登记回执：{t.person_name}（转往{t.to_org_name}）", params, today, "receipt")
        )
    since = rules.overdue_issued_before(params, today)  # returned within one letter's validity
    returned = _transfers().filter(state=TransferState.RETURNED, from_party_org_id__in=ids, closed_on__gte=since)
    for t in returned.order_by("-closed_on", "-pk")[:50]:
        if t.member_id and t.member.transfers.filter(pk__gt=t.pk).exists():
            continue  # a new transfer was started since
        title = f"组织关系转接被退回：{t.person_name}（转往{t.to_org_name}），原因：{t.return_reason}"
        out.append(Reminder("transfer", title, None, _url(t), f"transfer:{t.pk}:returned"))
    return out


def _census(mine, params, today) -> list:
    n = rules.months(params, rules.CENSUS_KEY)
    out = []
    for po in mine.select_related("node"):
        members = Member.objects.filter(Q(party_org=po) | Q(inflow_party_org=po), is_active=True).exclude(floating="")
        late = list(
            members.annotate(last_confirmed=queries.last_census())
            .filter(queries.unconfirmed_q(params, today))
            .values_list("pk", "last_confirmed")
        )
        if not late:
            continue
        known = [d for _, d in late if d is not None]
        due = rules.census_due_on(min(known), params) if known else None
        digest = hashlib.sha1(",".join(str(pk) for pk, _ in sorted(late)).encode()).hexdigest()[:12]
        url = reverse("web:transfers_floating") + f"?unconfirmed=1&party_org={po.pk}"
        title = (
            f"{po.name}：{len(late)} 名流动党员超过 {n} 个月未排摸"
            f"（规则：流动党员排摸周期 {n} 个月；依据 {policy.cite('floating_census_months')}）"
        )
        out.append(Reminder("floating", title, due, url, f"census:{po.pk}:{digest}", overdue=True))
    return out


def _reviews(admin_nodes, params, today) -> list:
    waiting = _transfers().filter(state=TransferState.INITIATED, needs_review=True, review_node_id__in=admin_nodes)
    return [
        _waiting(
            t, f"组织关系转接待审核：{t.person_name}（{t.from_org_name} → {t.to_org_name}）", params, today, "review"
        )
        for t in waiting.order_by("issued_on", "pk")[:50]
    ]


def _own(member, params, today) -> list:
    out = []
    since = rules.overdue_issued_before(params, today)
    recent = Q(state__in=OPEN_STATES) | Q(closed_on__gte=since)
    for t in _transfers().filter(recent, member=member).order_by("-pk")[:3]:
        where = f"{t.from_org_name} → {t.to_org_name}"
        if t.is_open:
            title = f"我的组织关系转接（{where}）：{t.waiting_for}"
            out.append(_waiting(t, title, params, today, "own"))
        else:
            state = t.get_state_display() + (f"，原因：{t.return_reason}" if t.return_reason else "")
            title = f"我的组织关系转接（{where}）已{state}"
            out.append(Reminder("transfer", title, t.closed_on, _url(t), f"transfer:{t.pk}:own:{t.state}"))
    return out
