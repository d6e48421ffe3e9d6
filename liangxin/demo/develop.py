"""Demo data for 发展党员 (called by seed_demo after the party side exists).

Applicants at every stage in many branches that have enough full members for contacts and
introducers (the demo secretary's branch gets one of each situation): new applications, some
with the talk overdue; activists, some past their year of cultivation; candidates part way;
some waiting for the upper committee's approval (some late); probationary members, some with
probation ending and some extended; full members; a few stopped. Each applicant's dates are
built forward with the policy parameters' gaps, then shifted so the last recorded step lies in
the past, so every date obeys the rules. A yearly plan (总量控制) for each district committee
and the demo street. Rows go in by bulk_create (operator loading: no audit entries).
"""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from stdnum.cn import ric

from liangxin.accounts.models import RoleAssignment
from liangxin.accounts.roles import Role
from liangxin.core import crypto
from liangxin.core.dates import add_months
from liangxin.demo.common import GIVEN_CHARS, SURNAMES, mobile_number
from liangxin.develop import rules
from liangxin.develop.models import Applicant, ApplicantStep, Quota, Stage
from liangxin.develop.models import StepKind as K
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.party import policy
from liangxin.party.choices import Education, MemberCategory
from liangxin.party.models import Member, PartyOrganization, PartyOrgLink
from liangxin.party.validation import derived_from_id
from liangxin.regions import shanghai

MAX_BRANCHES = 300
PER_BRANCH = (2, 6)
DEMO_STREET = "南京东路街道综合党委"
# situation → (weight, the last step recorded, how long ago in days (low, high))
SITUATIONS = {
    "applied": (10, K.APPLY, (0, 45)),
    "talked": (8, K.TALK, (0, 60)),
    "activist": (14, K.ACTIVIST, (0, 330)),
    "ready": (6, K.ACTIVIST, (370, 520)),
    "candidate": (8, K.REVIEW, (0, 40)),
    "prereviewed": (5, K.PREREVIEW, (0, 20)),
    "waiting": (6, K.VOTE, (5, 110)),
    "probation": (12, K.OATH, (0, 330)),
    "extended": (3, K.EXTEND, (0, 150)),
    "full": (10, K.FULL, (0, 900)),
    "stopped": (3, K.STOP, (0, 300)),
}
FORWARD = [K.APPLY, K.TALK, K.ACTIVIST, K.CANDIDATE, K.INTRODUCERS, K.REVIEW, K.TRAINING, K.PUBLICITY]
FORWARD += [K.PREREVIEW, K.VOTE, K.APPROVAL, K.OATH, K.EXTEND, K.FULL]
DATE_FIELD = {
    K.APPLY: "applied_on", K.TALK: "talked_on", K.ACTIVIST: "activist_on", K.CANDIDATE: "candidate_on",
    K.INTRODUCERS: "introducers_on", K.REVIEW: "reviewed_on", K.TRAINING: "trained_on",
    K.PUBLICITY: "publicized_on", K.PREREVIEW: "prereviewed_on", K.VOTE: "voted_on", K.APPROVAL: "approved_on",
    K.OATH: "oath_on",
}  # fmt: skip


def _days(d: datetime.date, n: int) -> datetime.date:
    return d + datetime.timedelta(days=n)


def gaps(rng: random.Random, params: dict, extended: bool) -> dict[str, int]:
    """The random parts of one applicant's story, in days (months come from the rules)."""
    months = (rng.choice([rules.num(params, "probation_extension_min_months"),
                          rules.num(params, "probation_extension_max_months")]) if extended else 0)  # fmt: skip
    return {
        "talk": rng.randint(3, 28), "activist": rng.randint(20, 120), "candidate": rng.randint(2, 60),
        "introducers": rng.randint(3, 15), "review": rng.randint(10, 40), "training_start": rng.randint(5, 30),
        "training": rng.randint(2, 4), "publicity_start": rng.randint(1, 10), "prereview": rng.randint(3, 15),
        "vote": rng.randint(5, 20), "approval": rng.randint(20, 88), "oath": rng.randint(1, 30),
        "extend": rng.randint(-10, 10), "full": rng.randint(0, 20), "stop": rng.randint(30, 200), "months": months,
    }  # fmt: skip


