# ruff: noqa: E501 (the rules' exact words, one finding a row)
"""Boundary rows for every rule's SQL face (and the measures' conditions).

``test_rules.test_both_faces_of_every_rule_agree`` compares the two faces on a world where no
object sits at a threshold, so ``employees >= 50`` turned into ``> 50`` in the SQL face passed.
Here each threshold gets rows just below, exactly at and just above it — numbers taken from the
policy parameters, never written as literals — and both faces must give exactly the rows the
rule's words name.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F

from liangxin.accounts.scoping import scope_for
from liangxin.core.dates import add_months
from liangxin.orgs.models import Organization
from liangxin.party import policy, rules
from liangxin.party import services as party_services
from liangxin.party.models import CommitteeSeat, PartyOrgLink
from liangxin.stats import measures
from liangxin.stats.measures import AS_OF, CURRENT, Thresholds

from .party_helpers import make_member, make_party_org, new_org

TODAY = datetime.date(2026, 11, 24)
DAY = datetime.timedelta(days=1)


def faces(cast, code: str, day: datetime.date = TODAY) -> set[int]:
    """The rule's SQL face and its check face over the whole city; they must agree."""
    rule = rules.RULES[code]
    params, scope = policy.values(), scope_for(cast.city_admin)
    by_sql = set(rules.candidates(rule, scope, params, day).values_list("pk", flat=True))
    anything = rules.Rule(code, "", "", rule.target, lambda p, d: rules.Q(), None)
    everything = rules.candidates(anything, scope, params, day)
    by_check = {obj.pk for obj in everything if rule.check(obj, params, day) is not None}
    assert by_sql == by_check, code
    return by_sql


def limit(key: str) -> int:
    return int(policy.values()[key])


def orgs_around(cast, key: str, prefix: str) -> dict[int, Organization]:
    """Three non-public enterprises with employees one below, at and one above the parameter."""
    n = limit(key)
    return {e: new_org(cast, f"{prefix}{e}人有限公司", None, kind="individual", employees=e) for e in (n - 1, n, n + 1)}


def test_no_fixture_organization_interferes(cast):
    """The cast's own organizations (120 employees) are far from every threshold we test below."""
    for key in ("should_have_members_employees", "should_have_party_org_employees"):
        assert all(abs(o.employees - limit(key)) > 1 for o in Organization.objects.all())


# -- organizations -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "key"),
    [("org_members", "should_have_members_employees"), ("org_party_org", "should_have_party_org_employees")],
)
def test_employee_thresholds_include_the_limit(cast, code, key):
    rows = orgs_around(cast, key, "边界")
    n = limit(key)
    # only organizations in operation are findings: a deregistered one above the limit is not
    gone = new_org(cast, "已注销有限公司", None, kind="individual", employees=n + 1)
    Organization.objects.filter(pk=gone.pk).update(status="deregistered")
    found = faces(cast, code) & {o.pk for o in [*rows.values(), gone]}
    assert found == {rows[n].pk, rows[n + 1].pk}


def test_hundred_rule_is_met_by_own_or_joint_only(cast):
    rows = orgs_around(cast, "should_have_party_org_employees", "覆盖")
    n = limit("should_have_party_org_employees")
    make_party_org(cast, name="联合支部", mode="joint", org_type="joint_branch", covered=[rows[n]])
    make_party_org(cast, name="挂靠支部", mode="attached", covered=[rows[n + 1]])
    found = faces(cast, "org_party_org") & {o.pk for o in rows.values()}
    assert found == {rows[n + 1].pk}


def test_members_rule_counts_only_active_members(cast):
    rows = orgs_around(cast, "should_have_members_employees", "党员")
    n = limit("should_have_members_employees")
    branch = make_party_org(cast, name="党员支部", covered=[])
    make_member(cast, branch, name="预备甲", employer=rows[n], category="probationary")
    gone = make_member(cast, branch, name="不在册", employer=rows[n + 1])
    gone.is_active = False
    gone.save()
    found = faces(cast, "org_members") & {o.pk for o in rows.values()}
    assert found == {rows[n + 1].pk}


