from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "liangxin.reporting"
    label = "reporting"
    verbose_name = "报送任务"
