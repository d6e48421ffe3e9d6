"""A round's scores as a workbook: one row per subject, each leaf's final value and share, the total,
grade, rank among the subjects of the same reviewing committee and the change from the last round."""

from collections.abc import Sequence

from liangxin.core.xlsx import Column, ListExport, safe_text

from . import queries, results
from .models import Round, RoundEntry
from .rules import plain


def round_scores(rnd: Round, entries: Sequence[RoundEntry]) -> ListExport:
    """The export of ``entries`` (the caller's visible ones) of ``rnd``."""
    found = results.results(rnd, entries)
    leaves = [r for r in queries.flat(queries.tree(rnd.version)) if r.is_leaf]
    columns = [
        Column("评估对象", lambda r: safe_text(r.entry.subject.name), 30),
        Column("审核党委", lambda r: safe_text(r.entry.reviewer.name), 24),
        Column("确认党委", lambda r: safe_text(r.entry.confirmer.name), 24),
        Column("状态", lambda r: r.entry.get_state_display(), 10),
    ]
    for leaf in leaves:
        pk = leaf.indicator.pk
        columns.append(
            Column(f"{leaf.number} {leaf.indicator.name}（得分率%）", lambda r, pk=pk: r.shares.get(pk), 14, "number")
        )
    columns += [
        Column("总分", lambda r: r.total, 10, "number"),
        Column("等次", lambda r: r.grade_label, 8),
        Column("排名", lambda r: f"{r.rank}/{r.rank_of}", 8),
        Column("较上轮", lambda r: r.change, 10, "number"),
        Column(
            "失分最多的指标",
            lambda r: safe_text("；".join(f"{x.indicator.name}（{plain(x.points)}分）" for x in r.pulled)),
            40,
        ),
    ]
    rows = sorted(found.values(), key=lambda r: r.entry.subject.path)
    period = f"考核期 {rnd.period_start:%Y-%m-%d} 至 {rnd.period_end:%Y-%m-%d}"
    return ListExport(
        title=f"{rnd.name}得分", object_type="assessment.round", columns=columns, rows=rows,
        filter_text=f"轮次：{rnd.name}（{rnd.get_state_display()}）；{rnd.version}；{period}",
    )  # fmt: skip
