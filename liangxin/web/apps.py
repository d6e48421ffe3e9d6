from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.web"
    label = "web"
