from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "liangxin.transfers"
    verbose_name = "组织关系转接与流动党员"