def test_own_branch_counts_full_members_at_the_limit(cast):
    n = limit("own_branch_full_members")
    orgs = {k: new_org(cast, f"正式党员{k}名有限公司", None, kind="individual") for k in (n - 1, n, n + 1)}
    joint = make_party_org(cast, name="联合党支部", mode="joint", org_type="joint_branch", covered=list(orgs.values()))
    for k, org in orgs.items():
        for i in range(k):
            make_member(cast, joint, name=f"正式{k}-{i}", employer=org)
        # probationary members never count towards the limit, nor do full members off the roll
        make_member(cast, joint, name=f"预备{k}", employer=org, category="probationary")
        gone = make_member(cast, joint, name=f"不在册{k}", employer=org)
        gone.is_active = False
        gone.save()
    assert faces(cast, "org_own_branch") & {o.pk for o in orgs.values()} == {orgs[n].pk, orgs[n + 1].pk}
    # with its own branch the condition is met
    make_party_org(cast, name="单独党支部", covered=[orgs[n + 1]])
    assert faces(cast, "org_own_branch") & {o.pk for o in orgs.values()} == {orgs[n].pk}


def test_no_responsible_node_only_when_nothing_places_it(cast):
    assert faces(cast, "org_no_node") == set()


# -- party organizations --------------------------------------------------------------------------
@pytest.fixture
def small_limits(cast):
    """Member-count parameters set low so boundary branches stay small; the rules read them."""
    for key in ("branch_max_members", "committee_min_members", "branch_committee_full_members"):
        party_services.set_parameter(cast.city_admin, key, 3)
    return cast


def _branch_with(cast, full: int, probationary: int = 1, **values):
    po = make_party_org(cast, name=f"党支部{full}-{probationary}-{values.get('org_type', '')}", covered=[], **values)
    for i in range(full):
        make_member(cast, po, name=f"正式{i}")
    for i in range(probationary):
        make_member(cast, po, name=f"预备{i}", category="probationary")
    # members off the roll count for nothing
    for category in ("full", "probationary"):
        gone = make_member(cast, po, name=f"不在册{category}", category=category)
        gone.is_active = False
        gone.save()
    return po


def test_party_org_member_thresholds(small_limits):
    c = small_limits
    max_members, committee_from = limit("branch_max_members"), limit("committee_min_members")
    full_from = limit("branch_committee_full_members")
    # one probationary each: n_members = full + 1, so full and all-member counts differ
    branches = {k: _branch_with(c, k) for k in range(max(max_members, committee_from, full_from) - 2, full_from + 2)}
    members = {k: k + 1 for k in branches}
    ids = {po.pk for po in branches.values()}
    assert faces(c, "po_general_branch") & ids == {branches[k].pk for k in branches if members[k] > max_members}
    assert faces(c, "po_committee_possible") & ids == {branches[k].pk for k in branches if members[k] >= committee_from}
    assert faces(c, "po_needs_committee") & ids == {branches[k].pk for k in branches if k >= full_from}
    # the boundary is really exercised on both sides
    assert {members[k] for k in branches} >= {max_members, max_members + 1, committee_from - 1, committee_from}
    assert {k for k in branches} >= {full_from - 1, full_from}
    # a deactivated branch (撤销) is no finding, however many members it had
    gone = branches[full_from + 1]
    gone.node.is_active = False
    gone.node.save()
    for code in ("po_general_branch", "po_committee_possible", "po_needs_committee"):
        assert gone.pk not in faces(c, code)


def test_a_committee_seat_or_a_committee_type_ends_the_findings(small_limits):
    c = small_limits
    full_from, committee_from = limit("branch_committee_full_members"), limit("committee_min_members")
    seated = _branch_with(c, full_from)
    CommitteeSeat.objects.create(party_org=seated, member=seated.members.first(), position="secretary")
    committee = _branch_with(c, max(full_from, committee_from) + 1, org_type="committee")
    assert seated.pk not in faces(c, "po_needs_committee")
    assert committee.pk not in faces(c, "po_committee_possible")
    # a committee (基层党委) is not a branch: the general-branch rule does not apply to it
    assert committee.pk not in faces(c, "po_general_branch")


