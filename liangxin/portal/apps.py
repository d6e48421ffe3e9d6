from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "liangxin.portal"
    label = "portal"
    verbose_name = "互动网"
