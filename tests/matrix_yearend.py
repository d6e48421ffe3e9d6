"""Permission matrix entries for 年度统计报表 (merged into tests/test_permission_matrix.py's MATRIX).

Every registry reader makes the report of a committee of their own statistics scope (by default
their first); 外滩街道综合党委 is open to the city, 黄浦, 外滩 and 黄浦's auditor, a Chinese error
(400) for anyone else — the lawyers' committee, 南京东路, 徐汇 — like the other statistics; the
secretary and a user without a role get 403. The downloads are checked on 外滩 only: each PDF
takes about a second to lay out, and the default node is the same parser's answer as the page's.
"""

from .test_permission_matrix import API, READERS, expect

WAITAN_NODE = expect(400, city=200, huangpu=200, waitan=200, auditor=200, nobody=403, secretary=403)


def waitan_node(c) -> dict:
    return {"?": {"node": str(c.waitan_node.pk), "year": "2025"}}


ENTRIES: dict = {
    "web:stats_yearend": ("get", None, None, READERS),
    "web:stats_yearend WAITAN": ("get", waitan_node, None, WAITAN_NODE),
    "web:stats_yearend_xlsx WAITAN": ("get", waitan_node, None, WAITAN_NODE),
    "web:stats_yearend_pdf WAITAN": ("get", waitan_node, None, WAITAN_NODE),
    "stats-yearend": ("get", None, None, {**READERS, **API}),
    "stats-yearend WAITAN": ("get", waitan_node, None, {**WAITAN_NODE, **API}),
    "stats-yearend-xlsx WAITAN": ("get", waitan_node, None, {**WAITAN_NODE, **API}),
    "stats-yearend-pdf WAITAN": ("get", waitan_node, None, {**WAITAN_NODE, **API}),
}

ENTRIES["web:stats_brief_pdf WAITAN"] = ("get", lambda c: {"?": {"node": str(c.waitan_node.pk)}}, None, WAITAN_NODE)
