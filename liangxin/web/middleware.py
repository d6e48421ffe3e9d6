"""Site-wide answers to errors the views do not catch themselves."""

from django.http import JsonResponse
from django.shortcuts import redirect, render

from liangxin.accounts.passwords import change_due
from liangxin.core.params import BadParameter, shown


class BadParameterMiddleware:
    """A query parameter that cannot be read (``core.params``) is a 400 page with its Chinese reason.

    A NUL character in any query parameter is refused here, before a view: PostgreSQL cannot hold
    one in text, so a search for it would be a server error there and an empty answer on SQLite."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if any("\x00" in value for value in values) or "\x00" in name:
                reason = f"查询条件「{shown(name.replace(chr(0), ''))}」含有不可见的控制字符"
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "查询条件有误", "errors": {name: [reason]}}, status=400)
                return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return render(request, "400.html", {"reason": exception.reason}, status=400)
        return None


class PasswordChangeMiddleware:
    """Until a person who must change their password (first login after an account manager set
    it, or expiry) has done so, every page leads to 个人设置; only that page, logout and the
    static files stay open. The rule itself is ``accounts.passwords.change_due``."""

    OPEN = ("/me/", "/logout/", "/login/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.OPEN):
            reason = change_due(user)
            if reason:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": reason}, status=403)
                return redirect("web:profile")
        return self.get_response(request)
