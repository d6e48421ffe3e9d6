"""The management tree's export."""

from liangxin.core.xlsx import Column, ListExport

from .queries import committee_nodes, node_depth

NODE_COLUMNS = [
    Column("名称", lambda n: n.name, 30),
    Column("类型", lambda n: n.get_kind_display(), 16),
    Column("层级", node_depth, 6, "number"),
    Column("上级", lambda n: n.parent.name if n.parent_id else "", 30),
    Column("辖区", lambda n: n.region.name if n.region_id else "", 16),
    Column("辖区代码", lambda n: n.region.code if n.region_id else "", 14),
    Column("状态", lambda n: "有效" if n.is_active else "已停用", 8),
]


def node_export(scope, params) -> ListExport:
    rows = committee_nodes(scope.nodes("view")).iterator(chunk_size=2000)
    return ListExport(title="管理体系", object_type="mgmt.managementnode", filter_text="无（权限范围内全部）",
                      columns=NODE_COLUMNS, rows=rows)  # fmt: skip
