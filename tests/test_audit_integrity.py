"""An audit log that cannot be altered: database triggers, the hash chain and verify_audit, and a
Django admin that offers no change outside the product's services (issue 12, section 2)."""

import importlib
import io
import threading
import types

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import RequestFactory

from liangxin.accounts.models import User
from liangxin.core import audit, audit_guard
from liangxin.core.models import AuditChainHead, AuditEntry

from .conftest import client_for


def _entries(n: int) -> list[AuditEntry]:
    return [
        audit.record("测试员", "update", object_type="测试", object_repr=f"第{i}条", detail=f"说明{i}")
        for i in range(n)
    ]


def _verify() -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as e:
        return out.getvalue(), err.getvalue(), e.returncode
    return out.getvalue(), err.getvalue(), 0


# --- the database refuses changes ---------------------------------------------------------


def test_the_database_refuses_a_querysets_update_and_delete_of_audit_entries(db):
    entry = _entries(1)[0]
    with pytest.raises(DatabaseError, match="操作日志只能追加，不能修改"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail="改过")
    with pytest.raises(DatabaseError, match="操作日志只能追加，不能删除"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET actor_id = NULL, detail = '改过'")
    assert AuditEntry.objects.get(pk=entry.pk).detail == "说明0"


def test_entries_are_written_by_record_only(db):
    with pytest.raises(PermissionError):
        AuditEntry.objects.create(
            actor_name="某人", origin="网页", action="update", object_type="测试", object_repr="x"
        )
    with pytest.raises(PermissionError):
        AuditEntry.objects.bulk_create([AuditEntry(actor_name="某人", action="update", object_repr="x")])


def test_deleting_an_account_keeps_its_entries_under_its_name(cast):
    user = User.objects.create_user("temp_clerk", password="x", full_name="临时办事员")
    entry = audit.record(user, "update", object_type="测试", object_repr="某事")
    user.delete()  # on_delete=SET_NULL: the one update the triggers allow
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.actor_name) == (None, "临时办事员")
    assert _verify()[2] == 0


def test_the_guard_names_every_column_but_the_actor(db):
    columns = {f.column for f in AuditEntry._meta.concrete_fields}
    assert columns == set(audit_guard.COLUMNS) | {"actor_id"}


def test_migrations_install_the_guard(db):
    expected = set(audit_guard.NAMES) if connection.vendor == "postgresql" else set(audit_guard.NAMES[:2])
    assert audit_guard.installed(connection) == expected


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_empties_the_log_and_puts_the_guard_back():
    _entries(2)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    assert audit_guard.installed(connection)
    assert _entries(1)[0].prev_hash == "0" * 64  # a new chain after an empty log


def test_a_flush_outside_the_test_suite_stops_at_the_audit_log(db, monkeypatch):
    _entries(1)
    monkeypatch.setattr(audit_guard, "_test_flush_allowed", False)
    with pytest.raises((CommandError, DatabaseError)):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 1


# --- the hash chain and verify_audit ------------------------------------------------------


def test_each_entry_is_chained_to_the_one_before(db):
    first, second = _entries(2)
    assert len(first.content_hash) == 64 and second.prev_hash == first.content_hash
    assert AuditChainHead.objects.get(pk=1).last_hash == second.content_hash
    out, err, code = _verify()
    assert code == 0 and "操作日志校验通过：共 2 条" in out and "每秒" in out


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_never_fork_the_chain():
    # on PostgreSQL the chain head's row lock orders them; SQLite serializes writers already
    start = threading.Barrier(2)

    def write(name: str) -> None:
        try:
            start.wait()
            for i in range(15):
                with transaction.atomic():
                    audit.record(name, "update", object_type="测试", object_repr=f"{name}{i}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    prev_hashes = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes)) == 30
    assert _verify()[2] == 0


def test_verify_audit_names_an_entry_edited_behind_the_triggers_back(db):
    entries = _entries(3)
    with audit_guard.lifted(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET detail = %s WHERE id = %s", ["改过的说明", entries[1].pk])
    out, err, code = _verify()
    assert code == 1
    assert f"第 {entries[1].pk} 号记录内容与其哈希值不符" in err


def test_verify_audit_finds_a_deleted_middle_entry(db):
    entries = _entries(3)
    with audit_guard.lifted(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    out, err, code = _verify()
    assert code == 1
    assert f"第 {entries[2].pk} 号记录与前一条记录的链接不符" in err


def test_verify_audit_finds_a_deleted_last_entry(db):
    entries = _entries(3)
    with audit_guard.lifted(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[2].pk])
    out, err, code = _verify()
    assert code == 1 and "链尾" in err


def test_bulk_writers_chain_their_entries(db):
    first = _entries(1)[0]
    built = [audit.build("测试员", "update", object_type="测试", object_repr=f"批量{i}") for i in range(3)]
    audit.record_many(built)
    assert [e.prev_hash for e in built] == [first.content_hash] + [e.content_hash for e in built[:2]]
    assert _verify()[2] == 0


def test_the_migration_hashes_existing_entries_in_id_order(db):
    _entries(3)
    with audit_guard.lifted(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET prev_hash = '', content_hash = ''")
        AuditChainHead.objects.all().delete()
        migration = importlib.import_module("liangxin.core.migrations.0003_audit_chain")
        migration.hash_existing(django_apps, types.SimpleNamespace(connection=connection))
    assert _verify()[2] == 0
    assert AuditChainHead.objects.get(pk=1).last_id == AuditEntry.objects.order_by("id").last().pk


# --- the Django admin offers no change ----------------------------------------------------


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("operator", password="x", full_name="运维人员")


def test_every_registered_model_admin_is_read_only_for_a_superuser(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    offered = {
        model._meta.label: (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
        for model, model_admin in admin.site._registry.items()
    }
    assert offered == {label: (False, False, False) for label in offered}
    assert "accounts.User" in offered and "regions.Region" in offered
    assert all(model_admin.has_view_permission(request) for model_admin in admin.site._registry.values())


def test_a_superusers_post_to_the_admin_changes_nothing(cast, superuser):
    client = client_for(superuser)
    region = cast.waitan
    response = client.post(f"/admin/regions/region/{region.pk}/change/", {"code": region.code, "name": "改名"})
    assert response.status_code == 403
    response = client.post(f"/admin/accounts/user/{cast.city_admin.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    password = {"password1": "Another@pass-1", "password2": "Another@pass-1"}
    assert client.post(f"/admin/accounts/user/{cast.city_admin.pk}/password/", password).status_code == 403
    assert client.post("/admin/auth/group/add/", {"name": "新组"}).status_code == 403
    region.refresh_from_db()
    assert region.name != "改名" and User.objects.filter(pk=cast.city_admin.pk).exists()
    assert client.get(f"/admin/regions/region/{region.pk}/change/").status_code == 200  # still readable