def timeline(start: datetime.date, g: dict, params: dict) -> dict:
    """Step → date from the application on ``start``; every gap kept inside its rule on real dates."""
    d = {K.APPLY: start}
    d[K.TALK] = min(_days(start, g["talk"]), rules.talk_deadline(start, params))
    d[K.ACTIVIST] = _days(d[K.TALK], g["activist"])
    d[K.STOP] = _days(d[K.ACTIVIST], g["stop"])
    d[K.CANDIDATE] = _days(rules.cultivation_complete_on(d[K.ACTIVIST], params), g["candidate"])
    d[K.INTRODUCERS] = _days(d[K.CANDIDATE], g["introducers"])
    d[K.REVIEW] = _days(d[K.CANDIDATE], g["review"])
    d["training_start"] = _days(d[K.CANDIDATE], g["training_start"])
    d[K.TRAINING] = _days(d["training_start"], g["training"])
    d["publicity_start"] = _days(max(d[K.INTRODUCERS], d[K.REVIEW], d[K.TRAINING]), g["publicity_start"])
    d[K.PUBLICITY] = _days(d["publicity_start"], 6)
    d[K.PREREVIEW] = _days(d[K.PUBLICITY], g["prereview"])
    d[K.VOTE] = _days(d[K.PREREVIEW], g["vote"])
    d[K.APPROVAL] = min(_days(d[K.VOTE], g["approval"]), rules.approval_deadline(d[K.VOTE], params))
    d[K.OATH] = _days(d[K.APPROVAL], g["oath"])
    end = rules.probation_end(d[K.VOTE], params)
    d[K.EXTEND] = _days(end, g["extend"])
    d["probation_end"] = rules.probation_end(d[K.VOTE], params, g["months"])
    d[K.FULL] = _days(d["probation_end"], g["full"])
    d["months"] = g["months"]
    return d


def anchored(g: dict, params: dict, key: str, on: datetime.date) -> dict:
    """The timeline whose ``key`` falls on ``on`` (or just before: months make days uneven)."""
    start = _days(on, -1000)
    for _ in range(6):
        d = timeline(start, g, params)
        gap = (d[key] - on).days
        if gap == 0:
            break
        start = _days(start, -gap)
    while (d[key] - on).days > 0:
        start = _days(start, -1)
        d = timeline(start, g, params)
    return d


class Maker:
    def __init__(self, rng: random.Random, params: dict, today: datetime.date) -> None:
        self.rng, self.params, self.today = rng, params, today
        self.numbers: set[str] = set()
        self.areas = [code for code, _, _ in shanghai.DISTRICTS]

    def person(self, applied_on: datetime.date) -> dict:
        rng = self.rng
        minimum = rules.num(self.params, "minimum_age")
        while True:
            birth = _days(add_months(applied_on, -12 * rng.randint(minimum + 1, minimum + 27)), -rng.randint(0, 360))
            body = f"{rng.choice(self.areas)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.numbers:
                self.numbers.add(number)
                break
        given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.7 else "")
        return {
            "name": rng.choice(SURNAMES) + given, "id_number_enc": crypto.encrypt(number),
            "id_hash": crypto.lookup_hash(number), "id_masked": crypto.mask_id_number(number),
            **derived_from_id(number), "phone": mobile_number(rng),
            "education": rng.choice([Education.BACHELOR, Education.BACHELOR, Education.COLLEGE, Education.MASTER]),
        }  # fmt: skip


def _branches(rng: random.Random) -> tuple[list[PartyOrganization], bool]:
    """Branches with at least three full members (contacts, introducers); the demo secretary's first."""
    full = Count("members", filter=Q(members__is_active=True, members__category=MemberCategory.FULL))
    qs = PartyOrganization.objects.filter(node__is_active=True).annotate(n=full).filter(n__gte=3)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    secretary = RoleAssignment.objects.filter(user__username="secretary", role=Role.SECRETARY).first()
    first = [secretary.node.party_org.pk] if secretary and secretary.node.party_org.pk in ids else []
    chosen = first + rng.sample([i for i in ids if i not in first], min(len(ids) - len(first), MAX_BRANCHES))
    by_id = PartyOrganization.objects.select_related("node").in_bulk(chosen)
    return [by_id[i] for i in chosen], bool(first)


def _pools(branches: list) -> dict[int, list[tuple[int, str]]]:
    pools: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = Member.objects.filter(party_org__in=branches, is_active=True, category=MemberCategory.FULL)
    for pk, po, name in rows.order_by("pk").values_list("pk", "party_org_id", "name").iterator(chunk_size=5000):
        if len(pools[po]) < 40:
            pools[po].append((pk, name))
    return pools


