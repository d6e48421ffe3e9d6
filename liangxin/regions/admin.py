from django.contrib import admin

from liangxin.core.admin import ReadOnlyAdmin

from .models import Carrier, Region


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    search_fields = ["code", "name"]
    list_display = ["code", "name", "level", "path"]


@admin.register(Carrier)
class CarrierAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name", "kind", "street"]
