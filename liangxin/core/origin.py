"""Where a change comes from (the "from where" of the audit log).

Set per request by ``RequestContextMiddleware``; commands and the shell leave the default.
A context variable, so the service layer records it without every caller passing it.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

DEFAULT_ORIGIN = "命令行/后台"
_origin: ContextVar[str] = ContextVar("liangxin_origin", default=DEFAULT_ORIGIN)


def current_origin() -> str:
    return _origin.get()


def set_origin(value: str):
    return _origin.set(value)


def reset_origin(token) -> None:
    _origin.reset(token)


def _in(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def trusted_networks() -> list:
    """``settings.TRUSTED_PROXIES`` (addresses or CIDRs) as networks; bad entries fail loudly."""
    return [ipaddress.ip_network(str(item).strip(), strict=False) for item in getattr(settings, "TRUSTED_PROXIES", [])]


def client_ip(request) -> str:
    """The client's address. ``X-Forwarded-For`` is believed only when the request comes from
    one of the configured proxies, and then read from the right: the nearest address that is
    not itself a trusted proxy (entries further left are whatever the client chose to send)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = trusted_networks()
    if not networks or not _in(remote, networks):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed chain: fall back to the proxy's own address
        if not _in(hop, networks):
            return hop
    return hops[0] if hops else remote