def test_joint_limit_counts_links_in_force(cast):
    n = limit("joint_branch_max_orgs")
    orgs = [new_org(cast, f"联建{i}有限公司", None, kind="individual") for i in range(2 * n + 3)]
    at = make_party_org(cast, name="恰好上限", mode="joint", org_type="joint_branch", covered=orgs[:n])
    over = make_party_org(cast, name="超过上限", mode="joint", org_type="joint_branch", covered=orgs[n : 2 * n + 1])
    # an ended link does not count
    PartyOrgLink.objects.create(party_org=at, organization=orgs[-1], start_on=TODAY - 60 * DAY, end_on=TODAY - DAY)
    single = make_party_org(cast, name="单独支部超上限", covered=orgs[: n + 1])
    found = faces(cast, "po_joint_limit")
    assert found == {over.pk}
    assert single.pk not in found


def test_term_reminder_window_edges_on_both_faces(cast):
    first = limit("term_remind_months_first")
    edge = add_months(TODAY, first)
    rows = {d: make_party_org(cast, name=f"换届{d}", term_end=edge + d * DAY) for d in (-1, 0, 1)}
    overdue = make_party_org(cast, name="已届满", term_end=TODAY - DAY)
    found = faces(cast, "po_term")
    assert found == {rows[-1].pk, rows[0].pk, overdue.pk}


# -- members -------------------------------------------------------------------------------------------
def test_transfer_reminder_at_exactly_the_months(party_cast):
    c = party_cast
    months = limit("transfer_after_months")
    edge = add_months(TODAY, -months)
    rows = {
        d: make_member(c, c.branch, name=f"在外{d}", employer=c.waitan_org, employed_since=edge + d * DAY)
        for d in (-1, 0, 1)
    }
    # employed where the membership is held: no reminder whatever the date
    home = make_member(c, c.branch, name="在本单位", employer=c.org, employed_since=edge - DAY)
    # held by a branch whose link to the employer ended: the reminder is due again
    ended = make_party_org(c, name="曾覆盖外滩", covered=[])
    PartyOrgLink.objects.create(party_org=ended, organization=c.waitan_org, start_on=edge, end_on=TODAY - DAY)
    was_home = make_member(c, ended, name="覆盖已结束", employer=c.waitan_org, employed_since=edge - DAY)
    # another branch covering the employer does not hold *their* membership there
    make_party_org(c, name="外滩支部", parent=c.waitan_node, covered=[c.waitan_org])
    # off the roll: no reminder
    gone = make_member(c, c.branch, name="不在册", employer=c.waitan_org, employed_since=edge - DAY)
    gone.is_active = False
    gone.save()
    found = faces(c, "member_transfer")
    assert found == {rows[-1].pk, rows[0].pk, was_home.pk}
    assert home.pk not in found


def test_floating_without_inflow_party_org(party_cast):
    c = party_cast
    out = make_member(c, c.branch, name="流出", floating="outflow", floating_card_no="LD9")
    placed = make_member(
        c, c.branch, name="已落实", floating="outflow", floating_card_no="LD8", inflow_party_org=c.branch
    )
    found = faces(c, "member_floating")
    assert out.pk in found and placed.pk not in found


