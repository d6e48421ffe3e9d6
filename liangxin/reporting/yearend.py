"""年度统计报表: the year-end statistical report a committee signs, as of 12-31 of a year, for one
node of the management tree (its whole subtree), as plain data — titled tables of rows — that the
page, the API and the two writers (``reporting.yearend_files``: Excel, printable PDF) all read.

Every figure is the figure of the app that owns it, read the way that app's own page reads it
(as ``reporting.measures`` does for 平台预填):

- organizations, coverage and the coverage rates: the statistics engine (``stats.engine.compute``)
  for the node as a unit, as of the year-end (its snapshot of that day, else the dated history,
  ``stats.asof``), with the same measures and rates as the dashboard and the statistics API; the
  change from the previous year-end is the difference of two such answers;
- party organizations: the engine's count (``stats.engine.party_org_count``) split by type and
  setup mode;
- members, floating members and applicants at each stage: the party and develop apps keep no dated
  history of a member's category, floating status or an applicant's stage, so these tables are the
  roll as the platform holds it on the day the report is made, and say so in their note;
- new members (上级党委审批 in the year), the quota and transfers are flows over the year, dated.

This module lives in ``reporting`` (not ``stats``): it reads develop and transfers, which the
statistics app, their sibling, may not import (tests/test_layers.py).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from liangxin.core import params as params_
from liangxin.core.tree import subtree_q
from liangxin.develop import queries as develop_queries
from liangxin.develop.models import Applicant, Quota
from liangxin.dues import ledger as dues_ledger
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.orgs.choices import SECTOR_OF_KIND, SIZE_BAND_CHOICES, OrgKind, Sector
from liangxin.party.choices import Education, FloatingStatus, MemberCategory, PartyOrgType, SetupMode, Sex
from liangxin.party.models import Member, PartyOrganization
from liangxin.stats import engine
from liangxin.stats.measures import RATE_BY_KEY, percent
from liangxin.transfers.models import Transfer, TransferKind, TransferState

Value = int | Decimal | str | None

EARLIEST_YEAR = 2000
# the coverage rates of the report, in its order (组织覆盖, 工作覆盖, 双达标, 规模以上, 重点行业)
COVERAGE_RATES = ["org_coverage", "work_coverage", "dual_members", "dual_org", "above_scale", "key_units"]
# the organization columns of the organization tables: engine measures
ORG_COLUMNS = [("counted", "纳入统计的在营组织"), ("org_covered", "党的组织覆盖"), ("work_covered", "党的工作覆盖"),
               ("blank", "空白点（未覆盖）")]  # fmt: skip
AGE_BANDS: list[tuple[str, int | None, int | None]] = [
    ("30岁及以下", None, 30), ("31–40岁", 31, 40), ("41–50岁", 41, 50), ("51–60岁", 51, 60), ("61岁及以上", 61, None),
]  # fmt: skip
TODAY_NOTE = "平台没有按日期保存{what}的历史记录，截至统计日期的数字无法得出；本表为制表日（{made_on}）平台所载数据。"


@dataclass
class Table:
    """One titled table of the report: its column heads, its rows (first cell a label) and a note."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Value]]
    note: str = ""

    def cell(self, label: str, column: str) -> Value:
        """The value in the row labelled ``label`` under ``column`` (tests and charts read by label)."""
        row = next(r for r in self.rows if r[0] == label)
        return row[self.columns.index(column)]


@dataclass
class YearEnd:
    node: ManagementNode
    year: int
    as_of: datetime.date
    previous: datetime.date
    made_on: datetime.date
    tables: list[Table] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.node.name}{self.year}年度两新组织党建工作统计报表"

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


# -- what is asked ------------------------------------------------------------------------------
def committees(scope) -> QuerySet:
    """The nodes a user may make the report for: active committees wholly inside their statistics
    scope (``Scope.stats_nodes``), the same units their dashboard may open."""
    return scope.stats_nodes().filter(kind__in=COMMITTEE_KINDS, is_active=True).order_by("path")


def default_year(today: datetime.date | None = None) -> int:
    return (today or timezone.localdate()).year - 1


def parse_node(params: Mapping, scope, errors: dict[str, str]) -> ManagementNode | None:
    """The committee ``node`` names (default the first of the user's scope); outside the scope, or
    none to choose from, is a Chinese error in ``errors``. The year-end report's and the brief's."""
    choices = committees(scope)
    node_id = params_.collect(errors, params_.parse_id, params, "node", "统计单位")
    if node_id is not None:
        node = choices.filter(pk=node_id).first()
        if node is None:
            errors["node"] = f"统计单位「{node_id}」不存在或不在您的统计范围内"
        return node
    if "node" in errors:
        return None
    node = choices.first()
    if node is None:
        errors["node"] = "您没有可统计的党委"
    return node


