"""The organization registry's export (registered in ``imports.exporting.BUILDERS``)."""

from liangxin.core.xlsx import ListExport
from liangxin.imports.exporting import kind_export

from .queries import SORTS, filtered_organizations


def organization_export(scope, params) -> ListExport:
    """The registry's export under the import's headers (the file imports back unchanged)."""
    qs, f = filtered_organizations(scope, params)
    if f.errors:
        raise ValueError("；".join(f.errors.values()))
    key, descending = SORTS[f.sort]
    return kind_export(
        "organizations",
        qs,
        title="两新组织名录",
        object_type="orgs.organization",
        filter_text="；".join(f"{label}：{value}" for label, value in f.describe()) or "无（权限范围内全部）",
        order=(("-" if descending else "") + key, "pk"),
    )
