"""信息群发, the target: who a target reaches, checked against a selection written here by hand
over the raw rows; scope (never outside the sender's), dedup (one person, one recipient) and
the Chinese refusals."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.scoping import scope_for
from liangxin.develop import services as develop_services
from liangxin.develop.models import OPEN_STAGES, Applicant
from liangxin.messaging.targets import (
    NOBODY,
    NOTHING_CHOSEN,
    NodePlace,
    OrgFilter,
    PeopleKind,
    RegionPlace,
    Target,
    resolve,
)
from liangxin.orgs.models import Organization
from liangxin.party.models import (
    CommitteeSeat,
    Instructor,
    InstructorAssignment,
    Member,
    PartyOrganization,
    PartyOrgLink,
)

from .conftest import CODES, _user
from .party_helpers import id_number, make_instructor, make_member, make_party_org, new_org

MORE_CODES = ["91310101MA1FPX004F", "91310101MA1FPX005J", "91310101MA1FPX006M", "91310101MA1FPX007Q"]


def _account(name: str) -> User:
    return User.objects.create_user(username=name, password="x-Test@pass-2026", full_name=name)


def _set(obj, **values):
    type(obj).objects.filter(pk=obj.pk).update(**values)
    obj.refresh_from_db()


@pytest.fixture
def world(party_cast):
    c = party_cast
    today = timezone.localdate()
    c.waitan_branch = make_party_org(c, name="外滩餐饮管理有限公司党支部", parent=c.waitan_node, covered=[c.waitan_org])
    c.tianping_branch = make_party_org(c, name="天平软件有限公司党支部", parent=c.tianping_node, covered=[c.xuhui_org])
    _set(c.org, contact_name="赵联络", contact_phone="13800000001")
    _set(c.waitan_org, contact_name="", contact_phone="13800000002")
    # blank spots (no party organization, no instructor): over and under 50 employees, with and without a contact
    c.blank_big = new_org(
        c, "南京东路大型空白企业", CODES[3], employees=60, contact_name="钱经理", contact_phone="13900000001"
    )
    c.blank_small = new_org(c, "南京东路小型空白企业", MORE_CODES[0], employees=30, contact_phone="13900000002")
    c.blank_silent = new_org(c, "南京东路无联系人企业", MORE_CODES[1], employees=70)
    c.blank_waitan = new_org(
        c, "外滩大型空白企业", MORE_CODES[2], employees=80, operating_region=c.waitan, registered_region=c.waitan,
        contact_name="孙主任", contact_phone="13900000003",
    )  # fmt: skip
    c.blank_social = new_org(
        c, "南京东路行业协会", MORE_CODES[3], employees=55, kind="trade_association", industry="S",
        carrier=c.building, contact_name="李秘书长",
    )  # fmt: skip

    # the branch in 南京东路: its secretary (the secretary's own account), committee, a member in difficulty,
    # one flowing out to 外滩, one flowing out of the platform; the person behind the secretary's
    # account is also an instructor
    c.sec_member = make_member(c, c.branch, name="周书记", employer=c.org, phone="13700000001")
    _set(c.sec_member, user=c.secretary)
    _set(c.branch, secretary=c.sec_member)
    CommitteeSeat.objects.create(party_org=c.branch, member=c.sec_member, position="书记")
    c.committee_member = make_member(c, c.branch, name="吴委员", employer=c.org, phone="13700000002")
    CommitteeSeat.objects.create(party_org=c.branch, member=c.committee_member, position="组织委员")
    c.poor = make_member(c, c.branch, name="郑困难", employer=None, phone="13700000003")
    _set(c.poor, needs_help=True, user=_account("zheng"))
    _set(c.member, needs_help=True)
    c.out_to_waitan = make_member(c, c.branch, name="冯流出", employer=c.waitan_org, phone="13700000004")
    _set(c.out_to_waitan, floating="outflow", inflow_party_org=c.waitan_branch, inflow_place="外滩")
    c.out_away = make_member(c, c.branch, name="陈外出", phone="")
    _set(c.out_away, floating="outflow", inflow_place="江苏省苏州市")
    c.gone = make_member(c, c.branch, name="褚已转出", employer=c.org)
    _set(c.gone, is_active=False)
    c.instructor = make_instructor(c, name="周书记")
    _set(c.instructor, user=c.secretary, phone="13700000009")
    c.other_instructor = make_instructor(c, name="卫指导")
    _set(c.other_instructor, phone="13700000010")
    InstructorAssignment.objects.create(instructor=c.other_instructor, organization=c.blank_waitan, start_on=today)

    # 外滩: a member, an inflow member from outside the platform, its secretary
    c.waitan_member = make_member(c, c.waitan_branch, name="蒋外滩", employer=c.waitan_org, phone="13600000001")
    c.inflow = make_member(c, c.waitan_branch, name="沈流入", employer=c.waitan_org, phone="13600000002")
    _set(c.inflow, floating="inflow", inflow_party_org=c.waitan_branch, outflow_place="安徽省合肥市")
    c.waitan_sec = make_member(c, c.waitan_branch, name="韩书记", employer=c.waitan_org)
    _set(c.waitan_branch, secretary=c.waitan_sec)
    # 徐汇
    c.xuhui_member = make_member(c, c.tianping_branch, name="杨天平", employer=c.xuhui_org, phone="13500000001")

    # applicants: one in 南京东路 (working at 嘉信), one in 外滩
    applied = today - datetime.timedelta(days=5)
    scope = scope_for(c.city_admin)
    c.applicant = develop_services.register(
        c.city_admin, scope, {"name": "朱申请", "party_org": c.branch, "applied_on": applied, "employer": c.org},
        id_number("19980101"),
    )  # fmt: skip
    c.waitan_applicant = develop_services.register(
        c.city_admin,
        scope,
        {"name": "秦申请", "party_org": c.waitan_branch, "applied_on": applied},
        id_number("19970101"),
    )
    return c


# -- the selection by hand ---------------------------------------------------------------------------


def _at(path: str | None, places) -> bool:
    return path is not None and any(path.startswith(p) if below else path == p for p, below in places)


def _in(path: str | None, roots) -> bool:
    return roots is None or (path is not None and any(path.startswith(r) for r in roots))


def by_hand(target: Target, nodes=None, territory=None):
    """(recipient keys, organization ids) for a committee whose management subtrees are ``nodes``
    and whose territories are ``territory`` (None: the whole city), over every row in Python."""
    kinds = set(target.people)
    node_places = [(n.path, d) for p in target.nodes for n in [_node_by_id(p.id)] for d in [p.descendants]]
    region_places = [(r.path, p.descendants) for p in target.regions for r in [_region_by_code(p.code)]]
    any_place = bool(node_places or region_places)
    party_orgs = [po for po in PartyOrganization.objects.select_related("node") if _in(po.node.path, nodes)]
    active_pos = {po.pk for po in party_orgs if po.node.is_active}
    secretaries = {po.secretary_id for po in party_orgs if po.node.is_active and po.secretary_id}
    seated = {s.member_id for s in CommitteeSeat.objects.all() if s.party_org_id in active_pos}
    today = timezone.localdate()

    def region_of(org):
        return org.operating_region.path if org is not None else None

    chosen_members = {}
    for m in Member.objects.select_related("party_org__node", "inflow_party_org__node", "employer__operating_region"):
        if not m.is_active:
            continue
        held = _in(m.party_org.node.path, nodes)
        work = region_of(m.employer)
        held_wanted = (
            PeopleKind.MEMBERS in kinds
            or (PeopleKind.SECRETARIES in kinds and m.pk in secretaries)
            or (PeopleKind.COMMITTEE in kinds and m.pk in seated)
            or (PeopleKind.IN_DIFFICULTY in kinds and m.needs_help)
            or (PeopleKind.FLOATING_OUT in kinds and m.floating == "outflow")
        )
        held_place = not any_place or _at(m.party_org.node.path, node_places) or _at(work, region_places)
        inflow_side = m.inflow_party_org_id in {po.pk for po in party_orgs}
        came = m.floating == "inflow" or (m.floating == "outflow" and m.inflow_party_org_id in active_pos)
        inflow_node = m.inflow_party_org.node.path if m.inflow_party_org else None
        inflow_place = (
            not any_place
            or _at(inflow_node, node_places)
            or _at(work, region_places)
            or (m.floating == "inflow" and _at(m.party_org.node.path, node_places))
        )
        if (held and held_wanted and held_place) or (
            PeopleKind.FLOATING_IN in kinds and (held or inflow_side) and came and inflow_place
        ):
            chosen_members[m.pk] = m
    keys = {f"user:{m.user_id}" if m.user_id else f"member:{m.pk}" for m in chosen_members.values()}
    employers = {m.employer_id for m in chosen_members.values() if m.employer_id}
    member_users = {m.user_id for m in chosen_members.values() if m.user_id}

    if PeopleKind.APPLICANTS in kinds:
        for a in Applicant.objects.select_related("party_org__node", "member", "employer__operating_region"):
            if a.stage not in OPEN_STAGES or a.party_org_id not in {po.pk for po in party_orgs}:
                continue
            if any_place and not (_at(a.party_org.node.path, node_places) or _at(region_of(a.employer), region_places)):
                continue
            if a.member_id in chosen_members:
                continue
            user = a.member.user_id if a.member else None
            keys.add(f"user:{user}" if user else f"member:{a.member_id}" if a.member_id else f"applicant:{a.pk}")
            member_users |= {user} if user else set()
            employers |= {a.employer_id} if a.employer_id else set()

    if PeopleKind.INSTRUCTORS in kinds:
        for i in Instructor.objects.select_related("node"):
            if not i.is_active or not _in(i.node.path, nodes):
                continue
            assigned = [
                x.organization.operating_region.path
                for x in InstructorAssignment.objects.filter(instructor=i)
                if (x.start_on is None or x.start_on <= today) and (x.end_on is None or x.end_on > today)
            ]
            if any_place and not (_at(i.node.path, node_places) or any(_at(p, region_places) for p in assigned)):
                continue
            if i.user_id and i.user_id in member_users:
                continue
            keys.add(f"user:{i.user_id}" if i.user_id else f"instructor:{i.pk}")

    def visible(o) -> bool:
        return (
            nodes is None
            or (o.responsible_node is not None and _in(o.responsible_node.path, nodes))
            or _in(o.operating_region.path, territory or [])
        )

    contacted = set()
    f = target.organizations
    if f is not None:
        links = [
            (x.organization_id, x.party_org.node.path)
            for x in PartyOrgLink.objects.select_related("party_org__node")
            if (x.start_on is None or x.start_on <= today) and (x.end_on is None or x.end_on > today)
        ]
        for o in Organization.objects.select_related("responsible_node", "operating_region", "carrier"):
            if not visible(o) or o.status != "operating" or not (o.contact_name or o.contact_phone):
                continue
            if (f.kinds and o.kind not in f.kinds) or (f.industries and o.industry not in f.industries):
                continue
            if f.min_employees is not None and (o.employees is None or o.employees < f.min_employees):
                continue
            if f.carrier_kinds and (o.carrier is None or o.carrier.kind not in f.carrier_kinds):
                continue
            if f.coverage and o.coverage_state not in f.coverage:
                continue
            responsible = o.responsible_node.path if o.responsible_node else None
            covering = [path for org_id, path in links if org_id == o.pk]
            if any_place and not (
                _at(responsible, node_places)
                or any(_at(p, node_places) for p in covering)
                or _at(o.operating_region.path, region_places)
            ):
                continue
            keys.add(f"org-contact:{o.pk}")
            contacted.add(o.pk)
    reached = {o.pk for o in Organization.objects.select_related("responsible_node", "operating_region") if visible(o)}
    return keys, (contacted | employers) & reached


def _node_by_id(pk):
    from liangxin.mgmt.models import ManagementNode

    return ManagementNode.objects.get(pk=pk)


def _region_by_code(code):
    from liangxin.regions.models import Region

    return Region.objects.get(code=code)


def _resolved(target, user):
    res = resolve(target, scope_for(User.objects.get(pk=user.pk)))
    recipients = list(res.recipients())
    keys = [r.key for r in recipients]
    assert len(keys) == len(set(keys)), "one person, one recipient"
    assert res.people == len(keys)
    return res, set(keys), recipients


def _targets(c):
    return {
        "空白点 50 人以上": Target(organizations=OrgFilter(coverage=["none"], min_employees=50)),
        "流动党员": Target(people=[PeopleKind.FLOATING_IN, PeopleKind.FLOATING_OUT]),
        "南京东路的书记、委员、指导员": Target(
            nodes=[NodePlace(c.nanjing_node.pk)],
            people=[PeopleKind.SECRETARIES, PeopleKind.COMMITTEE, PeopleKind.INSTRUCTORS],
        ),
        "黄浦区的党员和申请人": Target(
            regions=[RegionPlace("310101")], people=[PeopleKind.MEMBERS, PeopleKind.APPLICANTS]
        ),
        "支部本级困难党员与南京东路的信息业、楼宇组织": Target(
            nodes=[NodePlace(c.branch.node.pk, descendants=False)],
            regions=[RegionPlace("310101002", descendants=False)],
            people=[PeopleKind.IN_DIFFICULTY],
            organizations=OrgFilter(industries=["I", "S"], carrier_kinds=["building"]),
        ),
        "外滩的流入党员和指导员": Target(
            regions=[RegionPlace("310101013")], people=[PeopleKind.FLOATING_IN, PeopleKind.INSTRUCTORS]
        ),
        "全市的社会组织与申请人": Target(
            people=[PeopleKind.APPLICANTS], organizations=OrgFilter(kinds=["trade_association", "private"])
        ),
        "所有人": Target(people=list(PeopleKind.values), organizations=OrgFilter()),
        # 本级 only: the street committee's own node (its party organizations sit below it) and the
        # district's own region (every organization operates in a street below it)
        "南京东路本级与黄浦区本级": Target(
            nodes=[NodePlace(c.nanjing_node.pk, descendants=False)],
            regions=[RegionPlace("310101", descendants=False)],
            people=[PeopleKind.MEMBERS, PeopleKind.INSTRUCTORS],
            organizations=OrgFilter(),
        ),
        "两个街道（含下级）": Target(
            nodes=[NodePlace(c.nanjing_node.pk), NodePlace(c.waitan_node.pk)],
            people=[PeopleKind.MEMBERS],
            organizations=OrgFilter(coverage=["none"]),
        ),
        "两个街道区划（含下级）": Target(
            regions=[RegionPlace("310101002"), RegionPlace("310101013")], people=[PeopleKind.APPLICANTS]
        ),
    }


# -- resolution equals the selection by hand ---------------------------------------------------------------


def test_every_target_resolves_to_the_selection_by_hand_for_the_city(world):
    c = world
    for label, target in _targets(c).items():
        res, keys, _ = _resolved(target, c.city_admin)
        expected, orgs = by_hand(target)
        assert keys == expected, label
        assert res.organizations == len(orgs), label
        assert set(res.organization_ids()) == orgs, label


def test_every_target_resolves_to_the_selection_by_hand_for_a_street(world):
    c = world
    nodes, territory = [c.nanjing_node.path], [c.nanjing.path]
    for label, target in _targets(c).items():
        if target.regions and not all(p.code.startswith("310101002") for p in target.regions):
            continue  # outside the street: refused (below)
        if any(p.id == c.waitan_node.pk for p in target.nodes):
            continue
        try:
            _, keys, _ = _resolved(target, c.street_admin)
        except ValidationError as error:
            assert error.messages == [NOBODY], label
            keys = set()
        assert keys == by_hand(target, nodes, territory)[0], label


def test_blank_spots_over_50_reach_their_contacts_only(world):
    c = world
    _, keys, recipients = _resolved(Target(organizations=OrgFilter(coverage=["none"], min_employees=50)), c.city_admin)
    assert keys == {f"org-contact:{o.pk}" for o in (c.blank_big, c.blank_waitan, c.blank_social)}
    by_key = {r.key: r for r in recipients}
    big = by_key[f"org-contact:{c.blank_big.pk}"]
    assert (big.name, big.organization_id, big.addresses) == ("钱经理", c.blank_big.pk, {"sms": "13900000001"})
    assert by_key[f"org-contact:{c.blank_social.pk}"].address_for("sms") is None  # a contact without a phone


def test_addresses_follow_the_e_mail_fields_and_the_opt_outs(world):
    """A recorded opt-out removes that channel's address (no delivery on it); the other stays."""
    c = world
    today = timezone.localdate()
    _set(c.blank_big, contact_email="qian@example.com", sms_opt_out_on=today)
    _set(c.blank_waitan, contact_email="sun@example.com", email_opt_out_on=today)
    _set(c.blank_social, contact_email="li@example.org")  # reachable by e-mail alone
    _set(c.committee_member, email="wu@example.com", sms_opt_out_on=today, email_opt_out_on=today)
    _set(c.sec_member, email="zhou@example.com")
    _, _, recipients = _resolved(Target(organizations=OrgFilter(coverage=["none"], min_employees=50)), c.city_admin)
    by_key = {r.key: r.addresses for r in recipients}
    assert by_key[f"org-contact:{c.blank_big.pk}"] == {"email": "qian@example.com"}
    assert by_key[f"org-contact:{c.blank_waitan.pk}"] == {"sms": "13900000003"}
    assert by_key[f"org-contact:{c.blank_social.pk}"] == {"email": "li@example.org"}
    _, _, people = _resolved(Target(people=[PeopleKind.MEMBERS]), c.city_admin)
    by_member = {r.member_id: r.addresses for r in people}
    assert by_member[c.committee_member.pk] == {}  # opted out of both: reached in the inbox only, if at all
    assert by_member[c.sec_member.pk] == {"sms": "13700000001", "email": "zhou@example.com"}


