"""The rule engine: what an organization, a party organization or a member needs.

Each rule has two faces over the same facts: ``applies`` (a SQL filter, for the findings
list over a whole scope) and ``check`` (a plain function on one object's facts, giving the
Chinese text with the rule and the numbers it used). Facts come from ``*_facts`` annotations,
so both faces read the same numbers; a test checks they agree object by object.
Policy numbers come from ``policy.values()``, never from literals here.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from liangxin.core.dates import add_months
from liangxin.orgs.choices import CoverageState, Industry, OrgKind, OrgStatus, ResponsibleBasis

from . import policy
from .choices import FloatingStatus, MemberCategory, PartyOrgType
from .models import CommitteeSeat, Member, PartyOrgLink

MUST, SHOULD, REMIND = "must", "should", "remind"
LEVEL_LABELS = {MUST: "必须", SHOULD: "应当", REMIND: "提醒"}


@dataclass
class Finding:
    rule: str
    level: str
    text: str
    values: dict = field(default_factory=dict)
    action: str = ""

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def rule_label(self) -> str:
        return RULES[self.rule].label


@dataclass
class Rule:
    code: str
    label: str
    level: str
    target: str  # organization | party_org | member
    applies: Callable[[dict, datetime.date], Q]
    check: Callable[[object, dict, datetime.date], Finding | None]


def _count(model, fk: str, **filters):
    rows = model.objects.filter(**{fk: OuterRef("pk")}, **filters).order_by().values(fk)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


def organization_facts(qs: QuerySet) -> QuerySet:
    active = {"is_active": True}
    return qs.annotate(
        n_members=_count(Member, "employer", **active),
        n_full_members=_count(Member, "employer", category=MemberCategory.FULL, **active),
    )


def party_org_facts(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        n_members=_count(Member, "party_org", is_active=True),
        n_full_members=_count(Member, "party_org", category=MemberCategory.FULL, is_active=True),
        n_committee=_count(CommitteeSeat, "party_org"),
        n_covered=_count(PartyOrgLink, "party_org", end_on__isnull=True),
    )


def member_facts(qs: QuerySet) -> QuerySet:
    linked = PartyOrgLink.objects.filter(
        party_org_id=OuterRef("party_org_id"), organization_id=OuterRef("employer_id"), end_on__isnull=True
    )
    return qs.annotate(held_where_employed=Exists(linked))


def _n(params, key) -> int:
    return int(params[key])


# -- organizations --------------------------------------------------------------------
def _org_party_org(o, p, day):
    limit = _n(p, "should_have_party_org_employees")
    # unknown size (None) meets no size threshold: it is its own finding, org_employees_unknown
    covered = o.coverage_state in (CoverageState.OWN, CoverageState.JOINT)
    if o.employees is not None and o.employees >= limit and not covered:
        return Finding(
            "org_party_org",
            MUST,
            f"职工 {o.employees} 人，尚未建立党组织"
            f"（规则：职工 ≥{limit} 人应建立党组织；依据 {policy.cite('should_have_party_org_employees')}）",
            {"employees": o.employees, "should_have_party_org_employees": limit},
            "组建党组织",
        )
    return None


def _org_members(o, p, day):
    limit = _n(p, "should_have_members_employees")
    if o.employees is not None and o.employees >= limit and o.n_members == 0:
        return Finding(
            "org_members",
            SHOULD,
            f"职工 {o.employees} 人，尚无党员"
            f"（规则：职工 ≥{limit} 人应有党员；依据 {policy.cite('should_have_members_employees')}）",
            {"employees": o.employees, "should_have_members_employees": limit},
            "发展党员或引导党员亮明身份",
        )
    return None


def _org_own_branch(o, p, day):
    limit = _n(p, "own_branch_full_members")
    if o.n_full_members >= limit and o.coverage_state != CoverageState.OWN:
        where = "目前在联合党支部中" if o.coverage_state == CoverageState.JOINT else "尚未单独建立党组织"
        return Finding(
            "org_own_branch",
            SHOULD,
            f"有正式党员 {o.n_full_members} 名，{where}，具备单独组建条件（规则：正式党员 ≥{limit} 名；依据 "
            f"{policy.cite('own_branch_full_members')}）",
            {"full_members": o.n_full_members, "own_branch_full_members": limit},
            "单独组建党支部",
        )
    return None


def _org_no_node(o, p, day):
    if o.responsible_basis == ResponsibleBasis.NONE:
        return Finding(
            "org_no_node",
            MUST,
            "无责任主体：没有党组织覆盖、隶属调整，经营地和注册地也没有对应的街道/镇党委",
            {},
            "由上级党委指定责任党委",
        )
    return None


# Data-quality findings: a value a ledger did not give is stored as unknown (未填, DOMAIN.md) and
# stays a finding until a user completes it — by hand, or by importing the key and that column.
def _org_employees_unknown(o, p, day):
    if o.employees is None:
        return Finding(
            "org_employees_unknown",
            REMIND,
            "从业人员数未填：不计入50人、100人以上和规模以上企业的统计，也无法判断是否应有党员、应建党组织",
            {},
            "补全从业人员数",
        )
    return None


def _org_industry_unknown(o, p, day):
    if o.industry == Industry.UNKNOWN:
        return Finding("org_industry_unknown", REMIND, "所属行业未填：行业统计中列为“未填”", {}, "补全所属行业")
    return None


def _org_kind_unknown(o, p, day):
    if o.kind == OrgKind.UNKNOWN:
        return Finding(
            "org_kind_unknown",
            REMIND,
            "组织类型未填：无法区分非公企业与社会组织，不计入非公企业的各项比率",
            {},
            "补全组织类型",
        )
    return None


# -- party organizations ----------------------------------------------------------------
BRANCH_TYPES = (PartyOrgType.BRANCH, PartyOrgType.JOINT_BRANCH, PartyOrgType.TEMPORARY_BRANCH)


def _po_joint_limit(po, p, day):
    limit = _n(p, "joint_branch_max_orgs")
    if po.org_type == PartyOrgType.JOINT_BRANCH and po.n_covered > limit:
        return Finding(
            "po_joint_limit",
            SHOULD,
            f"联合党支部覆盖 {po.n_covered} 个单位，超过上限"
            f"（规则：一个联合党支部覆盖不超过 {limit} 个单位；依据 {policy.cite('joint_branch_max_orgs')}）",
            {"covered": po.n_covered, "joint_branch_max_orgs": limit},
            "拆分联合党支部",
        )
    return None


def _po_general_branch(po, p, day):
    limit = _n(p, "branch_max_members")
    if po.org_type in BRANCH_TYPES and po.n_members > limit:
        return Finding(
            "po_general_branch",
            REMIND,
            f"党员 {po.n_members} 名，超过党支部一般规模"
            f"（规则：党员超过 {limit} 名可设立党总支；依据 {policy.cite('branch_max_members')}）",
            {"members": po.n_members, "branch_max_members": limit},
            "研究设立党总支",
        )
    return None


def _po_committee_possible(po, p, day):
    limit = _n(p, "committee_min_members")
    if po.org_type != PartyOrgType.COMMITTEE and po.n_members >= limit:
        return Finding(
            "po_committee_possible",
            REMIND,
            f"党员 {po.n_members} 名，可设立基层党委"
            f"（规则：党员 ≥{limit} 名；依据 {policy.cite('committee_min_members')}）",
            {"members": po.n_members, "committee_min_members": limit},
            "研究设立基层党委",
        )
    return None


def _po_needs_committee(po, p, day):
    limit = _n(p, "branch_committee_full_members")
    if po.n_full_members >= limit and po.n_committee == 0:
        return Finding(
            "po_needs_committee",
            SHOULD,
            f"有正式党员 {po.n_full_members} 名，尚未设立支部委员会（规则：正式党员 ≥{limit} 名应设支委会；依据 "
            f"{policy.cite('branch_committee_full_members')}）",
            {"full_members": po.n_full_members, "branch_committee_full_members": limit},
            "选举产生支部委员会",
        )
    return None


def term_finding(po, p, day):
    """换届: overdue, or due within the reminder months (also the secretary's reminder)."""
    if po.term_end is None:
        return None
    first, second = _n(p, "term_remind_months_first"), _n(p, "term_remind_months_second")
    if po.term_end < day:
        return Finding(
            "po_term", MUST, f"任期已于 {po.term_end} 届满，尚未换届", {"term_end": str(po.term_end)}, "按期换届"
        )
    keys = {second: "term_remind_months_second", first: "term_remind_months_first"}
    for months, level in ((second, SHOULD), (first, REMIND)):
        key = keys[months]
        if po.term_end <= add_months(day, months):
            return Finding(
                "po_term",
                level,
                f"任期将于 {po.term_end} 届满（规则：提前 {months} 个月提醒换届；依据 {policy.cite(key)}）",
                {"term_end": str(po.term_end), "remind_months": months},
                "筹备换届选举",
            )
    return None


# -- members ------------------------------------------------------------------------------
def _member_transfer(m, p, day):
    months = _n(p, "transfer_after_months")
    if (
        m.employer_id
        and m.employed_since
        and not m.held_where_employed
        and m.employed_since <= add_months(day, -months)
    ):
        return Finding(
            "member_transfer",
            REMIND,
            f"在工作单位已满 {months} 个月，组织关系仍在其他党组织"
            f"（规则：工作满 {months} 个月应转接组织关系；依据 {policy.cite('transfer_after_months')}）",
            {"employed_since": str(m.employed_since), "transfer_after_months": months},
            "办理组织关系转接",
        )
    return None


def _member_floating(m, p, day):
    if m.floating == FloatingStatus.OUTFLOW and m.inflow_party_org_id is None:
        return Finding(
            "member_floating",
            SHOULD,
            "流出党员尚未落实流入地党组织（流入地为主、流出地配合）",
            {},
            "联系流入地党组织纳入管理",
        )
    return None


def _months_ago(day: datetime.date, months: int) -> datetime.date:
    return add_months(day, -months)


RULES: dict[str, Rule] = {
    r.code: r
    for r in [
        Rule(
            "org_party_org",
            "应建未建党组织",
            MUST,
            "organization",
            lambda p, d: (
                Q(employees__gte=_n(p, "should_have_party_org_employees"))
                & ~Q(coverage_state__in=[CoverageState.OWN, CoverageState.JOINT])
            ),
            _org_party_org,
        ),
        Rule(
            "org_members",
            "应有党员而无党员",
            SHOULD,
            "organization",
            lambda p, d: Q(employees__gte=_n(p, "should_have_members_employees"), n_members=0),
            _org_members,
        ),
        Rule(
            "org_own_branch",
            "具备单独组建条件",
            SHOULD,
            "organization",
            lambda p, d: Q(n_full_members__gte=_n(p, "own_branch_full_members")) & ~Q(coverage_state=CoverageState.OWN),
            _org_own_branch,
        ),
        Rule(
            "org_no_node",
            "无责任主体",
            MUST,
            "organization",
            lambda p, d: Q(responsible_basis=ResponsibleBasis.NONE),
            _org_no_node,
        ),
        Rule(
            "org_employees_unknown",
            "从业人员数未填",
            REMIND,
            "organization",
            lambda p, d: Q(employees__isnull=True),
            _org_employees_unknown,
        ),
        Rule(
            "org_industry_unknown",
            "行业未填",
            REMIND,
            "organization",
            lambda p, d: Q(industry=Industry.UNKNOWN),
            _org_industry_unknown,
        ),
        Rule(
            "org_kind_unknown",
            "组织类型未填",
            REMIND,
            "organization",
            lambda p, d: Q(kind=OrgKind.UNKNOWN),
            _org_kind_unknown,
        ),
        Rule(
            "po_joint_limit",
            "联合党支部覆盖单位过多",
            SHOULD,
            "party_org",
            lambda p, d: Q(org_type=PartyOrgType.JOINT_BRANCH, n_covered__gt=_n(p, "joint_branch_max_orgs")),
            _po_joint_limit,
        ),
        Rule(
            "po_general_branch",
            "党员超过支部规模",
            REMIND,
            "party_org",
            lambda p, d: Q(org_type__in=BRANCH_TYPES, n_members__gt=_n(p, "branch_max_members")),
            _po_general_branch,
        ),
        Rule(
            "po_committee_possible",
            "可设立基层党委",
            REMIND,
            "party_org",
            lambda p, d: ~Q(org_type=PartyOrgType.COMMITTEE) & Q(n_members__gte=_n(p, "committee_min_members")),
            _po_committee_possible,
        ),
        Rule(
            "po_needs_committee",
            "应设支委会",
            SHOULD,
            "party_org",
            lambda p, d: Q(n_full_members__gte=_n(p, "branch_committee_full_members"), n_committee=0),
            _po_needs_committee,
        ),
        Rule(
            "po_term",
            "换届提醒",
            SHOULD,
            "party_org",
            lambda p, d: Q(term_end__lte=add_months(d, _n(p, "term_remind_months_first"))),
            term_finding,
        ),
        Rule(
            "member_transfer",
            "组织关系转接提醒",
            REMIND,
            "member",
            lambda p, d: Q(
                employer__isnull=False,
                held_where_employed=False,
                employed_since__lte=_months_ago(d, _n(p, "transfer_after_months")),
            ),
            _member_transfer,
        ),
        Rule(
            "member_floating",
            "流出党员未落实流入地",
            SHOULD,
            "member",
            lambda p, d: Q(floating=FloatingStatus.OUTFLOW, inflow_party_org__isnull=True),
            _member_floating,
        ),
    ]
}


def findings_for(obj, target: str, params: dict, day: datetime.date) -> list[Finding]:
    """All findings of one object whose facts are annotated (see ``*_facts``)."""
    found = [rule.check(obj, params, day) for rule in RULES.values() if rule.target == target]
    return [f for f in found if f is not None]


def candidates(rule: Rule, scope, params: dict, day: datetime.date) -> QuerySet:
    """The objects in ``scope`` that the rule finds something about (operating organizations only)."""
    if rule.target == "organization":
        qs = organization_facts(scope.organizations("view").filter(status=OrgStatus.OPERATING))
    elif rule.target == "party_org":
        qs = party_org_facts(scope.party_orgs("view").filter(node__is_active=True))
    else:
        qs = member_facts(scope.members("view").filter(is_active=True))
    return qs.filter(rule.applies(params, day))
