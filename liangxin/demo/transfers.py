"""Demo data for 组织关系转接与流动党员 (called by seed_demo after the party side exists).

Transfers in every state — waiting for review, reviewed and waiting for the receiver, accepted,
returned with a reason, and open past the letter's validity (超期) — inside the platform and to
or from outside it, each with its step log; most accepted internal transfers move members held
away from where they work to the party organization covering their employer (the 6-month rule),
and some such members are left for the "应转接" list. Floating members (the party demo's
outflow ones, plus some inflow from outside Shanghai) get census records, some last confirmed
more than ``floating_census_months`` ago and some never. The demo secretary's branch gets a bit
of everything; the demo member gets a transfer of their own.

Operator bulk loading (like the party demo): rows are written directly, no audit entries;
ids come from ``bulk_create``, the census by ``core.bulk.insert``, member moves by one
``executemany`` UPDATE. Members transferred out of the platform leave the roll through the
党员减少 service like a real transfer's (one approved exit record each, audited as 系统).
A few hundred transfers whatever the size of the city.
"""

import datetime
import random
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.roles import Role
from liangxin.core import bulk, crypto
from liangxin.core.dates import add_months
from liangxin.demo.common import Log
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.party import exits, policy
from liangxin.party.choices import ExitKind, FloatingStatus, LinkKind
from liangxin.party.coverage import link_kinds
from liangxin.party.models import CommitteeSeat, Member, PartyOrganization, PartyOrgLink
from liangxin.transfers.models import CensusRecord, StepAction, Transfer, TransferKind, TransferState, TransferStep

DAY = datetime.timedelta(days=1)

OUTSIDE_ORGS = [
    "中共北京市海淀区中关村科技园区党委", "中共江苏省苏州工业园区社会工作委员会", "中共浙江省杭州市西湖区委组织部",
    "中共安徽省合肥市蜀山区委组织部", "中共广东省深圳市南山区委组织部", "中共四川省成都市高新区党工委",
    "中共湖北省武汉市洪山区委组织部", "中共江西省南昌市红谷滩区委组织部",
]  # fmt: skip
OUTSIDE_PLACES = ["安徽省阜阳市颍州区", "江苏省盐城市亭湖区", "河南省信阳市浉河区", "江西省上饶市信州区",
                  "山东省临沂市兰山区", "湖南省邵阳市双清区", "四川省南充市顺庆区"]  # fmt: skip
OUTSIDE_AREA_CODES = ["341202", "320902", "411502", "361102", "371302", "430502", "511302"]
RETURN_REASONS = [
    "介绍信上的党员信息与档案不符，请核对后重新开具",
    "党员尚未到接收单位报到，暂不接收",
    "转入党组织选择有误，应转入其工作单位所在党组织",
    "缺少党费缴纳证明",
    "该党员已离职，不在本单位工作",
]
TRANSFER_REASONS = ["工作调动", "工作满六个月，转入工作单位党组织", "入职新单位", "随迁", "毕业就业"]
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"

# shares of the transfers by kind and state (a knob of the demo, not a rule)
KIND_WEIGHTS = {TransferKind.INTERNAL: 0.74, TransferKind.OUT: 0.13, TransferKind.IN: 0.13}
STATE_WEIGHTS = {"review": 0.12, "waiting": 0.14, "accepted": 0.52, "returned": 0.11, "overdue": 0.11}
CENSUS_SHARES = {"recent": 0.68, "late": 0.22, "never": 0.10}
INFLOW_SHARE = 0.25  # inflow members added, as a share of the party demo's floating members


