from django.apps import AppConfig


class CircularsConfig(AppConfig):
    name = "liangxin.circulars"
    label = "circulars"
    verbose_name = "通知下达"

    def ready(self) -> None:
        # the inbox lists the notices due for signing (liangxin.core.hooks)
        from liangxin.inbox import reminders as inbox  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now

        from . import reminders  # noqa: PLC0415 — AppConfig.ready()

        inbox.SOURCES.add(reminders.due_for)
