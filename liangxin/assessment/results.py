"""考核结果: a round's figures from its score rows, as plain functions.

- a leaf's final value: the reviewer's adjusted value when there is one, else the platform's figure
  (平台计算) or the subject's own score (人工评分); its share of full marks by the leaf's rule;
- the total (总分, 0–100): ``rules.weighted_total`` over the version's tree;
- the grade (等次): 优秀 / 良好 / 一般 / 较差 by the round's thresholds — a total exactly at a threshold
  reaches that grade;
- the rank (排名) among the subjects that share a reviewing committee (ties share a rank: 1, 2, 2, 4);
- the change (较上轮) from the last published round of the same set whose period ends before this
  round's starts, for the same subject;
- the indicators that pulled a subject down (失分最多的指标): the weighted points lost per leaf,
  largest first;
- the distribution (等次分布) per grade per child node of a node.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .choices import Grade, Method, RoundState
from .models import Indicator, Round, RoundEntry, RoundScore
from .rules import CENT, FULL, ZERO, Rule, score, validate, weighted_total

PULLED_SHOWN = 3
GROUPS_FILTERED = 500  # reviewers named in one IN list; more: the whole round is read


def grade_for(total: Decimal, excellent: Decimal, good: Decimal, fair: Decimal) -> str:
    """The grade of ``total`` by the thresholds (at a threshold: that grade)."""
    if total >= excellent:
        return Grade.EXCELLENT
    if total >= good:
        return Grade.GOOD
    if total >= fair:
        return Grade.FAIR
    return Grade.POOR


def round_grade(rnd: Round, total: Decimal) -> str:
    return grade_for(total, rnd.excellent_from, rnd.good_from, rnd.fair_from)


def final_value(row: RoundScore, method: str) -> Decimal | None:
    """The value a leaf is scored on: the reviewer's, else the platform's or the subject's own."""
    if row.adjusted is not None:
        return row.adjusted
    return row.computed if method == Method.COMPUTED else row.self_value


@dataclass
class Tree:
    """A version's tree as the totals need it: children with weights, each leaf's rule and its
    weight in the whole (满分 points: the product of the weights on its path, out of 100)."""

    children: dict[int | None, list[tuple[int, Decimal]]]
    leaves: dict[int, Indicator]
    rules: dict[int, Rule]
    points: dict[int, Decimal]


