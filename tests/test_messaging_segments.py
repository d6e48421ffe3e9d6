"""常用发送对象 (segments, "发送给这些"): a saved list filter resolves to exactly what a selection
written here by hand over the raw rows gives, within the sender's scope; segments add to the other
routes, one person still one recipient; the refusals in Chinese."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.accounts.scoping import scope_for
from liangxin.core.models import AuditEntry
from liangxin.messaging import segments
from liangxin.messaging.models import Segment, SegmentSource
from liangxin.messaging.targets import NOBODY, OrgFilter, PeopleKind, Target, reach, resolve
from liangxin.orgs.models import Organization
from liangxin.party.models import Member
from liangxin.stats import blank_spots, engine
from liangxin.web.views.segments import compose_url

from . import test_messaging_targets
from .conftest import client_for
from .test_messaging_targets import _resolved, _set

world = test_messaging_targets.world  # the fixture: the targets' small city with its people and contacts


def _scope(user):
    return scope_for(User.objects.get(pk=user.pk))  # a fresh scope: no cached grants between steps


def _save(user, source, query, name="测试对象"):
    return segments.save_segment(user, _scope(user), source, query, name)


def _keys(user, target):
    return _resolved(target, user)[1]


def _under(path, roots) -> bool:
    return roots is None or (path is not None and any(path.startswith(r) for r in roots))


def _visible_orgs(nodes=None, territory=None):
    """Organizations a committee with management subtrees ``nodes`` and territories ``territory``
    reads (None: the whole city), in Python."""
    for o in Organization.objects.select_related("responsible_node", "operating_region"):
        responsible = o.responsible_node.path if o.responsible_node else None
        if nodes is None or _under(responsible, nodes) or _under(o.operating_region.path, territory or []):
            yield o


def _contact_keys(orgs) -> set[str]:
    return {f"org-contact:{o.pk}" for o in orgs if o.contact_name or o.contact_phone or o.contact_email}


def _member_key(m) -> str:
    return f"user:{m.user_id}" if m.user_id else f"member:{m.pk}"


# -- a segment resolves to its list, by hand --------------------------------------------------------------


def test_an_organization_segment_reaches_the_contacts_of_the_list_by_hand(world):
    c = world
    _set(c.waitan_org, employees=300)
    # what the list page posts: its filters plus its sort and cursor, which are not kept
    seg = _save(c.city_admin, SegmentSource.ORGANIZATIONS, "coverage=none&min_employees=50&sort=-employees&cursor=x")
    assert seg.query == "coverage=none&min_employees=50"
    chosen = [
        o
        for o in _visible_orgs()
        if o.status == "operating" and o.coverage_state == "none" and o.employees is not None and o.employees >= 50
    ]
    assert len(chosen) >= 3 and c.blank_small not in chosen  # the selection means something
    assert _keys(c.city_admin, Target(segments=[seg.pk])) == _contact_keys(chosen)

    # the same kind of filter from the street: only what the street reads
    street = _save(c.street_admin, SegmentSource.ORGANIZATIONS, "industry=S&min_employees=50")
    chosen = [
        o
        for o in _visible_orgs([c.nanjing_node.path], [c.nanjing.path])
        if o.status == "operating" and o.industry == "S" and o.employees is not None and o.employees >= 50
    ]
    assert chosen == [c.blank_social]
    assert _keys(c.street_admin, Target(segments=[street.pk])) == _contact_keys(chosen)


def test_a_member_segment_reaches_the_members_of_the_list_by_hand(world):
    c = world
    _set(c.out_away, category="probationary")
    seg = _save(c.city_admin, SegmentSource.MEMBERS, "category=full&floating=outflow")
    chosen = [m for m in Member.objects.all() if m.is_active and m.category == "full" and m.floating == "outflow"]
    assert chosen == [c.out_to_waitan]
    assert _keys(c.city_admin, Target(segments=[seg.pk])) == {_member_key(m) for m in chosen}

    # a secretary's own members, searched by name: held by their branch only
    seg = _save(c.secretary, SegmentSource.MEMBERS, "q=书记")
    chosen = [m for m in Member.objects.all() if m.is_active and "书记" in m.name and m.party_org_id == c.branch.pk]
    assert chosen == [c.sec_member]  # 韩书记 of 外滩 is not the secretary's
    assert _keys(c.secretary, Target(segments=[seg.pk])) == {f"user:{c.secretary.pk}"}


def test_a_blank_spot_segment_reaches_the_contacts_of_the_blank_spot_list(world):
    c = world
    seg = _save(c.street_admin, SegmentSource.BLANK_SPOTS, "list=blank_50&cursor=5")
    q = engine.parse_query({"list": "blank_50"}, _scope(c.street_admin))
    listed = list(blank_spots.blank_spots(q, "blank_50"))
    assert c.blank_big in listed and c.blank_waitan not in listed
    assert _keys(c.street_admin, Target(segments=[seg.pk])) == _contact_keys(listed)


def test_a_finding_segment_reaches_organizations_or_members_by_its_rule(world):
    c = world
    _set(c.blank_small, employees=None, contact_email="")
    seg = _save(c.city_admin, SegmentSource.FINDINGS, "rule=org_employees_unknown")
    unknown = [o for o in _visible_orgs() if o.status == "operating" and o.employees is None]
    assert c.blank_small in unknown
    assert _keys(c.city_admin, Target(segments=[seg.pk])) == _contact_keys(unknown)

    seg = _save(c.city_admin, SegmentSource.FINDINGS, "rule=member_floating&level=should")
    lost = [m for m in Member.objects.all() if m.is_active and m.floating == "outflow" and not m.inflow_party_org_id]
    assert lost == [c.out_away]
    assert _keys(c.city_admin, Target(segments=[seg.pk])) == {_member_key(c.out_away)}
    # another level than the rule's: the list shows nothing, the segment reaches nobody
    seg = _save(c.city_admin, SegmentSource.FINDINGS, "rule=member_floating&level=remind")
    assert reach(Target(segments=[seg.pk]), _scope(c.city_admin)).people == 0


# -- segments add to the other routes ---------------------------------------------------------------------


def test_segments_add_to_the_other_routes_one_person_one_recipient(world):
    c = world
    members = _save(c.city_admin, SegmentSource.MEMBERS, "floating=outflow")
    orgs = _save(c.city_admin, SegmentSource.ORGANIZATIONS, "coverage=none")
    everyone = _keys(c.city_admin, Target(people=[PeopleKind.MEMBERS]))
    both = _keys(c.city_admin, Target(people=[PeopleKind.MEMBERS], segments=[members.pk]))
    assert both == everyone  # the outflow members are members already: no second recipient
    alone = _keys(c.city_admin, Target(people=[PeopleKind.IN_DIFFICULTY], segments=[members.pk, orgs.pk]))
    difficulty = _keys(c.city_admin, Target(people=[PeopleKind.IN_DIFFICULTY]))
    outflow = _keys(c.city_admin, Target(segments=[members.pk]))
    blank = _keys(c.city_admin, Target(segments=[orgs.pk]))
    assert alone == difficulty | outflow | blank
    assert not outflow & difficulty and blank  # each part adds someone
    # an organization filter and a segment of organizations: the union of their contacts
    big = _keys(c.city_admin, Target(organizations=OrgFilter(min_employees=60)))
    assert _keys(c.city_admin, Target(organizations=OrgFilter(min_employees=60), segments=[orgs.pk])) == big | blank


def test_a_segment_reaching_nobody_contributes_nobody(world):
    c = world
    empty = _save(c.city_admin, SegmentSource.MEMBERS, "q=没有这个人")
    with pytest.raises(ValidationError) as refused:
        resolve(Target(segments=[empty.pk]), _scope(c.city_admin))
    assert refused.value.messages == [NOBODY]
    difficulty = _keys(c.city_admin, Target(people=[PeopleKind.IN_DIFFICULTY]))
    assert _keys(c.city_admin, Target(people=[PeopleKind.IN_DIFFICULTY], segments=[empty.pk])) == difficulty


def test_an_opted_out_contact_gets_no_sms_from_a_segment(world):
    c = world
    _set(c.blank_big, contact_email="qian@example.com", sms_opt_out_on=timezone.localdate())
    seg = _save(c.city_admin, SegmentSource.ORGANIZATIONS, "coverage=none&min_employees=50")
    _, _, recipients = _resolved(Target(segments=[seg.pk]), c.city_admin)
    by_key = {r.key: r for r in recipients}
    big = by_key[f"org-contact:{c.blank_big.pk}"]
    assert big.address_for("sms") is None
    assert big.addresses == {"email": "qian@example.com"}
    assert by_key[f"org-contact:{c.blank_waitan.pk}"].address_for("sms") == "13900000003"


# -- scope and refusals -----------------------------------------------------------------------------------


def test_a_street_segment_never_reaches_outside_the_street(world):
    c = world
    for source in (SegmentSource.ORGANIZATIONS, SegmentSource.BLANK_SPOTS):
        with pytest.raises(ValidationError) as refused:
            _save(c.street_admin, source, "region=310101013")
        assert refused.value.message_dict == {"query": ["区划代码「310101013」不存在或不在您的权限范围内"]}
    # saved when it still read (or written straight into the table): refused at use, naming it, never widened
    stale = Segment.objects.create(
        owner=c.street_admin, node=c.nanjing_node, name="外滩企业", source=SegmentSource.ORGANIZATIONS,
        query="region=310101013",
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        resolve(Target(segments=[stale.pk]), _scope(c.street_admin))
    assert refused.value.messages == [
        "常用发送对象「外滩企业」的筛选条件有误：区划代码「310101013」不存在或不在您的权限范围内"
    ]
    everything = _save(c.street_admin, SegmentSource.ORGANIZATIONS, "status=all")
    keys = _keys(c.street_admin, Target(segments=[everything.pk]))
    waitan = _contact_keys([c.waitan_org, c.blank_waitan, c.xuhui_org])
    assert keys and not keys & waitan
    assert keys == _contact_keys(_visible_orgs([c.nanjing_node.path], [c.nanjing.path]))


def test_a_secretary_saves_and_sends_member_segments_only(world):
    c = world
    for source, query in (
        (SegmentSource.ORGANIZATIONS, ""),
        (SegmentSource.BLANK_SPOTS, ""),
        (SegmentSource.FINDINGS, "rule=org_members"),
    ):
        with pytest.raises(ValidationError) as refused:
            _save(c.secretary, source, query, name="企业联系人")
        assert refused.value.messages == [
            "常用发送对象「企业联系人」：党组织书记只能向本党组织的党员群发信息，不能发送给：组织联系人"
        ]
    written = Segment.objects.create(
        owner=c.secretary, node=c.branch.node, name="楼宇企业", source=SegmentSource.ORGANIZATIONS
    )
    with pytest.raises(ValidationError) as refused:
        resolve(Target(segments=[written.pk]), _scope(c.secretary))
    assert "组织联系人" in refused.value.messages[0] and "楼宇企业" in refused.value.messages[0]
    mine = _save(c.secretary, SegmentSource.FINDINGS, "rule=member_floating")
    assert _keys(c.secretary, Target(segments=[mine.pk])) == {_member_key(c.out_away)}


def test_another_users_segment_and_one_at_an_unseen_node_are_refused(world):
    c = world
    theirs = _save(c.city_admin, SegmentSource.MEMBERS, "", name="全市党员")
    with pytest.raises(ValidationError) as refused:
        resolve(Target(segments=[theirs.pk]), _scope(c.street_admin))
    assert refused.value.messages == ["常用发送对象「全市党员」不是您保存的，或其所属单位不在您的权限范围内"]
    moved = Segment.objects.create(
        owner=c.street_admin, node=c.waitan_node, name="外滩党员", source=SegmentSource.MEMBERS
    )
    with pytest.raises(ValidationError) as refused:
        resolve(Target(segments=[moved.pk]), _scope(c.street_admin))
    assert refused.value.messages == ["常用发送对象「外滩党员」不是您保存的，或其所属单位不在您的权限范围内"]
    with pytest.raises(ValidationError) as refused:
        resolve(Target(segments=[987654]), _scope(c.street_admin))
    assert refused.value.messages == ["常用发送对象「987654」不存在"]
    assert list(_scope(c.street_admin).segments()) == [moved]
    assert list(_scope(c.auditor).segments()) == []


@pytest.mark.parametrize(
    ("source", "query", "expected"),
    [
        (SegmentSource.ORGANIZATIONS, "min_employees=很多", {"query": ["「从业人员下限」应为整数，收到「很多」"]}),
        (SegmentSource.ORGANIZATIONS, "kind=bank", {"query": ["组织类型「bank」不存在"]}),
        (SegmentSource.MEMBERS, "party_org=abc", {"query": ["「党组织」应为编号（正整数），收到「abc」"]}),
        (SegmentSource.MEMBERS, "category=boss", {"query": ["党员类别「boss」不存在"]}),
        (SegmentSource.FINDINGS, "rule=nope", {"query": ["核查规则「nope」不存在"]}),
        (SegmentSource.FINDINGS, "level=urgent", {"query": ["级别「urgent」不存在"]}),
        (SegmentSource.BLANK_SPOTS, "list=all", {"query": ["空白点清单「all」不存在"]}),
        ("people", "", {"source": ["来源列表「people」不存在"]}),
    ],
)
def test_a_query_the_list_cannot_read_is_refused_in_chinese(world, source, query, expected):
    c = world
    with pytest.raises(ValidationError) as refused:
        _save(c.city_admin, source, query)
    assert refused.value.message_dict == expected
    assert not Segment.objects.exists()


def test_who_may_save_and_the_name(world):
    c = world
    with pytest.raises(ValidationError) as refused:
        _save(c.auditor, SegmentSource.MEMBERS, "")
    assert refused.value.messages == ["您没有群发信息的权限"]
    with pytest.raises(ValidationError) as refused:
        _save(c.city_admin, SegmentSource.MEMBERS, "", name="  ")
    assert refused.value.message_dict == {"name": ["请填写名称"]}
    seg = _save(c.street_admin, SegmentSource.MEMBERS, "", name="全体　党员 ")
    assert (seg.name, seg.owner, seg.node) == ("全体 党员", c.street_admin, c.nanjing_node)


def test_saving_and_deleting_are_audited(world):
    c = world
    seg = _save(c.street_admin, SegmentSource.ORGANIZATIONS, "coverage=none", name="空白企业")
    entry = AuditEntry.objects.filter(object_type="messaging.segment", object_id=str(seg.pk)).get()
    assert (entry.action, entry.actor, entry.mgmt_path) == ("create", c.street_admin, c.nanjing_node.path)
    assert "空白企业" in entry.detail and "coverage=none" in entry.detail
    with pytest.raises(ValidationError):
        segments.delete_segment(c.city_admin, _scope(c.city_admin), seg)
    assert Segment.objects.filter(pk=seg.pk).exists()
    pk = seg.pk
    segments.delete_segment(c.street_admin, _scope(c.street_admin), seg)
    assert not Segment.objects.filter(pk=pk).exists()
    last = AuditEntry.objects.filter(object_type="messaging.segment", object_id=str(pk)).order_by("-id")[0]
    assert last.detail == "删除常用发送对象「空白企业」"


def test_a_target_with_segments_survives_json(world):
    target = Target(people=[PeopleKind.MEMBERS], segments=[3, 5])
    assert Target.from_json(target.to_json()) == target
    assert Target.from_json({"segments": ["7"]}).segments == [7]
    assert not Target(segments=[1]).is_empty
    with pytest.raises(ValidationError) as refused:
        Target.from_json({"segments": ["全部"]})
    assert refused.value.messages == ["发送范围的格式有误"]
    with pytest.raises(ValidationError) as refused:
        Target.from_json({"segments": [0]})
    assert refused.value.messages == ["常用发送对象「0」不存在"]


def test_a_preview_before_saving_counts_what_saving_would_reach(world):
    c = world
    draft = Segment(
        owner=c.street_admin, node=c.nanjing_node, name="草稿", source=SegmentSource.ORGANIZATIONS,
        query="coverage=none",
    )  # fmt: skip
    preview = reach(Target(), _scope(c.street_admin), drafts=[draft])
    seg = _save(c.street_admin, SegmentSource.ORGANIZATIONS, "coverage=none")
    saved = resolve(Target(segments=[seg.pk]), _scope(c.street_admin))
    assert (preview.people, preview.organizations) == (saved.people, saved.organizations)
    assert preview.people == len(_contact_keys([c.blank_big, c.blank_small, c.blank_social]))


# -- the pages ----------------------------------------------------------------------------------------------

LISTS = {
    "organizations": "/orgs/?coverage=none",
    "members": "/members/?floating=outflow",
    "blank_spots": "/stats/blank-spots/?list=blank_50",
    "findings": "/findings/?rule=org_employees_unknown",
}


def _send_these_form(html: str) -> str:
    start = html.find('class="inline send-these"')
    return "" if start < 0 else html[start : html.index("</form>", start)]


def test_send_these_is_on_the_four_lists_for_those_who_may_send_to_them(world):
    c = world
    for source, url in LISTS.items():
        form = _send_these_form(client_for(c.street_admin).get(url).content.decode())
        assert f'name="source" value="{source}"' in form, source
        query = url.split("?")[1]
        assert f'name="query" value="{query}"' in form, source
        assert "发送给这些" in form
    auditor = client_for(c.auditor)
    for source in ("organizations", "members", "blank_spots", "findings"):
        response = auditor.get(LISTS[source])
        assert response.status_code == 200 and not _send_these_form(response.content.decode()), source
    # a secretary sends to members only: the button on the member list and on findings about members
    secretary = client_for(c.secretary)
    assert _send_these_form(secretary.get("/members/").content.decode())
    assert _send_these_form(secretary.get("/findings/?rule=member_floating").content.decode())
    assert not _send_these_form(secretary.get("/orgs/").content.decode())
    assert not _send_these_form(secretary.get(LISTS["findings"]).content.decode())


def test_send_these_shows_the_count_then_saves_under_a_name(world):
    c = world
    client = client_for(c.street_admin)
    posted = {"source": "organizations", "query": "coverage=none&sort=-employees"}
    response = client.post("/messages/segments/new/", posted)
    html = response.content.decode()
    expected = resolve(
        Target(), _scope(c.street_admin), drafts=[Segment(owner=c.street_admin, node=c.nanjing_node, name="x",
                                                            source="organizations", query="coverage=none")]
    )  # fmt: skip
    assert response.status_code == 200
    assert f'<b id="reach-people">{expected.people}</b>' in html and expected.people == 3
    assert "覆盖状态：空白点" in html and "coverage=none" not in html.split("<main")[1].split("<form")[0]  # in words
    assert not Segment.objects.exists()  # the preview saves nothing

    response = client.post("/messages/segments/new/", {**posted, "name": "", "save": "1"})
    assert response.status_code == 400 and "请填写名称" in response.content.decode()
    response = client.post("/messages/segments/new/", {**posted, "name": "未覆盖企业", "save": "1"})
    seg = Segment.objects.get()
    assert (seg.name, seg.query, seg.owner) == ("未覆盖企业", "coverage=none", c.street_admin)
    assert response.status_code == 302
    assert response.url == (compose_url(seg) or "/messages/segments/")  # the compose page, once it exists

    listed = client.get("/messages/segments/").content.decode()
    assert "未覆盖企业" in listed and f"/messages/segments/{seg.pk}/" in listed
    detail = client.get(f"/messages/segments/{seg.pk}/").content.decode()
    assert f'<b id="reach-people">{expected.people}</b>' in detail
    assert "钱经理" in detail  # the first ten by name
    assert client.post(f"/messages/segments/{seg.pk}/delete/").status_code == 302
    assert not Segment.objects.exists()


def test_send_these_refuses_in_chinese_without_a_save_button(world):
    c = world
    response = client_for(c.secretary).post("/messages/segments/new/", {"source": "organizations", "query": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "不能发送给：组织联系人" in html and 'name="save"' not in html
    response = client_for(c.street_admin).post(
        "/messages/segments/new/", {"source": "organizations", "query": "region=310101013"}
    )
    assert response.status_code == 400
    assert "区划代码「310101013」不存在或不在您的权限范围内" in response.content.decode()
    response = client_for(c.street_admin).post("/messages/segments/new/", {"source": "people"})
    assert response.status_code == 400 and "点击“发送给这些”" in response.content.decode()


# -- the API -----------------------------------------------------------------------------------------------


def test_the_api_saves_lists_previews_and_deletes_own_segments(world):
    c = world
    client = client_for(c.street_admin)
    body = {"name": "空白企业", "source": "organizations", "query": "coverage=none&cursor=abc"}
    response = client.post("/api/v1/message-segments/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["query"] == "coverage=none"
    listed = client.get("/api/v1/message-segments/").json()
    assert [row["id"] for row in listed["results"]] == [pk]
    preview = client.get(f"/api/v1/message-segments/{pk}/preview/").json()
    expected = resolve(Target(segments=[pk]), _scope(c.street_admin))
    assert preview == {"people": expected.people, "organizations": expected.organizations, "refusal": []}
    assert client_for(c.city_admin).get(f"/api/v1/message-segments/{pk}/").status_code == 404

    bad = client.post(
        "/api/v1/message-segments/", {**body, "query": "min_employees=很多"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"query": ["「从业人员下限」应为整数，收到「很多」"]}
    assert client.delete(f"/api/v1/message-segments/{pk}/").status_code == 204
    assert not Segment.objects.exists()