def test_floating_members_in_and_out(world):
    c = world
    _, keys, _ = _resolved(Target(people=[PeopleKind.FLOATING_OUT]), c.city_admin)
    assert keys == {f"member:{c.out_to_waitan.pk}", f"member:{c.out_away.pk}"}
    _, keys, _ = _resolved(Target(people=[PeopleKind.FLOATING_IN]), c.city_admin)
    assert keys == {f"member:{c.out_to_waitan.pk}", f"member:{c.inflow.pk}"}
    # the inflow side sees who came to it; the holding side only who left
    _, keys, _ = _resolved(Target(people=[PeopleKind.FLOATING_IN]), c.other_street_admin)
    assert keys == {f"member:{c.out_to_waitan.pk}", f"member:{c.inflow.pk}"}
    with pytest.raises(ValidationError) as refused:
        resolve(Target(people=[PeopleKind.FLOATING_IN]), scope_for(c.street_admin))
    assert refused.value.messages == [NOBODY]


# -- scope ------------------------------------------------------------------------------------------


def test_a_street_admin_never_reaches_another_street(world):
    c = world
    everyone = Target(people=list(PeopleKind.values), organizations=OrgFilter())
    _, keys, recipients = _resolved(everyone, c.street_admin)
    waitan_people = {c.waitan_member, c.inflow, c.waitan_sec, c.xuhui_member}
    assert not keys & {f"member:{m.pk}" for m in waitan_people}
    assert not keys & {f"applicant:{c.waitan_applicant.pk}", f"org-contact:{c.blank_waitan.pk}"}
    assert f"org-contact:{c.waitan_org.pk}" not in keys
    assert f"member:{c.member.pk}" in keys
    for place, name in (
        (Target(nodes=[NodePlace(c.waitan_node.pk)], people=[PeopleKind.MEMBERS]), "外滩街道综合党委"),
        (Target(nodes=[NodePlace(c.city_node.pk)], people=[PeopleKind.MEMBERS]), "上海市社会工作党委"),
        (Target(regions=[RegionPlace("310000")], people=[PeopleKind.MEMBERS]), "上海市"),
        (Target(regions=[RegionPlace("310101013")], organizations=OrgFilter()), "外滩街道"),
    ):
        with pytest.raises(ValidationError) as refused:
            resolve(place, scope_for(c.street_admin))
        assert refused.value.messages == [
            f"{'管理节点' if place.nodes else '区划'}「{name}」不存在或不在您的权限范围内"
        ]


