"""Importing instructor assignments (指导员选派): the instructor found by name and phone under the
committee that sends them (created when new), the organization by its 统一社会信用代码; upsert by
(instructor, organization, start date) through ``party.services`` (audit, coverage)."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core import normalize
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.orgs import validation as org_validation
from liangxin.orgs.models import Organization
from liangxin.party import services
from liangxin.party.models import Instructor, InstructorAssignment

from .. import cells
from ..spec import Column, Outcome, Prepared, RowError
from .lookups import NodeLookup, ScopeCache
from .rowwise import RowKind, name_key, text_of

ORG = "组织统一社会信用代码"


def _org_token(value) -> str:
    """A 统一社会信用代码, or #编号 for an organization registered without one."""
    word = normalize.code(cells.text(value))
    if word.startswith("#") and word[1:].isdigit():
        return word
    return org_validation.clean_credit_code(word) or ""


def _org_export(assignment: InstructorAssignment) -> str:
    return assignment.organization.credit_code or f"#{assignment.organization_id}"


COLUMNS = [
    Column("instructor_name", "指导员姓名", ("党建指导员姓名", "党建指导员", "指导员", "姓名"),
           text_of("指导员姓名", least=2, most=50), required=True, example="李明",
           note="选派党委下按姓名和联系电话找到指导员；没有的新增", export=lambda a: a.instructor.name),
    Column("instructor_phone", "指导员联系电话", ("指导员电话", "联系电话", "电话", "手机", "手机号", "手机号码"),
           text_of("指导员联系电话", most=30), example="13800138000", note="同一党委下有同名指导员时必填",
           export=lambda a: a.instructor.phone),
    Column("committee", "选派党委", ("选派单位", "派出党委", "选派党组织", "所属党委"), cells.text, required=True,
           example="南京东路街道综合党委", note="党委全称（市、区、街道/镇综合党委或行业党委）",
           export=lambda a: a.instructor.node.name),
    Column("organization", ORG, ("统一社会信用代码", "信用代码", "社会信用代码", "组织信用代码",
                                 "被指导组织统一社会信用代码"), _org_token, required=True, example="91310101MA1FL0001D",
           note="无代码的组织写 #编号", export=_org_export),
    Column("start_on", "开始日期", ("选派日期", "开始时间", "选派开始日期", "选派时间"), cells.date, required=True,
           kind="date", example="2024-03-01", export=lambda a: a.start_on),
    Column("end_on", "结束日期", ("结束时间", "选派结束日期", "撤回日期"), cells.date, kind="date",
           note="仍在选派留空；填写后该选派于当日结束", export=lambda a: a.end_on),
]  # fmt: skip
EXPORT_EXTRA = [("组织名称", lambda a: a.organization.name, "text")]


