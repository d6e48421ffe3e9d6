"""Filtering, search and sort of the organization list: one function for pages, API and export."""

import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from liangxin.core import normalize
from liangxin.core import params as params_
from liangxin.core.hooks import Slot
from liangxin.mgmt.models import ManagementNode
from liangxin.mgmt.queries import in_node_subtree, parse_node
from liangxin.regions.models import Carrier, CarrierKind, Region
from liangxin.regions.queries import in_region_subtree, parse_region

from .choices import (
    SIZE_BAND_CHOICES,
    SIZE_BANDS,
    CoverageState,
    Industry,
    OrgKind,
    OrgStatus,
    ResponsibleBasis,
    Sector,
)

# The list shows the organizations behind one statistics figure (``stat``): the measures are
# stats', which builds on orgs, so stats fills these from its AppConfig.ready().
stat_measures = Slot("统计项", default=list)  # → [(name, label)]
stat_condition = Slot("统计项的条件")  # name → Q on organizations, under today's policy thresholds

# sort parameter → (column, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "name": ("sort_key", False),
    "-name": ("sort_key", True),
    "employees": ("employees", False),
    "-employees": ("employees", True),
    "-updated": ("updated_at", True),
    "updated": ("updated_at", False),
}
SORT_LABELS = {
    "name": "名称（拼音）",
    "-employees": "从业人员（多→少）",
    "employees": "从业人员（少→多）",
    "-updated": "最近更新",
}
DEFAULT_SORT = "name"
FLAG_VALUES = {"1": True, "true": True, "是": True, "0": False, "false": False, "否": False}
CREDIT_CODE_RE = re.compile(r"^[0-9A-Z]{18}$")
CODE_RUN_FROM = 4  # a search text this long matches anywhere in a credit code
FEW_MATCHES = 1000  # a code search matching at most this many rows is resolved to their ids first


@dataclass
class OrgAttributes:
    """The organization attributes a list and a statistic are both filtered by: set by
    ``read_attributes``, applied by ``filter_by_profile`` (and kind, sector, carrier by each)."""

    kind: str = ""
    sector: str = ""
    industry: str = ""
    size: str = ""
    above_scale: bool | None = None
    key_industry: bool | None = None
    carrier: Carrier | None = None


