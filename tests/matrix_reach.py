"""Permission matrix entries for 到达率 (merged into tests/test_permission_matrix.py's MATRIX).

Like the dashboard and the blank spots: every registry reader reads their own unit; 外滩街道 is
open to the city, 黄浦, 外滩, 黄浦's auditor and the lawyers' committee (its own organizations
there), a Chinese error (400) for anyone else; the secretary and a user without a role get 403.
"""

from .test_permission_matrix import API, LAWYERS_STATS, READERS, WAITAN_STATS, lawyers_stats, waitan_stats

ENTRIES: dict = {
    "web:stats_reach_never": ("get", None, None, READERS),
    "web:stats_reach_never WAITAN": ("get", waitan_stats, None, WAITAN_STATS),
    "web:stats_reach_never LAWYERS": ("get", lawyers_stats, None, LAWYERS_STATS),
    "web:stats_reach_never_export": ("get", None, None, READERS),
    "web:stats_reach_never_export WAITAN": ("get", waitan_stats, None, WAITAN_STATS),
    "stats-reach": ("get", None, None, {**READERS, **API}),
    "stats-reach WAITAN": ("get", waitan_stats, None, {**WAITAN_STATS, **API}),
    "stats-reach LAWYERS": ("get", lawyers_stats, None, {**LAWYERS_STATS, **API}),
    "stats-reach-never": ("get", None, None, {**READERS, **API}),
    "stats-reach-never WAITAN": ("get", waitan_stats, None, {**WAITAN_STATS, **API}),
}