def parse(params: Mapping, scope) -> tuple[ManagementNode | None, int, dict[str, str]]:
    """The node (``node``; default the first committee of the user's scope) and the year (``year``;
    default last year). A node outside the scope and a year not yet ended are Chinese errors."""
    errors: dict[str, str] = {}
    node = parse_node(params, scope, errors)
    last = default_year()
    year = params_.collect(errors, params_.parse_int, params, "year", "统计年度", minimum=EARLIEST_YEAR, maximum=9999)
    if year is None:
        year = last
    elif year > last:
        errors["year"] = f"统计年度须为已经结束的年度（{last}年或以前）"
        year = last
    return node, year, errors


# -- the report ---------------------------------------------------------------------------------
def build(node: ManagementNode, year: int, made_on: datetime.date | None = None) -> YearEnd:
    """Every table of ``node``'s report for ``year`` (as of 12-31 of that year)."""
    as_of, previous = datetime.date(year, 12, 31), datetime.date(year - 1, 12, 31)
    made_on = made_on or timezone.localdate()
    report = engine.compute(engine.StatsQuery(node=node, as_of=as_of))
    before = engine.compute(engine.StatsQuery(node=node, as_of=previous))
    out = YearEnd(node, year, as_of, previous, made_on)
    out.tables += [
        _orgs_by_kind(report),
        _orgs_by_size(node, as_of),
        _party_orgs(node, as_of, report.party_orgs or 0),
        _coverage(report, before),
        _coverage_children(report),
        *_members(node, as_of, made_on),
        _development(node, year, made_on),
        _floating(node, made_on),
        _transfers(node, year),
    ]
    return out


def _org_cells(measures: dict[str, int]) -> list[Value]:
    return [measures[name] for name, _ in ORG_COLUMNS]


def _orgs_by_kind(report: engine.Report) -> Table:
    rows: list[list[Value]] = []
    by_label = {row.label: row for row in report.by_kind}
    for sector, sector_label in Sector.choices:
        kinds = [(v, label) for v, label in OrgKind.choices if SECTOR_OF_KIND.get(v) == sector and label in by_label]
        if not kinds:
            continue  # a sector without organizations of the unit: no rows, not a row of zeros
        subtotal = dict.fromkeys([name for name, _ in ORG_COLUMNS], 0)
        for _, label in kinds:
            measures = by_label[label].measures
            rows.append([sector_label, label, *_org_cells(measures)])
            for name, _ in ORG_COLUMNS:
                subtotal[name] += measures[name]
        rows.append([sector_label, "小计", *_org_cells(subtotal)])
    rows.append(["合计", "", *_org_cells(report.totals)])
    return Table(
        "orgs_by_kind", "两新组织按类别、类型统计", ["类别", "组织类型", *[label for _, label in ORG_COLUMNS]], rows,
        "组织类型按今日登记；经营状态、覆盖情况按统计日期的记录。",
    )  # fmt: skip


def _orgs_by_size(node: ManagementNode, as_of: datetime.date) -> Table:
    rows: list[list[Value]] = []
    total = dict.fromkeys([name for name, _ in ORG_COLUMNS], 0)
    for code, label in SIZE_BAND_CHOICES:
        report = engine.compute(engine.StatsQuery(node=node, as_of=as_of, size=code))
        rows.append([label, *_org_cells(report.totals)])
        for name, _ in ORG_COLUMNS:
            total[name] += report.totals[name]
    rows.append(["合计", *_org_cells(total)])
    return Table(
        "orgs_by_size", "两新组织按规模（从业人员数）统计", ["规模", *[label for _, label in ORG_COLUMNS]], rows,
        "从业人员数没有历史记录，按今日登记的人数分档；各档合计等于“按类别、类型统计”的合计。",
    )  # fmt: skip


