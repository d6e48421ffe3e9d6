"""A reporting world over the cast: branches under two streets of 黄浦 and one of 徐汇, with
members, applicants, meetings, dues and transfers, each written as raw rows; a secretary per branch."""

import datetime
from decimal import Decimal

from liangxin.accounts.models import RoleAssignment, User
from liangxin.develop.models import Applicant
from liangxin.dues.models import DuesPayment
from liangxin.life.models import Meeting
from liangxin.reporting.models import ReportForm
from liangxin.transfers.models import Transfer

from .conftest import PASSWORD, _user
from .party_helpers import make_member, make_party_org

Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
QUARTERLY = "党员和党组织基本情况季报"
MONTHLY = "两新组织覆盖情况月报"


def form(name: str = QUARTERLY) -> ReportForm:
    return ReportForm.objects.get(name=name)


def build(c):
    """Branches: 南京东路 two, 外滩 one, 天平路 one; varied figures so sums are not trivial."""
    c.nj1 = make_party_org(c, name="嘉信党支部", parent=c.nanjing_node)
    c.nj2 = make_party_org(c, name="新世界党支部", parent=c.nanjing_node)
    c.wt1 = make_party_org(c, name="外滩餐饮党支部", parent=c.waitan_node)
    c.tp1 = make_party_org(c, name="天平软件党支部", parent=c.tianping_node)
    branches = [c.nj1, c.nj2, c.wt1, c.tp1]
    for i, branch in enumerate(branches):
        for j in range(i + 1):
            m = make_member(c, branch, name=f"党员{i}{j}", category="full" if j % 2 == 0 else "probationary")
            # every month of the quarter recorded: due 40, paid 40 except the last member's March
            for month in (1, 2, 3):
                paid = Decimal("0") if (j == i and month == 3) else Decimal("40")
                DuesPayment.objects.create(
                    member=m,
                    party_org=branch,
                    month=datetime.date(2026, month, 1),
                    amount_due="40.00",
                    amount_paid=paid,
                )
        for k in range(i):
            Meeting.objects.create(party_org=branch, kind="general", date=datetime.date(2026, 2, 1 + k), topic="学习",
                                   status="held")  # fmt: skip
        Meeting.objects.create(party_org=branch, kind="lecture", date=datetime.date(2025, 12, 30), topic="上季度",
                               status="held")  # fmt: skip
    c.floater = make_member(c, c.nj2, name="流动党员", floating="outflow", floating_card_no="LD1", inflow_place="杭州")
    from liangxin.core import crypto

    for n, (stage, branch) in enumerate([("applicant", c.nj1), ("activist", c.nj1), ("candidate", c.wt1)]):
        Applicant.objects.create(
            name=f"申请人{n}", party_org=branch, stage=stage, applied_on=datetime.date(2025, 6, 1),
            id_number_enc=crypto.encrypt(f"x{n}"), id_masked="3101**", birth_date=datetime.date(1998, 1, 1),
            sex="1", id_hash=f"h{n}",
        )  # fmt: skip
    Transfer.objects.create(
        kind="internal", state="accepted", person_name="转接人", from_party_org=c.wt1, to_party_org=c.nj1,
        from_org_name=c.wt1.name, to_org_name=c.nj1.name, issued_on=datetime.date(2026, 2, 1),
        closed_on=datetime.date(2026, 2, 10),
    )  # fmt: skip
    c.nj1_secretary = _user("nj1_secretary", "secretary", c.nj1.node)
    c.nj2_secretary = _user("nj2_secretary", "secretary", c.nj2.node)
    c.branches = branches
    return c


def add_user(username: str, role: str, node) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    RoleAssignment.objects.create(user=user, role=role, node=node)
    return user
