"""Login, logout and the user's own page (password, API token)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from rest_framework.authtoken.models import Token

from liangxin.accounts import services
from liangxin.accounts.passwords import change_due
from liangxin.core import audit
from liangxin.core.models import AuditAction

from ..base import ScopedView
from ..forms import LoginForm


class LoginView(View):
    def get(self, request):
        if request.user.is_authenticated:
            return redirect("web:home")
        return render(request, "web/login.html", {"form": LoginForm(request)})

    def post(self, request):
        form = LoginForm(request, request.POST)
        if not form.is_valid():
            return render(request, "web/login.html", {"form": form}, status=400)
        login(request, form.user)
        audit.record(form.user, AuditAction.LOGIN, form.user, object_repr=form.user.username)
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = ""
        return redirect(target or "web:home")


def admin_login(request):
    """The Django admin's login page: the product's login, so its lockout, throttle and audit hold.

    A GET goes to the product's login page (coming back to the admin afterwards); a POST of
    credentials straight to the admin address is handled by the product's login itself.
    """
    target = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/admin/"
    if request.method == "POST":
        request.GET = request.GET.copy()
        request.GET["next"] = target
        return LoginView.as_view()(request)
    if request.user.is_authenticated and request.user.is_staff:
        return redirect(target)
    return redirect(f"{reverse('web:login')}?{urlencode({'next': target})}")


def admin_password_change(request, extra_context=None):
    """The admin's own 修改密码 is 个人设置's, so the policy, history and audit hold."""
    return redirect("web:profile")


class LogoutView(View):
    def post(self, request):
        logout(request)
        return redirect("web:login")


class ProfileView(ScopedView):
    def get(self, request):
        return self._render(request, PasswordChangeForm(request.user))

    def _render(self, request, form, status=200):
        token = Token.objects.filter(user=request.user).select_related("use").first()
        context = {
            "form": form,
            "token": token,
            "change_due": change_due(request.user),
            "idle_days": settings.API_TOKEN_IDLE_DAYS,
        }
        return render(request, "web/profile.html", context, status=status)

    def post(self, request):
        if request.POST.get("action") == "token":
            services.issue_token(request.user, request.user)
            messages.success(request, "已生成新的 API 令牌，旧令牌已失效")
            return redirect("web:profile")
        if request.POST.get("action") == "revoke_token":
            services.revoke_token(request.user, request.user)
            messages.success(request, "API 令牌已吊销")
            return redirect("web:profile")
        form = PasswordChangeForm(request.user, request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        services.change_own_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改")
        return redirect("web:profile")