def test_a_secretary_reaches_their_own_members_only(world):
    c = world
    _, keys, _ = _resolved(Target(people=[PeopleKind.MEMBERS]), c.secretary)
    own = Member.objects.filter(party_org=c.branch, is_active=True)
    assert keys == {f"user:{m.user_id}" if m.user_id else f"member:{m.pk}" for m in own}
    refused_kinds = (
        (Target(people=[PeopleKind.MEMBERS], organizations=OrgFilter()), "组织联系人"),
        (Target(people=[PeopleKind.INSTRUCTORS]), "党建指导员"),
        (Target(people=[PeopleKind.APPLICANTS]), "入党申请人"),
    )
    for target, what in refused_kinds:
        with pytest.raises(ValidationError) as refused:
            resolve(target, scope_for(c.secretary))
        assert what in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        resolve(Target(nodes=[NodePlace(c.waitan_branch.node.pk)], people=["members"]), scope_for(c.secretary))
    assert "外滩餐饮管理有限公司党支部" in refused.value.messages[0]


def test_who_may_send(world):
    c = world
    for user in (c.city_admin, c.district_admin, c.street_admin, c.industry_admin, c.secretary):
        assert scope_for(user).can_send_messages
    member_user = _user("member_user", "member", c.branch.node)
    for user in (c.auditor, c.nobody, member_user):
        assert not scope_for(user).can_send_messages
        with pytest.raises(ValidationError) as refused:
            resolve(Target(people=["members"]), scope_for(user))
        assert refused.value.messages == ["您没有群发信息的权限"]


