"""Exports of the party lists: party organizations and members (registered in
``imports.exporting.BUILDERS``), instructors and findings (written while the user waits)."""

from django.db.models import Min, Prefetch
from django.utils import timezone

from liangxin.core import crypto
from liangxin.core.xlsx import Column, ListExport

from . import policy, rules
from .models import InstructorAssignment, Member, PartyOrgLink
from .queries import filtered_members, filtered_party_orgs

ALL = "无（权限范围内全部）"


def party_org_export(scope, params) -> ListExport:
    """Under the import's headers; parents before children (the file imports back in order)."""
    from liangxin.imports.exporting import kind_export

    qs, _, filter_text = filtered_party_orgs(scope, params)
    current = PartyOrgLink.objects.filter(end_on__isnull=True).select_related("organization")
    qs = qs.prefetch_related(Prefetch("links", queryset=current, to_attr="current_links"))
    return kind_export("party_orgs", qs, title="党组织", object_type="party.partyorganization",
                       filter_text=filter_text, order=("node__path",), chunk_size=500)  # fmt: skip


def member_export(scope, params) -> ListExport:
    """The member list under the import's headers (a full export imports back unchanged);
    identity numbers masked unless the role may see them, and the cover sheet says which."""
    from liangxin.imports.exporting import kind_export

    qs, _, filter_text = filtered_members(scope, params)
    full = scope.sees_full_id_numbers
    return kind_export(
        "members",
        qs,
        title="党员名册",
        object_type="party.member",
        filter_text=filter_text + ("；含完整公民身份号码" if full else "；公民身份号码已脱敏"),
        each=lambda m: _with_id_number(m, full),
        notice="含完整公民身份号码" if full else "",
    )


def _with_id_number(member: Member, full: bool) -> Member:
    member.export_id_number = crypto.decrypt(member.id_number_enc) if full else member.id_masked
    return member


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
