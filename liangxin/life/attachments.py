"""Meeting attachments: the checked uploads of ``liangxin.core.attachments`` (party's 党员减少
evidence uses them too, which is why they live in core), stored under ``VAR_DIR/life/``, at
most ``MAX_PER_MEETING`` per meeting."""

from liangxin.core.attachments import (  # noqa: F401 — life's callers name them here
    ALLOWED_TEXT,
    DEFAULT_MAX_BYTES,
    HEAD_BYTES,
    TYPES,
    FileType,
    check,
    check_upload,
    check_uploads,
    detect,
    display_name,
    max_bytes,
    path_of,
    remove,
    storage_dir,
    store,
    store_all,
)

MAX_PER_MEETING = 30
