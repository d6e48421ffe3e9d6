from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from liangxin.core.admin import ReadOnlyAdmin

from .models import RoleAssignment, User


class RoleInline(ReadOnlyAdmin, admin.TabularInline):
    model = RoleAssignment
    raw_id_fields = ["node"]
    extra = 0


@admin.register(User)
class LiangxinUserAdmin(ReadOnlyAdmin, UserAdmin):
    """Accounts and roles change in the product (账号管理), which audits them."""

    inlines = [RoleInline]
    fieldsets = UserAdmin.fieldsets + (("平台", {"fields": ("full_name", "phone", "locked_until")}),)
