from django.contrib import admin
from django.urls import include, path

from liangxin.web.views.auth import admin_login, admin_password_change

# The admin's own login and password pages would bypass the product's lockout, throttle,
# password history and audit: both are the product's.
admin.site.login = admin_login
admin.site.password_change = admin_password_change

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("liangxin.api.urls")),
    path("", include("liangxin.web.urls")),
]
