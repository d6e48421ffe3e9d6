from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.mgmt"
    label = "mgmt"
