"""Party organizations and members through the pages: bad input refused in Chinese, nothing stored."""

import datetime

import pytest

from liangxin.core.dates import add_months
from liangxin.core.models import AuditAction, AuditEntry
from liangxin.party import policy, rules
from liangxin.party.models import Member, PartyOrganization

from .conftest import CODES, client_for
from .party_helpers import make_member, make_party_org


def party_form(cast, **changes):
    data = {
        "name": "新建党支部",
        "parent": cast.nanjing_node.pk,
        "org_type": "branch",
        "setup_mode": "single",
        "covers_text": CODES[0],
    }
    data.update(changes)
    return data


def test_create_party_org_covering_an_org_makes_it_own(cast):
    response = client_for(cast.street_admin).post("/party/new/", party_form(cast))
    assert response.status_code == 302
    po = PartyOrganization.objects.get(node__name="新建党支部")
    cast.org.refresh_from_db()
    assert cast.org.coverage_state == "own" and po.node.parent == cast.nanjing_node


@pytest.mark.parametrize(
    "changes, text",
    [
        ({"covers_text": CODES[2]}, "找不到以下组织"),  # 徐汇 is not visible to 南京东路
        ({"covers_text": "NOPE"}, "找不到以下组织"),
        ({"term_start": "2024-01-01", "term_end": "2023-01-01"}, "任期届满日期应晚于"),
    ],
)
def test_bad_party_org_input(cast, changes, text):
    response = client_for(cast.street_admin).post("/party/new/", party_form(cast, **changes))
    assert response.status_code == 400 and text in response.content.decode()
    assert not PartyOrganization.objects.filter(node__name="新建党支部").exists()


def test_covering_a_visible_but_not_editable_org_is_refused(cast):
    from .test_scoping import attached_lawfirm

    lawfirm = attached_lawfirm(cast)  # operates in 外滩, responsible: lawyers' committee
    response = client_for(cast.other_street_admin).post(
        "/party/new/", party_form(cast, parent=cast.waitan_node.pk, covers_text=lawfirm.credit_code)
    )
    assert "不在您的管辖范围内" in response.content.decode()


def test_secretary_must_be_a_member_of_the_branch(party_cast):
    cast = party_cast
    outsider = make_member(cast, make_party_org(cast, name="别的支部"), name="外人")
    data = party_form(cast, name=cast.branch.name, secretary=outsider.pk)
    response = client_for(cast.street_admin).post(f"/party/{cast.branch.pk}/edit/", data)
    assert response.status_code == 400
    data["secretary"] = cast.member.pk
    assert client_for(cast.street_admin).post(f"/party/{cast.branch.pk}/edit/", data).status_code == 302
    cast.branch.refresh_from_db()
    assert cast.branch.secretary == cast.member


def test_policy_edit_changes_findings_and_is_audited(party_cast):
    cast = party_cast
    data = {p.key: str(v) for p, v in [(p, policy.values()[p.key]) for p in policy.PARAMETERS]}
    data["should_have_party_org_employees"] = "200"
    client_for(cast.city_admin).post("/policy/", data)
    assert policy.values()["should_have_party_org_employees"] == 200
    from liangxin.core.models import AuditEntry

    assert AuditEntry.objects.filter(object_type="party.policyparameter").count() == 1
    data["should_have_party_org_employees"] = "-5"
    page = client_for(cast.city_admin).post("/policy/", data, follow=True).content.decode()
    assert "不能为负数" in page


def test_findings_page_lists_and_exports_in_scope(cast):
    client = client_for(cast.street_admin)
    page = client.get("/findings/", {"rule": "org_party_org"}).content.decode()
    assert "上海嘉信信息科技有限公司" in page and "外滩餐饮" not in page
    export = client.get("/findings/export.xlsx", {"rule": "org_party_org"})
    assert export.status_code == 200


DAY = datetime.date(2026, 11, 24)


@pytest.mark.parametrize("months_ago, days, found", [(6, 0, True), (6, -1, False)])
def test_transfer_reminder_at_six_months(party_cast, months_ago, days, found):
    cast = party_cast
    other = make_party_org(cast, name="原单位党支部", parent=cast.waitan_node)
    since = add_months(DAY, -months_ago) - datetime.timedelta(days=days)
    member = make_member(cast, other, name="调动", employer=cast.org, employed_since=since)
    m = rules.member_facts(Member.objects.filter(pk=member.pk)).get()
    assert ("member_transfer" in {f.rule for f in rules.findings_for(m, "member", policy.values(), DAY)}) == found
    held_here = rules.member_facts(Member.objects.filter(pk=cast.member.pk)).get()
    assert not rules.findings_for(held_here, "member", policy.values(), DAY)


