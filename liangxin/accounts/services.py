"""Account management: every change is audited."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from liangxin.core import audit
from liangxin.core.models import AuditAction

from . import lockout
from .models import PasswordHistory, RoleAssignment, TokenUse, User
from .passwords import HISTORY_SIZE


def _remember_password(user: User) -> None:
    """Keep the new hash in the account's history, trimmed to the last ``HISTORY_SIZE``."""
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = list(PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[:HISTORY_SIZE])
    PasswordHistory.objects.filter(user=user).exclude(pk__in=keep).delete()


ACCOUNT_FIELDS = ["username", "full_name", "phone", "is_active"]


def _paths(user: User) -> tuple[str, str]:
    first = user.assignments.select_related("node").first()
    return (first.node.path if first else "", "")


@transaction.atomic
def save_account(actor, user: User, password: str | None) -> User:
    is_new = user.pk is None
    before = {} if is_new else audit.snapshot(User.objects.get(pk=user.pk), ACCOUNT_FIELDS)
    if password:
        user.set_password(password)
        # a password someone else chose: the person sets their own at the next login
        user.must_change_password = getattr(actor, "pk", None) != user.pk
    user.save()
    if password:
        _remember_password(user)
    changes = audit.diff(before, audit.snapshot(user, ACCOUNT_FIELDS))
    if password and not is_new:
        changes["password"] = ["******", "（已重设）"]
    if changes or is_new:
        mgmt, _ = _paths(user)
        audit.record(
            actor, AuditAction.CREATE if is_new else AuditAction.ACCOUNT, user, changes=changes, mgmt_path=mgmt
        )
    return user


@transaction.atomic
def grant_role(actor, user: User, role: str, node) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, node=node)
    if created:
        audit.record(actor, AuditAction.ACCOUNT, user, detail=f"授予角色：{assignment}", mgmt_path=node.path)
    return assignment


@transaction.atomic
def revoke_role(actor, assignment: RoleAssignment) -> None:
    user, text, path = assignment.user, str(assignment), assignment.node.path
    assignment.delete()
    audit.record(actor, AuditAction.ACCOUNT, user, detail=f"撤销角色：{text}", mgmt_path=path)


def unlock_account(actor, user: User) -> None:
    lockout.unlock(user)
    audit.record(actor, AuditAction.ACCOUNT, user, detail="解除登录锁定", mgmt_path=_paths(user)[0])


@transaction.atomic
def change_own_password(user: User, password: str) -> None:
    """The person sets their own password (already validated against the policy)."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _remember_password(user)
    audit.record(user, AuditAction.ACCOUNT, user, detail="修改本人密码", mgmt_path=_paths(user)[0])


@transaction.atomic
def issue_token(actor, user: User):
    """A new API token for ``user``; any earlier one stops working."""
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    TokenUse.objects.create(token=token)
    audit.record(
        actor, AuditAction.ACCOUNT, user, detail="重新生成 API 令牌" if replaced else "生成 API 令牌",
        mgmt_path=_paths(user)[0],
    )  # fmt: skip
    return token


@transaction.atomic
def revoke_token(actor, user: User) -> bool:
    """Revoke ``user``'s API token (by the person, or by an account manager whose scope holds them)."""
    if not Token.objects.filter(user=user).delete()[0]:
        return False
    audit.record(actor, AuditAction.ACCOUNT, user, detail="吊销 API 令牌", mgmt_path=_paths(user)[0])
    return True
