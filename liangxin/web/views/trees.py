"""The region tree, carriers and the management tree: lists, edit pages and the tree's export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from liangxin.core import normalize
from liangxin.core.services import save_audited
from liangxin.mgmt.exports import node_export
from liangxin.mgmt.queries import committee_nodes, node_depth
from liangxin.regions.models import CarrierKind, RegionLevel
from liangxin.regions.queries import filtered_carriers

from ..base import ExportView, ListExportView, ScopedView, deny, get_in_scope
from ..forms import CarrierForm, NodeForm, RegionForm, labelled_regions


class EditPage(ScopedView):
    """Create (no pk) or edit one record found in ``scope.<scope_method>("change")``."""

    form_class = None
    scope_method = ""
    fields: list[str] = []
    title = ""
    list_url = ""

    def queryset(self, action):
        return getattr(self.scope, self.scope_method)(action)

    def form(self, data=None, instance=None):
        return self.form_class(data, instance=instance)

    def _instance(self, pk):
        if pk is None:
            return None  # ``required`` already checked that this user may create
        obj = get_in_scope(self.queryset("view"), pk=pk)
        if not self.queryset("change").filter(pk=pk).exists():
            deny("您只能查看，不能修改")
        return obj

    def get(self, request, pk=None):
        obj = self._instance(pk)
        return render(request, "web/simple_form.html", {"form": self.form(instance=obj), "obj": obj, "page": self})

    def post(self, request, pk=None):
        obj = self._instance(pk)
        form = self.form(request.POST, instance=obj)
        if not form.is_valid():
            return render(request, "web/simple_form.html", {"form": form, "obj": obj, "page": self}, status=400)
        saved = save_audited(request.user, form.save(commit=False), self.fields)
        messages.success(request, f"已保存「{saved}」")
        return redirect(self.list_url)


class RegionExport(ListExportView):
    required = "can_read_registry"
    list_name, back = "regions", "web:region_list"


class CarrierExport(ListExportView):
    required = "can_read_registry"
    list_name, back = "carriers", "web:carrier_list"


class RegionList(ScopedView):
    required = "can_read_registry"

    def get(self, request):
        regions = self.scope.regions("view").select_related("parent")
        parent_code = normalize.code(request.GET.get("parent"))
        parent = regions.filter(code=parent_code).first() if parent_code else None
        if parent is not None:
            rows = regions.filter(parent=parent)
        else:
            top = regions.order_by("level").values_list("level", flat=True).first()
            rows = regions.filter(level=top) if top else regions.none()
        return render(
            request,
            "web/regions/list.html",
            {
                "parent": parent,
                "trail": parent.ancestors() if parent else [],
                "rows": rows.order_by("sort_order", "code"),
                "can_edit": self.scope.can_edit_trees,
            },
        )


class RegionEdit(EditPage):
    required = "can_edit_trees"
    form_class = RegionForm
    scope_method = "regions"
    fields = ["code", "name", "level", "parent", "sort_order", "is_active"]
    title = "行政区划"
    list_url = "web:region_list"


class CarrierList(ScopedView):
    required = "can_read_registry"

    def get(self, request):
        carriers, street, kind, _ = filtered_carriers(self.scope, request.GET)
        page = Paginator(carriers, 50).get_page(request.GET.get("page"))
        streets = self.scope.regions("view").filter(level__lte=RegionLevel.STREET)
        return render(
            request,
            "web/carriers/list.html",
            {
                "page": page,
                "kinds": CarrierKind.choices,
                "kind": kind,
                "region": street,
                "region_choices": labelled_regions(streets, value="code"),
                "can_edit": self.scope.can_edit_carriers,
            },
        )


class CarrierEdit(EditPage):
    required = "can_edit_carriers"
    scope_method = "carriers"
    fields = ["name", "kind", "street", "address", "is_active"]
    title = "载体"
    list_url = "web:carrier_list"

    def form(self, data=None, instance=None):
        return CarrierForm(data, instance=instance, scope=self.scope)


class NodeList(ScopedView):
    required = "can_read_registry"

    def get(self, request):
        rows = [(n, node_depth(n)) for n in committee_nodes(self.scope.nodes("view"))[:2000]]
        if rows:
            base = min(depth for _, depth in rows)
            rows = [(n, depth - base) for n, depth in rows]
        return render(request, "web/nodes/list.html", {"rows": rows, "can_edit": self.scope.can_edit_trees})


class NodeExport(ExportView):
    required = NodeList.required

    def build(self, request):
        return node_export(self.scope, request.GET)


class NodeEdit(EditPage):
    required = "can_edit_trees"
    form_class = NodeForm
    scope_method = "nodes"
    fields = ["name", "kind", "parent", "region", "is_active"]
    title = "管理节点"
    list_url = "web:node_list"
