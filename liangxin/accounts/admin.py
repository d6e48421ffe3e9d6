from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    raw_id_fields = ["node"]
    extra = 0


@admin.register(User)
class LiangxinUserAdmin(UserAdmin):
    inlines = [RoleInline]
    fieldsets = UserAdmin.fieldsets + (("平台", {"fields": ("full_name", "phone", "locked_until")}),)
