"""Exports of the transfer and floating member lists (registered in ``imports.tasks.EXPORT_BUILDERS``):
the list page's own filter, each row with its 超期 or 未排摸 flag."""

from django.utils import timezone

from liangxin.core.xlsx import Column, ListExport
from liangxin.party import policy

from . import rules
from .queries import filtered_floating, filtered_transfers


def transfer_export(scope, g) -> ListExport:
    params, today = policy.values(), timezone.localdate()
    qs, filter_text = filtered_transfers(scope, g, params, today)
    columns = [
        Column("姓名", lambda t: t.person_name, 10),
        Column("公民身份号码", lambda t: t.id_masked, 20),
        Column("转接类型", lambda t: t.get_kind_display(), 14),
        Column("转出党组织", lambda t: t.from_org_name, 32),
        Column("转入党组织", lambda t: t.to_org_name, 32),
        Column("介绍信编号", lambda t: t.letter_no, 18),
        Column("开具日期", lambda t: t.issued_on, 12, "date"),
        Column("有效期至", lambda t: rules.letter_valid_until(t.issued_on, params), 12, "date"),
        Column("状态", lambda t: t.get_state_display(), 8),
        Column("超期", lambda t: "超期" if rules.is_overdue(t, params, today) else "", 6),
        Column("待办", lambda t: t.waiting_for, 20),
        Column("办结日期", lambda t: t.closed_on, 12, "date"),
        Column("退回原因", lambda t: t.return_reason, 30),
    ]
    return ListExport(title="组织关系转接", object_type="transfers.transfer", filter_text=filter_text,
                      columns=columns, rows=qs.order_by("-pk").iterator(chunk_size=2000), count=qs.count())  # fmt: skip


def floating_export(scope, g) -> ListExport:
    params, today = policy.values(), timezone.localdate()
    qs, filter_text = filtered_floating(scope, g, params, today)
    columns = [
        Column("姓名", lambda m: m.name, 10),
        Column("公民身份号码", lambda m: m.id_masked, 20),
        Column("流动状态", lambda m: m.get_floating_display(), 8),
        Column("流动党员活动证号", lambda m: m.floating_card_no, 20),
        Column("组织关系所在党组织", lambda m: m.party_org.name, 32),
        Column("流出地", lambda m: m.outflow_place, 24),
        Column("流入地", lambda m: m.inflow_place, 24),
        Column("流入地党组织", lambda m: m.inflow_party_org.name if m.inflow_party_org_id else "", 32),
        Column("联系电话", lambda m: m.phone, 14),
        Column("最近排摸日期", lambda m: m.last_confirmed, 12, "date"),
        Column("排摸有效至", lambda m: rules.census_due_on(m.last_confirmed, params), 12, "date"),
        Column("未按期排摸", lambda m: "是" if rules.census_overdue(m.last_confirmed, params, today) else "", 8),
    ]
    title = "未按期排摸流动党员" if g.get("unconfirmed") == "1" else "流动党员"
    return ListExport(title=title, object_type="party.member", filter_text=filter_text,
                      columns=columns, rows=qs.order_by("pk").iterator(chunk_size=2000), count=qs.count())  # fmt: skip
