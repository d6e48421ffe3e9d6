from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.api"
    label = "api"
