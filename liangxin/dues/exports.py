"""Exports of the dues lists (the entries behind a figure, the arrears), from the same
functions as their pages."""

import datetime

from liangxin.core.xlsx import Column, ListExport

from . import rules
from .queries import arrears_list, month_entries


def entry_state(entry: rules.MonthEntry) -> str:
    if not entry.recorded:
        return "未登记"
    if entry.unpaid:
        return "未缴" if entry.paid <= 0 else "部分缴纳"
    return "已缴"


ENTRY_COLUMNS = [
    Column("党组织", lambda e: e.line.party_org_name, 30),
    Column("姓名", lambda e: e.line.name, 10),
    Column("公民身份号码", lambda e: e.line.id_masked, 20),
    Column("月份", lambda e: f"{e.entry.month:%Y-%m}", 9),
    Column("应缴（元）", lambda e: e.entry.due, 10, "number"),
    Column("实缴（元）", lambda e: e.entry.paid, 10, "number"),
    Column("未缴（元）", lambda e: e.entry.owed, 10, "number"),
    Column("缴纳日期", lambda e: e.entry.paid_on, 11, "date"),
    Column("状态", lambda e: entry_state(e.entry), 10),
]

ARREARS_COLUMNS = [
    Column("党组织", lambda o: o.line.party_org_name, 30),
    Column("姓名", lambda o: o.line.name, 10),
    Column("公民身份号码", lambda o: o.line.id_masked, 20),
    Column("未缴月数", lambda o: o.arrears.count, 8, "number"),
    Column("未缴金额（元）", lambda o: o.arrears.owed, 12, "number"),
    Column("金额未核定月数", lambda o: o.arrears.unknown, 10, "number"),
    Column("连续未交月数", lambda o: o.arrears.run, 10, "number"),
    Column("自行脱党核查", lambda o: "是" if o.lapsed else "", 10),
    Column("未缴月份", lambda o: "、".join(f"{m:%Y-%m}" for m in o.arrears.months), 60),
]


def entries_export(members, node, g, today: datetime.date) -> ListExport:
    _, _, found, words = month_entries(members, node, g, today)
    return ListExport(title="党费明细", object_type="dues.duespayment", filter_text=words,
                      columns=ENTRY_COLUMNS, rows=found, count=len(found))  # fmt: skip


def arrears_export(members, node, g, today: datetime.date) -> ListExport:
    owing, _, words, _ = arrears_list(members, node, g, today)
    return ListExport(title="党费欠缴名单", object_type="dues.duespayment", filter_text=words,
                      columns=ARREARS_COLUMNS, rows=owing, count=len(owing))  # fmt: skip
