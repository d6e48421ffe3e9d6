"""Demo data for 党费 (called by seed_demo after the party side exists).

Dues profiles for every member on the roll (category by age, employment and hardship; pay and
pension levels where the rule needs them), and a year of monthly payment records for most
branches: most members pay every month, some owe a few recent months, a few have paid nothing
for more than lapse_months. The demo secretary's branch has not recorded the current month yet
and has one member approaching the 6-month line and one past it; the demo member owes the last
two months. Rows are written by ``core.bulk.insert`` (operator loading, no audit entries).
"""

import datetime
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from liangxin.accounts.models import RoleAssignment
from liangxin.core import bulk
from liangxin.core.dates import add_months
from liangxin.demo.common import MEMBER_ACCOUNT, SECRETARY_ACCOUNT
from liangxin.dues import rules
from liangxin.dues.models import DuesCategory, DuesPayment, DuesProfile
from liangxin.party import policy
from liangxin.party.models import Member

RECORDING_SHARE = 0.85  # branches that keep their dues ledger on the platform
CURRENT_MONTH_SHARE = 0.4  # of those, already recorded this month
MONTHS = 12
OWING_SHARE = 0.08  # members owing a few recent months
LAPSED_SHARE = 0.02  # members with nothing paid for longer than lapse_months
OVERRIDE_SHARE = 0.004
OVERRIDE_REASONS = [
    "经支部研究同意少交（家庭生活困难）",
    "经支部研究同意免交（重病住院）",
    "经支部研究同意按上年标准交纳",
]


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _category(rng: random.Random, age: int, employed: bool, needs_help: bool) -> str:
    if age >= 60 and not employed:  # the party demo retires most members past 60; those still working pay as 在职
        return DuesCategory.RETIRED
    if needs_help and rng.random() < 0.5:
        return DuesCategory.HARDSHIP
    if not employed and age < 26 and rng.random() < 0.7:
        return DuesCategory.STUDENT
    r = rng.random()
    if r < 0.01:
        return DuesCategory.UNEMPLOYED
    if r < 0.02:
        return DuesCategory.FARMER
    return DuesCategory.EMPLOYED


def _pay(rng: random.Random, category: str, base: Decimal | None) -> Decimal | None:
    """Monthly after-tax pay (employed) or pension (retired), to the hundred yuan."""
    if category == DuesCategory.RETIRED:
        return Decimal(int(round(rng.lognormvariate(8.4, 0.3), -2)))
    if category == DuesCategory.EMPLOYED and base is None:
        return Decimal(max(2600, int(round(rng.lognormvariate(8.9, 0.5), -2))))
    return base


