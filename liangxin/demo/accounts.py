"""The demo logins: the administrators of DEMO_ACCOUNTS, the secretary and member of a real branch, and their table."""

import unicodedata

from django.db.models import Count, Q

from liangxin.accounts.models import RoleAssignment, User
from liangxin.accounts.roles import Role
from liangxin.demo.common import CITY_COMMITTEE, DEMO_ACCOUNTS, DEMO_PASSWORD, MEMBER_ACCOUNT, SECRETARY_ACCOUNT
from liangxin.demo.regions import World
from liangxin.mgmt.models import ManagementNode
from liangxin.party.models import PartyOrganization


def create_accounts(world: World) -> None:
    for username, full_name, role, node_name in DEMO_ACCOUNTS:
        # a superuser kept across --reset may already hold the name: reuse it
        user = User.objects.filter(username=username).first() or User(username=username)
        user.full_name = full_name
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleAssignment.objects.get_or_create(user=user, role=role, node=world.nodes[node_name])


def create_secretary_account() -> None:
    """A 党组织书记 for the largest party organization under 南京东路街道 (or its district, or the
    city) that has a recorded secretary: the login is that person (their member record carries it),
    and the ``member`` login is another member of the same branch, so the records never contradict
    who is logged in."""
    branch = None
    for node_name in (DEMO_ACCOUNTS[2][3], DEMO_ACCOUNTS[1][3], CITY_COMMITTEE):  # street, else district, else city
        node = ManagementNode.objects.get(name=node_name)
        candidates = PartyOrganization.objects.filter(node__path__startswith=node.path, node__is_active=True)
        # a branch proper has three full members (the secretary, the member login and one more); a
        # small street may have none yet: then two members on the roll (the secretary and the member)
        full = Count("members", filter=Q(members__is_active=True, members__category="full"), distinct=True)
        active = Count("members", filter=Q(members__is_active=True), distinct=True)
        ranked = candidates.annotate(full=full, n=active).select_related("secretary")
        branch = (
            ranked.filter(full__gte=3).order_by("-n", "pk").first()
            or ranked.filter(n__gte=2).order_by("-n", "pk").first()
        )
        if branch is not None:
            break
    if branch is None:
        return
    if branch.secretary is None:  # none elected yet in the party demo: the first full member working here
        on_roll = branch.members.filter(is_active=True).order_by("pk")
        person = on_roll.filter(category="full", employer__isnull=False).first() or on_roll.first()
        PartyOrganization.objects.filter(pk=branch.pk).update(secretary=person)
        branch.secretary = person
    person = branch.secretary
    user = _demo_login(SECRETARY_ACCOUNT, person.name)
    RoleAssignment.objects.get_or_create(user=user, role=Role.SECRETARY, node=branch.node)
    person.user = user
    person.save(update_fields=["user"])
    # a 党员 of the same branch with a login: the member's own pages (own record, inbox, dues, meetings);
    # an ordinary member — no committee seat — still working at a unit
    others = branch.members.filter(is_active=True, user__isnull=True).exclude(pk=person.pk)
    member = (
        others.filter(seats__isnull=True, employer__isnull=False).order_by("pk").first()
        or others.order_by("pk").first()
    )
    if member is not None:
        account = _demo_login(MEMBER_ACCOUNT, member.name)
        RoleAssignment.objects.get_or_create(user=account, role=Role.MEMBER, node=branch.node)
        member.user = account
        member.save(update_fields=["user"])


def _demo_login(username: str, full_name: str) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.full_name = full_name
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def accounts_table() -> list[str]:
    """The demo accounts as aligned lines (Chinese labels, CJK counted as two columns)."""
    rows = [("用户名", "密码", "角色", "所属节点")]
    usernames = [a[0] for a in DEMO_ACCOUNTS] + [SECRETARY_ACCOUNT, MEMBER_ACCOUNT]
    assignments = RoleAssignment.objects.filter(user__username__in=usernames)
    by_user = {a.user.username: a for a in assignments.select_related("user", "node")}
    for username in usernames:
        if username in by_user:
            a = by_user[username]
            rows.append((username, DEMO_PASSWORD, a.get_role_display(), a.node.name))
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    return ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
