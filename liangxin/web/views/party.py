"""Party organizations, members, findings and policy parameters."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Min, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone

from liangxin.core import crypto, normalize
from liangxin.core.models import AuditEntry
from liangxin.core.pagination import keyset_page
from liangxin.core.params import id_or_none, parse_id
from liangxin.core.xlsx import Column
from liangxin.party import exits, policy, rules, services
from liangxin.party.choices import COMMITTEE_POSITIONS, LinkKind, MemberCategory, PartyOrgType, SetupMode
from liangxin.party.models import InstructorAssignment, Member, PartyOrgLink, SetupModeLinkKind

from ..base import ListExportView, ScopedView, SearchByPost, deny, export_response, get_in_scope
from ..party_forms import MemberForm, PartyOrgForm


def filtered_party_orgs(scope, g) -> tuple:
    """The party organization list's queryset for these GET parameters: (queryset, search, filter in words)."""
    qs = scope.party_orgs("view").filter(node__is_active=True).select_related("node__parent", "secretary")
    said = []
    if g.get("type") in PartyOrgType.values:
        qs = qs.filter(org_type=g["type"])
        said.append(f"类型：{PartyOrgType(g['type']).label}")
    if g.get("mode") in SetupMode.values:
        qs = qs.filter(setup_mode=g["mode"])
        said.append(f"组建方式：{SetupMode(g['mode']).label}")
    q = normalize.text(g.get("q"))
    if q:
        qs = qs.filter(node__name__contains=q)
        said.append(f"名称含：{q}")
    return qs, q, "；".join(said) or "权限范围内全部"


def party_org_export(scope, params):
    """Under the import's headers; parents before children (the file imports back in order)."""
    from liangxin.imports.exporting import kind_export

    qs, _, filter_text = filtered_party_orgs(scope, params)
    current = PartyOrgLink.objects.filter(end_on__isnull=True).select_related("organization")
    qs = qs.prefetch_related(Prefetch("links", queryset=current, to_attr="current_links"))
    return kind_export("party_orgs", qs, title="党组织", object_type="party.partyorganization",
                       filter_text=filter_text, order=("node__path",), chunk_size=500)  # fmt: skip


class PartyOrgExport(ListExportView):
    required = "can_read_party"
    list_name, back = "party_orgs", "web:party_list"


class PartyOrgList(ScopedView):
    required = "can_read_party"

    def get(self, request):
        qs, q, _ = filtered_party_orgs(self.scope, request.GET)
        g = request.GET
        page = Paginator(qs.order_by("node__path"), 50).get_page(g.get("page"))
        params = g.copy()
        params.pop("page", None)
        return render(
            request,
            "web/party/list.html",
            {
                "page": page,
                "types": PartyOrgType.choices,
                "modes": SetupMode.choices,
                "g": g,
                "q": q,
                "query": params.urlencode(),
            },
        )


class PartyOrgDetail(ScopedView):
    required = "can_read_party"

    def get(self, request, pk):
        base = rules.party_org_facts(self.scope.party_orgs("view"))
        po = get_in_scope(base.select_related("node__parent", "secretary", "deputy"), pk=pk)
        return render(
            request,
            "web/party/detail.html",
            {
                "po": po,
                "can_edit": self.scope.party_orgs("change").filter(pk=pk).exists(),
                "covered": po.links.filter(end_on__isnull=True).select_related("organization"),
                "members": po.members.filter(is_active=True).order_by("name")[:500],
                "committee": po.committee.select_related("member"),
                "positions": COMMITTEE_POSITIONS,
                "findings": rules.findings_for(po, "party_org", policy.values(), timezone.localdate()),
                "history": AuditEntry.objects.filter(object_type="party.partyorganization", object_id=str(po.pk))[:100],
            },
        )


