from django.apps import AppConfig


class LifeConfig(AppConfig):
    name = "liangxin.life"
    verbose_name = "组织生活"
