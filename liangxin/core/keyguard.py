"""Refuse to run with the wrong or missing field keys.

Without its key files the platform used to write new ones quietly, and every identity number
already stored became unreadable. Now a key is generated only for an empty database; when the
database holds data written with a key that is not present, the server (``wsgi.py``), the
worker and every management command (a system check) refuse to start and say which key is
missing, its fingerprint and how to restore it.

The fingerprints of the keys in use are recorded in the database (``imports.KeyFingerprint``)
at first start, not in a file beside the keys: the case this guards against is exactly the one
where the files beside the keys are gone.
"""

import hashlib
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

# file name under VAR_DIR → (environment variable, what it is, the tables its data lives in)
KEYS = {
    "field_keys": ("LIANGXIN_FIELD_KEYS", "公民身份号码加密密钥"),
    "hash_key": ("LIANGXIN_HASH_KEY", "公民身份号码检索密钥"),
}
# tables that hold values written with the keys (encrypted numbers and keyed hashes)
SECRET_TABLES = ("party_member", "develop_applicant", "imports_rejectedrow")


class KeysUnfit(ImproperlyConfigured):
    """A key the database needs is missing or is not the one its data was written with."""


def fingerprint(secret: str) -> str:
    """A short, one-way name for a key (never the key): what an operator compares with the
    fingerprint of the key in the backup."""
    return hashlib.sha256(b"liangxin-key:" + secret.strip().encode()).hexdigest()[:16]


def key_path(name: str) -> Path:
    return Path(settings.VAR_DIR) / name


def present(name: str) -> str | None:
    """The key as configured (environment first, then the file), without generating one."""
    env = os.environ.get(KEYS[name][0])
    if env:
        return env
    path = key_path(name)
    return path.read_text().strip() if path.exists() else None


def fingerprints_of(name: str, secret: str) -> list[str]:
    parts = secret.split(",") if name == "field_keys" else [secret]
    return [fingerprint(p) for p in parts if p.strip()]


def database_holds_secrets(name: str) -> bool:
    """Whether any table holds data written with the keys, or this key was ever recorded. A
    database without the tables (before ``migrate``) holds none."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in SECRET_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 — fixed names
                if cursor.fetchone():
                    return True
        if "imports_keyfingerprint" in tables:
            cursor.execute("SELECT 1 FROM imports_keyfingerprint WHERE name = %s LIMIT 1", [name])
            if cursor.fetchone():
                return True
    return False


def _recorded() -> dict[str, list[str]]:
    if "imports_keyfingerprint" not in connection.introspection.table_names():
        return {}
    found: dict[str, list[str]] = {}
    for name, fp in apps.get_model("imports", "KeyFingerprint").objects.values_list("name", "fingerprint"):
        found.setdefault(name, []).append(fp)
    return found


def _how_to_restore(name: str) -> str:
    env = KEYS[name][0]
    return (
        f"请从密钥备份中找回指纹相符的密钥，写回 {key_path(name)}（权限 0600）或设置环境变量 {env}，"
        "然后重新启动。不要生成新密钥：新密钥解不开已有数据。"
    )


def problems() -> list[str]:
    """What is wrong with the keys for this database, one sentence each (empty: all well)."""
    recorded = _recorded()
    found = []
    for name, (env, label) in KEYS.items():
        secret = present(name)
        known = recorded.get(name, [])
        if secret is None:
            if database_holds_secrets(name):
                fps = "、".join(known) if known else "（数据库未记录）"
                found.append(
                    f"拒绝启动：缺少{label}（{env} 或文件 {key_path(name)}），而数据库里已有用它写入的数据。"
                    f"所需密钥的指纹：{fps}。{_how_to_restore(name)}"
                )
            continue
        current = fingerprints_of(name, secret)
        if known and not set(current) & set(known):
            found.append(
                f"拒绝启动：{label}与数据库里数据所用的不符（当前指纹 {'、'.join(current)}，"
                f"所需指纹 {'、'.join(known)}）。{_how_to_restore(name)}"
            )
    return found


def record_fingerprints() -> None:
    """Remember the fingerprints of the keys in use (first use of each key)."""
    if "imports_keyfingerprint" not in connection.introspection.table_names():
        return
    model = apps.get_model("imports", "KeyFingerprint")
    for name in KEYS:
        secret = present(name)
        for fp in fingerprints_of(name, secret) if secret else []:
            model.objects.get_or_create(name=name, fingerprint=fp)


def record_new_key() -> None:
    """Record a just-generated key's fingerprint at once (first use), when a database is there."""
    try:
        record_fingerprints()
    except Exception:  # no database yet (or no access, in a test without one): the next start records it
        return


def rerecord_hash_key() -> None:
    """After ``rotate_field_keys`` every hash is under the current hash key: only it is needed.
    (Old field keys stay recorded: stored files may still be encrypted with them.)"""
    apps.get_model("imports", "KeyFingerprint").objects.filter(name="hash_key").delete()
    record_fingerprints()


def assert_keys() -> None:
    """Raise if the keys do not fit the database; record their fingerprints if they do."""
    found = problems()
    if found:
        raise KeysUnfit("\n".join(found))
    record_fingerprints()


def refuse_new_key(name: str) -> None:
    """Called before a key file is generated: only an empty database may get a new key."""
    try:
        holds = database_holds_secrets(name)
    except Exception:  # no database configured or reachable yet: the start-up check decides
        return
    if holds:
        refused = f"拒绝生成新的{KEYS[name][1]}：数据库里已有数据。{_how_to_restore(name)}"
        raise KeysUnfit("\n".join(problems()) or refused)


def check_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check run by every management command (server, worker, migrate, ...)."""
    try:
        found = problems()
    except Exception as exc:  # a database that cannot be reached is reported by Django itself
        return [checks.Warning(f"无法核对密钥：{exc}", id="liangxin.W001")]
    if found:
        return [checks.Critical(text, id="liangxin.E001") for text in found]
    record_fingerprints()
    return []
