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
