"""Backup and restore (issue 12 §4): backup → wipe → restore gives back every table and stored
file exactly (counts and checksums), identity numbers stay readable, and a restore under other
keys is refused before anything is touched. On SQLite and PostgreSQL alike (``transaction=True``:
the restore replaces the test database whole, which no test transaction could roll back)."""

import os
import shutil
import tarfile

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from liangxin.core import backup, crypto
from liangxin.core.models import AuditEntry
from liangxin.party.models import Member
from liangxin.regions.models import Region, RegionLevel

AUDIT = AuditEntry._meta.db_table
CHAIN_HEAD = "core_auditchainhead"  # the audit chain's last hash: moves with every entry
BACKUP_DIR = backup.BACKUP_DIR_NAME


@pytest.fixture
def var(tmp_path, settings):
    """A private VAR_DIR with the running keys' files (the field keys are read from it when the
    environment gives none) and some stored files."""
    root = tmp_path / "var"
    root.mkdir()
    for name in ("field_keys", "hash_key"):
        if (django_settings.VAR_DIR / name).exists():
            shutil.copy(django_settings.VAR_DIR / name, root / name)
    (root / "imports").mkdir()
    (root / "imports" / "党员.csv").write_text("姓名,公民身份号码\n王红,110101199003077777\n")
    (root / "life" / "2026").mkdir(parents=True)
    (root / "life" / "2026" / "会议.pdf").write_bytes(b"%PDF-1.4 " + os.urandom(2000))
    settings.VAR_DIR = root
    return root


def _archive(out):
    (path,) = sorted(out.glob("liangxin-backup-*.tar.gz"))
    return path


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_every_table_and_file(party_cast, var, tmp_path):
    member = party_cast.member
    number = crypto.decrypt(member.id_number_enc)
    files_before = backup.file_checksums(var, backup.stored_dirs(var))
    out = tmp_path / "out"

    call_command("backup", output=str(out))
    archive = _archive(out)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    manifest = backup.read_manifest(archive)
    assert manifest["files"] == files_before and set(manifest["dirs"]) == {"imports", "life"}
    assert manifest["tables"]["party_member"]["rows"] == 1
    # the backup is itself audited, after its snapshot: the only difference from the manifest
    live = backup.live_tables()
    assert {t for t in live if live[t] != manifest["tables"][t]} == {AUDIT, CHAIN_HEAD}
    assert live[AUDIT]["rows"] == manifest["tables"][AUDIT]["rows"] + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.object_type == "core.backup" and entry.action == "export" and archive.name in entry.object_repr
    # the keys never travel in the clear
    with tarfile.open(archive) as tar:
        blob = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    for key in backup._running_field_keys() + [crypto._hash_key().decode()]:
        assert key.encode() not in blob
    assert "keys.enc" not in tarfile.open(archive).getnames()

    # wipe: members gone, a region added, stored files changed
    Member.objects.all().delete()
    Region.objects.create(code="310104999", name="后来的街道", level=RegionLevel.STREET, parent=party_cast.xuhui)
    shutil.rmtree(var / "life")
    (var / "imports" / "党员.csv").write_text("改过了")
    (var / "imports" / "后来的.csv").write_text("x")
    assert backup.verify(manifest)

    call_command("restore", str(archive), interactive=False)

    problems = backup.verify(manifest)
    # every table and file equal; the audit table holds one more row: the restore's own entry
    # (and the chain head names it)
    assert len(problems) == 2 and AUDIT in problems[0] + problems[1] and CHAIN_HEAD in problems[0] + problems[1]
    live = backup.live_tables()
    assert {t: v["rows"] for t, v in live.items() if t not in (AUDIT, CHAIN_HEAD)} == {
        t: v["rows"] for t, v in manifest["tables"].items() if t not in (AUDIT, CHAIN_HEAD)
    }
    assert live[AUDIT]["rows"] == manifest["tables"][AUDIT]["rows"] + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.object_type == "core.backup" and entry.action == "import" and "核对一致" in entry.detail
    assert not AuditEntry.objects.filter(object_type="core.backup", action="export").exists()
    call_command("verify_audit")  # the restored log, with the restore's own entry, is one unbroken chain
    # identity numbers readable, and found by their lookup hash
    restored = Member.objects.get(pk=member.pk)
    assert crypto.decrypt(restored.id_number_enc) == number
    assert Member.objects.filter(id_hash=crypto.lookup_hash(number)).count() == 1
    assert not Region.objects.filter(code="310104999").exists()
    assert backup.file_checksums(var, ["imports", "life"]) == files_before
    assert oct((var / "life" / "2026" / "会议.pdf").stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_other_keys_before_touching_anything(party_cast, var, tmp_path, monkeypatch):
    out = tmp_path / "out"
    call_command("backup", output=str(out))
    archive = _archive(out)
    saved = backup.read_manifest(archive)["keys"]["field_keys"][0]
    Member.objects.all().delete()
    (var / "imports" / "后来的.csv").write_text("x")
    monkeypatch.setattr(
        backup, "key_fingerprints", lambda: {"field_keys": ["0123456789abcdef"], "hash_key": "fedcba9876543210"}
    )

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), interactive=False)

    assert saved in str(refused.value) and "字段加密密钥" in str(refused.value) and "未做任何更改" in str(refused.value)
    assert not Member.objects.exists()
    assert (var / "imports" / "后来的.csv").exists()
    assert not AuditEntry.objects.filter(object_type="core.backup", action="import").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_other_hash_key(party_cast, var, tmp_path, monkeypatch):
    out = tmp_path / "out"
    call_command("backup", output=str(out))
    archive = _archive(out)
    running = backup.key_fingerprints()
    monkeypatch.setattr(backup, "key_fingerprints", lambda: {**running, "hash_key": "fedcba9876543210"})
    with pytest.raises(CommandError, match="检索密钥.*fedcba9876543210"):
        call_command("restore", str(archive), interactive=False)


