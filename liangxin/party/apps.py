from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.party"
    label = "party"
    verbose_name = "党组织与党员"
