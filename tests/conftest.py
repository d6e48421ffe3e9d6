"""The cast: a small city with two districts, three streets, committees and one user per role.

Names follow the healthchecks style: each user's scope is in their name.
"""

import datetime
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import settings as hypothesis_settings

from liangxin.accounts.models import RoleAssignment, User
from liangxin.core import audit_guard
from liangxin.mgmt.models import ManagementNode, NodeKind
from liangxin.orgs import services
from liangxin.regions.models import Carrier, CarrierKind, Region, RegionLevel

# the test database's teardown is one of the two sanctioned ways past the audit log's triggers
# (docs/operations.md): transactional tests' flushes empty it
audit_guard.allow_test_flush()

PASSWORD = "Test@pass-2026"
# valid 统一社会信用代码 (GB 32100 checksums)
CODES = ["91310101MA1FPX0003", "91310101MA1FPX0016", "91310104MA1FPX002L", "91310101MA1FPX003C"]


# Property tests draw the same examples on every run and every day (a failure is replayed by
# running again, and a mutant is killed or not, never by luck); no example database is kept.
hypothesis_settings.register_profile("liangxin", derandomize=True, database=None)
hypothesis_settings.load_profile("liangxin")


class Cast:
    """Everything the tests refer to by name."""


@contextmanager
def kept_for_module(django_db_blocker) -> Iterator[None]:
    """Rows a module's tests share (a seeded demo city, built once instead of once a test): made
    inside a transaction that is rolled back when the module ends. Each test's own transaction
    nests in it as a savepoint, so a test still sees only the shared rows plus its own, and nothing
    outlives the module. Mark the module ``pytest.mark.xdist_group`` so that one worker runs all of
    it (``make test`` distributes with ``--dist loadgroup``), and keep transactional tests (their
    flush) and the live server (another connection) out of it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _region(code, name, level, parent=None):
    return Region.objects.create(code=code, name=name, level=level, parent=parent)


def _node(name, kind, parent=None, region=None):
    return ManagementNode.objects.create(name=name, kind=kind, parent=parent, region=region)


def _user(username, role, node):
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    RoleAssignment.objects.create(user=user, role=role, node=node)
    return user


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Under mutation testing (``make mutate``) every mutant runs in its own process: each gets
    a private copy of the SQLite test database the first run built (``--reuse-db``), so runs do
    not migrate afresh (about 3 s each) nor write to one file at once."""
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    from django.conf import settings

    db = settings.DATABASES["default"]
    template = db.get("TEST", {}).get("NAME")
    if "__mutmut_" not in mutant or db["ENGINE"] != "django.db.backends.sqlite3" or not template:
        yield
        return
    copy = f"{template}.{os.getpid()}"
    if Path(template).exists():
        # the backup API, not a file copy: the template may still hold pages in its write-ahead log
        with sqlite3.connect(template) as source, sqlite3.connect(copy) as target:
            source.backup(target)
    db["TEST"]["NAME"] = copy
    yield
    for suffix in ("", "-wal", "-shm"):
        Path(copy + suffix).unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def static_files_found_per_request():
    """WhiteNoise lists every static file when its middleware is made: once per process in
    production, but once per test ``Client`` here (each client loads the middleware afresh), about
    30 ms — 40 % of the permission matrix's time. Its autorefresh mode looks a file up when it is
    asked for instead, serving the same files."""
    from django.conf import settings

    settings.WHITENOISE_AUTOREFRESH = True
    yield
    del settings.WHITENOISE_AUTOREFRESH


@pytest.fixture(scope="session", autouse=True)
def files_of_this_worker():
    """Each xdist worker keeps its files (attachments, imports, exports, development keys) in its
    own folder under the run's scratch directory, and so do the commands its tests start: a test
    that checks that nothing was stored must not see what the other worker's test just stored."""
    from django.conf import settings

    from liangxin.core import crypto

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield
        return
    saved = {name: getattr(settings, name) for name in ("VAR_DIR", "IMPORT_DIR", "EXPORT_DIR")}
    saved_env = os.environ.get("LIANGXIN_VAR_DIR")
    root = Path(saved["VAR_DIR"]) / f"worker-{worker}"
    root.mkdir(parents=True, exist_ok=True)
    settings.VAR_DIR, settings.IMPORT_DIR, settings.EXPORT_DIR = root, root / "imports", root / "exports"
    os.environ["LIANGXIN_VAR_DIR"] = str(root)
    crypto.reset_keys()
    yield
    for name, value in saved.items():
        setattr(settings, name, value)
    if saved_env is None:
        os.environ.pop("LIANGXIN_VAR_DIR", None)
    else:
        os.environ["LIANGXIN_VAR_DIR"] = saved_env
    crypto.reset_keys()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that check hashing itself restore it (test_accounts)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_answer_cache():
    """Statistics answers are reused while region versions stay the same; versions only grow in
    a real database, but each test's rollback winds them back, so no answer outlives its test."""
    from liangxin.stats import engine

    engine._ANSWERS.clear()
    yield
    engine._ANSWERS.clear()


