"""See by place, act by responsibility."""

import datetime

from liangxin.accounts.models import RoleAssignment
from liangxin.accounts.scoping import scope_for
from liangxin.orgs import services

from .conftest import CODES, client_for, org_values


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


def attached_lawfirm(cast):
    """A law firm operating in 外滩街道 but attached (属业) to the lawyers' committee."""
    return services.create_organization(
        cast.city_admin,
        org_values(
            cast, name="外滩律师事务所", credit_code=CODES[3], kind="intermediary", industry="L",
            operating_region=cast.waitan, attachment_kind="industry", attachment_node=cast.lawyers_node,
            attachment_reason="律师行业党委统一管理", attachment_date=datetime.date(2024, 1, 1),
        ),
    )  # fmt: skip


def test_each_role_sees_its_subtree(cast):
    assert names(scope_for(cast.street_admin).organizations()) == {"上海嘉信信息科技有限公司"}
    assert names(scope_for(cast.district_admin).organizations()) == {"上海嘉信信息科技有限公司", "外滩餐饮管理有限公司"}
    assert names(scope_for(cast.xuhui_admin).organizations()) == {"天平软件有限公司"}
    assert len(names(scope_for(cast.city_admin).organizations())) == 3
    assert names(scope_for(cast.nobody).organizations()) == set()


def test_place_gives_read_only_sight_of_others_responsibility(cast):
    firm = attached_lawfirm(cast)
    waitan = scope_for(cast.other_street_admin)
    assert firm in waitan.organizations("view")
    assert firm not in waitan.organizations("change")
    lawyers = scope_for(cast.industry_admin)
    assert names(lawyers.organizations("view")) == {"外滩律师事务所"}
    assert firm in lawyers.organizations("change")
    client = client_for(cast.other_street_admin)
    assert client.get(f"/orgs/{firm.pk}/").status_code == 200
    assert client.get(f"/orgs/{firm.pk}/edit/").status_code == 403
    assert (
        client.patch(f"/api/v1/organizations/{firm.pk}/", {"employees": 3}, content_type="application/json").status_code
        == 403
    )


def test_auditor_reads_but_never_edits(cast):
    scope = scope_for(cast.auditor)
    assert names(scope.organizations("view")) == {"上海嘉信信息科技有限公司", "外滩餐饮管理有限公司"}
    assert not scope.organizations("change").exists()


def test_several_roles_add_up(cast):
    RoleAssignment.objects.create(user=cast.street_admin, role="street_admin", node=cast.tianping_node)
    scope = scope_for(type(cast.street_admin).objects.get(pk=cast.street_admin.pk))
    assert names(scope.organizations("change")) == {"上海嘉信信息科技有限公司", "天平软件有限公司"}


def test_outside_scope_is_indistinguishable_from_missing(cast):
    client = client_for(cast.other_street_admin)
    missing = client.get("/orgs/999999/")
    hidden = client.get(f"/orgs/{cast.org.pk}/")
    assert missing.status_code == hidden.status_code == 404
    api_missing = client.get("/api/v1/organizations/999999/")
    api_hidden = client.get(f"/api/v1/organizations/{cast.org.pk}/")
    assert api_missing.status_code == api_hidden.status_code == 404
    assert api_missing.json() == api_hidden.json() == {"detail": "对象不存在"}


def test_search_and_export_stay_in_scope(cast):
    client = client_for(cast.other_street_admin)
    page = client.get("/orgs/", {"q": "嘉信"}).content.decode()
    assert "嘉信" not in page.split('id="orgs"')[1]
    api = client.get("/api/v1/organizations/", {"q": CODES[0]}).json()
    assert api["results"] == []
    export = client.get("/orgs/export.xlsx", {"q": "嘉信"})
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content)))["数据"].iter_rows(values_only=True))
    assert rows == [rows[0]]  # header only


def test_region_filter_outside_scope_is_an_error_not_a_leak(cast):
    response = client_for(cast.street_admin).get("/api/v1/organizations/", {"region": "310104"})
    assert response.status_code == 400
    assert "不在您的权限范围内" in response.json()["errors"]["region"][0]


def test_accounts_managed_only_inside_subtree(cast):
    assert set(scope_for(cast.district_admin).users()) == {
        cast.district_admin,
        cast.street_admin,
        cast.other_street_admin,
        cast.auditor,
    }
    RoleAssignment.objects.create(user=cast.street_admin, role="street_admin", node=cast.tianping_node)
    assert cast.street_admin not in scope_for(cast.district_admin).users()  # also holds a role elsewhere


