from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.accounts"
    label = "accounts"
