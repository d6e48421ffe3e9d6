"""Each rule at its boundaries, and the two faces of every rule agreeing."""

import datetime

import pytest

from liangxin.accounts.scoping import scope_for
from liangxin.core.dates import add_months
from liangxin.orgs.models import Organization
from liangxin.party import policy, rules
from liangxin.party.models import PartyOrganization

from .party_helpers import make_instructor, make_member, make_party_org

TODAY = datetime.date(2026, 11, 24)


def org_findings(org_id):
    org = rules.organization_facts(Organization.objects.filter(pk=org_id)).get()
    return {f.rule: f for f in rules.findings_for(org, "organization", policy.values(), TODAY)}


def po_findings(po_id, day=TODAY):
    po = rules.party_org_facts(PartyOrganization.objects.filter(pk=po_id)).get()
    return {f.rule: f for f in rules.findings_for(po, "party_org", policy.values(), day)}


@pytest.mark.parametrize("employees, found", [(99, False), (100, True)])
def test_hundred_employees_need_a_party_organization(cast, employees, found):
    Organization.objects.filter(pk=cast.org.pk).update(employees=employees)
    finding = org_findings(cast.org.pk).get("org_party_org")
    assert (finding is not None) == found
    if found:
        assert (
            finding.text == "职工 100 人，尚未建立党组织（规则：职工 ≥100 人应建立党组织；"
            "依据 「应建立党组织的从业人员数」（《黄浦区2015年“两新”组织党建工作要点》））"
        )


def test_attached_or_instructor_does_not_satisfy_the_hundred_rule(cast):
    from liangxin.party import services

    services.assign_instructor(cast.city_admin, make_instructor(cast), cast.org, datetime.date(2024, 1, 1))
    assert "org_party_org" in org_findings(cast.org.pk)
    make_party_org(cast, mode="single", covered=[cast.org])
    assert "org_party_org" not in org_findings(cast.org.pk)


@pytest.mark.parametrize("employees, found", [(49, False), (50, True)])
def test_fifty_employees_need_members(cast, employees, found):
    Organization.objects.filter(pk=cast.org.pk).update(employees=employees)
    assert ("org_members" in org_findings(cast.org.pk)) == found


@pytest.mark.parametrize("full_members, found", [(2, False), (3, True)])
def test_three_full_members_can_have_their_own_branch(cast, full_members, found):
    branch = make_party_org(cast, mode="joint", org_type="joint_branch", covered=[cast.org, cast.waitan_org])
    for i in range(full_members):
        make_member(cast, branch, name=f"党员{i}", employer=cast.org)
    make_member(cast, branch, name="预备", employer=cast.org, category="probationary")
    finding = org_findings(cast.org.pk).get("org_own_branch")
    assert (finding is not None) == found
    if found:
        assert finding.text == (
            "有正式党员 3 名，目前在联合党支部中，具备单独组建条件（规则：正式党员 ≥3 名；"
            "依据 「单独组建党支部的正式党员数」（《中国共产党支部工作条例（试行）》））"
        )


@pytest.mark.parametrize("covered, found", [(5, False), (6, True)])
def test_joint_branch_covers_at_most_five(cast, covered, found):
    from .party_helpers import new_org

    orgs = [new_org(cast, f"联建单位{i}有限公司", None, kind="individual") for i in range(covered)]
    branch = make_party_org(cast, mode="joint", org_type="joint_branch", covered=orgs)
    assert ("po_joint_limit" in po_findings(branch.pk)) == found


@pytest.mark.parametrize("full_members, found", [(6, False), (7, True)])
def test_seven_full_members_need_a_committee(cast, full_members, found):
    branch = make_party_org(cast)
    for i in range(full_members):
        make_member(cast, branch, name=f"党员{i}")
    assert ("po_needs_committee" in po_findings(branch.pk)) == found


def test_member_limits_for_general_branch_and_committee(cast, settings):
    from liangxin.party import services

    services.set_parameter(cast.city_admin, "branch_max_members", 2)
    services.set_parameter(cast.city_admin, "committee_min_members", 3)
    branch = make_party_org(cast)
    for i in range(3):
        make_member(cast, branch, name=f"党员{i}")
    found = po_findings(branch.pk)
    assert "党员超过 2 名可设立党总支" in found["po_general_branch"].text
    assert "党员 ≥3 名" in found["po_committee_possible"].text