def build_demo(rng: random.Random, log) -> dict:
    today = timezone.localdate()
    params = policy.values()
    members = list(
        Member.objects.filter(is_active=True)
        .order_by("pk")
        .values_list(
            "pk", "party_org_id", "joined_on", "birth_date", "dues_base", "employer_id", "needs_help", "user_id"
        )
    )
    if not members:
        return {}
    low, high = params["dues_farmer_min_yuan"], params["dues_farmer_max_yuan"]
    farmer_choices = sorted({low, rules.cent((low + high) / 2), high})
    profiles, base_updates, amount = [], [], {}
    for pk, _, _, birth, base, employer, needs_help, _ in members:
        category = _category(rng, _age(birth, today), employer is not None, needs_help)
        pay = _pay(rng, category, base)
        if pay != base:
            base_updates.append((pay, pk))
        profile = {"member_id": pk, "category": str(category), "farmer_yuan": None, "override_amount": None}
        if category == DuesCategory.FARMER:
            profile["farmer_yuan"] = rng.choice(farmer_choices)
        by_rule = rules.rule_amount(category, pay, params, profile["farmer_yuan"])
        if rng.random() < OVERRIDE_SHARE and by_rule.value:
            reason = rng.choice(OVERRIDE_REASONS)
            profile["override_amount"] = Decimal("0.00") if "免交" in reason else rules.cent(by_rule.value / 2)
            profile["override_reason"] = reason
        profiles.append(profile)
        amount[pk] = profile["override_amount"] if profile["override_amount"] is not None else by_rule.value
    with transaction.atomic():
        bulk.insert(DuesProfile, profiles)
        if base_updates:
            table = connection.ops.quote_name(Member._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET dues_base = %s WHERE id = %s", base_updates)
    rows = _payments(rng, today, params, members, amount)
    with transaction.atomic():
        bulk.insert(DuesPayment, rows)
    return {"党费档案": len(profiles), "党费缴纳记录": len(rows)}


def _demo_users() -> tuple[int | None, int | None, int | None]:
    """(the demo secretary's party organization, that secretary's user id, the demo member's id)."""
    grant = (
        RoleAssignment.objects.filter(user__username=SECRETARY_ACCOUNT, role="secretary")
        .select_related("node__party_org")
        .first()
    )
    party_org = grant.node.party_org.pk if grant and hasattr(grant.node, "party_org") else None
    member = Member.objects.filter(user__username=MEMBER_ACCOUNT).values_list("pk", flat=True).first()
    return party_org, grant.user_id if grant else None, member


def _payments(rng, today, params, members, amount) -> list[dict]:
    demo_branch, secretary, demo_member = _demo_users()
    lapse = int(params["lapse_months"])
    current = rules.month_start(today)
    closed = rules.closed_through(today)
    first = add_months(current, -MONTHS)
    branches = sorted({m[1] for m in members})
    recording = {b for b in branches if b == demo_branch or rng.random() < RECORDING_SHARE}
    with_current = {b for b in recording if b != demo_branch and rng.random() < CURRENT_MONTH_SHARE}
    special = {}  # the demo branch: one member approaching the lapse line, one past it
    for pk, branch, joined, *rest in members:
        if rest[-1] is not None and rest[-1] == secretary:
            continue  # the secretary login is a member of the branch too: she keeps her own dues paid
        if branch == demo_branch and pk != demo_member and rules.month_start(joined) <= add_months(closed, -lapse):
            if "approaching" not in special.values():
                special[pk] = "approaching"
            elif "lapsed" not in special.values():
                special[pk] = "lapsed"
    rows = []
    for pk, branch, joined, *_ in members:
        if branch not in recording or amount[pk] is None:
            continue
        last = current if branch in with_current else closed
        start = max(first, rules.month_start(joined))
        if start > last:
            continue
        unpaid_from = None  # months from here on (through ``closed``) are unpaid
        if pk == demo_member:
            unpaid_from = add_months(closed, -1)
        elif special.get(pk) == "approaching":
            unpaid_from = add_months(closed, 2 - lapse)
        elif special.get(pk) == "lapsed":
            unpaid_from = add_months(closed, -lapse - rng.randint(0, 2))
        else:
            r = rng.random()
            if r < LAPSED_SHARE:
                unpaid_from = add_months(closed, 1 - lapse - rng.randint(0, 3))
            elif r < LAPSED_SHARE + OWING_SHARE:
                unpaid_from = add_months(closed, 1 - rng.randint(1, 3))
        due = amount[pk]
        recorded_by = secretary if branch == demo_branch else None
        for month in rules.months_between(start, last):
            unpaid = unpaid_from is not None and unpaid_from <= month <= closed
            if unpaid and rng.random() < 0.3:
                continue  # some unpaid months were never recorded at all
            paid_on = None
            if not unpaid and due > 0:
                latest = min(today, month.replace(day=28) + datetime.timedelta(days=10))
                paid_on = month + datetime.timedelta(days=rng.randint(0, max(0, (latest - month).days)))
            rows.append(
                {
                    "member_id": pk,
                    "party_org_id": branch,
                    "month": month,
                    "amount_due": due,
                    "amount_paid": Decimal("0.00") if unpaid else due,
                    "paid_on": paid_on,
                    "recorded_by_id": recorded_by,
                    "note": "",
                }
            )
    return rows
