from django.apps import AppConfig


class DevelopConfig(AppConfig):
    name = "liangxin.develop"
    verbose_name = "发展党员"

    def ready(self) -> None:
        # the inbox lists what is due here (liangxin.core.hooks)
        from liangxin.inbox import reminders as inbox  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now

        from . import reminders  # noqa: PLC0415 — AppConfig.ready()

        inbox.SOURCES.add(reminders.due_for)
