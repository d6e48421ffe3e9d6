"""Backup and restore (备份与恢复): one archive holding the database, the stored files under
``VAR_DIR`` and a manifest that lets a restore prove it brought back exactly what was saved.

Archive (``.tar.gz``):
- ``manifest.json`` — row count and checksum per table (rows in primary-key order), checksum
  of every stored file, the fingerprints of the field and hash keys (never the keys);
- ``database.sqlite3`` (SQLite's online backup API) or ``database.pgdump`` (``pg_dump -Fc``);
- ``files/…`` — the directories under ``VAR_DIR`` (imports, exports, life, exits, …);
- ``keys.enc`` — only with ``--with-keys``: the keys encrypted with a key derived (scrypt)
  from a passphrase.

A restore checks the running keys against the manifest before touching anything (a database
restored under other keys would hold unreadable identity numbers), replaces the database
whole (the file on SQLite, the schema on PostgreSQL — the one sanctioned way past the audit
table's triggers, docs/operations.md) and verifies every count and checksum afterwards.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import getpass
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connections, transaction

from . import audit, crypto, files, keyguard
from .models import AuditAction

FORMAT = 1
MANIFEST = "manifest.json"
KEYS_MEMBER = "keys.enc"
FILES_PREFIX = "files/"
BACKUP_DIR_NAME = "backups"
ARCHIVE_PATTERN = re.compile(r"^liangxin-backup-\d{8}-\d{6}\.tar\.gz$")
# scrypt cost (RFC 7914 interactive-login figures doubled): ~0.1 s and 32 MB per derivation
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or failure, worded for the operator (Chinese)."""


# --- keys -----------------------------------------------------------------------------------


def _running_field_keys() -> list[str]:
    # the keys the process actually uses (environment or var/ files), as crypto loaded them
    return [
        base64.urlsafe_b64encode(f._signing_key + f._encryption_key).decode()  # noqa: SLF001
        for f in crypto._fernet()._fernets  # noqa: SLF001
    ]


def key_fingerprints() -> dict[str, Any]:
    """Fingerprints of the running keys: ``{"field_keys": [...], "hash_key": "..."}``."""
    return {
        # the key guard's fingerprints: the one an operator reads in a refusal to start is the
        # one the manifest names
        "field_keys": [keyguard.fingerprint(k) for k in _running_field_keys()],
        "hash_key": keyguard.fingerprint(crypto._hash_key().decode()),  # noqa: SLF001
    }


def manifest_mac(manifest: dict[str, Any]) -> str:
    """A keyed checksum of the manifest (HMAC-SHA256 under a key derived from the hash key): the
    per-table and per-file checksums prove the restore equals the manifest, this proves the
    manifest is the one the platform wrote — a rewritten archive cannot carry a matching one
    without the key."""
    key = hmac.new(crypto._hash_key(), b"liangxin-backup-manifest", hashlib.sha256).digest()  # noqa: SLF001
    body = {k: v for k, v in manifest.items() if k != "mac"}
    return hmac.new(key, json.dumps(body, sort_keys=True, ensure_ascii=False).encode(), hashlib.sha256).hexdigest()


def check_keys(manifest: dict[str, Any]) -> None:
    """Refuse (before anything is touched) when the running keys cannot read the backup."""
    saved = manifest["keys"]
    try:
        running = key_fingerprints()
    except keyguard.KeysUnfit as e:  # key files lost: never generate new ones over the data
        raise BackupError(f"{e}（备份若含密钥，可用 --with-keys 与口令恢复。）未做任何更改。") from e
    missing = [fp for fp in saved["field_keys"] if fp not in running["field_keys"]]
    if missing:
        raise BackupError(
            f"当前运行的字段加密密钥与备份不符：备份中的公民身份号码由指纹为 {'、'.join(missing)} 的密钥加密，"
            f"当前密钥（指纹 {'、'.join(running['field_keys'])}）中没有它。"
            "请先从密钥保管处恢复该密钥（环境变量 LIANGXIN_FIELD_KEYS），再恢复备份；未做任何更改。"
        )
    if saved["hash_key"] != running["hash_key"]:
        raise BackupError(
            f"当前运行的检索密钥与备份不符：备份的检索密钥指纹为 {saved['hash_key']}，"
            f"当前为 {running['hash_key']}。请先从密钥保管处恢复该密钥（环境变量 LIANGXIN_HASH_KEY），"
            "再恢复备份；未做任何更改。"
        )


