"""Who may read the API documents (Swagger UI, Redoc, the OpenAPI document): asked of Scope."""

from rest_framework.permissions import BasePermission

from liangxin.accounts.scoping import scope_for


class ReadsApiDocs(BasePermission):
    message = "API 文档仅向管理员和审计/巡查人员开放"

    def has_permission(self, request, view) -> bool:
        return scope_for(request.user).can_read_api_docs