def _party_orgs(node: ManagementNode, as_of: datetime.date, total: int) -> Table:
    # the engine's own set (party_org_count): under the node, active, founded by the date
    qs = PartyOrganization.objects.filter(subtree_q(node.path, "node__path"), node__is_active=True)
    qs = qs.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=as_of))
    grouped = qs.values("org_type", "setup_mode").annotate(n=Count("pk")).order_by()
    counts = {(r["org_type"], r["setup_mode"]): r["n"] for r in grouped}
    modes = [(m, label) for m, label in SetupMode.choices if any(k[1] == m for k in counts)]
    rows: list[list[Value]] = []
    for t, label in PartyOrgType.choices:
        cells = [counts.get((t, m), 0) for m, _ in modes]
        rows.append([label, *cells, sum(cells)])
    rows.append(["合计", *[sum(counts.get((t, m), 0) for t, _ in PartyOrgType.choices) for m, _ in modes], total])
    return Table(
        "party_orgs", "党组织按类型、组建方式统计", ["党组织类型", *[label for _, label in modes], "合计"], rows,
        "按统计日期前成立的党组织计；组建方式、是否仍在活动按今日记录（没有历史记录）。",
    )  # fmt: skip


def _coverage(report: engine.Report, before: engine.Report) -> Table:
    rows: list[list[Value]] = []
    for key in COVERAGE_RATES:
        now, then = report.rate(key), before.rate(key)
        change = None if now.percent is None or then.percent is None else now.percent - then.percent
        rows.append([now.label, now.numerator, now.denominator, now.percent, then.numerator, then.denominator,
                     then.percent, change])  # fmt: skip
    for name, label in [("counted", "纳入统计的在营组织（个）"), ("blank", "空白点（个）")]:
        rows.append([label, report.totals[name], None, None, before.totals[name], None, None,
                     report.totals[name] - before.totals[name]])  # fmt: skip
    return Table(
        "coverage", "党的组织覆盖和工作覆盖（与上年末比较）",
        ["指标", "本年末分子", "本年末分母", "本年末比率（%）", "上年末分子", "上年末分母", "上年末比率（%）",
         "比上年末增减（百分点/个）"],
        rows,
        "比率 = 分子 ÷ 分母，口径与覆盖统计相同："
        + "；".join(f"{RATE_BY_KEY[k].label}：{RATE_BY_KEY[k].definition}" for k in COVERAGE_RATES) + "。",
    )  # fmt: skip


def _coverage_children(report: engine.Report) -> Table:
    rows: list[list[Value]] = []
    for row in report.children:
        rows.append([row.label, row.measures["counted"], row.rate("org_coverage").percent,
                     row.rate("work_coverage").percent, row.measures["blank"]])  # fmt: skip
    return Table(
        "coverage_children", "各下级党委覆盖情况",
        [report.child_label, "纳入统计的在营组织", "党的组织覆盖率（%）", "党的工作覆盖率（%）", "空白点（个）"], rows,
        "" if rows else "本单位没有下级党委。",
    )  # fmt: skip


def _share(n: int, total: int) -> Decimal | None:
    return percent(n, total)


def _member_table(key: str, title: str, head: str, counts: list[tuple[str, int]], total: int, note: str) -> Table:
    rows: list[list[Value]] = [[label, n, _share(n, total)] for label, n in counts]
    rows.append(["合计", total, _share(total, total)])
    return Table(key, title, [head, "人数", "占比（%）"], rows, note)


def members_under(node: ManagementNode) -> QuerySet:
    """Members on the roll whose party organization lies at or under ``node`` (the party app's own
    condition, as 平台预填's 党员 figures)."""
    return dues_ledger.under(Member.objects.filter(is_active=True), node)


