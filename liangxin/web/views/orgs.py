"""Organization registry pages: list, detail, create, edit, deactivate, restore, export."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join

from liangxin.core.models import AuditEntry
from liangxin.core.pagination import keyset_page
from liangxin.orgs import services
from liangxin.orgs.choices import (
    SIZE_BAND_CHOICES,
    CoverageState,
    Industry,
    OrgKind,
    OrgStatus,
    ResponsibleBasis,
    Sector,
)
from liangxin.orgs.queries import SORT_LABELS, SORTS, filtered_organizations
from liangxin.party import policy, rules
from liangxin.party.suggestion import suggest
from liangxin.regions.models import RegionLevel

from ..base import ListExportView, ScopedView, deny, get_in_scope, query_without
from ..forms import DeactivateForm, OrganizationForm, RestoreForm, carrier_choices, labelled_regions

PAGE_SIZE = 50
LIST_RELATED = ("operating_region__parent", "responsible_node", "carrier")


def filter_context(scope, f) -> dict:
    regions = scope.regions("view").filter(level__lte=RegionLevel.STREET)
    return {
        "f": f,
        "region_trail": [r for r in f.region.ancestors() if scope.regions("view").filter(pk=r.pk).exists()]
        if f.region is not None
        else [],
        "region_choices": labelled_regions(regions, value="code"),
        "kind_choices": OrgKind.choices,
        "sector_choices": Sector.choices,
        "industry_choices": Industry.choices,
        "size_choices": SIZE_BAND_CHOICES,
        "status_choices": OrgStatus.choices,
        "basis_choices": ResponsibleBasis.choices,
        "coverage_choices": CoverageState.choices,
        "sort_choices": SORT_LABELS.items(),
    }


class OrganizationList(ScopedView):
    required = "can_read_orgs"

    def get(self, request):
        qs, f = filtered_organizations(self.scope, request.GET)
        key, descending = SORTS[f.sort]
        page = keyset_page(qs.select_related(*LIST_RELATED), key, descending, request.GET.get("cursor"), PAGE_SIZE)
        editable = set(
            self.scope.organizations("change").filter(pk__in=[o.pk for o in page.rows]).values_list("pk", flat=True)
        )
        context = {
            "page": page,
            "editable": editable,
            "total": qs.count(),
            "query": query_without(request, "cursor"),
            **filter_context(self.scope, f),
        }
        template = "web/orgs/_table.html" if request.headers.get("HX-Request") else "web/orgs/list.html"
        return render(request, template, context)


class OrganizationExport(ListExportView):
    required = "can_read_orgs"
    list_name, back = "organizations", "web:org_list"


class OrganizationDetail(ScopedView):
    required = "can_read_orgs"

    def get(self, request, pk):
        related = ("operating_region", "registered_region", "carrier", "responsible_node", "attachment_node")
        org = get_in_scope(rules.organization_facts(self.scope.organizations("view")).select_related(*related), pk=pk)
        params = policy.values()
        operating = org.status == OrgStatus.OPERATING
        context = {
            "org": org,
            "can_edit": self.scope.organizations("change").filter(pk=org.pk).exists(),
            "history": AuditEntry.objects.filter(object_type="orgs.organization", object_id=str(org.pk))[:200],
            "place": org.operating_region.ancestors(),
            "deactivate_form": DeactivateForm(),
            "restore_form": RestoreForm(),
            # rules and suggestions concern organizations in operation only
            "findings": rules.findings_for(org, "organization", params, timezone.localdate()) if operating else [],
            "suggestion": suggest(org, params) if operating else None,
            "links": org.party_links.filter(end_on__isnull=True).select_related("party_org__node"),
            "assignments": org.instructor_assignments.filter(end_on__isnull=True).select_related("instructor"),
            # instructors sent by the organization's responsible committee or a committee above it
            "instructors": self.scope.instructors("change").filter(
                is_active=True, node_id__in=org.responsible_node.ancestor_ids if org.responsible_node_id else []
            )[:200],
        }
        return render(request, "web/orgs/detail.html", context)


class OrganizationCreate(ScopedView):
    required = "can_edit_registry"

    def get(self, request):
        return render(request, "web/orgs/form.html", {"form": OrganizationForm(scope=self.scope), "creating": True})

    def post(self, request):
        form = OrganizationForm(request.POST, scope=self.scope)
        if not form.is_valid():
            return render(request, "web/orgs/form.html", {"form": form, "creating": True}, status=400)
        org = services.create_organization(request.user, {k: form.cleaned_data[k] for k in services.EDITABLE_FIELDS})
        messages.success(request, f"已新增「{org.name}」")
        return redirect("web:org_detail", pk=org.pk)


class ChangeableOrganization(ScopedView):
    """A page that changes one organization: 404 outside scope, 403 when another committee answers for it."""

    required = "can_read_orgs"

    def _get(self, pk):
        org = get_in_scope(self.scope.organizations("view"), pk=pk)
        if not self.scope.organizations("change").filter(pk=pk).exists():
            deny("该组织由其他党委负责，您只能查看")
        return org


class OrganizationEdit(ChangeableOrganization):
    def get(self, request, pk):
        org = self._get(pk)
        return render(
            request, "web/orgs/form.html", {"form": OrganizationForm(instance=org, scope=self.scope), "org": org}
        )

    def post(self, request, pk):
        org = self._get(pk)
        form = OrganizationForm(request.POST, instance=org, scope=self.scope)
        if not form.is_valid():
            return render(request, "web/orgs/form.html", {"form": form, "org": org}, status=400)
        services.update_organization(request.user, org, {k: form.cleaned_data[k] for k in services.EDITABLE_FIELDS})
        messages.success(request, "已保存")
        return redirect("web:org_detail", pk=org.pk)


class OrganizationDeactivate(OrganizationEdit):
    def get(self, request, pk):
        self._get(pk)
        return redirect("web:org_detail", pk=pk)

    def post(self, request, pk):
        org = self._get(pk)
        form = DeactivateForm(request.POST)
        if org.status != OrgStatus.OPERATING:
            messages.error(request, "该组织已不在营，无需再次注销或迁出")
            return redirect("web:org_detail", pk=pk)
        if not form.is_valid():
            errors = "；".join(f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items())
            messages.error(request, f"未保存：{errors}")
            return redirect("web:org_detail", pk=pk)
        d = form.cleaned_data
        services.deactivate_organization(request.user, org, d["status"], d["on"], d["reason"])
        messages.success(request, f"已将「{org.name}」标记为{org.get_status_display()}")
        return redirect("web:org_detail", pk=pk)


class OrganizationRestore(OrganizationEdit):
    def get(self, request, pk):
        self._get(pk)
        return redirect("web:org_detail", pk=pk)

    def post(self, request, pk):
        org = self._get(pk)
        form = RestoreForm(request.POST)
        if org.status == OrgStatus.OPERATING or not form.is_valid():
            messages.error(request, "未保存：请填写恢复日期和原因")
            return redirect("web:org_detail", pk=pk)
        services.restore_organization(request.user, org, form.cleaned_data["on"], form.cleaned_data["reason"])
        messages.success(request, "已恢复为在营")
        return redirect("web:org_detail", pk=pk)


class CarrierOptions(ScopedView):
    """HTMX: the carriers of the street of the chosen operating place."""

    required = "can_read_registry"

    def get(self, request):
        options = [("", "— 无 —")] + carrier_choices(self.scope, request.GET.get("operating_region"))
        return HttpResponse(format_html_join("", '<option value="{}">{}</option>', options))
