from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "liangxin.assessment"
    label = "assessment"
    verbose_name = "考核评估"