class PartyOrgEdit(ScopedView):
    required = "can_edit_party"

    def _get(self, pk):
        if pk is None:
            return None
        po = get_in_scope(self.scope.party_orgs("view"), pk=pk)
        if not self.scope.party_orgs("change").filter(pk=pk).exists():
            deny("该党组织由其他党委管理，您只能查看")
        return po

    def get(self, request, pk=None):
        po = self._get(pk)
        return render(request, "web/party/form.html", {"form": PartyOrgForm(instance=po, scope=self.scope), "po": po})

    def post(self, request, pk=None):
        po = self._get(pk)
        form = PartyOrgForm(request.POST, instance=po, scope=self.scope)
        if not form.is_valid():
            return render(request, "web/party/form.html", {"form": form, "po": po}, status=400)
        d = form.cleaned_data
        values = {k: d[k] for k in services.PARTY_ORG_FIELDS}
        today = timezone.localdate()
        if po is None:
            values.pop("secretary"), values.pop("deputy")
            po = services.create_party_org(
                request.user, name=d["name"], parent=d["parent"], values=values, covered=form.covered, on=today
            )
        else:
            services.move_party_org(request.user, po, d["parent"])
            services.update_party_org(request.user, po, name=d["name"], values=values, covered=form.covered, on=today)
        messages.success(request, f"已保存「{d['name']}」")
        return redirect("web:party_detail", pk=po.pk)


def filtered_members(scope, g) -> tuple:
    """The member list's queryset for these GET parameters: (queryset, search text, filter in words)."""
    qs = scope.members("view").filter(is_active=True).select_related("employer", "party_org__node")
    said = []
    if g.get("category") in MemberCategory.values:
        qs = qs.filter(category=g["category"])
        said.append(f"类别：{MemberCategory(g['category']).label}")
    if g.get("floating") in ("outflow", "inflow"):
        qs = qs.filter(floating=g["floating"])
        said.append(f"流动：{'流出' if g['floating'] == 'outflow' else '流入'}")
    party_org = parse_id(g, "party_org", "党组织")
    if party_org is not None:
        qs = qs.filter(party_org_id=party_org)
        said.append(f"党组织编号：{party_org}")
    q = normalize.text(g.get("q"))
    if q:
        digest = crypto.id_search_hash(q)
        # identity numbers are searchable by exact match only (through their keyed hash)
        qs = qs.filter(id_hash=digest) if digest else qs.filter(name__contains=q)
        said.append("按身份号码精确查找" if digest else f"姓名含：{q}")
    return qs, q, "；".join(said) or "无（权限范围内全部在册党员）"


class MemberList(SearchByPost, ScopedView):
    required = "can_read_party"

    def get(self, request):
        qs, q, _ = filtered_members(self.scope, request.GET)
        g = request.GET
        page = keyset_page(qs, "id", True, g.get("cursor"), 50)
        params = g.copy()
        params.pop("cursor", None)
        return render(
            request,
            "web/party/members.html",
            {
                "page": page,
                "g": g,
                "q": q,
                "query": params.urlencode(),
                "categories": MemberCategory.choices,
            },
        )


def member_export(scope, params):
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


class MemberExport(ListExportView):
    required = "can_read_party"
    list_name, back = "members", "web:member_list"


def _with_id_number(member: Member, full: bool) -> Member:
    member.export_id_number = crypto.decrypt(member.id_number_enc) if full else member.id_masked
    return member


class MemberDetail(ScopedView):
    required = "can_read_party"

    def get(self, request, pk):
        member = get_in_scope(rules.member_facts(self.scope.members("view")).select_related("employer"), pk=pk)
        return self._render(request, member, None)

    def post(self, request, pk):
        """显示完整号码: only for roles allowed to see it; audited."""
        member = get_in_scope(rules.member_facts(self.scope.members("view")).select_related("employer"), pk=pk)
        if not self.scope.sees_full_id_numbers:
            deny("您的角色不能查看完整公民身份号码")
        return self._render(request, member, services.reveal_id_number(request.user, member))

    def _render(self, request, member, full_id):
        return render(
            request,
            "web/party/member_detail.html",
            {
                "m": member,
                "full_id": full_id,
                "can_reveal": self.scope.sees_full_id_numbers,
                "can_edit": member.is_active and self.scope.members("change").filter(pk=member.pk).exists(),
                "can_propose_exit": self.scope.may_propose_exit(member),
                "standing_exit": exits.standing_exit(member),
                "exits": member.exits.select_related("approved_node").order_by("-pk"),
                "findings": rules.findings_for(member, "member", policy.values(), timezone.localdate()),
                "history": AuditEntry.objects.filter(object_type="party.member", object_id=str(member.pk))[:100],
            },
        )


