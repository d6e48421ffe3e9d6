from django.apps import AppConfig


class LifeConfig(AppConfig):
    name = "liangxin.life"
    verbose_name = "组织生活"

    def ready(self) -> None:
        # slots of the apps below life (liangxin.core.hooks)
        from liangxin.inbox import reminders as inbox  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now
        from liangxin.party import exits  # noqa: PLC0415 — AppConfig.ready()

        from . import compliance, reminders  # noqa: PLC0415 — AppConfig.ready()

        exits.life_lapsed.fill(compliance.lapsed)
        inbox.SOURCES.add(reminders.due_for)
