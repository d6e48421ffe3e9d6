from django.contrib import admin
from django.urls import include, path

from liangxin.web.views.auth import admin_login

# The admin's own login page would bypass the product's lockout, throttle and audit.
admin.site.login = admin_login

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("liangxin.api.urls")),
    path("", include("liangxin.web.urls")),
]