# -- the measures behind every coverage figure ------------------------------------------------------
def test_measures_count_exactly_at_each_threshold(cast):
    party_services.set_parameter(cast.city_admin, "statistical_min_employees", 10)
    params = policy.values()
    t = measures.Thresholds.of(params)
    Organization.objects.all().delete()
    sizes = sorted({n + d for n in (t.basis, t.members_from, t.party_org_from) for d in (-1, 0, 1)})
    orgs = [new_org(cast, f"规模{e}人有限公司", None, kind="individual", employees=e) for e in sizes]
    social = new_org(cast, "规模社团", None, kind="association", employees=t.party_org_from, industry="S")
    got = Organization.objects.aggregate(**measures.aggregates(t))
    counted = [o for o in orgs if o.employees >= t.basis]
    assert got["counted"] == len(counted) + (social.employees >= t.basis)
    assert got["below_basis"] == len([o for o in orgs if o.employees < t.basis])
    assert got["econ_50"] == len([o for o in counted if o.employees >= t.members_from])
    assert got["econ_100"] == len([o for o in counted if o.employees >= t.party_org_from])
    # nobody has members or a party organization: every one of them is a blank spot of its kind
    assert got["blank_50"] == got["econ_50"] + 1 and got["blank_100"] == got["econ_100"] + 1
    assert got["econ_50_member"] == got["econ_100_org"] == 0