def _passphrase_key(passphrase: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode()))


def seal_keys(passphrase: str) -> bytes:
    """The running keys, encrypted with a key derived from ``passphrase`` (scrypt + Fernet)."""
    if len(passphrase) < 12:
        raise BackupError("备份密钥的口令至少 12 个字符。")
    salt = os.urandom(16)
    plain = json.dumps(
        {"field_keys": _running_field_keys(), "hash_key": crypto._hash_key().decode()}  # noqa: SLF001
    ).encode()
    token = Fernet(_passphrase_key(passphrase, salt)).encrypt(plain)
    return json.dumps(
        {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt.hex(), "token": token.decode()}
    ).encode()


def open_keys(sealed: bytes, passphrase: str) -> dict[str, Any]:
    """The keys of a ``seal_keys`` blob; a wrong passphrase is refused in Chinese."""
    box = json.loads(sealed)
    kdf = Scrypt(salt=bytes.fromhex(box["salt"]), length=32, n=box["n"], r=box["r"], p=box["p"])
    try:
        plain = Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode()))).decrypt(box["token"].encode())
    except InvalidToken:
        raise BackupError("口令不正确，无法解开备份中的密钥。") from None
    return json.loads(plain)


def install_keys(keys: dict[str, Any]) -> None:
    """Write the archive's keys where a development/standalone install reads them (``var/``).
    Keys given in the environment are the operator's to set: refused, with the reason."""
    if os.environ.get("LIANGXIN_FIELD_KEYS") or os.environ.get("LIANGXIN_HASH_KEY"):
        raise BackupError(
            "本机的密钥由环境变量（LIANGXIN_FIELD_KEYS、LIANGXIN_HASH_KEY）提供，恢复程序不改写环境变量："
            "请按运维手册从密钥保管处设置后再恢复。"
        )
    for name, value in (("field_keys", ",".join(keys["field_keys"])), ("hash_key", keys["hash_key"])):
        path = Path(settings.VAR_DIR) / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(value)
        path.chmod(0o600)
    crypto.reset_keys()


# --- table checksums ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    return str(value)  # Decimal, UUID, timedelta: their exact text