# -- dedup, refusals, sample, JSON ----------------------------------------------------------------------


def test_one_person_reached_by_several_routes_is_one_recipient(world):
    c = world
    target = Target(
        people=[PeopleKind.SECRETARIES, PeopleKind.COMMITTEE, PeopleKind.MEMBERS, PeopleKind.INSTRUCTORS],
    )
    res, keys, recipients = _resolved(target, c.city_admin)
    theirs = [r for r in recipients if r.key == f"user:{c.secretary.pk}"]
    assert len(theirs) == 1  # secretary, committee member, member and instructor: one account
    assert theirs[0].member_id == c.sec_member.pk
    assert f"instructor:{c.instructor.pk}" not in keys
    assert f"instructor:{c.other_instructor.pk}" in keys
    # an applicant who became a (probationary) member: reached once, as the member
    Applicant.objects.filter(pk=c.applicant.pk).update(member=c.committee_member, stage="probationary")
    _, keys, _ = _resolved(Target(people=[PeopleKind.MEMBERS, PeopleKind.APPLICANTS]), c.city_admin)
    assert f"member:{c.committee_member.pk}" in keys and f"applicant:{c.applicant.pk}" not in keys
    _, keys, _ = _resolved(Target(people=[PeopleKind.APPLICANTS]), c.city_admin)
    assert f"member:{c.committee_member.pk}" in keys