class Ctx:
    """What the demo reads once: party organizations, members, committees, coverage."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.today = timezone.localdate()
        self.params = policy.values()
        self.valid_months = int(self.params["transfer_letter_valid_months"])
        self.census_months = int(self.params["floating_census_months"])
        rows = PartyOrganization.objects.filter(node__is_active=True).values_list("pk", "node__name", "node__path")
        self.orgs = {pk: (name, path) for pk, name, path in rows}
        self.org_ids = sorted(self.orgs)
        self.committees = set(ManagementNode.objects.filter(kind__in=COMMITTEE_KINDS).values_list("pk", flat=True))
        officers = set(CommitteeSeat.objects.values_list("member_id", flat=True))
        for a, b in PartyOrganization.objects.values_list("secretary_id", "deputy_id"):
            officers |= {a, b}
        self.officers = officers
        self.members = list(
            Member.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "party_org_id", "employer_id", "floating", "name", "id_masked", "user_id")
        )
        table = link_kinds()
        covering: dict[int, tuple] = {}
        links = PartyOrgLink.objects.filter(end_on__isnull=True, party_org__node__is_active=True)
        for org_id, po_id, mode, pk in links.values_list(
            "organization_id", "party_org_id", "party_org__setup_mode", "pk"
        ):
            kind = table.get(mode)
            if kind in (LinkKind.OWN, LinkKind.JOINT):
                rank = (kind != LinkKind.OWN, pk)
                if org_id not in covering or rank < covering[org_id][0]:
                    covering[org_id] = (rank, po_id)
        self.covering = {org_id: po for org_id, (_, po) in covering.items()}
        secretary = RoleAssignment.objects.filter(user__username="secretary", role=Role.SECRETARY).first()
        home = (
            PartyOrganization.objects.filter(node_id=secretary.node_id)
            if secretary
            else PartyOrganization.objects.none()
        )
        self.home = home.values_list("pk", flat=True).first()
        self.member_user = User.objects.filter(username="member").first()

    def review_node(self, party_org: int) -> int | None:
        ids = [int(p) for p in self.orgs[party_org][1].split("/") if p]
        return next((i for i in reversed(ids) if i in self.committees), None)

    def other_org(self, not_this: int) -> int:
        for _ in range(20):
            pick = self.rng.choice(self.org_ids)
            if pick != not_this:
                return pick
        return pick

    def name(self, party_org: int) -> str:
        return self.orgs[party_org][0]


def _pick(rng: random.Random, weights: dict) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _identity(rng: random.Random, serial: int) -> str:
    birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=rng.randrange(9000))
    body = f"{OUTSIDE_AREA_CODES[serial % len(OUTSIDE_AREA_CODES)]}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


class Plan:
    """One transfer with its steps, before writing."""

    def __init__(
        self, ctx: Ctx, kind: str, stage: str, member: tuple | None, to: int | None, serial: int, recent: bool = False
    ) -> None:
        rng, today = ctx.rng, ctx.today
        self.kind, self.stage, self.member, self.to = kind, stage, member, to
        self.steps: list[dict] = []
        self.move: tuple | None = None  # (member pk, new party org) or (member pk, None): off the roll
        valid_days = ctx.valid_months * 28
        if stage == "overdue":
            issued = today - DAY * rng.randint(valid_days + 10, valid_days + 150)
        elif stage in ("review", "waiting") or recent:
            issued = today - DAY * rng.randint(0, max(1, valid_days - 30))
        else:
            issued = today - DAY * rng.randint(15, 720)
        from_org = member[1] if member and kind != TransferKind.IN else None
        self.row: dict[str, Any] = {
            "kind": kind, "issued_on": issued, "reason": rng.choice(TRANSFER_REASONS),
            "letter_no": f"{issued:%Y}-{serial:06d}" if kind == TransferKind.INTERNAL else
            f"{rng.choice(['京', '苏', '浙', '皖', '粤', '川'])}组转〔{issued:%Y}〕{rng.randint(1, 999)}号",
            "from_party_org_id": from_org, "to_party_org_id": to,
        }  # fmt: skip
        if member:
            self.row |= {"member_id": member[0], "person_name": member[4], "id_masked": member[5]}
        self.row["from_org_name"] = ctx.name(from_org) if from_org else rng.choice(OUTSIDE_ORGS)
        self.row["to_org_name"] = ctx.name(to) if to else rng.choice(OUTSIDE_ORGS)
        self._steps(ctx, issued)

    def _steps(self, ctx: Ctx, issued: datetime.date) -> None:
        rng, today, row = ctx.rng, ctx.today, self.row
        from_org = row["from_party_org_id"]
        row["needs_review"] = from_org is not None and (self.stage == "review" or rng.random() < 0.8)
        row["review_node_id"] = ctx.review_node(from_org) if from_org else None
        first_side = "转入方" if self.kind == TransferKind.IN else ("转出方" if row["needs_review"] else "上级党委")
        self._add(
            StepAction.INITIATE, first_side, issued, "" if first_side != "上级党委" else "由上级党委发起，无需另行审核"
        )
        day = issued
        if self.stage == "review":
            row["state"] = TransferState.INITIATED
            return
        if row["needs_review"]:
            if self.stage == "returned" and rng.random() < 0.3:
                return self._return(ctx, min(today, day + DAY * rng.randint(1, 6)), "上级党委")
            day = min(today, day + DAY * rng.randint(1, 6))
            self._add(StepAction.REVIEW, "上级党委", day, "同意转出")
        if self.stage in ("waiting", "overdue"):
            row["state"] = TransferState.REVIEWED if row["needs_review"] else TransferState.INITIATED
            return
        day = min(today, day + DAY * rng.randint(2, 40))
        if self.stage == "returned":
            return self._return(ctx, day, "转出方" if self.kind == TransferKind.OUT else "转入方")
        row["state"], row["closed_on"] = TransferState.ACCEPTED, day
        self._add(StepAction.ACCEPT, "转出方" if self.kind == TransferKind.OUT else "转入方", day, "")
        if self.kind == TransferKind.INTERNAL:
            self.move = (self.member[0], self.to)
        elif self.kind == TransferKind.OUT:
            self.move = (self.member[0], None)

    def _return(self, ctx: Ctx, day: datetime.date, side: str) -> None:
        reason = ctx.rng.choice(RETURN_REASONS)
        self.row |= {"state": TransferState.RETURNED, "closed_on": day, "return_reason": reason}
        self._add(StepAction.RETURN, side, day, reason)

    def _add(self, action: str, side: str, on: datetime.date, note: str) -> None:
        who = {"转出方": "转出党组织书记", "转入方": "转入党组织书记", "上级党委": "党委组织员"}[side]
        self.steps.append({"action": action, "side": side, "on": on, "actor_name": f"{who}（演示）", "note": note})


def plan_transfers(ctx: Ctx) -> list[Plan]:
    rng = ctx.rng
    total = min(400, max(40, len(ctx.members) // 60))
    movable = [m for m in ctx.members if m[0] not in ctx.officers and not m[3] and m[6] is None]
    rng.shuffle(movable)
    # held away from where they work (the 6-month rule): most move to the covering party organization
    held_away = [m for m in movable if ctx.covering.get(m[2]) not in (None, m[1])]
    used: set[int] = set()
    plans: list[Plan] = []
    serial = 0

    def add(kind, stage, member, to, recent=False):
        nonlocal serial
        serial += 1
        if member:
            used.add(member[0])
        plans.append(Plan(ctx, kind, stage, member, to, serial, recent))

    for m in held_away[: len(held_away) // 2][: total // 2]:
        add(TransferKind.INTERNAL, _pick(rng, STATE_WEIGHTS), m, ctx.covering[m[2]])
    pool = [m for m in movable if m[0] not in used]
    home = ctx.home
    if home is not None:  # the demo secretary: incoming waiting (one overdue), outgoing returned and in review
        theirs = [m for m in pool if m[1] == home]
        others = [m for m in pool if m[1] != home]
        for stage in ("waiting", "waiting", "overdue"):
            if others:
                add(TransferKind.INTERNAL, stage, others.pop(), home)
        add(TransferKind.IN, "waiting", None, home)
        for stage in ("returned", "review", "accepted"):
            if theirs:
                m = theirs.pop()
                add(TransferKind.INTERNAL, stage, m, ctx.other_org(home), recent=True)
        if theirs:
            add(TransferKind.OUT, "overdue", theirs.pop(), None)
        pool = [m for m in pool if m[0] not in used]
    if ctx.member_user is not None:
        own = Member.objects.filter(user=ctx.member_user).values_list(
            "pk", "party_org_id", "employer_id", "floating", "name", "id_masked", "user_id"
        )
        for m in own[:1]:
            add(TransferKind.INTERNAL, "waiting", m, ctx.other_org(m[1]))
    for kind in (TransferKind.INTERNAL, TransferKind.OUT):  # each kind accepted and returned at least once
        for stage in ("accepted", "returned"):
            if pool:
                member = pool.pop()
                add(kind, stage, member, ctx.other_org(member[1]) if kind == TransferKind.INTERNAL else None)
    while len(plans) < total and pool:
        kind = _pick(rng, KIND_WEIGHTS)
        stage = _pick(rng, STATE_WEIGHTS)
        if kind == TransferKind.IN:
            member = pool.pop() if stage == "accepted" and pool else None
            if stage == "accepted" and member is None:
                continue
            add(
                kind,
                "waiting" if stage == "review" else stage,
                member,
                member[1] if member else rng.choice(ctx.org_ids),
            )
            continue
        if not pool:
            break
        member = pool.pop()
        add(kind, stage, member, ctx.other_org(member[1]) if kind == TransferKind.INTERNAL else None)
    return plans


def write_transfers(ctx: Ctx, plans: list[Plan]) -> int:
    serial = 0
    for p in plans:
        if p.kind == TransferKind.IN:
            if p.member is None:  # the person waits in the transfer until accepted
                serial += 1
                number = _identity(ctx.rng, serial)
                p.row |= {
                    "person_name": _person(ctx.rng), "id_masked": crypto.mask_id_number(number),
                    "id_number_enc": crypto.encrypt(number), "id_hash": crypto.lookup_hash(number),
                    "category": "full", "joined_on": datetime.date(2005, 7, 1) + DAY * ctx.rng.randrange(5000),
                }  # fmt: skip
                p.row["full_on"] = add_months(p.row["joined_on"], 12)
    objects = Transfer.objects.bulk_create([Transfer(**p.row) for p in plans], batch_size=500)
    steps = [{**step, "transfer_id": t.pk} for p, t in zip(plans, objects, strict=True) for step in p.steps]
    bulk.insert(TransferStep, steps)
    moves = [p.move for p in plans if p.move]
    _update(Member, ["party_org_id"], [(to, pk) for pk, to in moves if to])
    _record_exits(plans, objects)  # off the roll: through the 党员减少 service
    return len(objects)


def _record_exits(plans: list[Plan], objects: list[Transfer]) -> None:
    """Members received outside the platform leave the roll the way a real transfer takes them
    off: ``party.exits.record_automatic`` (an approved 党员减少 record linked to the transfer; its
    audit entries say 系统). A few dozen members at most, so the service's queries cost little."""
    for p, t in zip(plans, objects, strict=True):
        if p.move and p.move[1] is None:
            reason = f"组织关系转出至系统外：{t.to_org_name}（介绍信 {t.letter_no}）"
            member = Member.objects.get(pk=p.move[0])
            exits.record_automatic(
                None, member, ExitKind.TRANSFER_OUT, t.closed_on, reason, transfer=t, approved_node=t.review_node
            )