def _digest_rows(rows: Iterable[tuple]) -> tuple[int, str]:
    h = hashlib.sha256()
    count = 0
    for row in rows:
        h.update(json.dumps(row, default=_plain, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
        h.update(b"\n")
        count += 1
    return count, h.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_tables(db: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """``{table: {"rows": n, "sha256": ...}}`` of a SQLite database, rows in primary-key order."""
    out: dict[str, dict[str, Any]] = {}
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
    ]
    for name in names:
        cols = list(db.execute(f"PRAGMA table_info({_quote(name)})"))
        pk = [c[1] for c in sorted((c for c in cols if c[5]), key=lambda c: c[5])]
        order = ", ".join(_quote(c) for c in (pk or [c[1] for c in cols]))
        count, digest = _digest_rows(db.execute(f"SELECT * FROM {_quote(name)} ORDER BY {order}"))
        out[name] = {"rows": count, "sha256": digest}
    return out


def _pg_rows(cursor, sql: str) -> Iterator[tuple]:
    # a server-side cursor: a table of a million rows is read in slices, not held in memory
    raw = cursor.connection.cursor(name=f"liangxin_backup_{uuid.uuid4().hex[:8]}")
    raw.itersize = 5000
    raw.execute(sql)
    try:
        yield from raw
    finally:
        raw.close()


def postgres_tables(cursor) -> dict[str, dict[str, Any]]:
    """As ``sqlite_tables`` for the connection's current schema (call inside a transaction)."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    names = [r[0] for r in cursor.fetchall()]
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int[], a.attnum::int)",
            [_quote(name)],
        )
        pk = [r[0] for r in cursor.fetchall()]
        if not pk:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s ORDER BY ordinal_position",
                [name],
            )
            pk = [r[0] for r in cursor.fetchall()]
        order = ", ".join(_quote(c) for c in pk)
        count, digest = _digest_rows(_pg_rows(cursor, f"SELECT * FROM {_quote(name)} ORDER BY {order}"))
        out[name] = {"rows": count, "sha256": digest}
    return out


def live_tables(alias: str = "default") -> dict[str, dict[str, Any]]:
    """Counts and checksums of the running database."""
    conn = connections[alias]
    if conn.vendor == "sqlite":
        with _sqlite_open(_sqlite_path(alias)) as db:
            return sqlite_tables(db)
    with transaction.atomic(using=alias), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return postgres_tables(cursor.cursor)


# --- files ----------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def stored_dirs(root: Path, output_dir: Path | None = None) -> list[str]:
    """The directories of stored files under ``root``: every folder but the backups' own (and
    the one holding ``output_dir``, so no archive is ever packed into the next one).
    Top-level files (the SQLite database, the key files, the secret key) are not stored files:
    the database travels as its own member, the keys never travel in the clear."""
    if not root.exists():
        return []
    skip = {BACKUP_DIR_NAME, files.SCRATCH_DIR}  # plain working copies never travel
    if output_dir is not None:
        try:
            skip.add(Path(output_dir).resolve().relative_to(root.resolve()).parts[0])
        except (ValueError, IndexError):
            pass  # outside root, as it should be in production
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in skip and not p.name.startswith("."))


def file_checksums(root: Path, dirs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``{relative path: {"bytes": n, "sha256": ...}}`` for every file under ``dirs``."""
    out: dict[str, dict[str, Any]] = {}
    for d in dirs:
        for path in sorted((root / d).rglob("*")):
            if path.is_file() and not path.is_symlink():
                rel = path.relative_to(root).as_posix()
                out[rel] = {"bytes": path.stat().st_size, "sha256": _sha256_file(path)}
    return out


# --- database engines -----------------------------------------------------------------------


def _sqlite_path(alias: str = "default") -> str:
    return str(connections[alias].settings_dict["NAME"])


def _sqlite_open(path: str) -> contextlib.closing[sqlite3.Connection]:
    # closing, not sqlite3's own context manager (which commits but leaves the file open)
    return contextlib.closing(sqlite3.connect(path, timeout=60, isolation_level=None))


def _pg_env(alias: str = "default") -> tuple[dict[str, str], str]:
    sd = connections[alias].settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if sd.get(key):
            env[var] = str(sd[key])
    if sd.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sd["OPTIONS"]["sslmode"]
    return env, str(sd["NAME"])


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    version = re.search(r"(\d+)(?:\.\d+)?", out)
    assert version, f"{path} --version printed no version: {out!r}"
    return int(version.group(1))


def pg_tool(name: str, alias: str = "default") -> str:
    """``pg_dump``/``pg_restore``/``psql`` of the server's major version (a newer client reads an
    older server; an older client refuses a newer one), from /usr/lib/postgresql/N/bin or PATH."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0]) // 10000
    candidates = [Path(f"/usr/lib/postgresql/{server}/bin/{name}")]
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for c in candidates:
        if c.exists() and _tool_major(str(c)) >= server:
            return str(c)
    raise BackupError(
        f"找不到与数据库服务器版本（{server}）相符的 PostgreSQL 工具 {name}：请安装 postgresql-client-{server}。"
    )


# --- backup ---------------------------------------------------------------------------------


def _archive_name(now: datetime.datetime) -> str:
    return f"liangxin-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def create_backup(
    output_dir: Path,
    *,
    root: Path | None = None,
    passphrase: str | None = None,
    actor=None,
    alias: str = "default",
) -> tuple[Path, dict[str, Any]]:
    """Write one archive into ``output_dir``; returns its path and manifest. The database is
    read in one consistent snapshot and the manifest's checksums are computed from that same
    snapshot, so a restore can verify every table exactly."""
    root = Path(root or settings.VAR_DIR)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(output_dir, 0o700)
    started = time.monotonic()
    now = datetime.datetime.now()
    conn = connections[alias]
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": now.astimezone().isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "vendor": conn.vendor,
        "keys": key_fingerprints(),
    }
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as tmp:
        tmpdir = Path(tmp)
        if conn.vendor == "sqlite":
            db_member = "database.sqlite3"
            copy = tmpdir / db_member
            with _sqlite_open(_sqlite_path(alias)) as src, _sqlite_open(str(copy)) as dst:
                src.backup(dst)  # online: readers and writers carry on (WAL)
            with _sqlite_open(str(copy)) as dst:
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
                manifest["tables"] = sqlite_tables(dst)
        elif conn.vendor == "postgresql":
            db_member = "database.pgdump"
            copy = tmpdir / db_member
            dump = pg_tool("pg_dump", alias)
            env, name = _pg_env(alias)
            with transaction.atomic(using=alias), conn.cursor() as cursor:
                # the checksums and pg_dump share one snapshot: what the manifest says is what the dump holds
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot(), current_schema()")
                snapshot, schema = cursor.fetchone()
                proc = subprocess.run(
                    [
                        dump,
                        "-Fc",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        "-n",
                        schema,
                        "-f",
                        str(copy),
                        name,
                    ],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                if proc.returncode:
                    raise BackupError(f"数据库导出失败：{proc.stderr.strip()[-500:]}")
                manifest["tables"] = postgres_tables(cursor.cursor)
            manifest["schema"] = schema
        else:
            raise BackupError(f"不支持的数据库类型：{conn.vendor}")
        manifest["database"] = {"member": db_member, "bytes": copy.stat().st_size, "sha256": _sha256_file(copy)}
        dirs = stored_dirs(root, output_dir)
        manifest["dirs"] = dirs
        manifest["files"] = file_checksums(root, dirs)
        manifest["with_keys"] = passphrase is not None
        if passphrase is not None:
            (tmpdir / KEYS_MEMBER).write_bytes(seal_keys(passphrase))
        manifest["mac"] = manifest_mac(manifest)
        (tmpdir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))

        final = output_dir / _archive_name(now)
        partial = tmpdir / (final.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) as tar:
            tar.add(tmpdir / MANIFEST, arcname=MANIFEST)
            tar.add(copy, arcname=db_member)
            if passphrase is not None:
                tar.add(tmpdir / KEYS_MEMBER, arcname=KEYS_MEMBER)
            for rel in manifest["files"]:
                tar.add(root / rel, arcname=FILES_PREFIX + rel)
            raw.flush()
        os.replace(partial, final)  # a crash never leaves a half-written archive under the final name
    seconds = time.monotonic() - started
    total_rows = sum(t["rows"] for t in manifest["tables"].values())
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type="core.backup",
        object_repr=final.name,
        detail=(
            f"数据备份：{len(manifest['tables'])} 张表 {total_rows} 行，文件 {len(manifest['files'])} 个，"
            f"{'含加密密钥' if passphrase is not None else '不含密钥'}，用时 {seconds:.1f} 秒；"
            f"操作系统用户 {getpass.getuser()}"
        ),
    )
    return final, manifest


def prune_backups(output_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``output_dir`` (by the name's timestamp)."""
    archives = sorted(p for p in Path(output_dir).iterdir() if ARCHIVE_PATTERN.match(p.name))
    doomed = archives[:-keep] if keep > 0 else []
    for p in doomed:
        p.unlink()
    return doomed


# --- restore --------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            assert member is not None, f"{MANIFEST} is not a regular file"
            manifest = json.load(member)
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError):
        raise BackupError(f"{Path(archive).name} 不是本平台的备份文件，或已损坏。") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("备份文件的格式版本不受支持。")
    return manifest


