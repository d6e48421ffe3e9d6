from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "liangxin.imports"
    verbose_name = "批量导入导出"
    default_auto_field = "django.db.models.BigAutoField"