# -- what each finding says (the findings list and the organization page print these) ------------------
def test_each_rule_says_exactly_what_it_found(party_cast):
    """Every rule's words, level, numbers and suggested action, for one object each."""
    from liangxin.orgs.models import Organization as Org
    from liangxin.party.models import Member, PartyOrganization

    c = party_cast
    for key in ("branch_max_members", "committee_min_members", "branch_committee_full_members"):
        party_services.set_parameter(c.city_admin, key, 2)
    covered = [new_org(c, f"联建{i}商店", None, kind="individual") for i in range(limit("joint_branch_max_orgs") + 1)]
    joint = make_party_org(c, name="联合", mode="joint", org_type="joint_branch", covered=covered, term_end=TODAY)
    make_party_org(c, name="届满", term_end=TODAY - DAY)
    for i in range(3):
        make_member(c, joint, name=f"在外{i}", employer=c.waitan_org, employed_since=datetime.date(2020, 1, 1))
    make_member(c, joint, name="流出", floating="outflow", floating_card_no="LD1")
    Org.objects.filter(pk=c.org.pk).update(responsible_basis="none")
    params = policy.values()
    said = {}
    for target, qs, facts in (
        (
            "organization",
            Org.objects.filter(pk__in=[c.org.pk, c.waitan_org.pk, c.xuhui_org.pk]),
            rules.organization_facts,
        ),
        ("party_org", PartyOrganization.objects.exclude(pk=c.branch.pk), rules.party_org_facts),
        ("member", Member.objects.filter(name__in=["在外0", "流出"]), rules.member_facts),
    ):
        for obj in facts(qs):
            for f in rules.findings_for(obj, target, params, TODAY):
                said[(str(obj), f.rule)] = (f.level_label, f.rule_label, f.text, f.values, f.action)
    end = str(TODAY)
    assert said == {
        ("上海嘉信信息科技有限公司", "org_no_node"): (
            "必须", "无责任主体", "无责任主体：没有党组织覆盖、隶属调整，经营地和注册地也没有对应的街道/镇党委", {},
            "由上级党委指定责任党委"),
        ("外滩餐饮管理有限公司", "org_party_org"): (
            "必须", "应建未建党组织", "职工 120 人，尚未建立党组织（规则：职工 ≥100 人应建立党组织；依据 「应建立党组织的从业人员数」（《黄浦区2015年“两新”组织党建工作要点》））",
            {"employees": 120, "should_have_party_org_employees": 100}, "组建党组织"),
        ("外滩餐饮管理有限公司", "org_own_branch"): (
            "应当", "具备单独组建条件", "有正式党员 3 名，尚未单独建立党组织，具备单独组建条件（规则：正式党员 ≥3 名；依据 「单独组建党支部的正式党员数」（《中国共产党支部工作条例（试行）》））",
            {"full_members": 3, "own_branch_full_members": 3}, "单独组建党支部"),
        ("天平软件有限公司", "org_party_org"): (
            "必须", "应建未建党组织", "职工 120 人，尚未建立党组织（规则：职工 ≥100 人应建立党组织；依据 「应建立党组织的从业人员数」（《黄浦区2015年“两新”组织党建工作要点》））",
            {"employees": 120, "should_have_party_org_employees": 100}, "组建党组织"),
        ("天平软件有限公司", "org_members"): (
            "应当", "应有党员而无党员", "职工 120 人，尚无党员（规则：职工 ≥50 人应有党员；依据 「应有党员的从业人员数」（《黄浦区2015年“两新”组织党建工作要点》））",
            {"employees": 120, "should_have_members_employees": 50}, "发展党员或引导党员亮明身份"),
        ("联合", "po_joint_limit"): (
            "应当", "联合党支部覆盖单位过多", "联合党支部覆盖 6 个单位，超过上限"
            "（规则：一个联合党支部覆盖不超过 5 个单位；依据 「一个联合党支部覆盖单位数上限」（《中国共产党支部工作条例（试行）》））",
            {"covered": 6, "joint_branch_max_orgs": 5}, "拆分联合党支部"),
        ("联合", "po_general_branch"): (
            "提醒", "党员超过支部规模", "党员 4 名，超过党支部一般规模（规则：党员超过 2 名可设立党总支；依据 「党支部党员数上限（超过可设党总支）」（《中国共产党支部工作条例（试行）》））",
            {"members": 4, "branch_max_members": 2}, "研究设立党总支"),
        ("联合", "po_committee_possible"): (
            "提醒", "可设立基层党委", "党员 4 名，可设立基层党委（规则：党员 ≥2 名；依据 「可设立基层党委的党员数」（市级设定））",
            {"members": 4, "committee_min_members": 2}, "研究设立基层党委"),
        ("联合", "po_needs_committee"): (
            "应当", "应设支委会", "有正式党员 4 名，尚未设立支部委员会（规则：正式党员 ≥2 名应设支委会；依据 「设立支部委员会的正式党员数」（《中国共产党支部工作条例（试行）》））",
            {"full_members": 4, "branch_committee_full_members": 2}, "选举产生支部委员会"),
        ("联合", "po_term"): (
            "应当", "换届提醒", f"任期将于 {end} 届满（规则：提前 1 个月提醒换届；依据 「换届提前提醒（第二次）」（市级设定））",
            {"term_end": end, "remind_months": 1}, "筹备换届选举"),
        ("届满", "po_term"): (
            "必须", "换届提醒", f"任期已于 {TODAY - DAY} 届满，尚未换届", {"term_end": str(TODAY - DAY)}, "按期换届"),
        ("在外0", "member_transfer"): (
            "提醒", "组织关系转接提醒", "在工作单位已满 6 个月，组织关系仍在其他党组织"
            "（规则：工作满 6 个月应转接组织关系；依据 「在单位工作满此月数应转接组织关系」（《大力推进新社会组织党建工作》（义乌）））",
            {"employed_since": "2020-01-01", "transfer_after_months": 6}, "办理组织关系转接"),
        ("流出", "member_floating"): (
            "应当", "流出党员未落实流入地", "流出党员尚未落实流入地党组织（流入地为主、流出地配合）", {},
            "联系流入地党组织纳入管理"),
    }  # fmt: skip
    # the rule table's own words and levels (the findings list's filter and headings)
    assert {code: (r.label, r.level, r.target) for code, r in rules.RULES.items()} == {
        "org_party_org": ("应建未建党组织", "must", "organization"),
        "org_members": ("应有党员而无党员", "should", "organization"),
        "org_own_branch": ("具备单独组建条件", "should", "organization"),
        "org_no_node": ("无责任主体", "must", "organization"),
        "org_employees_unknown": ("从业人员数未填", "remind", "organization"),
        "org_industry_unknown": ("行业未填", "remind", "organization"),
        "org_kind_unknown": ("组织类型未填", "remind", "organization"),
        "po_joint_limit": ("联合党支部覆盖单位过多", "should", "party_org"),
        "po_general_branch": ("党员超过支部规模", "remind", "party_org"),
        "po_committee_possible": ("可设立基层党委", "remind", "party_org"),
        "po_needs_committee": ("应设支委会", "should", "party_org"),
        "po_term": ("换届提醒", "should", "party_org"),
        "member_transfer": ("组织关系转接提醒", "remind", "member"),
        "member_floating": ("流出党员未落实流入地", "should", "member"),
    }


