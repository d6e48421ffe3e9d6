from django.conf import settings

from .origin import client_ip, reset_origin, set_origin


class RequestContextMiddleware:
    """Records the client address of the current request for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "API" if request.path.startswith("/api/") else "网页"
        token = set_origin(f"{channel} {client_ip(request)}")
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)


def policy_for(path: str) -> str:
    """The Content-Security-Policy header for a path: settings.CONTENT_SECURITY_POLICY, with the directives of the
    longest matching prefix in CONTENT_SECURITY_POLICY_RELAXED replaced (Redoc's injected styles only)."""
    directives = dict(settings.CONTENT_SECURITY_POLICY)
    prefixes = [p for p in settings.CONTENT_SECURITY_POLICY_RELAXED if path.startswith(p)]
    if prefixes:
        directives.update(settings.CONTENT_SECURITY_POLICY_RELAXED[max(prefixes, key=len)])
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sets the Content-Security-Policy on every response (Django 5.2 has none built in). Every asset is served
    from this site, so the policy is 'self' with no inline script or style: an injected <script> or style
    attribute does not run, whatever a template forgot to escape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path)
        return response
