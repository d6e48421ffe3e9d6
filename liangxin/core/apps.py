from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.core"
    label = "core"
    verbose_name = "平台基础"
