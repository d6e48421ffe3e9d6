from django.apps import AppConfig
from django.core import checks


class ImportsConfig(AppConfig):
    name = "liangxin.imports"
    verbose_name = "批量导入导出"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from liangxin.core.keyguard import check_keys  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now

        # not tagged "database": it must run for every command, the worker and runserver included
        checks.register(check_keys)
