from django.apps import AppConfig


class Config(AppConfig):
    name = "liangxin.party"
    label = "party"
    verbose_name = "党组织与党员"

    def ready(self) -> None:
        # slots of the apps below party, filled with what only party knows (liangxin.core.hooks)
        from liangxin.accounts import passwords  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now
        from liangxin.inbox import reminders as inbox  # noqa: PLC0415 — AppConfig.ready()
        from liangxin.orgs import services as org_services  # noqa: PLC0415 — AppConfig.ready()

        from . import policy, queries, reminders  # noqa: PLC0415 — AppConfig.ready()

        passwords.max_age_days.fill(lambda: policy.values()["password_max_age_days"])
        org_services.covering_nodes_now.fill(queries.covering_party_nodes)
        inbox.SOURCES.add(reminders.due_for)
