"""Login, lockout, password hashing, sessions and account management in the product."""

import pytest
from django.conf import settings
from django.test import Client

from liangxin.accounts.models import RoleAssignment, User
from liangxin.core.models import AuditEntry

from .conftest import PASSWORD, client_for


def login(username, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post("/login/", {"username": username, "password": password})


def test_login_page_is_chinese_and_lands_home(cast):
    assert "登 录" in Client().get("/login/").content.decode()
    client, response = login("nanjing_admin", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert "南京东路街道综合党委" in client.get("/").content.decode()


def test_wrong_password_then_lockout(cast, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        assert "用户名或密码错误" in login("nanjing_admin", "wrong")[1].content.decode()
    third = login("nanjing_admin", "wrong")[1].content.decode()
    assert "已被锁定" in third
    assert "已被锁定" in login("nanjing_admin", PASSWORD)[1].content.decode()  # even the right password waits
    client_for(cast.city_admin).post(f"/accounts/{cast.street_admin.pk}/", {"action": "unlock"})
    assert login("nanjing_admin", PASSWORD)[1].status_code == 302


def test_one_address_failing_for_many_accounts_locks_out_no_one_else(cast, settings):
    """Thirty failures behind one office NAT must not keep its other users out."""
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for i in range(30):
        login(f"someone{i % 10}", "x", ip="10.9.9.9")
    assert login("nanjing_admin", PASSWORD, ip="10.9.9.9")[1].status_code == 302


def test_per_address_and_account_throttle(cast, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    settings.LOGIN_MAX_FAILURES = 10
    for _ in range(3):
        login("nanjing_admin", "wrong", ip="10.9.9.9")
    assert "本机登录失败次数过多" in login("nanjing_admin", PASSWORD, ip="10.9.9.9")[1].content.decode()
    # the same account from another address is not locked (the account's own limit is higher)
    assert login("nanjing_admin", PASSWORD, ip="10.9.9.8")[1].status_code == 302


def test_per_account_lock_across_addresses(cast, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    settings.LOGIN_MAX_FAILURES = 4
    for i in range(4):
        login("nanjing_admin", "wrong", ip=f"10.8.0.{i}")
    assert "已被锁定" in login("nanjing_admin", PASSWORD, ip="10.8.0.99")[1].content.decode()


def _ip(settings, remote: str, forwarded: str = "") -> str:
    from django.test import RequestFactory

    from liangxin.core.origin import client_ip

    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_forwarded_for_is_believed_only_from_configured_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.5"]
    assert _ip(settings, "8.8.8.8", "1.2.3.4") == "8.8.8.8"  # not a proxy: the header is ignored
    assert _ip(settings, "192.168.1.5", "1.2.3.4") == "1.2.3.4"
    assert _ip(settings, "10.1.1.1", "1.2.3.4, 10.2.2.2") == "1.2.3.4"  # through two proxies
    # a client's forged left-hand entry is not believed: the nearest untrusted address is
    assert _ip(settings, "10.1.1.1", "6.6.6.6, 1.2.3.4") == "1.2.3.4"
    assert _ip(settings, "10.1.1.1", "garbage") == "10.1.1.1"
    settings.TRUSTED_PROXIES = []
    assert _ip(settings, "10.1.1.1", "1.2.3.4") == "10.1.1.1"


def test_forwarded_for_reaches_the_throttle_and_the_audit(cast, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    for _ in range(2):
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4").post(
            "/login/", {"username": "nanjing_admin", "password": "wrong"}
        )
    behind_same_proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.5")
    assert behind_same_proxy.post("/login/", {"username": "nanjing_admin", "password": PASSWORD}).status_code == 302
    assert AuditEntry.objects.filter(detail__startswith="登录失败", origin__endswith="1.2.3.4").count() == 2


def test_passwords_are_hashed_with_argon2(db, settings):
    from importlib import reload

    import liangxin.settings as project_settings

    settings.PASSWORD_HASHERS = reload(project_settings).PASSWORD_HASHERS
    user = User.objects.create_user("argon", password="Strong#pass-1")
    assert user.password.startswith("argon2")


def test_sessions_expire_and_csrf_is_enforced(cast):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"username": "nanjing_admin", "password": PASSWORD}).status_code == 403


def test_district_admin_creates_a_street_account(cast):
    client = client_for(cast.district_admin)
    response = client.post("/accounts/new/", {
        "username": "new_worker", "full_name": "新同志", "is_active": "on", "password": "Ok#pass-2026x",
        "role": "street_admin", "node": cast.waitan_node.pk,
    })  # fmt: skip
    assert response.status_code == 302
    worker = User.objects.get(username="new_worker")
    assert list(worker.assignments.values_list("role", "node")) == [("street_admin", cast.waitan_node.pk)]
    assert AuditEntry.objects.filter(object_type="accounts.user", object_id=str(worker.pk)).count() == 2


def test_roles_must_fit_the_node_and_the_managers_subtree(cast):
    client = client_for(cast.district_admin)
    wrong_kind = client.post(f"/accounts/{cast.street_admin.pk}/", {
        "action": "grant", "role": "district_admin", "node": cast.nanjing_node.pk})  # fmt: skip
    assert "只能授予" in wrong_kind.content.decode()
    outside = client.post(f"/accounts/{cast.street_admin.pk}/", {
        "action": "grant", "role": "street_admin", "node": cast.tianping_node.pk})  # fmt: skip
    assert outside.status_code == 400
    assert not RoleAssignment.objects.filter(user=cast.street_admin, node=cast.tianping_node).exists()


def test_revoke_role(cast):
    assignment = cast.street_admin.assignments.get()
    client_for(cast.district_admin).post(
        f"/accounts/{cast.street_admin.pk}/", {"action": "revoke", "assignment": assignment.pk}
    )
    assert not cast.street_admin.assignments.exists()


def test_audit_log_is_append_only(cast):
    entry = AuditEntry.objects.first()
    entry.detail = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


# --- every login path goes through the product's lockout, throttle and audit (issue 12) ---


def _lock(user):
    import datetime

    from django.utils import timezone

    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + datetime.timedelta(minutes=10))


def test_admin_login_page_redirects_to_the_product_login(cast):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith("/login/?next=")
    assert response.url == "/login/?next=%2Fadmin%2F"
    # the admin index sends an anonymous visitor the same way
    first = Client().get("/admin/", follow=True)
    assert first.redirect_chain[-1][0].startswith("/login/")


def test_a_locked_account_cannot_get_into_admin_by_any_path(cast):
    boss = cast.nobody
    boss.is_superuser = boss.is_staff = True
    boss.save()
    _lock(boss)
    for path in ("/admin/login/?next=/admin/", "/login/?next=/admin/"):
        client = Client(REMOTE_ADDR="10.0.0.7")
        response = client.post(path, {"username": boss.username, "password": PASSWORD})
        assert response.status_code in (200, 400) and "已被锁定" in response.content.decode()
        assert client.get("/admin/").status_code == 302
    # nor through the authentication backend directly (any code calling authenticate/login)
    assert Client().login(username=boss.username, password=PASSWORD) is False


def test_admin_login_failures_count_and_are_audited(cast, settings):
    settings.LOGIN_MAX_FAILURES = 3
    from liangxin.accounts.models import LoginFailure

    for _ in range(3):
        Client(REMOTE_ADDR="10.0.0.8").post("/admin/login/", {"username": "nanjing_admin", "password": "wrong"})
    assert LoginFailure.objects.filter(username="nanjing_admin").count() == 3
    cast.street_admin.refresh_from_db()
    assert cast.street_admin.locked_until is not None
    failed = AuditEntry.objects.filter(action="login", object_repr="nanjing_admin", detail__startswith="登录失败")
    assert failed.count() == 3 and all(e.origin.endswith("10.0.0.8") for e in failed)


def test_successful_admin_login_is_audited_and_lands_in_admin(cast):
    boss = cast.nobody
    boss.is_superuser = boss.is_staff = True
    boss.save()
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": boss.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="login", object_id=str(boss.pk), detail="").exists()


# --- password policy (issue 12) ---


def _field_error(html: str) -> str:
    import re

    found = re.search(r'<div class="error" role="alert">([^<]*)</div>', html)
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    ("password", "said"),
    [("zhangsan1", "至少包含"), ("zhangsan", "用户名"), ("Zhangsan#2026", "用户名"), ("Ab1!x", "8")],
)
def test_weak_passwords_are_refused_under_the_field(cast, password, said):
    client = client_for(cast.district_admin)
    response = client.post("/accounts/new/", {
        "username": "zhangsan", "full_name": "张三", "is_active": "on", "password": password,
        "role": "street_admin", "node": cast.waitan_node.pk,
    })  # fmt: skip
    assert response.status_code == 400
    message = _field_error(response.content.decode())
    assert said in message and not any(c.isascii() and c.isalpha() for c in message.replace("zhangsan", ""))
    assert not User.objects.filter(username="zhangsan").exists()


def test_three_of_four_character_kinds_are_enough():
    from django.contrib.auth.password_validation import validate_password

    for good in ("Qingdao7x", "qing-dao7", "QING-DAO7", "Qing-dao!"):
        validate_password(good)


def _change_own(client, old, new):
    return client.post("/me/", {"action": "password", "old_password": old, "new_password1": new, "new_password2": new})


def test_none_of_the_last_five_passwords(cast):
    client = client_for(cast.street_admin)
    history = [PASSWORD] + [f"Fresh#pass-{i}" for i in range(1, 6)]
    for old, new in zip(history, history[1:], strict=False):
        assert _change_own(client, old, new).status_code == 302
    current = history[-1]
    for recent in history[-5:]:  # the current one and the four before it, all within the last five
        response = _change_own(client, current, recent)
        assert response.status_code == 400 and "最近" in _field_error(response.content.decode())
    assert _change_own(client, current, history[0]).status_code == 302  # six back: allowed again
    entries = AuditEntry.objects.filter(object_id=str(cast.street_admin.pk), detail="修改本人密码")
    assert entries.count() == 6


def test_an_account_an_admin_created_must_change_its_password_first(cast):
    admin = client_for(cast.district_admin)
    created = admin.post("/accounts/new/", {
        "username": "new_worker", "full_name": "新同志", "is_active": "on", "password": "Ok#pass-2026x",
        "role": "street_admin", "node": cast.waitan_node.pk,
    })  # fmt: skip
    assert created.status_code == 302
    worker, response = login("new_worker", "Ok#pass-2026x")
    assert response.status_code == 302
    home = worker.get("/")
    assert home.status_code == 302 and home.url.startswith("/me/")
    assert "首次登录" in worker.get("/me/").content.decode()
    assert worker.get("/organizations/").status_code == 302
    assert _change_own(worker, "Ok#pass-2026x", "My#own-pass-1").status_code == 302
    assert worker.get("/").status_code == 200
    # an admin's reset makes the person choose their own again
    reset = admin.post(f"/accounts/{User.objects.get(username='new_worker').pk}/", {
        "username": "new_worker", "full_name": "新同志", "is_active": "on", "password": "Reset#pass-2026",
    })  # fmt: skip
    assert reset.status_code == 302
    assert User.objects.get(username="new_worker").must_change_password


def test_accounts_made_outside_the_admin_screen_are_not_forced(cast):
    """Demo fixtures and the cast are made with set_password directly: they log in and work."""
    client, response = login("nanjing_admin", PASSWORD)
    assert client.get("/").status_code == 200


def test_password_expiry_is_a_policy_parameter(cast):
    import datetime

    from django.utils import timezone

    from liangxin.party import services as party_services

    User.objects.filter(pk=cast.street_admin.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    client = client_for(cast.street_admin)
    assert client.get("/").status_code == 200  # default 0: off
    party_services.set_parameter(cast.city_admin, "password_max_age_days", 90)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/me/")
    assert "已超过" in client.get("/me/").content.decode()
    assert _change_own(client, PASSWORD, "Brand#new-2026").status_code == 302
    assert client.get("/").status_code == 200


# --- API tokens: idle expiry, revocation, last use (issue 12) ---


def _issue_token(user) -> str:
    from rest_framework.authtoken.models import Token

    assert client_for(user).post("/me/", {"action": "token"}).status_code == 302
    return Token.objects.get(user=user).key


def _api(key, ip="10.1.2.3"):
    return Client(REMOTE_ADDR=ip, HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/regions/")


def test_token_expires_after_idle_time(cast, settings):
    import datetime

    from django.utils import timezone

    from liangxin.accounts.models import TokenUse

    key = _issue_token(cast.city_admin)
    assert _api(key).status_code == 200
    assert settings.API_TOKEN_IDLE_DAYS == 30
    TokenUse.objects.filter(token_id=key).update(last_used_at=timezone.now() - datetime.timedelta(days=31))
    response = _api(key)
    assert response.status_code == 401 and "未使用" in response.json()["detail"]
    # a token never used counts its idle time from its creation
    from rest_framework.authtoken.models import Token

    fresh = _issue_token(cast.district_admin)
    Token.objects.filter(key=fresh).update(created=timezone.now() - datetime.timedelta(days=31))
    assert _api(fresh).status_code == 401


def test_token_records_when_and_from_where_it_was_last_used(cast):
    from liangxin.accounts.models import TokenUse

    key = _issue_token(cast.city_admin)
    assert _api(key, ip="10.1.2.3").status_code == 200
    use = TokenUse.objects.get(token_id=key)
    assert use.last_used_from == "10.1.2.3" and use.last_used_at is not None
    first = use.last_used_at
    _api(key, ip="10.1.2.4")  # within the minute: not written again
    use.refresh_from_db()
    assert use.last_used_at == first and use.last_used_from == "10.1.2.3"
    page = client_for(cast.city_admin).get("/me/").content.decode()
    assert "10.1.2.3" in page and "最近使用" in page
    assert "10.1.2.3" in client_for(cast.city_admin).get(f"/accounts/{cast.city_admin.pk}/").content.decode()


def test_token_revoked_on_the_own_page(cast):
    key = _issue_token(cast.city_admin)
    assert client_for(cast.city_admin).post("/me/", {"action": "revoke_token"}).status_code == 302
    assert _api(key).status_code == 401
    assert AuditEntry.objects.filter(object_id=str(cast.city_admin.pk), detail="吊销 API 令牌").exists()
    assert AuditEntry.objects.filter(object_id=str(cast.city_admin.pk), detail="生成 API 令牌").exists()


def test_token_revoked_by_the_admins_who_manage_the_account(cast):
    key = _issue_token(cast.street_admin)
    outside = client_for(cast.xuhui_admin).post(f"/accounts/{cast.street_admin.pk}/", {"action": "revoke_token"})
    assert outside.status_code == 404 and _api(key).status_code == 200
    inside = client_for(cast.district_admin).post(f"/accounts/{cast.street_admin.pk}/", {"action": "revoke_token"})
    assert inside.status_code == 302 and _api(key).status_code == 401
    entry = AuditEntry.objects.get(object_id=str(cast.street_admin.pk), detail="吊销 API 令牌")
    assert entry.actor == cast.district_admin


def test_a_locked_or_forced_account_cannot_use_its_token(cast):
    key = _issue_token(cast.city_admin)
    _lock(cast.city_admin)
    assert _api(key).status_code == 401
    User.objects.filter(pk=cast.city_admin.pk).update(locked_until=None, must_change_password=True)
    assert _api(key).status_code == 401


def test_the_admins_own_password_change_is_the_product_page(cast):
    """The admin's 修改密码 would skip the password history, the audit and the forced-change flag."""
    boss = cast.nobody
    boss.is_superuser = boss.is_staff = True
    boss.save()
    response = client_for(boss).get("/admin/password_change/")
    assert response.status_code == 302 and response.url == "/me/"
