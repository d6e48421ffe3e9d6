"""The Django admin is for the platform operator (superuser) only, and it is read-only.

A change made here would bypass the product's services, so it would carry no audit entry
(who, what, before/after) and skip the rules those services keep. The operator changes
organizations, party organizations, members, regions, carriers, nodes, accounts and roles
in the product like anyone else; the admin shows the data and offers no add, change,
delete or action. ``tests/test_audit_integrity.py`` checks every registered ModelAdmin.
"""

from django.contrib import admin

from .models import AuditEntry


class ReadOnlyAdmin:
    """Mix in first: no add, change, delete or bulk action; viewing stays."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request) -> dict:
        return {}


def read_only(model_admin: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """``model_admin`` with ``ReadOnlyAdmin`` mixed in (for admins of installed packages)."""
    return type(f"ReadOnly{model_admin.__name__}", (ReadOnlyAdmin, model_admin), {})


# The packages listed before core in INSTALLED_APPS (auth's groups, DRF's tokens, the task
# results) have registered theirs by now: re-register them read-only. Later apps use the mixin.
for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, ReadOnlyAdmin):
        admin.site.unregister(_model)
        admin.site.register(_model, read_only(type(_model_admin)))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["at", "actor_name", "origin", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr"]


admin.site.site_header = "两新党建综合服务平台 · 运维后台"
# on the one site instance, not a subclass: the stubs type it as a method, which an instance may still shadow
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser  # type: ignore[method-assign]
