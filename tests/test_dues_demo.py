"""党费 demo data: a profile for every member, a year of records for most branches, with the
demo secretary's branch and the demo member showing what the reminders are for."""

import datetime
import random

from django.utils import timezone

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.scoping import scope_for
from liangxin.demo import dues as demo
from liangxin.dues import reminders, rules
from liangxin.dues.models import DuesPayment, DuesProfile
from liangxin.party.models import Member

from .party_helpers import make_member, make_party_org


def test_demo_fills_profiles_and_a_year_of_records(party_cast):
    c = party_cast
    today = timezone.localdate()
    long_ago = datetime.date(2010, 5, 4)
    branches = [c.branch] + [make_party_org(c, f"演示第{i}党支部") for i in range(1, 6)]
    for n, branch in enumerate(branches):
        for k in range(12):
            make_member(c, branch, f"党员{n}{k}", joined_on=long_ago, birth_date=datetime.date(1950 + 5 * k, 1, 1))
    secretary = User.objects.create_user(username="secretary", password="x" * 12)
    RoleAssignment.objects.create(user=secretary, role="secretary", node=c.branch.node)
    member_user = User.objects.create_user(username="member", password="x" * 12)
    RoleAssignment.objects.create(user=member_user, role="member", node=c.branch.node)
    Member.objects.filter(pk=c.member.pk).update(user=member_user)
    Member.objects.filter(pk=c.member.pk).update(joined_on=long_ago)

    counts = demo.build_demo(random.Random(7), lambda text: None)

    members = Member.objects.filter(is_active=True).count()
    assert counts["党费档案"] == members == DuesProfile.objects.count()
    assert counts["党费缴纳记录"] == DuesPayment.objects.count() > members * 6
    assert not Member.objects.filter(dues_profile__category__in=["employed", "retired"], dues_base__isnull=True)
    # a year back, never the future, never before joining
    first = DuesPayment.objects.order_by("month").first().month
    assert first == rules.month_start(today).replace(year=today.year - 1)
    assert not DuesPayment.objects.filter(month__gt=rules.month_start(today)).exists()
    assert not DuesPayment.objects.filter(paid_on__gt=today).exists()
    # the demo secretary: this month not recorded, one member approaching the lapse line, one past it
    due = reminders.due_for(secretary, scope_for(secretary), today)
    assert any("尚未登记" in r.title for r in due)
    assert any("本月仍不交纳" in r.title for r in due) and any(r.overdue for r in due)
    # the demo member owes the last two months
    mine = reminders.due_for(member_user, scope_for(member_user), today)
    assert len(mine) == 1 and mine[0].title.startswith("您有 2 个月党费未交")
