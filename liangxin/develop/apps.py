from django.apps import AppConfig


class DevelopConfig(AppConfig):
    name = "liangxin.develop"
    verbose_name = "发展党员"