def test_audit_log_read_within_scope(cast):
    huangpu = scope_for(cast.auditor).audit_entries()
    assert {e.object_repr for e in huangpu if e.object_type == "orgs.organization"} == {
        "上海嘉信信息科技有限公司", "外滩餐饮管理有限公司"}  # fmt: skip
    assert not scope_for(cast.industry_admin).audit_entries().exists()


def test_instructor_sees_the_organizations_assigned_to_them(cast):
    import datetime

    from liangxin.party import services as party_services
    from liangxin.party.models import Instructor

    from .conftest import _user

    login = _user("li_instructor", "instructor", cast.nanjing_node)
    instructor = Instructor.objects.create(name="李指导", node=cast.nanjing_node, user=login)
    assert names(scope_for(login).organizations()) == set()
    assignment = party_services.assign_instructor(cast.city_admin, instructor, cast.org, datetime.date(2026, 1, 1))
    login = type(login).objects.get(pk=login.pk)
    assert names(scope_for(login).organizations()) == {"上海嘉信信息科技有限公司"}
    assert client_for(login).get(f"/orgs/{cast.org.pk}/").status_code == 200
    assert client_for(login).get(f"/orgs/{cast.org.pk}/edit/").status_code == 403
    party_services.end_assignment(cast.city_admin, assignment, datetime.date(2026, 2, 1))
    login = type(login).objects.get(pk=login.pk)
    assert names(scope_for(login).organizations()) == set()


# -- every face of the scope, asked directly (make mutate found these reached by no fast test) ----------
def _names(qs) -> set[str]:
    return {str(x) for x in qs}


def test_management_nodes_each_role_sees_and_none_but_the_city_changes(cast):
    from liangxin.mgmt.models import ManagementNode

    everyone = set(ManagementNode.objects.values_list("pk", flat=True))
    assert set(scope_for(cast.city_admin).nodes().values_list("pk", flat=True)) == everyone
    assert set(scope_for(cast.city_admin).nodes("change").values_list("pk", flat=True)) == everyone
    assert set(scope_for(cast.district_admin).nodes().values_list("pk", flat=True)) == {
        cast.huangpu_node.pk, cast.nanjing_node.pk, cast.waitan_node.pk}  # fmt: skip
    assert set(scope_for(cast.street_admin).nodes().values_list("pk", flat=True)) == {cast.nanjing_node.pk}
    assert not scope_for(cast.district_admin).nodes("change").exists()
    assert not scope_for(cast.nobody).nodes().exists()


def test_assignable_nodes_follow_the_account_managers_subtree(cast):
    from liangxin.mgmt.models import ManagementNode

    assert scope_for(cast.city_admin).assignable_nodes().count() == ManagementNode.objects.count()
    assert set(scope_for(cast.district_admin).assignable_nodes().values_list("pk", flat=True)) == {
        cast.huangpu_node.pk, cast.nanjing_node.pk, cast.waitan_node.pk}  # fmt: skip
    assert not scope_for(cast.street_admin).assignable_nodes().exists()  # streets manage no accounts


def test_statistics_units_open_to_each_role(cast):
    from liangxin.mgmt.models import ManagementNode
    from liangxin.regions.models import Region

    city = scope_for(cast.city_admin)
    assert city.stats_nodes().count() == ManagementNode.objects.count()
    assert city.stats_regions().count() == Region.objects.count()
    assert city.stats_home() == ("region", cast.city)
    street = scope_for(cast.street_admin)
    assert set(street.stats_nodes().values_list("pk", flat=True)) == {cast.nanjing_node.pk}
    assert set(street.stats_regions().values_list("pk", flat=True)) == {cast.nanjing.pk, cast.grid.pk}
    assert street.stats_home() == ("region", cast.nanjing)
    lawyers = scope_for(cast.industry_admin)
    assert lawyers.stats_home() == ("node", cast.lawyers_node)
    assert set(lawyers.stats_nodes().values_list("pk", flat=True)) == {cast.lawyers_node.pk}
    assert not lawyers.stats_regions().exists()  # an industry committee has no territory
    assert scope_for(cast.nobody).stats_home() is None
    assert not scope_for(cast.nobody).stats_nodes().exists()