class MemberEdit(ScopedView):
    required = "can_edit_party"

    def _get(self, pk):
        if pk is None:
            return None
        member = get_in_scope(self.scope.members("view"), pk=pk)
        if not self.scope.members("change").filter(pk=pk).exists():
            deny()
        if not member.is_active:  # the record of someone off the roll stays as it was (党员减少)
            deny("该党员已不在册（见其党员减少记录），不能编辑；恢复在册须由批准的党委撤销党员减少")
        return member

    def get(self, request, pk=None):
        member = self._get(pk)
        initial = {"party_org": request.GET.get("party_org")} if member is None else None
        form = MemberForm(instance=member, scope=self.scope, initial=initial)
        return render(request, "web/party/member_form.html", {"form": form, "m": member})

    def post(self, request, pk=None):
        member = self._get(pk)
        form = MemberForm(request.POST, instance=member, scope=self.scope)
        if not form.is_valid():
            return render(request, "web/party/member_form.html", {"form": form, "m": member}, status=400)
        d = form.cleaned_data
        values = {k: d[k] for k in services.MEMBER_FIELDS if k != "employer"}
        values["employer"] = d["employer_code"]
        saved = services.save_member(request.user, member or Member(), values, d.get("id_number"))
        messages.success(request, f"已保存党员「{saved.name}」")
        return redirect("web:member_detail", pk=saved.pk)


class FindingList(ScopedView):
    """All findings in the user's scope, by rule and level, each linking to its object."""

    required = "can_read_orgs"

    def get(self, request):
        rule, level, rows, page = self._rows(request)
        params = request.GET.copy()
        params.pop("cursor", None)
        return render(
            request,
            "web/party/findings.html",
            {
                "rules": rules.RULES.values(),
                "rule": rule,
                "level": level,
                "rows": rows,
                "page": page,
                "levels": rules.LEVEL_LABELS.items(),
                "query": params.urlencode(),
            },
        )

    def _rows(self, request, size=50):
        rule = rules.RULES.get(request.GET.get("rule")) or next(iter(rules.RULES.values()))
        level = request.GET.get("level", "")
        params, day = policy.values(), timezone.localdate()
        qs = rules.candidates(rule, self.scope, params, day)
        page = keyset_page(qs, "id", False, request.GET.get("cursor"), size)
        rows = [(obj, rule.check(obj, params, day)) for obj in page.rows]
        rows = [(obj, f) for obj, f in rows if f and (not level or f.level == level)]
        return rule, level, rows, page


class FindingExport(FindingList):
    def get(self, request):
        rule = rules.RULES.get(request.GET.get("rule")) or next(iter(rules.RULES.values()))
        params, day = policy.values(), timezone.localdate()
        objects = rules.candidates(rule, self.scope, params, day).order_by("pk").iterator(chunk_size=2000)
        found = ((obj, rule.check(obj, params, day)) for obj in objects)
        columns = [
            Column("对象", lambda r: str(r[0]), 36),
            Column("规则", lambda r: rule.label, 20),
            Column("级别", lambda r: r[1].level_label, 8),
            Column("情况", lambda r: r[1].text, 70),
            Column("建议", lambda r: r[1].action, 24),
        ]
        return export_response(
            request,
            title="问题清单",
            object_type="party.finding",
            filter_text=f"规则：{rule.label}",
            columns=columns,
            rows=((o, f) for o, f in found if f),
        )


class PolicyPage(ScopedView):
    required = "can_read_registry"

    def get(self, request):
        current = policy.values()
        return render(
            request,
            "web/party/policy.html",
            {
                "rows": [(p, current[p.key]) for p in policy.PARAMETERS],
                "modes": SetupModeLinkKind.objects.order_by("mode"),
                "link_kinds": LinkKind.choices,
                "can_edit": self.scope.can_edit_trees,
            },
        )

    def post(self, request):
        if not self.scope.can_edit_trees:
            deny("只有市级管理员可以修改政策参数")
        if request.POST.get("mode"):
            kind = request.POST.get("link_kind", "")
            if kind and kind not in LinkKind.values:
                deny()
            changed = services.set_link_kind(request.user, request.POST["mode"], kind)
            messages.success(request, f"已修改组建方式对照，{changed} 个组织的覆盖状态随之更新")
            return redirect("web:policy")
        errors = []
        for p in policy.PARAMETERS:
            raw = normalize.text(request.POST.get(p.key))
            try:
                value = policy.parse_value(raw)
            except ValueError as exc:
                errors.append(f"{p.label}：{exc}")
                continue
            services.set_parameter(request.user, p.key, value)
        for e in errors:
            messages.error(request, e)
        if not errors:
            messages.success(request, "政策参数已保存，问题清单按新参数重新计算")
        return redirect("web:policy")