@pytest.mark.django_db(transaction=True)
def test_with_keys_the_keys_travel_sealed_by_the_passphrase(party_cast, var, tmp_path, monkeypatch):
    monkeypatch.setenv("LIANGXIN_BACKUP_PASSPHRASE", "长长的备份口令-2026")
    out = tmp_path / "out"
    call_command("backup", output=str(out), with_keys=True)
    archive = _archive(out)
    with tarfile.open(archive) as tar:
        sealed = tar.extractfile("keys.enc").read()
    for key in backup._running_field_keys() + [crypto._hash_key().decode()]:
        assert key.encode() not in sealed
    keys = backup.open_keys(sealed, "长长的备份口令-2026")
    assert keys == {"field_keys": backup._running_field_keys(), "hash_key": crypto._hash_key().decode()}
    with pytest.raises(backup.BackupError, match="口令不正确"):
        backup.open_keys(sealed, "猜的口令-000000000")


def test_short_passphrase_refused():
    with pytest.raises(backup.BackupError, match="至少 12 个字符"):
        backup.seal_keys("short")


def test_prune_keeps_the_newest(tmp_path):
    names = [f"liangxin-backup-2026120{d}-010000.tar.gz" for d in range(1, 6)]
    for n in names:
        (tmp_path / n).write_text("")
    (tmp_path / "other.txt").write_text("")
    removed = backup.prune_backups(tmp_path, 2)
    assert sorted(p.name for p in removed) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[3:] + ["other.txt"])


@pytest.fixture
def forget_keys_afterwards():
    yield
    crypto.reset_keys()  # the next test reads the keys of the suite's own VAR_DIR again


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(bool(os.environ.get("LIANGXIN_FIELD_KEYS")), reason="keys given in the environment")
def test_restore_with_keys_brings_back_lost_key_files(party_cast, var, tmp_path, monkeypatch, forget_keys_afterwards):
    """The machine lost its key files: a restore without the passphrase is refused (new keys were
    generated, the fingerprints differ); with it the keys come back and every number is readable."""
    monkeypatch.setenv("LIANGXIN_BACKUP_PASSPHRASE", "长长的备份口令-2026")
    number = crypto.decrypt(party_cast.member.id_number_enc)
    out = tmp_path / "out"
    call_command("backup", output=str(out), with_keys=True)
    archive = _archive(out)
    (var / "field_keys").unlink()
    (var / "hash_key").unlink()
    crypto.reset_keys()

    with pytest.raises(CommandError, match="(?s)缺少公民身份号码加密密钥.*--with-keys"):
        call_command("restore", str(archive), interactive=False)
    call_command("restore", str(archive), interactive=False, with_keys=True)

    assert crypto.decrypt(Member.objects.get(pk=party_cast.member.pk).id_number_enc) == number
    assert oct((var / "field_keys").stat().st_mode & 0o777) == "0o600"


