"""API tokens: idle expiry and last use, on top of DRF's token (one per account)."""

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from liangxin.core.origin import client_ip

from .models import TokenUse
from .passwords import change_due

# Last use is written at most this often, so a busy client does not write on every request.
USE_RECORD_EVERY = datetime.timedelta(minutes=1)


class TokenRefused(AuthenticationFailed):
    """A token refused for a reason the caller can act on; the API shows its Chinese message."""

    said_in_chinese = True


def idle_limit() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_IDLE_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token idle longer than ``API_TOKEN_IDLE_DAYS``,
    an account that is locked or must change its password, and recording the last use."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        now = timezone.now()
        use, _ = TokenUse.objects.get_or_create(token=token)
        if (use.last_used_at or token.created) < now - idle_limit():
            raise TokenRefused(f"令牌已超过{settings.API_TOKEN_IDLE_DAYS}天未使用而失效，请在个人设置中重新生成")
        if user.locked_until and user.locked_until > now:
            raise TokenRefused("该账号因多次密码错误已被锁定，请稍后再试，或联系管理员解锁")
        reason = change_due(user)
        if reason:
            raise TokenRefused(f"{reason}（在网页的个人设置中修改后，令牌方可使用）")
        if use.last_used_at is None or use.last_used_at < now - USE_RECORD_EVERY:
            TokenUse.objects.filter(pk=use.pk).update(last_used_at=now, last_used_from=client_ip(request)[:64])
        return user, token