# -- the measures on a small world counted by hand ------------------------------------------------------
# Each organization below is written for one purpose (its comment says which measure it tests);
# the expected figures are typed from those comments, not computed with the production code.


def _org(cast, name, **values) -> Organization:
    state = values.pop("state", "none")
    members = values.pop("members", 0)
    status = values.pop("status", "operating")
    org = new_org(cast, name, None, kind=values.pop("kind", "individual"), **values)
    # the three facts the measures read, set directly: the measures are under test, not coverage
    Organization.objects.filter(pk=org.pk).update(coverage_state=state, member_count=members, status=status)
    return org


def _world(cast) -> Thresholds:
    Organization.objects.all().delete()
    t = Thresholds.of(policy.values())
    big, mid, small = t.party_org_from, t.members_from, t.members_from - 1
    _org(cast, "单独建党大企业", employees=big, state="own", members=4, above_scale=True, key_industry=True)
    _org(cast, "联合覆盖大企业", employees=big, state="joint", members=1, above_scale=True)
    _org(cast, "挂靠大企业", employees=big, state="attached", members=0, above_scale=True)
    _org(cast, "指导员中型企业", employees=mid, state="instructor", members=2, key_industry=True)
    _org(cast, "空白中型企业", employees=mid, state="none")
    _org(cast, "空白小企业", employees=small, state="none", members=3)
    _org(cast, "单独建党社团", kind="association", industry="S", employees=big, state="own", members=5)
    # a ledger said 规模以上 but not how many work there: counted, covered, in no size denominator
    _org(cast, "规模未填企业", employees=None, state="joint", members=1, above_scale=True)
    _org(cast, "已迁出企业", employees=big, state="own", members=7, status="moved")
    _org(cast, "已注销企业", employees=big, state="none", status="deregistered")
    return t


EXPECTED = {
    "counted": 8,  # every operating one (statistical basis 0), the one of unknown size too
    "own": 2, "joint": 2, "attached": 1, "instructor": 1, "blank": 2,
    "org_covered": 4, "work_covered": 6,
    "has_member": 6, "members": 4 + 1 + 2 + 3 + 5 + 1,
    "econ_50": 5, "econ_50_member": 3,  # the three big and the two mid-sized enterprises
    "econ_100": 3, "econ_100_org": 2,
    "econ_above": 3, "econ_above_org": 2,
    "key_units": 2, "key_units_org": 1,
    "blank_50": 2,  # 挂靠大企业, 空白中型企业 (of any kind: the 社团 would count, but it has members)
    "blank_100": 1,  # 挂靠大企业 (the 社团 has its own organization)
    "below_basis": 0, "size_unknown": 1, "econ_size_unknown": 1, "moved": 1, "deregistered": 1,
}  # fmt: skip


def test_every_measure_on_a_world_counted_by_hand(cast):
    t = _world(cast)
    got = Organization.objects.aggregate(**measures.aggregates(t))
    assert list(got) == measures.MEASURE_NAMES
    assert got == EXPECTED


def test_the_statistical_basis_moves_organizations_out_of_every_denominator(cast):
    t = _world(cast)
    raised = Thresholds(t.members_from, t.members_from, t.party_org_from)  # basis: the mid size
    got = Organization.objects.aggregate(**measures.aggregates(raised))
    assert got["counted"] == 7 and got["below_basis"] == 1  # 空白小企业 leaves; unknown size stays
    assert got["members"] == EXPECTED["members"] - 3 and got["has_member"] == 5
    assert raised.key == f"{t.members_from}/{t.members_from}/{t.party_org_from}"