def _rewrite(archive, change):
    """A copy of ``archive`` with ``change(name, bytes) -> bytes`` applied to each member."""
    import io

    copy = archive.with_name("liangxin-backup-20000101-000000.tar.gz")
    with tarfile.open(archive) as src, tarfile.open(copy, "w:gz") as dst:
        for m in src.getmembers():
            data = change(m.name, src.extractfile(m).read())
            m.size = len(data)
            dst.addfile(m, io.BytesIO(data))
    return copy


@pytest.mark.django_db(transaction=True)
def test_damaged_archive_is_refused_before_anything_is_touched(party_cast, var, tmp_path):
    out = tmp_path / "out"
    call_command("backup", output=str(out))

    def flip(data: bytes) -> bytes:  # inverting bytes always changes them (a tail of zeros may be zeros)
        return data[:100] + bytes(b ^ 0xFF for b in data[100:300]) + data[300:]

    damaged = _rewrite(_archive(out), lambda name, data: flip(data) if name.startswith("database.") else data)
    Member.objects.all().delete()

    with pytest.raises(CommandError, match="数据库文件校验不符.*未做任何更改"):
        call_command("restore", str(damaged), interactive=False)
    assert not Member.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_restore_names_a_table_that_does_not_match_the_manifest(party_cast, var, tmp_path):
    """The verification is real: a manifest whose checksum for the members' table differs from
    the restored rows is reported, table by name."""
    import json

    out = tmp_path / "out"
    call_command("backup", output=str(out))

    def lie(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"]["party_member"]["sha256"] = "0" * 64
        manifest["mac"] = backup.manifest_mac(manifest)  # as only the key holder could
        return json.dumps(manifest).encode()

    with pytest.raises(CommandError, match="核对不一致：数据表 party_member"):
        call_command("restore", str(_rewrite(_archive(out), lie)), interactive=False)


def test_an_output_folder_inside_var_is_not_packed(tmp_path):
    for d in ("imports", "life", "archive", BACKUP_DIR):
        (tmp_path / d).mkdir()
    assert backup.stored_dirs(tmp_path, tmp_path / "archive" / "daily") == ["imports", "life"]
    assert backup.stored_dirs(tmp_path, tmp_path.parent / "elsewhere") == ["archive", "imports", "life"]


def test_decrypted_working_copies_are_never_packed(tmp_path):
    from liangxin.core import files

    for d in ("imports", files.SCRATCH_DIR):
        (tmp_path / d).mkdir()
    assert backup.stored_dirs(tmp_path) == ["imports"]


def test_the_manifest_names_keys_by_the_key_guards_fingerprints():
    from liangxin.core import crypto, keyguard

    running = backup.key_fingerprints()
    assert running["hash_key"] == keyguard.fingerprint(crypto._hash_key().decode())
    assert running["field_keys"][0] in keyguard.fingerprints_of("field_keys", keyguard.present("field_keys"))


@pytest.mark.django_db(transaction=True)
def test_a_rewritten_manifest_is_refused(party_cast, var, tmp_path):
    """Without the key a rewritten manifest cannot carry a matching keyed checksum: refused, and
    nothing is touched."""
    import json

    out = tmp_path / "out"
    call_command("backup", output=str(out))
    Member.objects.all().delete()

    def rewrite(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"]["party_member"]["rows"] = 0
        return json.dumps(manifest).encode()

    with pytest.raises(CommandError, match="完整性校验不符.*未做任何更改"):
        call_command("restore", str(_rewrite(_archive(out), rewrite)), interactive=False)
    assert not Member.objects.exists()