def test_stats_home_prefers_the_city_grant_then_the_first_territory(cast):
    RoleAssignment.objects.create(user=cast.street_admin, role="auditor", node=cast.city_node)
    assert scope_for(type(cast.street_admin).objects.get(pk=cast.street_admin.pk)).stats_home() == ("region", cast.city)
    RoleAssignment.objects.create(user=cast.industry_admin, role="auditor", node=cast.waitan_node)
    lawyers = type(cast.industry_admin).objects.get(pk=cast.industry_admin.pk)
    assert scope_for(lawyers).stats_home() == ("region", cast.waitan)  # a territory before a bare node


def test_territory_regions_where_an_organization_may_be_placed(cast):
    from liangxin.regions.models import Region

    assert scope_for(cast.city_admin).territory_regions().count() == Region.objects.count()
    # an industry committee's organizations lie anywhere in the city
    assert scope_for(cast.industry_admin).territory_regions().count() == Region.objects.count()
    assert set(scope_for(cast.street_admin).territory_regions().values_list("pk", flat=True)) == {
        cast.nanjing.pk, cast.grid.pk}  # fmt: skip
    # the auditor reads but places nothing
    assert not scope_for(cast.auditor).territory_regions().exists()
    assert not scope_for(cast.nobody).territory_regions().exists()


def test_import_and_export_jobs_are_each_users_own(cast):
    from liangxin.imports.models import ExportJob, ImportJob

    fields = {f.name for f in ImportJob._meta.concrete_fields}
    assert "actor" in fields
    mine = _make_job(ImportJob, cast.street_admin)
    theirs = _make_job(ImportJob, cast.other_street_admin)
    out_mine = _make_job(ExportJob, cast.street_admin)
    _make_job(ExportJob, cast.other_street_admin)
    assert list(scope_for(cast.street_admin).import_jobs()) == [mine]
    assert list(scope_for(cast.street_admin).export_jobs()) == [out_mine]
    cast.nobody.is_superuser = True
    cast.nobody.save()
    root = type(cast.nobody).objects.get(pk=cast.nobody.pk)
    assert set(scope_for(root).import_jobs()) == {mine, theirs}
    assert scope_for(root).export_jobs().count() == 2


def _make_job(model, actor):
    """A job row with only what the model requires (the scope reads the actor)."""
    from django.db.models import NOT_PROVIDED

    values = {"actor": actor}
    for f in model._meta.concrete_fields:
        if f.name in values or f.primary_key or f.null or f.default is not NOT_PROVIDED or f.blank:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        values[f.name] = f.choices[0][0] if f.choices else "x"
    return model.objects.create(**values)


def test_only_the_city_edits_anything_and_a_node_less_object(cast):
    city, street = scope_for(cast.city_admin), scope_for(cast.street_admin)
    assert city.can_edit_node(None) and city.can_edit_node(cast.tianping_node)
    assert not street.can_edit_node(None)
    assert street.can_edit_node(cast.nanjing_node) and not street.can_edit_node(cast.waitan_node)
    assert not scope_for(cast.auditor).can_edit_node(cast.nanjing_node)


def test_carriers_seen_by_place_and_edited_in_the_territory(cast, django_assert_num_queries):
    building, park = cast.building.pk, cast.park.pk

    def ids(user, *action):
        return set(scope_for(user).carriers(*action).values_list("pk", flat=True))

    assert ids(cast.city_admin) == ids(cast.city_admin, "change") == {building, park}
    assert ids(cast.street_admin) == ids(cast.street_admin, "change") == {building}
    assert ids(cast.other_street_admin) == ids(cast.other_street_admin, "change") == set()
    assert ids(cast.district_admin, "change") == {building}
    # the auditor reads the district's carriers (by default: viewing) and edits none
    assert ids(cast.auditor) == ids(cast.auditor, "view") == {building}
    assert ids(cast.auditor, "change") == set()
    # an industry committee sees the whole map, edits no carrier
    assert ids(cast.industry_admin) == {building, park}
    assert ids(cast.industry_admin, "change") == set()
    # each carrier's street comes with it (the lists print it): one query, whatever the rows
    with django_assert_num_queries(1):
        assert {c.street.name for c in scope_for(cast.city_admin).carriers()} == {"南京东路街道", "天平路街道"}