def tree_of(indicators: Iterable[Indicator]) -> Tree:
    items = sorted(indicators, key=lambda i: (i.order, i.pk))
    children: dict[int | None, list[tuple[int, Decimal]]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append((item.pk, item.weight))
    leaves = {i.pk: i for i in items if i.pk not in children}
    points: dict[int, Decimal] = {}

    def walk(parent_id: int | None, scale: Decimal) -> None:
        for pk, weight in children.get(parent_id, []):
            points[pk] = scale * weight / FULL
            walk(pk, points[pk])

    walk(None, FULL)
    return Tree(dict(children), leaves, {pk: validate(i.rule_kind, i.rule_params) for pk, i in leaves.items()}, points)


def shares(tree: Tree, rows: Iterable[RoundScore]) -> dict[int, Decimal]:
    """{leaf id: share of full marks} for one subject's rows."""
    out = {}
    for row in rows:
        leaf = tree.leaves.get(row.indicator_id)
        if leaf is not None:
            out[row.indicator_id] = score(tree.rules[row.indicator_id], final_value(row, leaf.method))
    return out


def total(tree: Tree, leaf_shares: Mapping[int, Decimal]) -> Decimal:
    return weighted_total(tree.children, leaf_shares)


@dataclass(frozen=True)
class Lost:
    indicator: Indicator
    points: Decimal  # weighted points lost (out of 100)


def pulled_down(tree: Tree, leaf_shares: Mapping[int, Decimal], shown: int = PULLED_SHOWN) -> list[Lost]:
    """The leaves that lost the most weighted points, largest first (none lost: empty)."""
    lost = [
        Lost(leaf, (tree.points[pk] * (FULL - leaf_shares.get(pk, ZERO)) / FULL).quantize(CENT))
        for pk, leaf in tree.leaves.items()
    ]
    lost = [item for item in lost if item.points > 0]
    return sorted(lost, key=lambda item: (-item.points, item.indicator.pk))[:shown]


def ranks(totals: Mapping[int, Decimal]) -> dict[int, int]:
    """Competition ranking of {key: total}, the highest first: equal totals share a rank (1, 2, 2, 4)."""
    ordered = sorted(totals.values(), reverse=True)
    first: dict[Decimal, int] = {}
    for i, value in enumerate(ordered, start=1):
        first.setdefault(value, i)
    return {key: first[value] for key, value in totals.items()}


@dataclass
class Result:
    entry: RoundEntry
    total: Decimal
    grade: str
    shares: dict[int, Decimal]
    rank: int = 0
    rank_of: int = 0  # how many subjects share the reviewing committee
    previous: Decimal | None = None
    pulled: list[Lost] = field(default_factory=list)

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.total - self.previous


def previous_round(rnd: Round) -> Round | None:
    """The last published round of the same set whose period ended before this one's began."""
    return (
        Round.objects.filter(
            version__indicator_set_id=rnd.version.indicator_set_id,
            state__in=[RoundState.PUBLISHED, RoundState.CLOSED],
            period_end__lt=rnd.period_start,
        )
        .exclude(pk=rnd.pk)
        .order_by("-period_end", "-pk")
        .first()
    )


def results(rnd: Round, entries: Sequence[RoundEntry] | None = None) -> dict[int, Result]:
    """{entry id: Result} for the round's entries (all when ``entries`` is None); ranks are among all
    the round's subjects with the same reviewing committee, whichever are asked for."""
    tree = tree_of(Indicator.objects.filter(version_id=rnd.version_id))
    entry_qs = rnd.entries.select_related("subject", "reviewer", "confirmer")
    row_qs = RoundScore.objects.filter(entry__round=rnd)
    reviewers = {e.reviewer_id for e in entries} if entries is not None else set()
    if entries is not None and len(reviewers) <= GROUPS_FILTERED:
        # a rank needs only the subjects of the same reviewer: one street's sheets, not the city's
        entry_qs, row_qs = entry_qs.filter(reviewer_id__in=reviewers), row_qs.filter(entry__reviewer_id__in=reviewers)
    everyone = list(entry_qs)
    rows: dict[int, list[RoundScore]] = defaultdict(list)
    for row in row_qs:
        rows[row.entry_id].append(row)
    out: dict[int, Result] = {}
    for entry in everyone:
        leaf_shares = shares(tree, rows[entry.pk])
        value = total(tree, leaf_shares)
        out[entry.pk] = Result(
            entry, value, round_grade(rnd, value), leaf_shares, pulled=pulled_down(tree, leaf_shares)
        )
    by_reviewer: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for result in out.values():
        by_reviewer[result.entry.reviewer_id][result.entry.pk] = result.total
    for group in by_reviewer.values():
        for pk, rank in ranks(group).items():
            out[pk].rank, out[pk].rank_of = rank, len(group)
    before = previous_round(rnd)
    if before is not None:
        last = dict(before.entries.filter(total__isnull=False).values_list("subject_id", "total"))
        for result in out.values():
            result.previous = last.get(result.entry.subject_id)
    if entries is not None:
        wanted = {e.pk for e in entries}
        out = {pk: r for pk, r in out.items() if pk in wanted}
    return out


@dataclass
class DistributionRow:
    node_id: int
    name: str
    path: str
    counts: dict[str, int]
    total: int

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(g, self.counts[g]) for g in Grade.values]


def distribution(found: Iterable[Result], children: Sequence) -> list[DistributionRow]:
    """Per child node (``children``: management nodes), the subjects under it counted per grade;
    subjects under none of them (e.g. the node's own) are left out."""
    rows = []
    results_list = list(found)
    for child in children:
        counts: Counter[str] = Counter(r.grade for r in results_list if r.entry.subject.path.startswith(child.path))
        rows.append(
            DistributionRow(
                child.pk, child.name, child.path, {g: counts[g] for g in Grade.values}, sum(counts.values())
            )
        )
    return [row for row in rows if row.total]


def objection_deadline(rnd: Round) -> datetime.datetime | None:
    if rnd.published_at is None:
        return None
    return rnd.published_at + datetime.timedelta(days=rnd.objection_days)
