from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "liangxin.stats"
    verbose_name = "统计分析"

    def ready(self) -> None:
        # the organization list filters by a measure (liangxin.core.hooks)
        from liangxin.orgs import queries as org_queries  # noqa: PLC0415 — AppConfig.ready(): apps are loaded only now
        from liangxin.party import policy  # noqa: PLC0415 — AppConfig.ready()

        from . import measures  # noqa: PLC0415 — AppConfig.ready()

        def condition_now(name: str):
            return measures.conditions(measures.Thresholds.of(policy.values()))[name]

        org_queries.stat_measures.fill(lambda: measures.MEASURES)
        org_queries.stat_condition.fill(condition_now)