def _entry(name: str, mgmt_path: str, region_path: str):
    from liangxin.core import audit

    return audit.record(
        "测试", "update", object_type="测试", object_repr=name, mgmt_path=mgmt_path, region_path=region_path
    )


def test_audit_log_by_either_tree_and_whole_for_the_city(cast):
    from liangxin.accounts.models import User

    _entry("无归属", "", "")
    _entry("律师行业在外滩", cast.lawyers_node.path, cast.waitan.path)
    _entry("徐汇", cast.xuhui_node.path, cast.xuhui.path)

    def seen(user) -> set[str]:
        user = User.objects.get(pk=user.pk)
        return set(scope_for(user).audit_entries().filter(actor_name="测试").values_list("object_repr", flat=True))

    assert seen(cast.city_admin) == {"无归属", "律师行业在外滩", "徐汇"}
    # 黄浦's auditor: the lawyers' entry lies in 黄浦's territory though not in its subtree
    assert seen(cast.auditor) == {"律师行业在外滩"}
    # a city-level grant of a role that does not read the log opens nothing
    RoleAssignment.objects.create(user=cast.other_street_admin, role="instructor", node=cast.city_node)
    assert seen(cast.other_street_admin) == {"律师行业在外滩"}
    city_auditor = _user_for("city_auditor", "auditor", cast.city_node)
    assert seen(city_auditor) == {"无归属", "律师行业在外滩", "徐汇"}


def _user_for(name, role, node):
    from .conftest import _user

    return _user(name, role, node)


def test_party_faces_by_role_view_change_and_default(party_cast, django_assert_num_queries):
    """party_orgs / members / regions for each role, with the default action (viewing) spelled
    out both ways; each face brings its node along (the lists print it) in one query."""
    from .party_helpers import make_member, make_party_org

    c = party_cast
    waitan = make_party_org(c, name="外滩支部", parent=c.waitan_node, covered=[c.waitan_org])
    waitan_member = make_member(c, waitan, name="外滩党员")
    xuhui = make_party_org(c, name="徐汇支部", parent=c.xuhui_node, covered=[c.xuhui_org])
    make_member(c, xuhui, name="徐汇党员")
    huangpu_orgs, huangpu_members = {c.branch.pk, waitan.pk}, {c.member.pk, waitan_member.pk}

    def pos(user, *action):
        return set(scope_for(user).party_orgs(*action).values_list("pk", flat=True))

    def mems(user, *action):
        return set(scope_for(user).members(*action).values_list("pk", flat=True))

    # the auditor reads 黄浦's party organizations and members, by default too, and changes none
    assert pos(c.auditor) == pos(c.auditor, "view") == huangpu_orgs
    assert mems(c.auditor) == mems(c.auditor, "view") == huangpu_members
    assert pos(c.auditor, "change") == mems(c.auditor, "change") == set()
    # the district admin reads and changes the same; the secretary reads and changes their own
    assert pos(c.district_admin, "change") == huangpu_orgs and mems(c.district_admin, "change") == huangpu_members
    assert pos(c.secretary) == pos(c.secretary, "change") == {c.branch.pk}
    assert mems(c.secretary) == mems(c.secretary, "change") == {c.member.pk}
    assert pos(c.other_street_admin) == {waitan.pk} and mems(c.other_street_admin) == {waitan_member.pk}
    assert pos(c.nobody) == mems(c.nobody) == set()
    city = scope_for(c.city_admin)
    with django_assert_num_queries(1):
        assert {p.node.name for p in city.party_orgs()} >= {"外滩支部", "徐汇支部"}
    with django_assert_num_queries(1):
        assert {m.party_org.node.name for m in city.members()} >= {"外滩支部", "徐汇支部"}


def test_regions_seen_by_territory_changed_only_by_the_city(party_cast):
    from liangxin.regions.models import Region

    c = party_cast
    everything = set(Region.objects.values_list("pk", flat=True))

    def regs(user, *action):
        return set(scope_for(user).regions(*action).values_list("pk", flat=True))

    assert regs(c.city_admin) == regs(c.city_admin, "change") == everything
    assert regs(c.street_admin) == regs(c.street_admin, "view") == {c.nanjing.pk, c.grid.pk}
    assert regs(c.street_admin, "change") == set()
    assert regs(c.district_admin, "change") == set()
    assert regs(c.auditor) == {c.huangpu.pk, c.nanjing.pk, c.waitan.pk, c.grid.pk}
    # an industry committee has no territory: it reads the whole map, changes none of it
    assert regs(c.industry_admin) == everything and regs(c.industry_admin, "change") == set()
    # a secretary reads no map (their party organization has no territory of its own)
    assert regs(c.secretary) == set()


