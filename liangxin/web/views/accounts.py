"""Account management in the product (not the Django admin): within the manager's subtree."""

from django.contrib import messages
from django.shortcuts import redirect, render
from rest_framework.authtoken.models import Token

from liangxin.accounts import services
from liangxin.accounts.exports import account_export
from liangxin.accounts.models import RoleAssignment
from liangxin.accounts.queries import filtered_accounts

from ..base import ExportView, ScopedView, get_in_scope, paginate
from ..forms import AccountForm, RoleAssignmentForm


class AccountList(ScopedView):
    required = "can_manage_accounts"

    def get(self, request):
        users, q = filtered_accounts(self.scope.users(), request.GET)
        page, query = paginate(request, users)
        return render(request, "web/accounts/list.html", {"page": page, "q": q, "query": query})


class AccountExport(ExportView):
    required = AccountList.required

    def build(self, request):
        return account_export(self.scope, request.GET)


class AccountEdit(ScopedView):
    required = "can_manage_accounts"

    def _user(self, pk):
        return get_in_scope(self.scope.users(), pk=pk) if pk is not None else None

    def _render(self, request, form, user, role_form=None, status=200):
        return render(
            request,
            "web/accounts/form.html",
            {
                "form": form,
                "account": user,
                "role_form": role_form or RoleAssignmentForm(scope=self.scope),
                "assignments": user.assignments.select_related("node") if user else [],
                "token": Token.objects.filter(user=user).select_related("use").first() if user else None,
            },
            status=status,
        )

    def get(self, request, pk=None):
        user = self._user(pk)
        return self._render(request, AccountForm(instance=user), user)

    def post(self, request, pk=None):
        user = self._user(pk)
        action = request.POST.get("action", "save")
        if user is not None and action != "save":
            return self._act(request, user, action)
        form = AccountForm(request.POST, instance=user)
        role_form = RoleAssignmentForm(request.POST, scope=self.scope) if user is None else None
        if not form.is_valid() or (role_form is not None and not role_form.is_valid()):
            return self._render(request, form, user, role_form, status=400)
        saved = services.save_account(request.user, form.save(commit=False), form.cleaned_data.get("password"))
        if role_form is not None:
            services.grant_role(request.user, saved, role_form.cleaned_data["role"], role_form.cleaned_data["node"])
        messages.success(request, f"已保存账号「{saved.username}」")
        return redirect("web:account_edit", pk=saved.pk)

    def _act(self, request, user, action):
        if action == "grant":
            role_form = RoleAssignmentForm(request.POST, scope=self.scope)
            if not role_form.is_valid():
                return self._render(request, AccountForm(instance=user), user, role_form, status=400)
            services.grant_role(request.user, user, role_form.cleaned_data["role"], role_form.cleaned_data["node"])
            messages.success(request, "已授予角色")
        elif action == "revoke":
            assignment = get_in_scope(
                RoleAssignment.objects.filter(user=user, node__in=self.scope.assignable_nodes()),
                pk=request.POST.get("assignment") or 0,
            )
            services.revoke_role(request.user, assignment)
            messages.success(request, "已撤销角色")
        elif action == "unlock":
            services.unlock_account(request.user, user)
            messages.success(request, "已解除登录锁定")
        elif action == "revoke_token":
            services.revoke_token(request.user, user)
            messages.success(request, "已吊销该账号的 API 令牌")
        return redirect("web:account_edit", pk=user.pk)
