"""seed_demo: the demo world is valid, derived the way the services derive, and reproducible."""

import io
import random
import statistics

import pytest
from django.core.management import call_command
from stdnum.cn import uscc

from liangxin.accounts.models import RoleAssignment, User
from liangxin.demo.codes import gb11714_check
from liangxin.demo.common import DEMO_ACCOUNTS, DEMO_PASSWORD
from liangxin.demo.orgs import Namer
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.orgs import pinyin
from liangxin.orgs.choices import SECTOR_OF_KIND, OrgKind, OrgStatus
from liangxin.orgs.models import Organization
from liangxin.orgs.responsibility import responsible_node_for, street_committee_lookup
from liangxin.regions import shanghai
from liangxin.regions.models import Region, RegionLevel

pytestmark = pytest.mark.django_db


def seed(orgs: int = 300, **options) -> str:
    """The organization side only; the party side is tested in test_party_demo."""
    out = io.StringIO()
    options.setdefault("no_party", True)
    call_command("seed_demo", orgs=orgs, seed=1, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed()


def test_credit_codes_are_valid_and_unique(seeded):
    codes = list(Organization.objects.values_list("credit_code", flat=True))
    assert len(codes) == 300
    assert all(code and uscc.is_valid(code) for code in codes)
    assert len(set(codes)) == len(codes)
    # the organization code inside (chars 9–17) carries its own GB 11714 check character
    assert all(gb11714_check(code[8:16]) == code[16] for code in codes)


def test_credit_code_prefix_follows_the_kind(seeded):
    expected = {OrgKind.INDIVIDUAL: "92", OrgKind.NON_ENTERPRISE: "52", OrgKind.FOUNDATION: "53"}
    for org in Organization.objects.all():
        if org.kind in expected:
            assert org.credit_code[:2] == expected[org.kind]
        if org.name.endswith("律师事务所"):
            assert org.credit_code[:2] == "31"
        assert org.credit_code[2:8] == org.registered_region.code[:6]


def test_rows_read_back_as_valid_model_instances(seeded):
    # rows go in without the ORM, so check them the way a form save would
    for org in random.Random(3).sample(list(Organization.objects.all()), 40):
        org.full_clean()
        assert org.created_at.tzinfo is not None and org.created_at == org.updated_at
        assert org.founded_on.year in range(1995, 2026)
        assert org.coverage_state == "none"
    assert Organization.objects.filter(status=OrgStatus.OPERATING).count() > 270


def test_sixteen_districts_with_their_names(seeded):
    city = Region.objects.get(level=RegionLevel.CITY)
    assert (city.code, city.name, city.path) == ("310000", "上海市", "/310000/")
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code")
    assert [(d.code, d.name) for d in districts] == [(code, name) for code, name, _ in shanghai.DISTRICTS]
    assert "浦东新区" in {d.name for d in districts} and len(districts) == 16
    assert Region.objects.filter(level=RegionLevel.STREET).count() == sum(len(s) for _, _, s in shanghai.DISTRICTS)


def test_region_paths_are_what_save_would_write(seeded):
    by_id = {r.id: r for r in Region.objects.all()}
    for region in by_id.values():
        parent_path = by_id[region.parent_id].path if region.parent_id else "/"
        assert region.path == parent_path + region.code + "/"
        assert len(region.code) == {1: 6, 2: 6, 3: 9, 4: 12}[region.level]
        if region.parent_id:
            assert region.code.startswith(by_id[region.parent_id].code[: len(region.code) - 3])


def test_every_street_has_its_committee_under_its_district(seeded):
    streets = Region.objects.filter(level=RegionLevel.STREET)
    committees = {n.region_id: n for n in ManagementNode.objects.filter(kind=NodeKind.STREET).select_related("parent")}
    for street in streets:
        committee = committees[street.id]
        assert committee.name == f"{street.name}综合党委"
        assert committee.parent.region_id == street.parent_id
        assert committee.path == committee.parent.path + f"{committee.id}/"
    industry = ManagementNode.objects.filter(kind=NodeKind.INDUSTRY)
    assert industry.count() == 4 and all(n.region_id is None for n in industry)
    assert ManagementNode.objects.get(kind=NodeKind.CITY).name == "上海市社会工作党委"


def test_pinyin_keys_equal_the_keys_of_the_whole_name(seeded):
    sample = random.Random(7).sample(list(Organization.objects.all()), 150)
    for org in sample:
        assert org.pinyin_initials == pinyin.initials(org.name), org.name
        assert org.sort_key == pinyin.sort_key(org.name), org.name


def test_namer_falls_back_to_the_whole_name_across_a_reading_seam():
    # 英 + 模具 reads 英模 (mo) together, 模具 (mu) apart
    name, initials, sort_key = Namer().keys(["上海", "英", "模具", "有限公司"])
    assert (initials, sort_key) == (pinyin.initials(name), pinyin.sort_key(name))


def test_derived_fields_match_the_responsibility_rule(seeded):
    lookup = street_committee_lookup()
    operating = Organization.objects.filter(status=OrgStatus.OPERATING).select_related(
        "operating_region", "registered_region", "attachment_node", "responsible_node"
    )
    assert operating.count() > 250
    for org in operating:
        assert org.responsible_node_id is not None
        assert (org.responsible_node, org.responsible_basis) == responsible_node_for(org, lookup, ())
        assert org.sector == SECTOR_OF_KIND[org.kind]
        assert org.operating_region.level in (RegionLevel.STREET, RegionLevel.GRID)
        if org.carrier_id:
            assert org.carrier.street.code == org.operating_region.street_code


def test_employees_are_realistic():
    seed(orgs=3000)
    employees = list(Organization.objects.values_list("employees", flat=True))
    assert 6 <= statistics.mean(employees) <= 20
    assert sum(e <= 10 for e in employees) / len(employees) > 0.6
    assert min(employees) >= 1


def test_second_call_without_reset_changes_nothing(seeded):
    def state():
        return (
            list(Organization.objects.order_by("id").values_list("id", "name", "credit_code", "updated_at")),
            list(Region.objects.order_by("id").values_list("id", "path")),
            list(ManagementNode.objects.order_by("id").values_list("id", "path")),
            list(User.objects.order_by("id").values_list("id", "password")),
        )

    before = state()
    out = seed(orgs=50)
    assert "演示数据已存在" in out and "city_admin" in out
    assert state() == before


def test_reset_rebuilds_the_same_data_from_the_same_seed(seeded):
    names = list(Organization.objects.order_by("id").values_list("name", "credit_code", "employees"))
    seed(reset=True)
    assert list(Organization.objects.order_by("id").values_list("name", "credit_code", "employees")) == names
    assert Region.objects.filter(level=RegionLevel.DISTRICT).count() == 16


def test_demo_accounts_can_log_in(seeded):
    for username, full_name, role, node_name in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD) and user.is_active
        assert not user.must_change_password and user.password_changed_at is not None  # not forced to change
        assert user.full_name == full_name
        assignment = RoleAssignment.objects.get(user=user)
        assert (assignment.role, assignment.node.name) == (role, node_name)
    assert "演示账号" in seeded and "Demo@2026" in seeded