def test_instructors_read_by_registry_readers_changed_by_editors(cast, django_assert_num_queries):
    from liangxin.party.models import Instructor

    nanjing = Instructor.objects.create(name="南京东路指导员", node=cast.nanjing_node)
    xuhui = Instructor.objects.create(name="徐汇指导员", node=cast.xuhui_node)

    def ids(user, *action):
        return set(scope_for(user).instructors(*action).values_list("pk", flat=True))

    assert ids(cast.auditor) == ids(cast.auditor, "view") == {nanjing.pk}
    assert ids(cast.auditor, "change") == set()
    assert ids(cast.street_admin) == ids(cast.street_admin, "change") == {nanjing.pk}
    assert ids(cast.city_admin, "change") == {nanjing.pk, xuhui.pk}
    assert ids(cast.nobody) == set()
    city = scope_for(cast.city_admin)
    with django_assert_num_queries(1):
        assert {i.node.name for i in city.instructors()} == {"南京东路街道综合党委", "徐汇区社会工作党委"}


def test_a_city_level_instructor_reads_only_their_assignments(cast):
    """Bound to the city node, a role that reads no registry gains no city-wide sight."""
    import datetime

    from liangxin.party import services as party_services
    from liangxin.party.models import Instructor

    from .conftest import _user

    login = _user("city_instructor", "instructor", cast.city_node)
    instructor = Instructor.objects.create(name="市级指导员", node=cast.city_node, user=login)
    party_services.assign_instructor(cast.city_admin, instructor, cast.xuhui_org, datetime.date(2024, 1, 1))
    scope = scope_for(type(login).objects.get(pk=login.pk))
    assert names(scope.organizations()) == {"天平软件有限公司"}
    assert not scope.regions().exists() and not scope.stats_regions().exists()


def test_anonymous_and_missing_users_get_an_empty_scope(cast):
    from django.contrib.auth.models import AnonymousUser

    for who in (AnonymousUser(), None):
        scope = scope_for(who)
        assert (scope.user_id, scope.is_superuser, scope.grants) == (None, False, [])
        assert not scope.organizations().exists() and not scope.import_jobs().exists()


def test_the_scope_is_computed_once_per_user_object(cast, django_assert_num_queries):
    from liangxin.accounts.models import User

    user = User.objects.get(pk=cast.street_admin.pk)
    with django_assert_num_queries(1):
        first = scope_for(user)
        assert scope_for(user) is first
    assert scope_for(User.objects.get(pk=user.pk)) is not first  # a new request, a new scope


def test_stats_home_puts_the_city_first_whatever_order_the_grants_come_in(cast):
    from liangxin.accounts.models import User

    RoleAssignment.objects.create(user=cast.auditor, role="auditor", node=cast.waitan_node)
    RoleAssignment.objects.filter(user=cast.auditor, node=cast.huangpu_node).delete()
    RoleAssignment.objects.create(user=cast.auditor, role="city_admin", node=cast.city_node)
    assert scope_for(User.objects.get(pk=cast.auditor.pk)).stats_home() == ("region", cast.city)


def test_lists_bring_their_related_rows_in_one_query(cast, django_assert_num_queries):
    """Nodes with their region and parent, jobs with their actor: the pages print them."""
    from liangxin.imports.models import ExportJob, ImportJob

    _make_job(ImportJob, cast.street_admin)
    _make_job(ExportJob, cast.street_admin)
    city, street = scope_for(cast.city_admin), scope_for(cast.street_admin)
    with django_assert_num_queries(1):
        assert {(n.name, n.region.name if n.region_id else "", n.parent.name if n.parent_id else "")
                for n in city.nodes()} >= {("南京东路街道综合党委", "南京东路街道", "黄浦区社会工作党委")}  # fmt: skip
    with django_assert_num_queries(1):
        assert [j.actor.username for j in street.import_jobs()] == ["nanjing_admin"]
    with django_assert_num_queries(1):
        assert [j.actor.username for j in street.export_jobs()] == ["nanjing_admin"]