@pytest.fixture
def cast(db):
    c = Cast()
    c.city = _region("310000", "上海市", RegionLevel.CITY)
    c.huangpu = _region("310101", "黄浦区", RegionLevel.DISTRICT, c.city)
    c.xuhui = _region("310104", "徐汇区", RegionLevel.DISTRICT, c.city)
    c.nanjing = _region("310101002", "南京东路街道", RegionLevel.STREET, c.huangpu)
    c.waitan = _region("310101013", "外滩街道", RegionLevel.STREET, c.huangpu)
    c.tianping = _region("310104003", "天平路街道", RegionLevel.STREET, c.xuhui)
    c.grid = _region("310101002001", "第一网格", RegionLevel.GRID, c.nanjing)
    c.city_node = _node("上海市社会工作党委", NodeKind.CITY, region=c.city)
    c.huangpu_node = _node("黄浦区社会工作党委", NodeKind.DISTRICT, c.city_node, c.huangpu)
    c.xuhui_node = _node("徐汇区社会工作党委", NodeKind.DISTRICT, c.city_node, c.xuhui)
    c.nanjing_node = _node("南京东路街道综合党委", NodeKind.STREET, c.huangpu_node, c.nanjing)
    c.waitan_node = _node("外滩街道综合党委", NodeKind.STREET, c.huangpu_node, c.waitan)
    c.tianping_node = _node("天平路街道综合党委", NodeKind.STREET, c.xuhui_node, c.tianping)
    c.lawyers_node = _node("上海市律师行业党委", NodeKind.INDUSTRY, c.city_node)
    c.building = Carrier.objects.create(name="新世界大厦", kind=CarrierKind.BUILDING, street=c.nanjing)
    c.park = Carrier.objects.create(name="天平科技园", kind=CarrierKind.PARK, street=c.tianping)

    c.city_admin = _user("city_admin", "city_admin", c.city_node)
    c.district_admin = _user("huangpu_admin", "district_admin", c.huangpu_node)
    c.xuhui_admin = _user("xuhui_admin", "district_admin", c.xuhui_node)
    c.street_admin = _user("nanjing_admin", "street_admin", c.nanjing_node)
    c.other_street_admin = _user("waitan_admin", "street_admin", c.waitan_node)
    c.industry_admin = _user("lawyers_admin", "industry_admin", c.lawyers_node)
    c.auditor = _user("huangpu_auditor", "auditor", c.huangpu_node)
    c.nobody = User.objects.create_user(username="nobody", password=PASSWORD)

    c.org = services.create_organization(
        c.city_admin, org_values(c, name="上海嘉信信息科技有限公司", credit_code=CODES[0])
    )
    c.waitan_org = services.create_organization(
        c.city_admin, org_values(c, name="外滩餐饮管理有限公司", credit_code=CODES[1], operating_region=c.waitan)
    )
    c.xuhui_org = services.create_organization(
        c.city_admin,
        org_values(c, name="天平软件有限公司", credit_code=CODES[2], operating_region=c.tianping, carrier=c.park),
    )
    return c


def org_values(c, **overrides) -> dict:
    values = dict(
        name="测试组织有限公司", credit_code=None, founded_on=datetime.date(2015, 3, 1), kind="private",
        industry="I", supervising_unit="", employees=120, above_scale=False, key_industry=False,
        owner_is_member=False, has_union=False, has_youth_league=False, has_womens_federation=False,
        registered_region=c.nanjing, operating_region=c.nanjing, carrier=None, address="", contact_name="",
        contact_phone="", attachment_kind="", attachment_node=None, attachment_reason="", attachment_date=None,
    )  # fmt: skip
    values.update(overrides)
    return values


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def party_cast(cast):
    """The cast plus a party branch in 南京东路街道 covering 嘉信, a member, and its secretary."""
    from .party_helpers import make_member, make_party_org

    cast.branch = make_party_org(cast, name="上海嘉信信息科技有限公司党支部", covered=[cast.org])
    cast.member = make_member(cast, cast.branch, name="王红", employer=cast.org)
    cast.secretary = _user("jiaxin_secretary", "secretary", cast.branch.node)
    return cast
