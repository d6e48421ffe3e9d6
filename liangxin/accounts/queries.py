"""The account list: one filter for its page and its export."""

from django.db.models import Q, QuerySet

from liangxin.core import normalize


def filtered_accounts(users: QuerySet, params) -> tuple[QuerySet, str]:
    """The accounts (``users``: the manager's, already narrowed to the scope) searched by ``q``."""
    users = users.prefetch_related("assignments__node").order_by("username")
    q = normalize.text(params.get("q"))
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__contains=q))
    return users, q


def account_status(user) -> str:
    if not user.is_active:
        return "已停用"
    return "可能已锁定" if user.locked_until else "正常"
