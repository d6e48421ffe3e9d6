from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.regions"
    label = "regions"
