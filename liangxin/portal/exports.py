"""互动网's exports: the 信息采用排名 of a committee's child nodes in a year, as its page shows it."""

from liangxin.core.xlsx import Column, ListExport
from liangxin.mgmt.models import ManagementNode

from .models import AdoptionGrade
from .reports import RankRow


def _grade(grade: str):
    return lambda pair: pair[1].grades.get(grade, 0)


def ranking_export(node: ManagementNode, year: int, rows: list[RankRow]) -> ListExport:
    """One row per child node, in the page's order, with its place (名次)."""
    columns = [
        Column("名次", lambda pair: pair[0], 6, "number"),
        Column("单位", lambda pair: pair[1].node.name, 30),
        Column("收到信息", lambda pair: pair[1].received, 10, "number"),
        Column("采用", lambda pair: pair[1].adopted, 8, "number"),
        *[Column(str(label), _grade(value), 10, "number") for value, label in AdoptionGrade.choices],
        Column(
            "采用率（%）", lambda pair: round(pair[1].rate * 100, 1) if pair[1].rate is not None else None, 10, "number"
        ),
    ]
    return ListExport(
        title=f"{node.name}{year}年信息采用排名", object_type="portal.inforeview",
        filter_text=f"单位：{node.name}；年度：{year}", columns=columns, rows=list(enumerate(rows, 1)),
    )  # fmt: skip
