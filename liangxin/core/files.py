"""Stored files that can hold personal data (import uploads, background exports, meeting
attachments, exit evidence): the one place they are written and read.

Every such file under ``VAR_DIR`` is encrypted with the field keys (``core.crypto``: the first
key encrypts, all decrypt, so key rotation keeps old files readable) and written with mode 0600.
Encryption is streamed: the plain bytes are cut into chunks of ``CHUNK`` bytes and each chunk is
one Fernet token (AES-128-CBC + HMAC-SHA256), so a 1M-row export never sits in memory whole.

Format: ``MAGIC`` then frames of ``[4-byte big-endian length][token]``. Each token's plain text
starts with the chunk's index (8 bytes) and a last-chunk flag (1 byte), so reordered, dropped or
truncated chunks are detected, not just altered ones. Files written before encryption (no
``MAGIC``) are still read as they are, so an upgrade does not strand them; ``prune_files``
removes them with their retention.
"""

import io
import os
import struct
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.http import FileResponse, Http404

from liangxin.core import crypto

MAGIC = b"LXENC1\n"
CHUNK = 1 << 20  # 1 MiB of plain text per token: memory stays ~ a few MiB whatever the file size
_HEAD = struct.Struct(">QB")
_LEN = struct.Struct(">I")


class DamagedFile(Exception):
    """A stored file that does not decrypt: altered, truncated or written with a missing key."""


def _fernet():
    return crypto._fernet()


SCRATCH_DIR = "tmp"  # decrypted working copies, removed after use: never backed up


def private_dir(name: str = SCRATCH_DIR) -> Path:
    """A folder under VAR_DIR only the platform's user may enter (0700)."""
    path = Path(settings.VAR_DIR) / name
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


class EncryptedWriter(io.RawIOBase):
    """A write-only binary file object that encrypts as it goes (usable by ``csv``, ``zipfile``
    and ``xlsxwriter`` as a non-seekable stream). The file appears under its name only when
    closed without error; until then it is a hidden 0600 temporary beside it."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.part-{os.getpid()}")
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._out = os.fdopen(fd, "wb")
        self._out.write(MAGIC)
        self._buffer = bytearray()
        self._index = 0
        self._fernet = _fernet()
        self._failed = False

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) >= CHUNK:
            self._frame(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _frame(self, plain: bytes, last: bool) -> None:
        token = self._fernet.encrypt(_HEAD.pack(self._index, int(last)) + plain)
        self._out.write(_LEN.pack(len(token)) + token)
        self._index += 1

    def abort(self) -> None:
        self._failed = True
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        try:
            if not self._failed:
                self._frame(bytes(self._buffer), last=True)
            self._out.close()
            if self._failed:
                self._tmp.unlink(missing_ok=True)
            else:
                os.replace(self._tmp, self.path)
        finally:
            super().close()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.abort()
        else:
            self.close()


def write_chunks(path: str | os.PathLike, chunks: Iterable[bytes]) -> None:
    with EncryptedWriter(path) as out:
        for chunk in chunks:
            out.write(chunk)


def encrypt_file(plain_path: str | os.PathLike, path: str | os.PathLike) -> None:
    """Encrypt a plain file to ``path`` and remove the plain one."""
    try:
        with open(plain_path, "rb") as source:
            write_chunks(path, iter(lambda: source.read(CHUNK), b""))
    finally:
        os.unlink(plain_path)


def is_encrypted(path: str | os.PathLike) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def iter_plain(path: str | os.PathLike) -> Iterator[bytes]:
    """The plain bytes of a stored file, chunk by chunk (raises DamagedFile if it was altered)."""
    with open(path, "rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:  # written before encryption
            handle.seek(0)
            yield from iter(lambda: handle.read(CHUNK), b"")
            return
        fernet = _fernet()
        expected, last = 0, False
        while True:
            size = handle.read(_LEN.size)
            if not size:
                break
            if last or len(size) < _LEN.size:
                raise DamagedFile("文件已损坏（多余或残缺的数据）")
            token = handle.read(_LEN.unpack(size)[0])
            try:
                plain = fernet.decrypt(token)
            except InvalidToken as error:
                raise DamagedFile("文件无法解密（被改动，或加密它的密钥已不在）") from error
            index, last = _HEAD.unpack_from(plain)
            if index != expected:
                raise DamagedFile("文件已损坏（数据块顺序不符）")
            expected += 1
            yield plain[_HEAD.size :]
        if not last:
            raise DamagedFile("文件已损坏（被截断）")


class PlainReader(io.RawIOBase):
    """A read-only file object over a stored file's plain bytes (for FileResponse, which then
    streams it decrypted block by block)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self._chunks = iter_plain(path)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def open_read(path: str | os.PathLike) -> io.BufferedReader:
    """Open a stored file for reading its plain bytes (FileNotFoundError if it is gone)."""
    os.stat(path)  # fail now, not at the first read, when the file is missing
    return io.BufferedReader(PlainReader(path), buffer_size=CHUNK)


def download(path: str | os.PathLike, filename: str, content_type: str | None = None):
    """The one way a stored file reaches a browser or an API client: decrypted as it streams,
    a missing file a 404 (the caller has already checked the reader's scope)."""
    try:
        handle = open_read(path)
    except FileNotFoundError:
        raise Http404("文件不存在或已过期") from None
    response = FileResponse(handle, as_attachment=True, filename=filename)
    if content_type:
        response["Content-Type"] = content_type
    return response


@contextmanager
def plain_copy(path: str | os.PathLike, suffix: str = "", owner: str = "") -> Iterator[str]:
    """A decrypted copy of a stored file for readers that need a real file (zip's random
    access): a 0600 file in a 0700 folder under VAR_DIR, removed when the block ends.

    A killed process never reaches the ``finally``: with an ``owner`` (e.g. ``import-17``) the
    copy is named after it and this process (``import-17-<pid>-…``), and the owner's next copy —
    the resumed job — first removes what a run whose process is gone left (another live process's
    copy, e.g. a second test worker's job of the same number, is left alone); ``sweep_scratch``
    (daily, ``prune_files``) removes any other leftover."""
    folder = private_dir()
    if owner:
        for left in folder.glob(f"{owner}-*"):
            if not _process_alive(left.name[len(owner) + 1 :].split("-", 1)[0]):
                left.unlink(missing_ok=True)
    prefix = f"{owner}-{os.getpid()}-" if owner else "tmp"
    fd, name = tempfile.mkstemp(suffix=suffix, prefix=prefix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter_plain(path):
                out.write(chunk)
        yield name
    finally:
        os.unlink(name)


def _process_alive(pid: str) -> bool:
    """Whether the process numbered ``pid`` (text from a file name) still runs on this host."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_scratch(hours: float = 24) -> int:
    """Remove decrypted working copies older than ``hours`` (left by a killed process; a live
    reader's copy is younger than the longest import allows). Returns how many."""
    cutoff = time.time() - hours * 3600
    removed = 0
    for left in private_dir().iterdir():
        if left.is_file() and left.stat().st_mtime < cutoff:
            left.unlink(missing_ok=True)
            removed += 1
    return removed


def plain_temp(suffix: str = "") -> str:
    """A new empty 0600 file in the private folder, for a writer that needs a real file
    (xlsxwriter) before ``encrypt_file`` moves it under encryption."""
    fd, name = tempfile.mkstemp(suffix=suffix, dir=private_dir())
    os.close(fd)
    return name