class AssignmentKind(RowKind):
    name = "assignments"
    label = "指导员选派"
    key_label = "指导员、组织和开始日期"
    columns = COLUMNS
    export_extra = EXPORT_EXTRA
    export_related = ("instructor__node", "organization")
    required = "can_edit_registry"
    duplicate_what = "指导员、组织和开始日期相同"
    duplicate_column = "指导员姓名"

    def context(self, actor, scope):
        return Context(actor, scope)

    def key(self, ctx, values: dict):
        parts = tuple(values.get(f) for f in ("committee", "instructor_name", "organization", "start_on"))
        if not all(parts):
            return None
        committee, name, organization, start = parts
        phone = normalize.code(values.get("instructor_phone"))
        return (cells.header_key(committee), name_key(name), phone, organization, start)

    # -- references and checks -------------------------------------------------------------
    def resolve(self, ctx: "Context", row: Prepared) -> None:
        values = row.values
        node = self._committee(ctx, row, values.get("committee") or "")
        values["_node"] = node
        values["_organization"] = self._organization(ctx, row, values.get("organization") or "")
        start, end = values.get("start_on"), values.get("end_on")
        if start and end and end < start:
            row.errors.append(RowError("结束日期", cells.text(end), "结束日期不能早于开始日期"))
        values["_instructor"] = None
        if node is not None and values.get("instructor_name"):
            values["_instructor"] = self._instructor(ctx, row, node)

    def _committee(self, ctx: "Context", row: Prepared, text: str) -> ManagementNode | None:
        if not text:
            return None
        try:
            node = ctx.committees.find(text)
        except ValidationError as error:
            row.errors.append(RowError("选派党委", text, error.messages[0]))
            return None
        if not ctx.scope_cache.can_edit(node):
            row.errors.append(RowError("选派党委", text, f"选派党委「{node.name}」不在您的管辖范围内"))
            return None
        return node

    def _organization(self, ctx: "Context", row: Prepared, token: str) -> Organization | None:
        if not token:
            return None
        if token.startswith("#"):
            org = Organization.objects.filter(pk=int(token[1:])).first()
        else:
            org = Organization.objects.filter(credit_code=token).first()
        if org is None or not ctx.scope.organizations("view").filter(pk=org.pk).exists():
            reason = "名录中没有该统一社会信用代码的组织（或不在您的范围内），请先登记该组织"
            row.errors.append(RowError(ORG, token, reason))
            return None
        if not ctx.scope.organizations("change").filter(pk=org.pk).exists():
            row.errors.append(RowError(ORG, token, f"组织「{org.name}」不在您的管辖范围内，不能为其选派指导员"))
            return None
        return org

    def _instructor(self, ctx: "Context", row: Prepared, node: ManagementNode) -> Instructor | None:
        values = row.values
        name, phone = values["instructor_name"], values.get("instructor_phone") or ""
        same = ctx.instructors.get((node.pk, name_key(name)), [])
        if phone:
            same = [i for i in same if normalize.code(i.phone) == normalize.code(phone)]
        if len(same) > 1:
            advice = "，联系电话也相同，请联系上级党委核对" if phone else "，请填写指导员联系电话以区分"
            reason = f"「{node.name}」下有 {len(same)} 位名为「{name}」的指导员{advice}"
            row.errors.append(RowError("指导员联系电话" if phone else "指导员姓名", phone or name, reason))
            return None
        if same and not same[0].is_active:
            row.errors.append(RowError("指导员姓名", name, f"指导员「{name}」已不在岗，不能选派"))
            return None
        return same[0] if same else None

    # -- the write ---------------------------------------------------------------------------
    def decide(self, ctx: "Context", row: Prepared, write: bool) -> Outcome:
        values = row.values
        instructor, org = values["_instructor"], values["_organization"]
        start, end = values["start_on"], values.get("end_on")
        name = values["instructor_name"]
        label = f"{name} → {org.name}"
        current = ctx.assignment(instructor, org, start)
        if current is None:
            other = ctx.open_assignment(instructor, org) if end is None else None
            if other is not None:
                reason = f"该指导员正在该组织选派中（{other.start_on} 起），请先结束该选派，或填写该选派的开始日期"
                return Outcome(row.number, "rejected", [RowError("开始日期", cells.text(start), reason)])
            if write:
                if instructor is None:
                    phone = values.get("instructor_phone") or ""
                    instructor = services.create_instructor(
                        ctx.actor, ctx.scope, name=name, node=values["_node"], phone=phone
                    )
                    ctx.add_instructor(instructor)
                assignment = services.assign_instructor(ctx.actor, instructor, org, start)
                if end is not None:
                    services.end_assignment(ctx.actor, assignment, end)
            else:
                if instructor is None:
                    instructor = Instructor(name=name, phone=values.get("instructor_phone") or "", node=values["_node"])
                    ctx.add_instructor(instructor)
                assignment = InstructorAssignment(instructor=instructor, organization=org, start_on=start, end_on=end)
                ctx.made.append(assignment)
            return Outcome(row.number, "created", object_id=assignment.pk, label=label)
        if current.end_on == end:
            return Outcome(row.number, "unchanged", object_id=current.pk, label=label)
        if current.end_on is not None:
            if end is None:
                reason = f"该选派已于 {current.end_on} 结束，不能通过导入恢复；如需再次选派，请填写新的开始日期"
            else:
                reason = f"该选派已于 {current.end_on} 结束，结束日期不能通过导入修改"
            return Outcome(row.number, "rejected", [RowError("结束日期", cells.text(end), reason)])
        if write:
            services.end_assignment(ctx.actor, current, end)
        else:
            current.end_on = end
        return Outcome(row.number, "updated", object_id=current.pk, label=label)


class Context:
    def __init__(self, actor, scope) -> None:
        self.actor, self.scope = actor, scope
        self.allowed = scope.can_edit_registry
        self.today = timezone.localdate()
        self.committees = NodeLookup(ManagementNode.objects.filter(kind__in=COMMITTEE_KINDS, is_active=True))
        self.scope_cache = ScopeCache(scope)
        self.seen: dict[tuple, int] = {}
        self.reload()

    def reload(self) -> None:
        self.instructors: dict[tuple[int, str], list[Instructor]] = {}
        for instructor in self.scope.instructors("change").order_by("pk"):
            self.add_instructor(instructor)
        self.made: list[InstructorAssignment] = []  # a dry run's assignments, kept in memory

    def add_instructor(self, instructor: Instructor) -> None:
        self.instructors.setdefault((instructor.node_id or instructor.node.pk, name_key(instructor.name)), []).append(
            instructor
        )

    def _assignments(self, instructor: Instructor | None, org: Organization) -> list[InstructorAssignment]:
        if instructor is None:
            return []
        made = [a for a in self.made if a.instructor is instructor and a.organization_id == org.pk]
        if instructor.pk is None:
            return made
        stored = InstructorAssignment.objects.filter(instructor=instructor, organization=org).select_related(
            "instructor", "organization"
        )
        return [*stored, *made]

    def assignment(self, instructor, org, start) -> InstructorAssignment | None:
        return next((a for a in self._assignments(instructor, org) if a.start_on == start), None)

    def open_assignment(self, instructor, org) -> InstructorAssignment | None:
        return next((a for a in self._assignments(instructor, org) if a.end_on is None), None)
