"""Page-wide answers to errors the views do not catch themselves."""

from django.shortcuts import render

from liangxin.core.params import BadParameter


class BadParameterMiddleware:
    """A query parameter that cannot be read (``core.params``) is a 400 page with its Chinese reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            return render(request, "400.html", {"reason": exception.reason}, status=400)
        return None
