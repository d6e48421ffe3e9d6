"""Exports of the region tree and the carriers (registered in ``imports.exporting.BUILDERS``)."""

from liangxin.core.xlsx import ListExport
from liangxin.imports.exporting import kind_export

from .queries import filtered_carriers, regions_under


def region_export(scope, params) -> ListExport:
    """The visible regions under the chosen one (all when none), under the import's headers."""
    rows, parent = regions_under(scope.regions("view"), params.get("parent"))
    return kind_export("regions", rows, title="行政区划", object_type="regions.region",
                       filter_text=f"{parent.name}及其下级" if parent is not None else "权限范围内全部",
                       order=("path",))  # fmt: skip


def carrier_export(scope, params) -> ListExport:
    carriers, _, _, filter_text = filtered_carriers(scope, params)
    return kind_export("carriers", carriers, title="载体", object_type="regions.carrier",
                       filter_text=filter_text, order=("street__path", "name"))  # fmt: skip
