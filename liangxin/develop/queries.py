"""Reading 发展党员 within a scope: the list and its filters, the pipeline counts per party
organization (each count and its list use the same condition), and the yearly plans."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from liangxin.core import normalize
from liangxin.core import params as params_
from liangxin.core.tree import subtree_q
from liangxin.mgmt.models import COMMITTEE_KINDS, ManagementNode
from liangxin.party.queries import search_people

from .models import Applicant, Quota, Stage


def applicants(scope, action: str = "view") -> QuerySet:
    """Applicants of the party organizations the scope reaches (``party_orgs(action)``)."""
    return Applicant.objects.filter(party_org__in=scope.party_orgs(action)).select_related("party_org__node")


# the pipeline's columns: (key, label, condition); the list takes ``stage=<key>`` and applies the same condition
COLUMNS: list[tuple[str, str, Q]] = [
    (Stage.APPLICANT.value, Stage.APPLICANT.label, Q(stage=Stage.APPLICANT)),
    (Stage.ACTIVIST.value, Stage.ACTIVIST.label, Q(stage=Stage.ACTIVIST)),
    (Stage.CANDIDATE.value, Stage.CANDIDATE.label, Q(stage=Stage.CANDIDATE)),
    ("waiting", "其中待上级审批", Q(stage=Stage.CANDIDATE, voted_on__isnull=False)),
    (Stage.PROBATIONARY.value, Stage.PROBATIONARY.label, Q(stage=Stage.PROBATIONARY)),
    ("extended", "其中延长预备期", Q(stage=Stage.PROBATIONARY, extension_months__gt=0)),
    (Stage.FULL.value, Stage.FULL.label, Q(stage=Stage.FULL)),
    (Stage.STOPPED.value, Stage.STOPPED.label, Q(stage=Stage.STOPPED)),
]
CONDITION = {key: q for key, _, q in COLUMNS}
LABEL = {key: label for key, label, _ in COLUMNS}


def committee_choices(scope) -> QuerySet:
    return scope.nodes("view").filter(kind__in=COMMITTEE_KINDS, is_active=True).order_by("path")


def find_node(scope, raw) -> ManagementNode | None:
    """A node of the scope's subtree named by id (None when absent or outside: the caller answers 404)."""
    pk = params_.parse_id({"node": normalize.text(raw)}, "node", "党委")
    return None if pk is None else scope.nodes("view").filter(pk=pk).first()


def filtered(scope, params: Mapping) -> tuple[QuerySet, str, str]:
    """The applicant list for these GET parameters: (queryset, search text, the filter in words)."""
    qs = applicants(scope)
    said = []
    stage = params.get("stage")
    if stage in CONDITION:
        qs = qs.filter(CONDITION[stage])
        said.append(f"阶段：{LABEL[stage]}")
    # the plans page's "已接收": whatever happened since
    approved = params_.parse_int(params, "approved", "审批接收年度", minimum=1900, maximum=9999)
    if approved is not None:
        qs = qs.filter(approved_on__year=approved)
        said.append(f"{approved} 年审批接收")
    elif stage not in CONDITION:
        qs = qs.exclude(stage=Stage.STOPPED)
    party_org = params_.parse_id(params, "party_org", "党组织")
    if party_org is not None:
        qs = qs.filter(party_org_id=party_org)
        said.append(f"党组织编号：{party_org}")
    node = params.get("node")
    if node:
        found = find_node(scope, node)
        qs = qs.filter(subtree_q(found.path, "party_org__node__path")) if found else qs.none()
        said.append(f"党委：{found.name if found else '（不在范围内）'}")
    q = normalize.text(params.get("q"))
    if q:
        qs, searched = search_people(qs, q)
        said.append(searched)
    return qs, q, "；".join(said) or "权限范围内全部（不含已终止）"


# -- the pipeline per party organization ----------------------------------------------------------------------
def pipeline(scope, node: ManagementNode | None = None) -> tuple[QuerySet, dict]:
    """(rows per party organization with a count per column, totals). Rows carry
    ``party_org_id``, ``party_org__node__name``, ``party_org__node__path`` and one key per column."""
    qs = applicants(scope)
    if node is not None:
        qs = qs.filter(subtree_q(node.path, "party_org__node__path"))
    counts = {key: Count("pk", filter=q) for key, _, q in COLUMNS}
    rows = (
        qs.order_by()
        .values("party_org_id", "party_org__node__name", "party_org__node__path")
        .annotate(**counts)
        .order_by("party_org__node__path")
    )
    return rows, qs.order_by().aggregate(**counts)


# -- plans (总量控制) ---------------------------------------------------------------------------------------------
@dataclass
class PlanRow:
    node: ManagementNode
    quota: int | None
    used: int
    can_edit: bool

    @property
    def left(self) -> int | None:
        return None if self.quota is None else self.quota - self.used


def used_by_path(year: int) -> dict[str, int]:
    """Approved in ``year`` per party organization path (summed up the tree by ``plan_rows``)."""
    rows = (
        Applicant.objects.filter(approved_on__year=year)
        .order_by()
        .values("party_org__node__path")
        .annotate(n=Count("pk"))
    )
    return {r["party_org__node__path"]: r["n"] for r in rows}


def plan_rows(scope, nodes: list[ManagementNode], year: int) -> list[PlanRow]:
    quotas = {q.node_id: q.quota for q in Quota.objects.filter(year=year, node__in=[n.pk for n in nodes])}
    per_path = used_by_path(year)
    by_prefix: dict[str, int] = defaultdict(int)
    for node in nodes:
        by_prefix[node.path] = sum(n for path, n in per_path.items() if path.startswith(node.path))
    return [PlanRow(n, quotas.get(n.pk), by_prefix[n.path], scope.can_edit_node(n)) for n in nodes]


def quotas(scope) -> QuerySet:
    """Plans of the committees in the scope's subtree."""
    return Quota.objects.filter(node__in=committee_choices(scope)).select_related("node__region")
