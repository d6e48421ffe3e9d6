"""Where a change comes from (the "from where" of the audit log).

Set per request by ``RequestContextMiddleware``; commands and the shell leave the default.
A context variable, so the service layer records it without every caller passing it.
"""

from contextvars import ContextVar

DEFAULT_ORIGIN = "命令行/后台"
_origin: ContextVar[str] = ContextVar("liangxin_origin", default=DEFAULT_ORIGIN)


def current_origin() -> str:
    return _origin.get()


def set_origin(value: str):
    return _origin.set(value)


def reset_origin(token) -> None:
    _origin.reset(token)


def client_ip(request) -> str:
    # Behind a reverse proxy set TRUSTED_PROXY=1 so X-Forwarded-For is believed.
    from django.conf import settings

    if getattr(settings, "TRUSTED_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"
