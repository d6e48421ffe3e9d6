"""Exports of the party lists written while the user waits: instructors and findings (the party
organization and member lists export under the import's headers: ``imports.exports``)."""

from django.db.models import Min, Prefetch
from django.utils import timezone

from liangxin.core.xlsx import Column, ListExport

from . import policy, rules
from .models import InstructorAssignment

ALL = "无（权限范围内全部）"


INSTRUCTOR_COLUMNS = [
    Column("姓名", lambda i: i.name, 12),
    Column("联系电话", lambda i: i.phone, 16),
    Column("工作单位", lambda i: i.unit, 24),
    Column("选派党委", lambda i: i.node.name, 24),
    Column("登录账号", lambda i: i.user.username if i.user_id else "", 14),
    Column("在岗", lambda i: "是" if i.is_active else "否", 6),
    Column("首次选派日期", lambda i: i.first_assigned_on, 12, "date"),
    Column("正在联系的组织数", lambda i: len(i.current), 10, "number"),
    Column("正在联系的组织", lambda i: "、".join(a.organization.name for a in i.current), 50),
]


def instructor_export(scope, params) -> ListExport:
    """The instructor list, with the organizations each one contacts now."""
    # the list page's queryset (the list has no filters), plus what the columns read
    current = InstructorAssignment.objects.filter(end_on__isnull=True).select_related("organization")
    rows = (
        scope.instructors("view")
        .order_by("node__path", "name")
        .select_related("user")
        .annotate(first_assigned_on=Min("assignments__start_on"))
        .prefetch_related(Prefetch("assignments", queryset=current.order_by("start_on"), to_attr="current"))
    )
    return ListExport(title="党建指导员", object_type="party.instructor", filter_text=ALL,
                      columns=INSTRUCTOR_COLUMNS, rows=rows.iterator(chunk_size=2000))  # fmt: skip


def finding_export(scope, params) -> ListExport:
    """The findings of one rule (``rule``, else the first) over the scope."""
    rule = rules.RULES.get(params.get("rule")) or next(iter(rules.RULES.values()))
    values, day = policy.values(), timezone.localdate()
    candidates = rules.candidates(rule, scope, values, day).order_by("pk")
    found = ((obj, rule.check(obj, values, day)) for obj in candidates.iterator(chunk_size=2000))
    columns = [
        Column("对象", lambda r: str(r[0]), 36),
        Column("规则", lambda r: rule.label, 20),
        Column("级别", lambda r: r[1].level_label, 8),
        Column("情况", lambda r: r[1].text, 70),
        Column("建议", lambda r: r[1].action, 24),
    ]
    return ListExport(title="问题清单", object_type="party.finding", filter_text=f"规则：{rule.label}",
                      columns=columns, rows=((o, f) for o, f in found if f))  # fmt: skip
