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
import zipfile
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

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of Word/Excel/PowerPoint 97–2003
# Office documents for 信息群发 and 通知下达: an OOXML file is a zip whose parts name what it is
# (``word/``, ``xl/``, ``ppt/``; checked in ``check_upload``), an old one an OLE compound file
OFFICE_TYPES = [
    FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "文字文档", (".docx",), lambda h: h.startswith(_ZIP),
    ),
    FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel 工作簿", (".xlsx",), lambda h: h.startswith(_ZIP),
    ),
    FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "演示文稿", (".pptx",), lambda h: h.startswith(_ZIP),
    ),
    FileType("application/msword", "文字文档（97-2003）", (".doc",), lambda h: h.startswith(_OLE)),
    FileType("application/vnd.ms-excel", "Excel 工作簿（97-2003）", (".xls",), lambda h: h.startswith(_OLE)),
    FileType("application/vnd.ms-powerpoint", "演示文稿（97-2003）", (".ppt",), lambda h: h.startswith(_OLE)),
]  # fmt: skip
DOCUMENT_TYPES = TYPES + OFFICE_TYPES
DOCUMENT_ALLOWED_TEXT = "、".join(sorted({e for t in DOCUMENT_TYPES for e in t.extensions}))
_OOXML_PART = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}


def max_bytes() -> int:
    return int(getattr(settings, "LIFE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def display_name(raw: str) -> str:
    """The name as shown and offered on download: no directories, no control characters, ≤ 120."""
    name = os.path.basename((raw or "").replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable()) or "附件"
    stem, ext = os.path.splitext(name)
    return stem[: 120 - len(ext)] + ext if len(name) > 120 else name


def detect(head: bytes, types: list[FileType] = TYPES, ext: str = "") -> FileType | None:
    """The type the first bytes say; where several types share a signature (zip, OLE), the one
    the extension names."""
    matching = [t for t in types if t.matches(head)]
    return next((t for t in matching if ext in t.extensions), matching[0] if matching else None)


def check(name: str, size: int, head: bytes, types: list[FileType] = TYPES) -> FileType:
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
    kind = detect(head, types, ext)
    if kind is None:
        allowed = "、".join(sorted({e for t in types for e in t.extensions}))
        what = "照片 JPEG/PNG 和 PDF" if types is TYPES else "PDF、办公文档和图片"
        raise ValidationError(f"附件「{shown}」的内容不是允许的类型（只接受{what}：{allowed}）")
    if ext not in kind.extensions:
        raise ValidationError(f"附件「{shown}」的扩展名「{ext or '无'}」与文件内容（{kind.label}）不符")
    return kind


def _check_ooxml(upload, shown: str, ext: str) -> None:
    """An OOXML file must be a readable zip holding its kind's parts: a renamed archive is not."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        names = []
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names or not any(n.startswith(_OOXML_PART[ext]) for n in names):
        raise ValidationError(f"附件「{shown}」不是有效的 {ext[1:]} 文件（内容已损坏或只是改了扩展名）")


def check_upload(upload, types: list[FileType] = TYPES) -> FileType:
    """``check`` for a Django UploadedFile (reads its first bytes, then rewinds)."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    kind = check(upload.name, upload.size, head, types)
    if kind.extensions[0] in _OOXML_PART:
        _check_ooxml(upload, display_name(upload.name), kind.extensions[0])
    return kind


def check_uploads(
    files, *, limit: int, label: str, per: str, already: int = 0, types: list[FileType] = TYPES
) -> list[FileType]:
    """``check_upload`` for each file, with at most ``limit`` in all counting the ``already``
    stored; ValidationError on the field ``attachments``, its message led by ``label`` (the
    field as the form names it), e.g. "附件：每次会议最多 30 个附件" with ``per`` "每次会议"."""
    if already + len(files) > limit:
        raise ValidationError({"attachments": [f"{label}：{per}最多 {limit} 个附件"]})
    kinds = []
    for upload in files:
        try:
            kinds.append(check_upload(upload, types))
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
