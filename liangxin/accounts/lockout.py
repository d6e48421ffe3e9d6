"""Login lockout and throttling: after repeated failures an account, or one address trying
one account, waits. Never an address wholesale: many users share an office NAT's address."""

import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.models import AuditAction
from liangxin.core.origin import client_ip

from .models import LoginFailure, User


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def locked_message(username: str, ip: str) -> str | None:
    """A Chinese explanation if this login may not be tried now, else None."""
    since = _window_start()
    user = User.objects.filter(username=username).only("locked_until").first()
    if user and user.locked_until and user.locked_until > timezone.now():
        minutes = max(1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1)
        return f"该账号因多次密码错误已被锁定，请{minutes}分钟后再试，或联系管理员解锁"
    tried = LoginFailure.objects.filter(username=username, ip=ip, at__gte=since).count()
    if tried >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS:
        return f"该账号在本机登录失败次数过多，请{settings.LOGIN_FAILURE_WINDOW_MINUTES}分钟后再试"
    return None


def register_failure(username: str, ip: str) -> None:
    LoginFailure.objects.create(username=username[:150], ip=ip)
    recent = LoginFailure.objects.filter(username=username, at__gte=_window_start()).count()
    if recent >= settings.LOGIN_MAX_FAILURES:
        until = timezone.now() + datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
        User.objects.filter(username=username).update(locked_until=until)


def register_success(user: User) -> None:
    LoginFailure.objects.filter(username=user.username).delete()
    if user.locked_until:
        User.objects.filter(pk=user.pk).update(locked_until=None)


def unlock(user: User) -> None:
    register_success(user)


def attempt(request, username: str, password: str) -> tuple[User | None, str]:
    """One login attempt through lockout, throttle and audit: ``(user, "")`` or ``(None, message)``.

    The only way a person logs in by password: the product's login page and the Django admin's
    (which posts here) both call it, so every failure counts and lands in the audit log.
    """
    username = (username or "").strip()
    ip = client_ip(request)
    account = User.objects.filter(username=username).first()
    message = locked_message(username, ip)
    if message:
        audit.record(None, AuditAction.LOGIN, account, object_repr=username[:200], detail=f"登录失败：{message}")
        return None, message
    user = authenticate(request, username=username, password=password)
    if user is None:
        register_failure(username, ip)
        message = locked_message(username, ip) or "用户名或密码错误"
        audit.record(None, AuditAction.LOGIN, account, object_repr=username[:200], detail=f"登录失败：{message}")
        return None, message
    register_success(user)
    return user, ""
