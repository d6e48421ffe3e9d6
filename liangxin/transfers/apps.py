from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "liangxin.transfers"
    verbose_name = "组织关系转接与流动党员"

    def ready(self) -> None:
        # the inbox lists what is due here (liangxin.core.hooks)
        from liangxin.inbox import reminders as inbox  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now

        from . import reminders  # noqa: PLC0415 — AppConfig.ready()

        inbox.SOURCES.add(reminders.due_for)