@dataclass
class OrgFilter(OrgAttributes):
    """The filters of the organization list, parsed from request parameters."""

    region: Region | None = None
    min_employees: int | None = None
    status: str = OrgStatus.OPERATING
    basis: str = ""
    coverage: str = ""
    node: ManagementNode | None = None
    carrier_kind: str = ""
    stat: str = ""  # a statistics measure: the organizations behind one figure (stats.measures)
    q: str = ""
    sort: str = DEFAULT_SORT
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def stat_label(self) -> str:
        return dict(stat_measures()).get(self.stat, "")

    def get_carrier_kind_display(self) -> str:
        return CarrierKind(self.carrier_kind).label if self.carrier_kind else ""

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) of the filters in force, in Chinese, for export cover sheets."""
        out = []
        if self.region is not None:
            out.append(("区划", self.region.name))
        for name, label, choices in (
            ("sector", "类别", Sector), ("kind", "组织类型", OrgKind), ("industry", "行业", Industry),
            ("status", "状态", OrgStatus), ("basis", "责任认定", ResponsibleBasis),
            ("coverage", "覆盖状态", CoverageState),
        ):  # fmt: skip
            value = getattr(self, name)
            if value and value != "all":
                out.append((label, dict(choices.choices).get(value, value)))
        if self.size:
            out.append(("规模", dict(SIZE_BAND_CHOICES)[self.size]))
        for name, label in (("above_scale", "规模以上"), ("key_industry", "重点行业")):
            if getattr(self, name) is not None:
                out.append((label, "是" if getattr(self, name) else "否"))
        if self.carrier is not None:
            out.append(("载体", self.carrier.name))
        if self.min_employees is not None:
            out.append(("从业人员不少于", str(self.min_employees)))
        if self.status == "all":
            out.append(("状态", "全部"))
        if self.node is not None:
            out.append(("责任党委（含下级）", self.node.name))
        if self.carrier_kind:
            out.append(("载体类型", self.get_carrier_kind_display()))
        if self.stat:
            out.append(("统计项", self.stat_label))
        if self.q:
            out.append(("搜索", self.q))
        return out


def read_choice(params, name: str, choices, label: str, errors: dict) -> str:
    value = (params.get(name) or "").strip()
    if value and value not in dict(choices):
        errors[name] = f"{label}「{value}」不存在"
        return ""
    return value


def read_attributes(params, scope, target: OrgAttributes, errors: dict) -> None:
    """The organization attributes a list and a statistic are both filtered by (kind, sector,
    industry, size band, above-scale, key industry, carrier), set on ``target``."""
    target.kind = read_choice(params, "kind", OrgKind.choices, "组织类型", errors)
    target.sector = read_choice(params, "sector", Sector.choices, "类别", errors)
    target.industry = read_choice(params, "industry", Industry.choices, "行业", errors)
    target.size = read_choice(params, "size", SIZE_BAND_CHOICES, "规模", errors)
    for name, label in (("above_scale", "规模以上"), ("key_industry", "重点行业")):
        raw = (params.get(name) or "").strip().lower()
        if raw:
            if raw not in FLAG_VALUES:
                errors[name] = f"{label}应为 1（是）或 0（否），收到「{raw}」"
            else:
                setattr(target, name, FLAG_VALUES[raw])
    carrier = params_.collect(errors, params_.parse_id, params, "carrier", "载体")
    if carrier is not None:
        target.carrier = scope.carriers("view").filter(pk=carrier).first()
        if target.carrier is None:
            errors["carrier"] = f"载体「{carrier}」不存在或不在您的权限范围内"


def parse_filter(params, scope) -> OrgFilter:
    """Read list parameters; an unknown value becomes a Chinese error, never a 500."""
    f = OrgFilter()
    errors = f.errors

    def choice(name: str, choices, label: str) -> str:
        return read_choice(params, name, choices, label, errors)

    f.region = params_.collect(errors, parse_region, params, "region", "区划代码", scope=scope)
    read_attributes(params, scope, f, errors)
    f.basis = choice("basis", ResponsibleBasis.choices, "责任认定依据")
    f.coverage = choice("coverage", CoverageState.choices, "覆盖状态")
    status = (params.get("status") or OrgStatus.OPERATING).strip()
    f.status = status if status == "all" else choice("status", OrgStatus.choices, "状态") or OrgStatus.OPERATING
    minimum = params_.collect(errors, params_.parse_int, params, "min_employees", "从业人员下限", minimum=0)
    if minimum is not None:
        f.min_employees = minimum
    f.node = params_.collect(errors, parse_node, params, "node", "管理节点", scope=scope)
    f.carrier_kind = choice("carrier_kind", CarrierKind.choices, "载体类型")
    f.stat = choice("stat", stat_measures(), "统计项")
    if f.stat:
        f.status = "all"  # a measure's condition says which statuses it counts
    f.q = normalize.text(params.get("q"))[:100]
    sort = (params.get("sort") or DEFAULT_SORT).strip()
    f.sort = sort if sort in SORTS else DEFAULT_SORT
    return f


def apply_filter(qs: QuerySet, f: OrgFilter) -> QuerySet:
    if f.region is not None:
        qs = qs.filter(in_region_subtree(f.region, "operating_region_id"))
    for name in ("kind", "sector"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    if f.basis:
        qs = qs.filter(responsible_basis=f.basis)
    if f.coverage:
        qs = qs.filter(coverage_state=f.coverage)
    qs = filter_by_profile(qs, f)
    if f.carrier is not None:
        qs = qs.filter(carrier=f.carrier)
    if f.min_employees is not None:
        qs = qs.filter(employees__gte=f.min_employees)
    if f.status != "all":
        qs = qs.filter(status=f.status)
    if f.node is not None:
        qs = qs.filter(in_node_subtree(f.node, "responsible_node_id"))
    if f.carrier_kind:
        qs = qs.filter(carrier__kind=f.carrier_kind)
    if f.stat:
        name = "has_member" if f.stat == "members" else f.stat  # members: the organizations they work in
        qs = qs.filter(stat_condition(name))
    if f.q:
        qs = qs.filter(search_q(f.q))
        if is_code_fragment(f.q):
            qs = few_matches_first(qs)
    return qs


def is_code_fragment(text: str) -> bool:
    """A search that can only be part of a credit code (ASCII, with a digit: pinyin initials
    have none, names rarely): usually a handful of matches in a whole registry."""
    code = normalize.code(text)
    return len(code) >= CODE_RUN_FROM and code.isascii() and code.isalnum() and any(c.isdigit() for c in code)


def few_matches_first(qs: QuerySet) -> QuerySet:
    """``qs`` as a list of ids when it matches at most FEW_MATCHES rows. A list page walks the
    sort index and tests each row until it has a page: with a handful of matches in a million
    rows it reads every row in index order (measured on SQLite: 46 s for the last four characters
    of a code). One plain pass in table order, stopping after FEW_MATCHES + 1 matches, finds them
    instead; with more matches the page walk finds its rows soon enough and ``qs`` is kept."""
    ids = list(qs.order_by().values_list("pk", flat=True)[: FEW_MATCHES + 1])
    if len(ids) > FEW_MATCHES:
        return qs
    return qs.model._default_manager.filter(pk__in=ids)


def filter_by_profile(qs: QuerySet, f: OrgAttributes) -> QuerySet:
    """Industry, size band, above-scale, key industry — as read by ``read_attributes``."""
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.size == "unknown":  # 从业人员数未填: a data-quality finding the user completes
        qs = qs.filter(employees__isnull=True)
    elif f.size:
        _, _, low, high = next(b for b in SIZE_BANDS if b[0] == f.size)
        qs = qs.filter(employees__gte=low) if high is None else qs.filter(employees__gte=low, employees__lte=high)
    for name in ("above_scale", "key_industry"):
        if getattr(f, name) is not None:
            qs = qs.filter(**{name: getattr(f, name)})
    return qs


def search_q(text: str) -> Q:
    """Name (contains), pinyin initials (contains) or credit code (exact; any run of
    ``CODE_RUN_FROM`` characters or more; a shorter text only as its start)."""
    code = normalize.code(text)
    if CREDIT_CODE_RE.match(code):
        return Q(credit_code=code)
    q = Q(name__contains=text)
    if code.isascii() and code.isalnum():
        # people quote the last digits of a code; three characters would match a large part
        # of any registry anywhere in its codes, so a short text is taken as the code's start
        code_q = Q(credit_code__contains=code) if len(code) >= CODE_RUN_FROM else Q(credit_code__startswith=code)
        q |= Q(pinyin_initials__contains=code) | code_q
    return q


def filtered_organizations(scope, params, action: str = "view") -> tuple[QuerySet, OrgFilter]:
    """The scoped, filtered organization queryset for a request. Errors are on the filter."""
    f = parse_filter(params, scope)
    qs = scope.organizations(action)
    if f.errors:
        return qs.none(), f
    return apply_filter(qs, f), f