def test_as_of_conditions_read_the_as_of_facts(cast):
    """The dated path names its facts differently: swap the stored columns out of the way."""
    t = _world(cast)
    qs = Organization.objects.annotate(s_state=F("coverage_state"), s_members=F("member_count"), s_status=F("status"))
    assert qs.aggregate(**measures.aggregates(t, AS_OF)) == EXPECTED
    # and the as-of facts win over the stored ones: every organization "deregistered" as of then
    gone = Organization.objects.annotate(s_state=F("coverage_state"), s_members=F("member_count"))
    from django.db.models import Value

    gone = gone.annotate(s_status=Value("deregistered"))
    assert gone.aggregate(**measures.aggregates(t, AS_OF))["deregistered"] == 10
    assert (CURRENT.state, CURRENT.members, CURRENT.status) == ("coverage_state", "member_count", "status")


def test_thresholds_come_from_the_policy_parameters():
    params = {"statistical_min_employees": Decimal(10), "should_have_members_employees": Decimal(50),
              "should_have_party_org_employees": Decimal(100)}  # fmt: skip
    assert Thresholds.of(params) == Thresholds(10, 50, 100)
    assert Thresholds.of(params).key == "10/50/100"


def test_nothing_counted_sums_no_members(cast):
    Organization.objects.all().delete()
    got = Organization.objects.aggregate(**measures.aggregates(Thresholds.of(policy.values())))
    assert got == measures.zero()


def test_zero_and_add_sum_rows_measure_by_measure():
    total = measures.zero()
    assert total == dict.fromkeys(measures.MEASURE_NAMES, 0)
    measures.add(total, {**dict.fromkeys(measures.MEASURE_NAMES, 2), "members": None})
    measures.add(total, dict.fromkeys(measures.MEASURE_NAMES, 3))
    assert total == {**dict.fromkeys(measures.MEASURE_NAMES, 5), "members": 3}


def test_percent_to_one_decimal_half_up():
    assert measures.percent(0, 0) is None
    assert measures.percent(1, 3) == Decimal("33.3")
    assert measures.percent(2, 3) == Decimal("66.7")
    assert measures.percent(1, 8) == Decimal("12.5")
    assert measures.percent(1, 16) == Decimal("6.3")  # 6.25: half up, not to even
    assert measures.percent(97, 100) == Decimal("97.0")


def test_each_rate_is_the_ratio_it_names():
    assert {r.key: (r.numerator, r.denominator, r.target_param, r.target_fixed) for r in measures.RATES} == {
        "org_coverage": ("org_covered", "counted", None, None),
        "work_coverage": ("work_covered", "counted", None, None),
        "dual_members": ("econ_50_member", "econ_50", "coverage_target_percent", None),
        "dual_org": ("econ_100_org", "econ_100", "coverage_target_percent", None),
        "above_scale": ("econ_above_org", "econ_above", "coverage_target_percent", None),
        "key_units": ("key_units_org", "key_units", None, Decimal(100)),
        "has_member": ("has_member", "counted", None, None),
    }
    assert measures.RATE_BY_KEY["dual_org"].label == "“双达标”：100人以上非公企业建立党组织"
    assert measures.MEASURE_LABELS["blank"] == "空白点（未覆盖）"
    assert measures.COUNT_MEASURES == [m for m in measures.MEASURE_NAMES if m != "members"]


def test_read_only_users_get_the_findings_of_what_they_see(party_cast):
    """The findings list is for readers: the auditor (who changes nothing) gets the same
    findings as the district's administrator, for organizations, party organizations and members."""
    c = party_cast
    params = policy.values()
    make_member(c, c.branch, name="流出", floating="outflow", floating_card_no="LD7")
    for code in ("org_party_org", "po_term", "member_floating"):
        rule = rules.RULES[code]
        if code == "po_term":
            type(c.branch).objects.filter(pk=c.branch.pk).update(term_end=TODAY)
        by_auditor = set(rules.candidates(rule, scope_for(c.auditor), params, TODAY).values_list("pk", flat=True))
        by_admin = set(rules.candidates(rule, scope_for(c.district_admin), params, TODAY).values_list("pk", flat=True))
        assert by_auditor == by_admin != set(), code
