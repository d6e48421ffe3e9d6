from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "liangxin.dues"
    verbose_name = "党费"
