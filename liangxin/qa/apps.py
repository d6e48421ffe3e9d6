from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "liangxin.qa"
    label = "qa"
    verbose_name = "党建问答"