@pytest.mark.parametrize(
    "offset_days, level",
    [(-1, "must"), (0, "should"), (30, "should"), (None, None)],
)
def test_term_reminders_at_their_windows(cast, offset_days, level):
    one_month = add_months(TODAY, 1)
    six_months = add_months(TODAY, 6)
    cases = {
        -1: TODAY - datetime.timedelta(days=1),
        0: TODAY,
        30: one_month,
        None: six_months + datetime.timedelta(days=1),
    }
    branch = make_party_org(cast, term_start=datetime.date(2021, 1, 1), term_end=cases[offset_days])
    finding = po_findings(branch.pk).get("po_term")
    assert (finding.level if finding else None) == level


@pytest.mark.parametrize("delta, level", [(-1, "remind"), (0, "remind"), (1, None)])
def test_six_month_reminder_window_edges(cast, delta, level):
    six_months = add_months(TODAY, 6)
    branch = make_party_org(cast, term_end=six_months + datetime.timedelta(days=delta))
    finding = po_findings(branch.pk).get("po_term")
    assert (finding.level if finding else None) == level


@pytest.mark.parametrize("delta, level", [(0, "should"), (1, "remind")])
def test_one_month_reminder_window_edges(cast, delta, level):
    branch = make_party_org(cast, term_end=add_months(TODAY, 1) + datetime.timedelta(days=delta))
    assert po_findings(branch.pk)["po_term"].level == level


def test_both_faces_of_every_rule_agree(cast):
    from .party_helpers import new_org

    big = new_org(cast, "上海大单位有限公司", None, kind="individual", employees=150)
    new_org(cast, "上海未填单位有限公司", None, kind="unknown", industry="unknown", employees=None)  # 未填: findings
    branch = make_party_org(cast, mode="joint", org_type="joint_branch", covered=[big], term_end=TODAY)
    for i in range(8):
        make_member(cast, branch, name=f"党员{i}", employer=cast.org, employed_since=datetime.date(2020, 1, 1))
    make_member(cast, branch, name="流出", floating="outflow", floating_card_no="LD001")
    params, scope = policy.values(), scope_for(cast.city_admin)
    for rule in rules.RULES.values():
        by_sql = set(rules.candidates(rule, scope, params, TODAY).values_list("pk", flat=True))
        everything = rules.candidates(
            rules.Rule(rule.code, "", "", rule.target, lambda p, d: rules.Q(), None), scope, params, TODAY
        )
        by_check = {obj.pk for obj in everything if rule.check(obj, params, TODAY) is not None}
        assert by_sql == by_check, rule.code
        assert by_sql or rule.code in {"po_general_branch", "po_committee_possible", "org_no_node", "po_joint_limit"}


def test_organization_page_shows_state_findings_and_suggestion(cast):
    from .conftest import client_for

    page = client_for(cast.street_admin).get(f"/orgs/{cast.org.pk}/").content.decode()
    assert "空白点" in page
    assert "职工 120 人，尚未建立党组织（规则：职工 ≥100 人应建立党组织；依据 「应建立党组织的从业人员数」" in page
    assert "选派党建指导员" in page  # no members, no joint branch nearby: the suggestion


def test_suggestion_names_a_joint_branch_with_room(cast):
    from liangxin.party.suggestion import suggest

    branch = make_party_org(cast, name="南京东路联合党支部", mode="joint", org_type="joint_branch")
    from liangxin.party import services

    from .party_helpers import new_org

    neighbour = new_org(cast, "邻居有限公司", None, kind="individual")
    services.update_party_org(cast.city_admin, branch, name=branch.name, values={}, covered=[neighbour], on=TODAY)
    org = Organization.objects.get(pk=cast.org.pk)
    suggestion = suggest(org, policy.values())
    assert suggestion.mode == "联合组建" and suggestion.candidates == [branch]
    for i in range(3):
        make_member(cast, branch, name=f"党员{i}", employer=cast.org)
    assert suggest(org, policy.values()).mode == "单独组建"