def _safe_member(name: str) -> bool:
    p = Path(name)
    return not p.is_absolute() and ".." not in p.parts


def _compare(expected: dict[str, Any], actual: dict[str, Any], what: str) -> list[str]:
    problems = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            problems.append(f"{what} {key} 缺失")
        elif key not in expected:
            problems.append(f"{what} {key} 不在备份中")
        elif expected[key] != actual[key]:
            problems.append(f"{what} {key} 不一致（备份 {expected[key]}，恢复后 {actual[key]}）")
    return problems


def verify(manifest: dict[str, Any], *, root: Path | None = None, alias: str = "default") -> list[str]:
    """What differs between the running database/files and the manifest (empty: all equal)."""
    root = Path(root or settings.VAR_DIR)
    problems = _compare(manifest["tables"], live_tables(alias), "数据表")
    files = file_checksums(root, manifest["dirs"])
    problems += _compare(manifest["files"], files, "文件")
    return problems


def _replace_sqlite(copy: Path, alias: str) -> None:
    target = _sqlite_path(alias)
    connections[alias].close()
    if target == ":memory:" or "mode=memory" in target:
        # an in-memory database is no file: copy the pages into it through the backup API
        with _sqlite_open(str(copy)) as src:
            connections[alias].ensure_connection()
            src.backup(connections[alias].connection)
        return
    staged = Path(target).with_name(Path(target).name + ".restoring")
    shutil.copyfile(copy, staged)
    os.chmod(staged, 0o600)
    # the old file's write-ahead log must not be replayed onto the restored file
    for suffix in ("-wal", "-shm"):
        Path(target + suffix).unlink(missing_ok=True)
    os.replace(staged, target)
    with _sqlite_open(target) as db:
        db.execute("PRAGMA journal_mode=WAL")