class PartyCommittee(ScopedView):
    """支委会: add or remove a seat (POST only; shown on the party organization's page)."""

    required = "can_edit_party"

    def post(self, request, pk):
        po = get_in_scope(self.scope.party_orgs("view"), pk=pk)
        if not self.scope.party_orgs("change").filter(pk=pk).exists():
            deny()
        try:
            if request.POST.get("action") == "remove":
                services.unseat_member(request.user, po, request.POST.get("member"))
            else:
                services.seat_member(request.user, po, request.POST.get("member"), request.POST.get("position"))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("web:party_detail", pk=pk)
        messages.success(request, "支委会成员已更新")
        return redirect("web:party_detail", pk=pk)


class InstructorList(ScopedView):
    required = "can_read_registry"

    def get(self, request):
        rows = self.scope.instructors("view").order_by("node__path", "name")
        nodes = self.scope.nodes("view").filter(kind__in=["city", "district", "street", "industry"])
        return render(
            request,
            "web/party/instructors.html",
            {
                "page": Paginator(rows, 50).get_page(request.GET.get("page")),
                "nodes": nodes,
                "can_edit": self.scope.can_edit_registry,
            },
        )

    def post(self, request):
        if not self.scope.can_edit_registry:
            deny()
        name = normalize.text(request.POST.get("name"))
        try:
            services.create_instructor(
                request.user,
                self.scope,
                name=name,
                node=self.scope.nodes("view").filter(pk=id_or_none(request.POST.get("node")) or 0).first(),
                phone=normalize.text(request.POST.get("phone")),
                unit=normalize.text(request.POST.get("unit")),
                username=normalize.text(request.POST.get("username")),
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("web:instructor_list")
        messages.success(request, f"已添加党建指导员「{name}」")
        return redirect("web:instructor_list")


class InstructorExport(ScopedView):
    """The instructor list as .xlsx, with the organizations each one contacts now."""

    required = InstructorList.required

    COLUMNS = [
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

    def get(self, request):
        # the list page's queryset (InstructorList has no filters), plus what the columns read
        current = InstructorAssignment.objects.filter(end_on__isnull=True).select_related("organization")
        rows = (
            self.scope.instructors("view")
            .order_by("node__path", "name")
            .select_related("user")
            .annotate(first_assigned_on=Min("assignments__start_on"))
            .prefetch_related(Prefetch("assignments", queryset=current.order_by("start_on"), to_attr="current"))
        )
        return export_response(
            request,
            title="党建指导员",
            object_type="party.instructor",
            filter_text="无（权限范围内全部）",
            columns=self.COLUMNS,
            rows=rows.iterator(chunk_size=2000),
        )


class OrgInstructors(ScopedView):
    """Assign an instructor to an organization, or end an assignment (POST only)."""

    required = "can_edit_registry"

    def post(self, request, pk):
        org = get_in_scope(self.scope.organizations("view"), pk=pk)
        if not self.scope.organizations("change").filter(pk=pk).exists():
            deny()
        today = timezone.localdate()
        if request.POST.get("action") == "end":
            current = org.instructor_assignments.filter(end_on__isnull=True)
            assignment = get_in_scope(current, pk=id_or_none(request.POST.get("assignment")) or 0)
            services.end_assignment(request.user, assignment, today)
            messages.success(request, "已结束选派")
        else:
            chosen = id_or_none(request.POST.get("instructor")) or 0
            instructor = self.scope.instructors("view").filter(pk=chosen, is_active=True).first()
            if instructor is None:
                messages.error(request, "请选择党建指导员")
            else:
                services.assign_instructor(request.user, instructor, org, today)
                messages.success(request, f"已选派党建指导员「{instructor.name}」")
        return redirect("web:org_detail", pk=pk)


class PartyOrgDeactivate(ScopedView):
    """撤销党组织 (POST): refused while it still has members; its coverage links end today."""

    required = "can_edit_party"

    def post(self, request, pk):
        po = get_in_scope(self.scope.party_orgs("view").filter(node__is_active=True), pk=pk)
        if not self.scope.party_orgs("change").filter(pk=pk).exists():
            deny()
        reason = normalize.text(request.POST.get("reason"))
        if not reason:
            messages.error(request, "撤销党组织须填写原因")
            return redirect("web:party_detail", pk=pk)
        try:
            services.deactivate_party_org(request.user, po, timezone.localdate(), reason)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("web:party_detail", pk=pk)
        messages.success(request, f"已撤销「{po.name}」，其覆盖关系已于今日结束")
        return redirect("web:party_list")