def _employers(branches: list) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for po in branches:
        out[po.pk] = []
    for po, org in PartyOrgLink.objects.filter(party_org__in=branches, end_on__isnull=True).values_list(
        "party_org_id", "organization_id"
    ):
        out[po].append(org)
    return out


def _situations(rng: random.Random, n: int, first: bool) -> list[str]:
    if first:  # the demo secretary sees every situation
        return list(SITUATIONS) + rng.choices(list(SITUATIONS), [w for w, _, _ in SITUATIONS.values()], k=2)
    return rng.choices(list(SITUATIONS), [w for w, _, _ in SITUATIONS.values()], k=n)


@transaction.atomic
def build_demo(rng: random.Random, log) -> dict:
    if Applicant.objects.exists():
        return {}
    params, today = policy.values(), timezone.localdate()
    branches, secretary_first = _branches(rng)
    pools, employers, maker = _pools(branches), _employers(branches), Maker(rng, params, today)
    plans = []  # (applicant, situation, dates, contacts, introducers)
    for index, po in enumerate(branches):
        first = index == 0 and secretary_first
        for situation in _situations(rng, rng.randint(*PER_BRANCH), first):
            plans.append(_plan(rng, maker, po, situation, pools[po.pk], employers[po.pk], params, today, first))
    _drop_taken_numbers(plans)
    members = _write_members(plans)
    Applicant.objects.bulk_create([p[0] for p in plans], batch_size=1000)
    _write_relations(plans)
    steps = _write_steps(plans)
    quotas = _write_quotas(rng, today.year)
    counts: dict[str, int] = defaultdict(int)
    for p in plans:
        counts[p[0].get_stage_display()] += 1
    log(f"发展党员：{len(plans)} 名，分布在 {len(branches)} 个党组织")
    return {**counts, "发展环节记录": steps, "由发展转入的党员": members, "发展党员计划": quotas}


# for the demo secretary, situations that are due soon (reminders show on the home page)
SECRETARY_ANCHORS = {"applied": (K.APPLY, -25), "waiting": (K.VOTE, -85), "probation": ("probation_end", 10)}


