from django.apps import AppConfig


class DutyReportsConfig(AppConfig):
    name = "liangxin.duty_reports"
    label = "duty_reports"
    verbose_name = "书记抓党建述职"