def _members(node: ManagementNode, as_of: datetime.date, made_on: datetime.date) -> list[Table]:
    roll = members_under(node)
    total = roll.count()
    note = TODAY_NOTE.format(what="党员类别和所在党组织", made_on=made_on.isoformat())

    def by(column: str, choices) -> list[tuple[str, int]]:
        counts = dict(roll.values_list(column).annotate(n=Count("pk")).order_by())
        return [(label, counts.get(value, 0)) for value, label in choices]

    education = by("education", Education.choices)
    education.append(("未填", roll.filter(education="").count()))
    ages = []
    for label, low, high in AGE_BANDS:
        q = Q()
        if low is not None:  # at least ``low`` years old on the date: born on or before as_of - low years
            q &= Q(birth_date__lte=_years_before(as_of, low))
        if high is not None:  # at most ``high``: born after as_of - (high + 1) years
            q &= Q(birth_date__gt=_years_before(as_of, high + 1))
        ages.append((label, roll.filter(q).count()))
    employed_rows = roll.filter(employer__isnull=False).values_list("employer__sector").annotate(n=Count("pk"))
    employed = dict(employed_rows.order_by())
    employment = [
        (f"在{label}就业" if value != Sector.UNKNOWN else "在类别未填的组织就业", employed.get(value, 0))
        for value, label in Sector.choices
    ]
    employment.append(("未登记在两新组织就业", roll.filter(employer__isnull=True).count()))
    return [
        _member_table("members_category", "党员按类别统计", "党员类别", by("category", MemberCategory.choices), total,
                      note),
        _member_table("members_sex", "党员按性别统计", "性别", by("sex", Sex.choices), total, note),
        _member_table("members_age", "党员按年龄段统计", "年龄段", ages, total,
                      note + f"年龄按统计日期（{as_of.isoformat()}）计算。"),
        _member_table("members_education", "党员按学历统计", "学历", education, total, note),
        _member_table("members_employment", "党员按就业情况统计", "就业情况", employment, total,
                      note + "就业单位按今日登记。"),
    ]  # fmt: skip


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _development(node: ManagementNode, year: int, made_on: datetime.date) -> Table:
    applicants = Applicant.objects.filter(subtree_q(node.path, "party_org__node__path"))
    rows: list[list[Value]] = []
    for key in ("applicant", "activist", "candidate", "probationary"):
        rows.append([develop_queries.LABEL[key], applicants.filter(develop_queries.CONDITION[key]).count()])
    # used: approved in the year under the node (develop.queries.used_by_path, the plans page's 已接收)
    used = sum(n for path, n in develop_queries.used_by_path(year).items() if path and path.startswith(node.path))
    quota = Quota.objects.filter(node=node, year=year).values_list("quota", flat=True).first()
    rows.append([f"{year}年发展党员（上级党委审批接收）", used])
    rows.append([f"{year}年发展党员计划数", quota])
    rows.append([f"{year}年计划使用率（%）", percent(used, quota) if quota else None])
    note = TODAY_NOTE.format(what="入党申请人所处阶段", made_on=made_on.isoformat()).replace("本表", "前四行")
    note += "发展党员数按上级党委审批日期在本年度内计。"
    if quota is None:
        note += f"本单位没有{year}年的发展党员计划。"
    return Table("development", "发展党员", ["项目", "人数"], rows, note)


def _floating(node: ManagementNode, made_on: datetime.date) -> Table:
    roll = members_under(node)
    rows: list[list[Value]] = [
        ["流出党员", roll.filter(floating=FloatingStatus.OUTFLOW).count()],
        ["流入党员", roll.filter(floating=FloatingStatus.INFLOW).count()],
    ]
    return Table("floating", "流动党员", ["项目", "人数"], rows,
                 TODAY_NOTE.format(what="流动状态", made_on=made_on.isoformat()))  # fmt: skip


def _transfers(node: ManagementNode, year: int) -> Table:
    # 接收 (办结) in the year, by the receiving or the sending side (transfers' own states), as
    # 平台预填's 组织关系转入/转出
    done = Transfer.objects.filter(state=TransferState.ACCEPTED, closed_on__year=year)
    into = done.filter(subtree_q(node.path, "to_party_org__node__path"))
    out_of = done.filter(subtree_q(node.path, "from_party_org__node__path"))
    rows: list[list[Value]] = []
    for kind, label in TransferKind.choices:
        rows.append([label, into.filter(kind=kind).count(), out_of.filter(kind=kind).count()])
    rows.append(["合计", into.count(), out_of.count()])
    return Table("transfers", "党员组织关系转接", ["转接类型", "转入（名）", "转出（名）"], rows,
                 f"按{year}年内办结（接收）的转接计；本单位内部两个党组织之间的转接同时计入转入和转出。")  # fmt: skip


def as_dict(report: YearEnd) -> dict:
    """The report as plain data (the API's answer): numbers stay numbers, percentages floats."""

    def plain(value: Value):
        return float(value) if isinstance(value, Decimal) else value

    return {
        "node": {"id": report.node.pk, "name": report.node.name},
        "year": report.year,
        "as_of": report.as_of.isoformat(),
        "previous": report.previous.isoformat(),
        "made_on": report.made_on.isoformat(),
        "title": report.title,
        "tables": [
            {"key": t.key, "title": t.title, "columns": t.columns, "rows": [[plain(v) for v in r] for r in t.rows],
             "note": t.note}
            for t in report.tables
        ],
    }  # fmt: skip


def printed(row: list[Value]) -> list[tuple[str, bool]]:
    """A row as printed: each cell's text and whether it is a figure (set right-aligned)."""
    return [(shown(v), isinstance(v, (int, Decimal)) or v is None) for v in row]


def shown(value: Value) -> str:
    """A cell as printed: a blank for no value, percentages to one decimal place."""
    if value is None:
        return "—"
    return str(value)
