"""Uploaded evidence: photos and PDFs, checked by their content and stored under ``VAR_DIR/<folder>/``
— ``life/`` for meeting attachments, ``exits/`` for 党员减少 evidence — never under a web root:
they are served by the scoped download views only.

The type is what the file's first bytes say (its "magic number"), and the name's extension must
agree with it, so a script renamed to ``.jpg`` or a PDF renamed to ``.png`` is refused. Uploads
are untrusted: the size is capped (``LIFE_ATTACHMENT_MAX_BYTES`` in the settings, default 10 MB),
the original name is kept for display only, and files are stored under a random name.
"""

import hashlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from liangxin.core import files

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
HEAD_BYTES = 16


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    extensions: tuple[str, ...]
    matches: Callable[[bytes], bool]


TYPES = [
    FileType("image/jpeg", "JPEG 图片", (".jpg", ".jpeg"), lambda h: h.startswith(b"\xff\xd8\xff")),
    FileType("image/png", "PNG 图片", (".png",), lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    FileType("application/pdf", "PDF 文档", (".pdf",), lambda h: h.startswith(b"%PDF-")),
]
ALLOWED_TEXT = "、".join(sorted({e for t in TYPES for e in t.extensions}))


def max_bytes() -> int:
    return int(getattr(settings, "LIFE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def display_name(raw: str) -> str:
    """The name as shown and offered on download: no directories, no control characters, ≤ 120."""
    name = os.path.basename((raw or "").replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable()) or "附件"
    stem, ext = os.path.splitext(name)
    return stem[: 120 - len(ext)] + ext if len(name) > 120 else name


def detect(head: bytes) -> FileType | None:
    return next((t for t in TYPES if t.matches(head)), None)


def check(name: str, size: int, head: bytes) -> FileType:
    """The file's type, or ValidationError naming the file and the reason (附件 field)."""
    shown = display_name(name)
    ext = os.path.splitext(shown)[1].lower()
    limit = max_bytes()
    if size == 0:
        raise ValidationError(f"附件「{shown}」是空文件")
    if size > limit:
        raise ValidationError(
            f"附件「{shown}」大小 {_mb(size)}（{size:,} 字节），超过上限 {_mb(limit)}（{limit:,} 字节）"
        )
    kind = detect(head)
    if kind is None:
        raise ValidationError(f"附件「{shown}」的内容不是允许的类型（只接受照片 JPEG/PNG 和 PDF：{ALLOWED_TEXT}）")
    if ext not in kind.extensions:
        raise ValidationError(f"附件「{shown}」的扩展名「{ext or '无'}」与文件内容（{kind.label}）不符")
    return kind


def check_upload(upload) -> FileType:
    """``check`` for a Django UploadedFile (reads its first bytes, then rewinds)."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return check(upload.name, upload.size, head)


def check_uploads(files, *, limit: int, label: str, per: str, already: int = 0) -> list[FileType]:
    """``check_upload`` for each file, with at most ``limit`` in all counting the ``already``
    stored; ValidationError on the field ``attachments``, its message led by ``label`` (the
    field as the form names it), e.g. "附件：每次会议最多 30 个附件" with ``per`` "每次会议"."""
    if already + len(files) > limit:
        raise ValidationError({"attachments": [f"{label}：{per}最多 {limit} 个附件"]})
    kinds = []
    for upload in files:
        try:
            kinds.append(check_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"attachments": [f"{label}：{exc.messages[0]}"]}) from None
    return kinds


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def storage_dir(folder: str = "life") -> Path:
    """Where checked uploads live: ``life`` for meetings, ``exits`` for 党员减少 evidence."""
    path = Path(settings.VAR_DIR) / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(upload, kind: FileType, folder: str = "life") -> tuple[str, str, int]:
    """Write the upload under a random name: (stored name, sha256, size)."""
    stored = f"{uuid.uuid4().hex}{kind.extensions[0]}"
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    # encrypted with the field keys, 0600: evidence may show identity documents (core/files.py)
    with files.EncryptedWriter(storage_dir(folder) / stored) as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return stored, digest.hexdigest(), size


def path_of(stored_name: str, folder: str = "life") -> Path:
    # stored names are ours (hex + extension), never a user's path: no traversal is possible
    return storage_dir(folder) / os.path.basename(stored_name)


def remove(stored_name: str, folder: str = "life") -> None:
    try:
        path_of(stored_name, folder).unlink()
    except FileNotFoundError:
        pass


def store_all(model, owner: dict, actor, files, kinds, folder: str = "life") -> list:
    """Write the files, then one ``model`` row each (a ``core.models.StoredFile``, ``owner`` naming
    what it belongs to); a failure removes the files written, so nothing is half-saved."""
    written: list[str] = []
    try:
        rows = []
        for upload, kind in zip(files, kinds, strict=True):
            stored, digest, size = store(upload, kind, folder)
            written.append(stored)
            rows.append(
                model(
                    **owner,
                    name=display_name(upload.name),
                    content_type=kind.content_type,
                    size=size,
                    sha256=digest,
                    stored_name=stored,
                    uploaded_by=actor,
                )  # fmt: skip
            )
        return model.objects.bulk_create(rows)
    except Exception:
        for name in written:
            remove(name, folder)
        raise
