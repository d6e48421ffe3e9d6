"""The region tree, carriers and the management tree: lists, edit pages and the tree's export."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from liangxin.core import normalize
from liangxin.core.services import save_audited
from liangxin.core.tree import subtree_q
from liangxin.core.xlsx import Column
from liangxin.mgmt.models import NodeKind
from liangxin.regions.models import CarrierKind, RegionLevel

from ..base import ListExportView, ScopedView, deny, export_response, get_in_scope
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


def region_export(scope, params):
    """The visible regions under the chosen one (all when none), under the import's headers."""
    from liangxin.imports.exporting import kind_export

    regions = scope.regions("view")
    parent_code = normalize.code(params.get("parent"))
    parent = regions.filter(code=parent_code).first() if parent_code else None
    rows = regions.filter(subtree_q(parent.path)) if parent is not None else regions
    return kind_export("regions", rows, title="行政区划", object_type="regions.region",
                       filter_text=f"{parent.name}及其下级" if parent is not None else "权限范围内全部",
                       order=("path",))  # fmt: skip


class RegionExport(ListExportView):
    required = "can_read_registry"
    list_name, back = "regions", "web:region_list"


def filtered_carriers(scope, g) -> tuple:
    """The carrier list's queryset for these GET parameters, and the filter in words."""
    carriers = scope.carriers("view").order_by("street__path", "name")
    said = []
    street = normalize.code(g.get("region"))
    if street:
        region = scope.regions("view").filter(code=street).first()
        carriers = carriers.filter(subtree_q(region.path, "street__path")) if region else carriers.none()
        said.append(f"区划：{region.name if region else street}")
    kind = g.get("kind", "")
    if kind in CarrierKind.values:
        carriers = carriers.filter(kind=kind)
        said.append(f"类型：{CarrierKind(kind).label}")
    return carriers, street, kind, "；".join(said) or "权限范围内全部"


def carrier_export(scope, params):
    from liangxin.imports.exporting import kind_export

    carriers, _, _, filter_text = filtered_carriers(scope, params)
    return kind_export("carriers", carriers, title="载体", object_type="regions.carrier",
                       filter_text=filter_text, order=("street__path", "name"))  # fmt: skip


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


def committee_nodes(scope):
    """The management tree as the list page and its export show it: committees, in tree order
    (grassroots party organizations have their own list)."""
    return scope.nodes("view").exclude(kind=NodeKind.GRASSROOTS).order_by("path")


def node_depth(node) -> int:
    """1 for the city committee, 2 for a district committee, and so on."""
    return node.path.count("/") - 1


class NodeList(ScopedView):
    required = "can_read_registry"

    def get(self, request):
        rows = [(n, node_depth(n)) for n in committee_nodes(self.scope)[:2000]]
        if rows:
            base = min(depth for _, depth in rows)
            rows = [(n, depth - base) for n, depth in rows]
        return render(request, "web/nodes/list.html", {"rows": rows, "can_edit": self.scope.can_edit_trees})


class NodeExport(ScopedView):
    required = NodeList.required

    COLUMNS = [
        Column("名称", lambda n: n.name, 30),
        Column("类型", lambda n: n.get_kind_display(), 16),
        Column("层级", node_depth, 6, "number"),
        Column("上级", lambda n: n.parent.name if n.parent_id else "", 30),
        Column("辖区", lambda n: n.region.name if n.region_id else "", 16),
        Column("辖区代码", lambda n: n.region.code if n.region_id else "", 14),
        Column("状态", lambda n: "有效" if n.is_active else "已停用", 8),
    ]

    def get(self, request):
        return export_response(
            request,
            title="管理体系",
            object_type="mgmt.managementnode",
            filter_text="无（权限范围内全部）",
            columns=self.COLUMNS,
            rows=committee_nodes(self.scope).iterator(chunk_size=2000),
        )


class NodeEdit(EditPage):
    required = "can_edit_trees"
    form_class = NodeForm
    scope_method = "nodes"
    fields = ["name", "kind", "parent", "region", "is_active"]
    title = "管理节点"
    list_url = "web:node_list"
