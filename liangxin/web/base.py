"""The base of every HTML view: login required, the user's scope, and the 404/403 rule.

Objects are always fetched through a scoped queryset (``get_in_scope``), so an object
outside scope answers 404 exactly as one that does not exist; ``deny`` gives 403 for an
object that is visible but not changeable by this user.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views import View

from liangxin.accounts.scoping import Scope, scope_for


class ScopedView(LoginRequiredMixin, View):
    """Base HTML view. ``required`` names a Scope capability the page needs (else 403)."""

    required: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope: Scope = scope_for(request.user)
        if self.required and not getattr(self.scope, self.required):
            raise PermissionDenied("无权访问该页面")
        return super().dispatch(request, *args, **kwargs)


def get_in_scope(queryset, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404("对象不存在")
    return obj


def deny(message: str = "无权执行此操作"):
    raise PermissionDenied(message)