def test_an_empty_target_and_one_reaching_nobody_are_refused(world):
    c = world
    with pytest.raises(ValidationError) as refused:
        resolve(Target(), scope_for(c.city_admin))
    assert refused.value.messages == [NOTHING_CHOSEN]
    with pytest.raises(ValidationError) as refused:
        resolve(Target(organizations=OrgFilter(min_employees=100_000)), scope_for(c.city_admin))
    assert refused.value.messages == [NOBODY]
    with pytest.raises(ValidationError) as refused:
        resolve(Target(people=["bosses"], organizations=OrgFilter(coverage=["blank"])), scope_for(c.city_admin))
    assert refused.value.messages == ["人员类别「bosses」不存在", "覆盖状态「blank」不存在"]


def test_the_sample_is_the_first_ten_by_name(world):
    c = world
    res, _, recipients = _resolved(Target(people=list(PeopleKind.values), organizations=OrgFilter()), c.city_admin)
    assert len(recipients) > 10
    assert [s.name for s in res.sample] == sorted(r.name for r in recipients)[:10]
    assert all(s.description for s in res.sample)


def test_a_target_survives_json(world):
    c = world
    for target in _targets(c).values():
        assert Target.from_json(target.to_json()) == target
    with pytest.raises(ValidationError):
        Target.from_json({"nodes": [{"descendants": True}]})


