"""Issue 12 §3: started without its key files while the database holds encrypted values, the
platform refuses to start (and never writes a new key over the data); an empty database gets
new keys."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from liangxin.core import crypto, keyguard
from liangxin.imports.models import KeyFingerprint
from liangxin.party.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_var(settings, tmp_path, monkeypatch):
    """A VAR_DIR with no key files, keys not in the environment."""
    monkeypatch.delenv("LIANGXIN_FIELD_KEYS", raising=False)
    monkeypatch.delenv("LIANGXIN_HASH_KEY", raising=False)
    old = settings.VAR_DIR
    crypto.reset_keys()
    settings.VAR_DIR = tmp_path
    yield tmp_path
    settings.VAR_DIR = old
    crypto.reset_keys()


def test_missing_key_with_data_refuses_to_start(party_cast, fresh_var):
    # the member was written with the test keys; their fingerprints were recorded at first use
    from django.conf import settings

    real = settings.VAR_DIR
    settings.VAR_DIR = _original_var()
    keyguard.record_fingerprints()
    settings.VAR_DIR = real
    field_fp = KeyFingerprint.objects.get(name="field_keys").fingerprint
    assert Member.objects.exists()

    messages = keyguard.check_keys()
    assert messages and all(m.level >= 40 for m in messages)
    text = "\n".join(m.msg for m in messages)
    assert "缺少公民身份号码加密密钥" in text and field_fp in text and "LIANGXIN_FIELD_KEYS" in text
    assert str(fresh_var / "field_keys") in text and "密钥备份" in text
    # every command refuses (the system check runs for all of them), and so does the server
    with pytest.raises(SystemCheckError):
        call_command("check")
    with pytest.raises(keyguard.KeysUnfit):
        keyguard.assert_keys()
    # and nothing writes a new key over the data
    with pytest.raises(keyguard.KeysUnfit):
        crypto.encrypt("110101199003070014")
    assert not (fresh_var / "field_keys").exists() and not (fresh_var / "hash_key").exists()


def test_wrong_key_is_refused_by_fingerprint(party_cast, fresh_var, monkeypatch):
    KeyFingerprint.objects.create(name="field_keys", fingerprint=keyguard.fingerprint(Fernet.generate_key().decode()))
    monkeypatch.setenv("LIANGXIN_FIELD_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("LIANGXIN_HASH_KEY", "x" * 64)
    text = "\n".join(m.msg for m in keyguard.check_keys())
    assert "不符" in text and "所需指纹" in text


def test_empty_database_gets_new_keys_and_records_them(fresh_var):
    assert keyguard.check_keys() == []
    token = crypto.encrypt("110101199003070014")
    assert crypto.decrypt(token) == "110101199003070014"
    assert (fresh_var / "field_keys").stat().st_mode & 0o777 == 0o600
    keyguard.assert_keys()
    fp = keyguard.fingerprint((fresh_var / "field_keys").read_text())
    assert KeyFingerprint.objects.filter(name="field_keys", fingerprint=fp).exists()


def _original_var():
    import os
    from pathlib import Path

    return Path(os.environ.get("LIANGXIN_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))


def test_a_generated_key_is_recorded_at_first_use(fresh_var):
    crypto.lookup_hash("110101199003070014")
    fp = keyguard.fingerprint((fresh_var / "hash_key").read_text())
    assert KeyFingerprint.objects.filter(name="hash_key", fingerprint=fp).exists()
