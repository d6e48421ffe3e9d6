from django.apps import AppConfig


class CircularsConfig(AppConfig):
    name = "liangxin.circulars"
    label = "circulars"
    verbose_name = "通知下达"
