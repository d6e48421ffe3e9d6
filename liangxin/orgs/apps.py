from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.orgs"
    label = "orgs"