def _update(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(model._meta.get_field(c).column)} = %s" for c in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def add_floating(ctx: Ctx) -> int:
    """Inflow members from outside Shanghai (their record kept where they work), and the demo
    secretary's branch with outflow and inflow members of its own."""
    rng = ctx.rng
    floating = [m for m in ctx.members if m[3]]
    taken = {m[0] for m in floating} | ctx.officers
    candidates = [m for m in ctx.members if m[0] not in taken and m[6] is None]
    rng.shuffle(candidates)
    n_inflow = max(3, round(len(floating) * INFLOW_SHARE))
    rows = []
    home = ctx.home
    mine = [m for m in candidates if m[1] == home] if home else []
    chosen = [("inflow", m) for m in candidates[:n_inflow] if m[1] != home] + [("inflow", m) for m in mine[:1]]
    chosen += [("outflow", m) for m in mine[1:3]]
    for serial, (kind, m) in enumerate(chosen, start=1):
        place = rng.choice(OUTSIDE_PLACES)
        if kind == "inflow":
            rows.append((FloatingStatus.INFLOW, f"{OUTSIDE_AREA_CODES[serial % 7]}{ctx.today.year}{serial:05d}",
                         f"{place}某党支部", ctx.name(m[1]), m[1], m[0]))  # fmt: skip
        else:
            rows.append((FloatingStatus.OUTFLOW, f"310101{ctx.today.year}{90000 + serial:05d}", ctx.name(m[1]),
                         place, None, m[0]))  # fmt: skip
    columns = ["floating", "floating_card_no", "outflow_place", "inflow_place", "inflow_party_org_id"]
    _update(Member, columns, rows)
    return len(rows)


