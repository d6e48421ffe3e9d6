from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "liangxin.reporting"
    label = "reporting"
    verbose_name = "报送任务"

    def ready(self) -> None:
        from liangxin.inbox import reminders as inbox  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now

        from . import reminders  # noqa: PLC0415 — AppConfig.ready()

        inbox.SOURCES.add(reminders.due_for)