def _replace_postgres(dump: Path, manifest: dict[str, Any], alias: str) -> None:
    pg_restore, psql = pg_tool("pg_restore", alias), pg_tool("psql", alias)
    env, name = _pg_env(alias)
    schema = manifest.get("schema", "public")
    connections[alias].close()
    # drop and recreate the schema, then load the dump, all in one transaction: a failure leaves
    # the database as it was
    restore = subprocess.Popen(
        [pg_restore, "--no-owner", "--no-privileges", "-f", "-", str(dump)], stdout=subprocess.PIPE, env=env
    )
    load = subprocess.Popen(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", name, "-f", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert load.stdin and load.stderr and restore.stdout, "opened with PIPE above"
    q = '"' + schema.replace('"', '""') + '"'
    load.stdin.write(f"DROP SCHEMA IF EXISTS {q} CASCADE;\n".encode())
    try:
        shutil.copyfileobj(restore.stdout, load.stdin, CHUNK)
    except BrokenPipeError:
        pass
    load.stdin.close()
    err = load.stderr.read().decode(errors="replace")
    if load.wait() or restore.wait():
        raise BackupError(f"数据库恢复失败（数据库未改变）：{err.strip()[-500:]}")


def restore_backup(
    archive: Path,
    *,
    root: Path | None = None,
    passphrase: str | None = None,
    actor=None,
    alias: str = "default",
) -> dict[str, Any]:
    """Restore ``archive`` and verify it; returns the manifest. Nothing is touched when the
    archive is damaged, of another database type, or the running keys do not match."""
    root = Path(root or settings.VAR_DIR)
    archive = Path(archive)
    started = time.monotonic()
    manifest = read_manifest(archive)
    conn = connections[alias]
    if manifest["vendor"] != conn.vendor:
        raise BackupError(f"备份来自 {manifest['vendor']} 数据库，当前为 {conn.vendor}：不能直接恢复。未做任何更改。")
    if passphrase is not None:
        if not manifest.get("with_keys"):
            raise BackupError("该备份不含密钥。未做任何更改。")
        with tarfile.open(archive, "r:gz") as tar:
            keys = tar.extractfile(KEYS_MEMBER)
            assert keys is not None, f"{KEYS_MEMBER} is not a regular file"
            install_keys(open_keys(keys.read(), passphrase))
    check_keys(manifest)
    if not hmac.compare_digest(manifest.get("mac", ""), manifest_mac(manifest)):
        raise BackupError("备份清单的完整性校验不符：备份文件可能被改动过，不能用于恢复。未做任何更改。")

    db_member = manifest["database"]["member"]
    if db_member not in ("database.sqlite3", "database.pgdump"):
        raise BackupError("备份中的数据库文件名不正确。未做任何更改。")
    for rel in manifest["files"]:
        if not _safe_member(rel) or rel.split("/")[0] not in manifest["dirs"]:
            raise BackupError(f"备份中的文件路径不安全：{rel}。未做任何更改。")
    staging_parent = Path(_sqlite_path(alias)).parent if conn.vendor == "sqlite" else root
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".restore-") as tmp:
        tmpdir = Path(tmp)
        copy = tmpdir / db_member
        files_dir = tmpdir / "files"
        # one pass over the compressed stream (a gzip archive has no cheap random access), each
        # member hashed as it is written; only the members the manifest names are taken
        wanted = {db_member: (copy, manifest["database"]["sha256"])}
        for rel, info in manifest["files"].items():
            wanted[FILES_PREFIX + rel] = (files_dir / rel, info["sha256"])
        found: set[str] = set()
        with tarfile.open(archive, "r|gz") as tar:
            for member in tar:
                if member.name not in wanted or not member.isfile():
                    continue
                out, expected = wanted[member.name]
                out.parent.mkdir(parents=True, exist_ok=True)
                h = hashlib.sha256()
                source = tar.extractfile(member)
                assert source is not None, "a regular file (checked above)"
                fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with source as src, os.fdopen(fd, "wb") as dst:
                    while chunk := src.read(CHUNK):
                        h.update(chunk)
                        dst.write(chunk)
                if h.hexdigest() != expected:
                    what = "数据库文件" if member.name == db_member else f"文件 {member.name[len(FILES_PREFIX) :]}"
                    raise BackupError(f"备份中的{what}校验不符（备份已损坏）。未做任何更改。")
                found.add(member.name)
        if missing := sorted(set(wanted) - found):
            raise BackupError(f"备份中缺少 {len(missing)} 个文件（如 {missing[0]}）。未做任何更改。")

        # everything checked: now replace the database whole, then the stored folders
        if conn.vendor == "sqlite":
            _replace_sqlite(copy, alias)
        else:
            _replace_postgres(copy, manifest, alias)
        for d in manifest["dirs"]:
            target = root / d
            fresh = files_dir / d
            if not fresh.exists():
                fresh.mkdir(parents=True)
            old = tmpdir / f"old-{d}"
            if target.exists():
                shutil.move(str(target), str(old))
            shutil.move(str(fresh), str(target))
            os.chmod(target, 0o700)

    problems = verify(manifest, root=root, alias=alias)
    if problems:
        raise BackupError("恢复后的核对不一致：" + "；".join(problems[:20]))
    seconds = time.monotonic() - started
    total_rows = sum(t["rows"] for t in manifest["tables"].values())
    # written after the restore, into the restored log
    audit.record(
        actor,
        AuditAction.IMPORT,
        object_type="core.backup",
        object_repr=archive.name,
        detail=(
            f"从备份恢复（备份时间 {manifest['created_at']}）：{len(manifest['tables'])} 张表 {total_rows} 行、"
            f"文件 {len(manifest['files'])} 个，核对一致，用时 {seconds:.1f} 秒；操作系统用户 {getpass.getuser()}"
        ),
    )
    return manifest


__all__ = ["BackupError", "create_backup", "restore_backup", "verify", "prune_backups", "key_fingerprints"]
