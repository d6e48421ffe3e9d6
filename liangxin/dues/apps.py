from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "liangxin.dues"
    verbose_name = "党费"

    def ready(self) -> None:
        # slots of the apps below dues (liangxin.core.hooks)
        from liangxin.inbox import reminders as inbox  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now
        from liangxin.party import dues_facts, exits  # noqa: PLC0415 — AppConfig.ready()

        from . import ledger, reminders  # noqa: PLC0415 — AppConfig.ready()

        exits.dues_lapse_run.fill(ledger.lapse_run)
        dues_facts.paid_through.fill(ledger.paid_through)
        inbox.SOURCES.add(reminders.due_for)