def test_reset_clears_party_data_hanging_off_the_demo_world(seeded):
    import datetime

    from liangxin.party import services as party_services
    from liangxin.party.models import Instructor, Member, PartyOrganization

    from .party_helpers import id_number

    admin = User.objects.get(username="city_admin")
    street = ManagementNode.objects.get(name="南京东路街道综合党委")
    orgs = list(Organization.objects.order_by("id")[:2])
    day = datetime.date(2024, 1, 1)
    branch = party_services.create_party_org(
        admin, name="演示联合党支部", parent=street, values={"org_type": "branch", "setup_mode": "joint"},
        covered=orgs, on=day,
    )  # fmt: skip
    values = {"name": "张三", "party_org": branch, "category": "full", "joined_on": day, "employer": orgs[0]}
    member = party_services.save_member(admin, Member(), values, id_number())
    party_services.set_committee(admin, branch, [(member, "书记")])
    PartyOrganization.objects.filter(pk=branch.pk).update(secretary=member)
    instructor = Instructor.objects.create(name="李指导", node=street)
    party_services.assign_instructor(admin, instructor, orgs[1], day)

    seed(reset=True)
    assert not PartyOrganization.objects.exists() and not Member.objects.exists()
    assert Organization.objects.count() == 300
    assert not ManagementNode.objects.filter(kind=NodeKind.GRASSROOTS).exists()


def test_seed_demo_builds_the_party_side_and_a_secretary_by_default():
    from liangxin.party.models import Member, PartyOrganization

    out = seed(orgs=3000, no_party=False)
    assert PartyOrganization.objects.exists() and Member.objects.exists()
    secretary = User.objects.get(username="secretary")
    assert secretary.check_password(DEMO_PASSWORD) and "secretary" in out
    assert secretary.assignments.get().node.party_org.node.path.startswith(
        ManagementNodeByName("南京东路街道综合党委").path
    )


def ManagementNodeByName(name):  # noqa: N802 - reads like the model
    from liangxin.mgmt.models import ManagementNode

    return ManagementNode.objects.get(name=name)


# --- figures like a real city's (issue 11 §5), read through the statistics engine ----------------
DEMO_SIZE = 5000  # make run's size


def district_figures() -> tuple[object, list]:
    """The city report and its district rows, as the dashboard computes them."""
    from django.http import QueryDict

    from liangxin.accounts.scoping import scope_for
    from liangxin.stats import engine

    scope = scope_for(User.objects.get(username="city_admin"))
    report = engine.compute(engine.parse_query(QueryDict(""), scope))
    return report, report.children


def test_demo_figures_are_like_a_real_citys():
    seed(orgs=DEMO_SIZE, no_party=False, snapshots=0)
    report, districts = district_figures()
    assert len(districts) == 16
    org_coverage = report.rate("org_coverage").percent
    assert 25 <= org_coverage <= 70, org_coverage  # several tens of percent, not 7.7 %
    counted = report.totals["counted"]
    assert 0.08 <= report.totals["econ_50"] / counted <= 0.15  # firms with ≥ 50 employees
    assert 0.03 <= report.totals["econ_100"] / counted <= 0.08  # and ≥ 100
    meeting, short = set(), set()
    for row in districts:
        assert row.measures["econ_100"] >= 3, (row.label, row.measures["econ_100"])  # a rate that means something
        for key in ("dual_members", "dual_org", "above_scale"):
            percent = row.rate(key).percent
            assert percent is not None and 85 <= percent <= 100, (row.label, key, percent)
            (meeting if percent >= 97 else short).add((row.label, key))
    assert meeting and short  # some districts reach the 97 % target, some do not
    huangpu = next(row for row in districts if row.label == "黄浦区")  # the seeds' district keeps 97 %
    assert all(huangpu.rate(key).percent >= 97 for key in ("dual_members", "dual_org", "above_scale"))
