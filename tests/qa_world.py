"""The people of the 党建问答 tests: the party cast plus two member accounts — 王红 of the 嘉信 branch
(南京东路街道) and 李军 of a branch under 外滩街道 — and a second member of 嘉信 who only reads."""

from liangxin.accounts.models import RoleAssignment, User
from liangxin.party.models import Member

from .conftest import PASSWORD
from .party_helpers import make_member, make_party_org


def member_user(username: str, member: Member) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=member.name)
    RoleAssignment.objects.create(user=user, role="member", node=member.party_org.node)
    Member.objects.filter(pk=member.pk).update(user=user)
    return user


def build(c):
    c.asker = member_user("wanghong", c.member)
    c.neighbour = member_user("zhaoli", make_member(c, c.branch, name="赵丽", employer=c.org))
    c.waitan_branch = make_party_org(c, name="外滩餐饮党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.waitan_member = member_user("lijun", make_member(c, c.waitan_branch, name="李军", employer=c.waitan_org))
    return c
