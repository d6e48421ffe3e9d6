from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "liangxin.stats"
    verbose_name = "统计分析"
