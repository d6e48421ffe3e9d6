"""Field encryption for sensitive personal data (公民身份号码).

Values are encrypted with Fernet (AES-128-CBC + HMAC, from ``cryptography``); exact-match
lookup and uniqueness use a keyed hash (HMAC-SHA256) so the plain value is never stored.

Keys come from the environment, never from the repository:
- ``LIANGXIN_FIELD_KEYS``: comma-separated Fernet keys, the first encrypts, all decrypt
  (rotation: put the new key first, run ``manage.py rotate_field_keys``, drop the old one);
- ``LIANGXIN_HASH_KEY``: the HMAC key for lookups.
Without them (development, tests) keys are generated once into ``var/`` (git-ignored) — only
for an empty database: with data present and a key missing the platform refuses to start
(``core/keyguard.py``).
"""

import functools
import hashlib
import hmac
import os
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

from liangxin.core import keyguard, normalize


def _dev_secret(name: str, make) -> str:
    path = settings.VAR_DIR / name
    if not path.exists():
        keyguard.refuse_new_key(name)
        path.write_text(make())
        path.chmod(0o600)
        keyguard.record_new_key()
    return path.read_text().strip()


@functools.cache
def _fernet() -> MultiFernet:
    raw = os.environ.get("LIANGXIN_FIELD_KEYS") or _dev_secret("field_keys", lambda: Fernet.generate_key().decode())
    return MultiFernet([Fernet(k.strip().encode()) for k in raw.split(",") if k.strip()])


@functools.cache
def _hash_key() -> bytes:
    return (os.environ.get("LIANGXIN_HASH_KEY") or _dev_secret("hash_key", lambda: secrets.token_hex(32))).encode()


def reset_keys() -> None:
    """Forget cached keys (after the environment changed, e.g. in key rotation)."""
    _fernet.cache_clear()
    _hash_key.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def lookup_hash(value: str) -> str:
    return hmac.new(_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """310101199001011234 → 310101********1234 (DOMAIN.md's mask)."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


SEARCH_TOKEN = "身份号码:"  # what a search by full identity number carries in its URL instead


def search_token(code: str) -> str:
    """The URL form of a search by full identity number: the keyed hash, never the number
    (request lines reach access logs and browser history)."""
    return SEARCH_TOKEN + lookup_hash(code)


def id_search_hash(q: str) -> str | None:
    """The lookup hash a search text asks for (a full identity number, or its search token),
    or None when it is a name search."""
    if q.startswith(SEARCH_TOKEN):
        digest = q[len(SEARCH_TOKEN) :]
        return digest if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest) else "-"
    code = normalize.code(q)
    return lookup_hash(code) if len(code) == 18 else None
