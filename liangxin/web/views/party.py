"""Party organizations, members, findings and policy parameters."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from liangxin.core import normalize
from liangxin.core.models import AuditEntry
from liangxin.core.pagination import keyset_page
from liangxin.core.params import id_or_none
from liangxin.party import exits, exports, policy, rules, services
from liangxin.party.choices import COMMITTEE_POSITIONS, LinkKind, MemberCategory, PartyOrgType, SetupMode
from liangxin.party.models import Member, SetupModeLinkKind
from liangxin.party.queries import filtered_members, filtered_party_orgs
from liangxin.transfers import floating_card

from ..base import ExportView, ListExportView, ScopedView, SearchByPost, deny, get_in_scope, paginate, query_without
from ..party_forms import MemberForm, PartyOrgForm


class PartyOrgExport(ListExportView):
    required = "can_read_party"
    list_name, back = "party_orgs", "web:party_list"


class PartyOrgList(ScopedView):
    required = "can_read_party"

    def get(self, request):
        qs, q, _ = filtered_party_orgs(self.scope, request.GET)
        g = request.GET
        page, query = paginate(request, qs.order_by("node__path"))
        return render(
            request,
            "web/party/list.html",
            {
                "page": page,
                "types": PartyOrgType.choices,
                "modes": SetupMode.choices,
                "g": g,
                "q": q,
                "query": query,
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


class MemberList(SearchByPost, ScopedView):
    required = "can_read_party"

    def get(self, request):
        qs, q, _ = filtered_members(self.scope, request.GET)
        g = request.GET
        page = keyset_page(qs, "id", True, g.get("cursor"), 50)
        return render(
            request,
            "web/party/members.html",
            {
                "page": page,
                "g": g,
                "q": q,
                "query": query_without(request, "cursor"),
                "categories": MemberCategory.choices,
            },
        )


class MemberExport(ListExportView):
    required = "can_read_party"
    list_name, back = "members", "web:member_list"


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
                "card_refusal": floating_card.refusal(member) if member.floating else "",
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
                "query": query_without(request, "cursor"),
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


class FindingExport(ExportView):
    required = FindingList.required

    def build(self, request):
        return exports.finding_export(self.scope, request.GET)


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


class InstructorExport(ExportView):
    """The instructor list as .xlsx, with the organizations each one contacts now."""

    required = InstructorList.required

    def build(self, request):
        return exports.instructor_export(self.scope, request.GET)


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
        reason = normalize.prose(request.POST.get("reason"))
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
