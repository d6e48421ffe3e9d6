from django.contrib import admin

from .models import Carrier, Region

admin.site.register(Region, search_fields=["code", "name"], list_display=["code", "name", "level", "path"])
admin.site.register(Carrier, search_fields=["name"], list_display=["name", "kind", "street"])