def write_census(ctx: Ctx) -> tuple[int, int]:
    """0–3 census records per floating member; the last one recent, late (over the period) or none."""
    rng, today = ctx.rng, ctx.today
    members = Member.objects.filter(is_active=True).exclude(floating="")
    rows, late = [], 0
    home_late = False
    rows_in = members.order_by("pk").values_list("pk", "party_org_id", "inflow_party_org_id", "inflow_place")
    for n, (pk, party_org, inflow_org, place) in enumerate(rows_in):
        share = ("never", "late", "recent")[n] if n < 3 else _pick(rng, CENSUS_SHARES)  # each at least once
        if party_org == ctx.home and not home_late:
            share, home_late = "late", True  # the demo secretary has one to chase
        if share == "never":
            late += 1
            continue
        if share == "recent":
            last = today - DAY * rng.randint(0, ctx.census_months * 28)
        else:
            last = add_months(today, -ctx.census_months) - DAY * rng.randint(5, 200)
            late += 1
        by_inflow = inflow_org is not None and rng.random() < 0.5
        for k in range(rng.randint(1, 3)):
            day = add_months(last, -ctx.census_months * k)
            rows.append({
                "member_id": pk, "confirmed_on": day, "party_org_id": inflow_org if by_inflow else party_org,
                "by_name": "流入地党组织书记（演示）" if by_inflow else "党支部书记（演示）",
                "location": place or "本地", "contact_ok": rng.random() > 0.08, "note": "电话联系" if k else "走访确认",
            })  # fmt: skip
    bulk.insert(CensusRecord, rows)
    return len(rows), late


def build_demo(rng: random.Random, log: Log) -> dict:
    if Transfer.objects.exists():
        return {}
    with transaction.atomic():
        ctx = Ctx(rng)
        if len(ctx.org_ids) < 2 or not ctx.members:
            return {}
        plans = plan_transfers(ctx)
        written = write_transfers(ctx, plans)
        added = add_floating(ctx)
        records, late = write_census(ctx)
    by_state: dict[str, int] = defaultdict(int)
    for p in plans:
        by_state[p.stage] += 1
    counts = {"组织关系转接": written}
    labels = {"review": "待审核", "waiting": "待接收", "accepted": "已接收", "returned": "已退回", "overdue": "超期"}
    counts |= {f"转接（{labels[k]}）": by_state[k] for k in labels}
    counts |= {"流入党员（新增）": added, "排摸记录": records, "未按期排摸流动党员": late}
    return counts