def test_floating_member_without_inflow_org(party_cast):
    cast = party_cast
    member = make_member(cast, cast.branch, name="流出", floating="outflow", floating_card_no="LD-1")
    m = rules.member_facts(Member.objects.filter(pk=member.pk)).get()
    assert [f.rule for f in rules.findings_for(m, "member", policy.values(), DAY)] == ["member_floating"]


def test_secretary_home_lists_their_branch_and_its_findings(party_cast):
    cast = party_cast
    page = client_for(cast.secretary).get("/").content.decode()
    assert "我的党组织" in page and cast.branch.name in page and "党员 1 名" in page


def test_term_end_follows_from_term_start_and_type(cast):
    branch = make_party_org(cast, term_start=datetime.date(2024, 3, 1))
    committee = make_party_org(cast, name="基层党委", org_type="committee", term_start=datetime.date(2024, 3, 1))
    assert (branch.term_end, committee.term_end) == (datetime.date(2027, 3, 1), datetime.date(2029, 3, 1))


def test_party_org_with_members_cannot_be_dissolved(party_cast):
    cast = party_cast
    client = client_for(cast.street_admin)
    page = client.post(f"/party/{cast.branch.pk}/deactivate/", {"reason": "单位注销"}, follow=True).content.decode()
    assert "仍有在册党员" in page
    Member.objects.filter(pk=cast.member.pk).update(is_active=False)
    client.post(f"/party/{cast.branch.pk}/deactivate/", {"reason": "　单位注销，（已吊销）"})
    cast.branch.node.refresh_from_db()
    cast.org.refresh_from_db()
    assert not cast.branch.node.is_active and cast.org.coverage_state == "none"
    # a reason is prose: trimmed, its Chinese punctuation kept as typed
    assert AuditEntry.objects.filter(action=AuditAction.DEACTIVATE).latest("pk").detail == "单位注销，（已吊销）"


def test_instructor_record_linked_to_a_login(cast):
    from liangxin.party.models import Instructor

    from .conftest import _user

    _user("zhang_instructor", "instructor", cast.nanjing_node)
    client = client_for(cast.street_admin)
    client.post("/instructors/", {"name": "张指导", "node": cast.nanjing_node.pk, "username": "zhang_instructor"})
    assert Instructor.objects.get(name="张指导").user.username == "zhang_instructor"
    page = client.post(
        "/instructors/", {"name": "王指导", "node": cast.nanjing_node.pk, "username": "nobody"}, follow=True
    )
    assert "未在该党委下授予指导员角色" in page.content.decode()


def test_committee_seats_only_for_own_members(party_cast):
    from django.core.exceptions import ValidationError

    from liangxin.party import services

    cast = party_cast
    services.seat_member(cast.city_admin, cast.branch, cast.member.pk, "书记")
    services.seat_member(cast.city_admin, cast.branch, cast.member.pk, "组织委员")  # moves, not doubles
    assert list(cast.branch.committee.values_list("position", flat=True)) == ["组织委员"]
    outsider = make_member(cast, make_party_org(cast, name="别处支部"), name="外人")
    with pytest.raises(ValidationError):
        services.seat_member(cast.city_admin, cast.branch, outsider.pk, "委员")
    services.unseat_member(cast.city_admin, cast.branch, cast.member.pk)
    assert not cast.branch.committee.exists()


def test_moving_a_party_organization_is_audited_and_never_under_itself(party_cast):
    from liangxin.core.models import AuditEntry
    from liangxin.mgmt.models import NodeKind
    from liangxin.party import services
    from liangxin.party.models import PartyOrganization

    c = party_cast
    child_node = c.branch.node.__class__.objects.create(name="嘉信第一党小组支部", kind=NodeKind.GRASSROOTS,
                                                       parent=c.branch.node)  # fmt: skip
    child = PartyOrganization.objects.create(node=child_node, org_type="branch", setup_mode="single")
    with pytest.raises(ValueError, match="上级党组织不能是本党组织或它的下级"):
        services.move_party_org(c.city_admin, c.branch, child_node)
    assert services.move_party_org(c.city_admin, c.branch, c.waitan_node) is True
    c.branch.node.refresh_from_db()
    child_node.refresh_from_db()
    assert c.branch.node.parent == c.waitan_node and child_node.path.startswith(c.branch.node.path)
    entry = AuditEntry.objects.filter(object_type="party.partyorganization", object_id=str(c.branch.pk)).first()
    assert entry.changes == {"上级党组织": ["南京东路街道综合党委", "外滩街道综合党委"]}
    c.org.refresh_from_db()
    assert c.org.responsible_node == c.waitan_node  # the covered organization follows its branch
    assert child.node.parent_id == c.branch.node.pk
