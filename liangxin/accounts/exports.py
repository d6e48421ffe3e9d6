"""The account list's export."""

from liangxin.core.xlsx import Column, ListExport

from .queries import account_status, filtered_accounts

ACCOUNT_COLUMNS = [
    Column("用户名", lambda u: u.username, 18),
    Column("姓名", lambda u: u.full_name, 12),
    Column("联系电话", lambda u: u.phone, 16),
    Column("角色", lambda u: "；".join(str(a) for a in u.assignments.all()), 40),
    Column("状态", account_status, 10),
    Column("锁定至", lambda u: u.locked_until, 18, "datetime"),
    Column("最近登录", lambda u: u.last_login, 18, "datetime"),
    Column("创建日期", lambda u: u.date_joined, 12, "date"),
]


def account_export(scope, params) -> ListExport:
    users, q = filtered_accounts(scope.users(), params)
    return ListExport(title="账号清单", object_type="accounts.user",
                      filter_text=f"搜索：{q}" if q else "无（权限范围内全部）",
                      columns=ACCOUNT_COLUMNS, rows=users.iterator(chunk_size=2000))  # fmt: skip