def _plan(rng, maker, po, situation, pool, orgs, params, today, secretary=False) -> tuple:
    _, last, (low, high) = SITUATIONS[situation]
    key, offset = SECRETARY_ANCHORS.get(situation, (last, None)) if secretary else (last, None)
    on = _days(today, offset if offset is not None else -rng.randint(low, high))
    order = FORWARD[: FORWARD.index(last) + 1] if last != K.STOP else FORWARD[:3] + [K.STOP]
    order = [k for k in order if k != K.EXTEND or situation == "extended"]
    g = gaps(rng, params, situation == "extended")
    d = anchored(g, params, key, on)
    over = (max(d[k] for k in order) - today).days  # a step recorded after the anchor's may not be in the future
    if over > 0:
        d = anchored(g, params, key, _days(on, -over))
    a = Applicant(party_org=po, **maker.person(d[K.APPLY]), employer_id=rng.choice(orgs) if orgs else None)
    for kind in order:
        if kind in DATE_FIELD:
            setattr(a, DATE_FIELD[kind], d[kind])
    a.stage = _stage(order)
    if K.APPROVAL in order:
        a.probation_end = d["probation_end"]
        a.extension_months = d["months"]
    if K.FULL in order:
        a.full_on = d["probation_end"]
    if K.STOP in order:
        a.stopped_on, a.stop_reason = d[K.STOP], rng.choice(["本人申请撤回入党申请", "工作调动离开本单位"])
    entitled = len(pool)  # the pool is the branch's full members (at most 40 of them)
    present = entitled - rng.randint(0, entitled // 4)
    d["vote_counts"] = (entitled, present, max(entitled // 2 + 1, present - rng.randint(0, 1)))
    picks = rng.sample(pool, min(len(pool), 4))
    contacts = picks[: rng.randint(1, 2)] if K.ACTIVIST in order else []
    introducers = picks[-2:] if K.INTRODUCERS in order else []
    return a, order, d, contacts, introducers


def _stage(order: list[str]) -> str:
    for kind, stage in ((K.STOP, Stage.STOPPED), (K.FULL, Stage.FULL), (K.APPROVAL, Stage.PROBATIONARY),
                        (K.CANDIDATE, Stage.CANDIDATE), (K.ACTIVIST, Stage.ACTIVIST)):  # fmt: skip
        if kind in order:
            return stage
    return Stage.APPLICANT


def _drop_taken_numbers(plans: list) -> None:
    """A generated number that is already a member's is dropped (one person is one member)."""
    hashes = [p[0].id_hash for p in plans]
    taken = set()
    for i in range(0, len(hashes), 900):
        taken |= set(Member.objects.filter(id_hash__in=hashes[i : i + 900]).values_list("id_hash", flat=True))
    plans[:] = [p for p in plans if p[0].id_hash not in taken]


def _write_members(plans: list) -> int:
    """预备党员 and 正式党员 that came through the pipeline get their member record."""
    made = []
    for a, *_ in plans:
        if a.approved_on is None:
            continue
        full = a.stage == Stage.FULL
        made.append((a, Member(
            name=a.name, id_number_enc=a.id_number_enc, id_hash=a.id_hash, id_masked=a.id_masked,
            birth_date=a.birth_date, sex=a.sex, phone=a.phone, education=a.education, employer_id=a.employer_id,
            party_org=a.party_org, category=MemberCategory.FULL if full else MemberCategory.PROBATIONARY,
            joined_on=a.voted_on, full_on=a.probation_end if full else None,
        )))  # fmt: skip
    Member.objects.bulk_create([m for _, m in made], batch_size=1000)
    for a, m in made:
        a.member = m
    return len(made)


def _write_relations(plans: list) -> None:
    through_c, through_i = Applicant.contacts.through, Applicant.introducers.through
    contacts = [through_c(applicant_id=a.pk, member_id=pk) for a, _, _, cs, _ in plans for pk, _ in cs]
    introducers = [through_i(applicant_id=a.pk, member_id=pk) for a, _, _, _, ins in plans for pk, _ in ins]
    through_c.objects.bulk_create(contacts, batch_size=2000)
    through_i.objects.bulk_create(introducers, batch_size=2000)


def _write_steps(plans: list) -> int:
    rows = []
    for a, order, d, contacts, introducers in plans:
        for kind in order:
            facts = _facts(kind, d, contacts, introducers)
            rows.append(ApplicantStep(applicant=a, kind=kind, on=d[kind], facts=facts, actor_name="演示数据"))
    ApplicantStep.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _facts(kind: str, d: dict, contacts: list, introducers: list) -> dict:
    names = "、".join(n for _, n in contacts)
    return {
        K.TALK: {"谈话人": "党支部书记"},
        K.VOTE: dict(
            zip(
                ["应到会有表决权的正式党员（名）", "实到有表决权的党员（名）", "赞成（票）"],
                map(str, d["vote_counts"]),
                strict=True,
            )
        ),  # fmt: skip
        K.ACTIVIST: {"培养联系人": names, "推荐方式（党员推荐、群团组织推优等）": "党员推荐"},
        K.INTRODUCERS: {"入党介绍人": "、".join(n for _, n in introducers)},
        K.REVIEW: {"审查结论": "合格/通过"},
        K.TRAINING: {"开始日期": f"{d['training_start']:%Y-%m-%d}", "培训天数": "3", "培训学时": "24"},
        K.PUBLICITY: {"公示开始日期": f"{d['publicity_start']:%Y-%m-%d}", "公示结果": "无异议"},
        K.PREREVIEW: {"预审结论": "合格/通过"},
        K.EXTEND: {"延长（月）": str(d["months"]), "延长原因": "需要继续教育和考察"},
    }.get(kind, {})


def _write_quotas(rng: random.Random, year: int) -> int:
    """A plan for each district committee and the demo street, a little above what they admitted."""
    nodes = list(ManagementNode.objects.filter(Q(kind=NodeKind.DISTRICT) | Q(name=DEMO_STREET), is_active=True))
    used = defaultdict(int)
    for path in Applicant.objects.filter(approved_on__year=year).values_list("party_org__node__path", flat=True):
        for node in nodes:
            if path.startswith(node.path):
                used[node.pk] += 1
    Quota.objects.bulk_create([Quota(node=n, year=year, quota=used[n.pk] + rng.randint(2, 20)) for n in nodes])
    return len(nodes)