def test_recipients_stream_in_chunks(world, monkeypatch):
    from liangxin.messaging import targets

    c = world
    monkeypatch.setattr(targets, "CHUNK", 2)
    everyone = Target(people=list(PeopleKind.values), organizations=OrgFilter())
    _, keys, _ = _resolved(everyone, c.city_admin)
    assert keys == by_hand(everyone)[0]


def test_each_route_hands_over_the_recipient_as_its_rows_say(world):
    """Key, account, member, address: read from the raw rows by hand for applicants and instructors."""
    c = world
    res, _, recipients = _resolved(Target(people=[PeopleKind.APPLICANTS, PeopleKind.INSTRUCTORS]), c.city_admin)
    got = {r.key: r for r in recipients}
    for a in Applicant.objects.filter(stage__in=OPEN_STAGES).select_related("member"):
        user_id = a.member.user_id if a.member_id else None
        key = f"user:{user_id}" if user_id else f"member:{a.member_id}" if a.member_id else f"applicant:{a.pk}"
        r = got[key]
        assert (r.name, r.user_id, r.member_id) == (a.name, user_id, a.member_id)
        assert r.addresses == ({"sms": a.phone} if a.phone else {})
    for i in Instructor.objects.filter(is_active=True):
        key = f"user:{i.user_id}" if i.user_id else f"instructor:{i.pk}"
        r = got[key]
        assert (r.name, r.user_id, r.member_id) == (i.name, i.user_id, None)
        assert r.addresses == ({"sms": i.phone} if i.phone else {})
    assert got[f"user:{c.secretary.pk}"].addresses == {"sms": "13700000009"}
    assert got[f"instructor:{c.other_instructor.pk}"].user_id is None


def test_the_sample_says_who_each_one_is(world):
    c = world
    target = Target(nodes=[NodePlace(c.branch.node.pk)], people=[PeopleKind.MEMBERS, PeopleKind.APPLICANTS])
    res, _, _ = _resolved(target, c.city_admin)
    said = {s.name: s.description for s in res.sample}
    assert said["吴委员"] == f"党员 · {c.branch.node.name}"
    assert said["朱申请"] == f"{c.applicant.get_stage_display()} · {c.branch.node.name}"
    res, _, _ = _resolved(
        Target(people=[PeopleKind.INSTRUCTORS], organizations=OrgFilter(min_employees=60)), c.city_admin
    )
    said = {s.name: s.description for s in res.sample}
    assert said["卫指导"] == f"党建指导员 · {c.other_instructor.node.name}"
    assert said["孙主任"] == f"组织联系人 · {c.blank_waitan.name}"


def test_places_mean_with_descendants_unless_told(world):
    c = world
    stored = {"nodes": [{"id": c.nanjing_node.pk}], "regions": [{"code": "310101"}], "people": ["members"]}
    target = Target.from_json(stored)
    assert target.nodes[0].descendants is True and target.regions[0].descendants is True
