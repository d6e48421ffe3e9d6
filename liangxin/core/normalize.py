"""Normalizing what people type or paste: full-width characters, stray spaces."""

import unicodedata

from django.core.exceptions import ValidationError


def text(value) -> str:
    """Half-width (NFKC folds full-width digits and letters), trimmed, inner runs of spaces kept single."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ")
    return " ".join(s.split())


def prose(value) -> str:
    """What people write in words (a reason, a note, a title): trimmed and otherwise as typed.
    Chinese punctuation stays full-width — ``text`` is for names and codes, and would fold "，"
    into "," and "（" into "(" in a sentence."""
    return str(value if value is not None else "").replace("\u3000", " ").strip()


def reason(value, label: str, limit: int) -> str:
    """A reason someone must give (退回理由, 撤下理由, 撤回原因): its words on one line; refused in
    Chinese, under the field ``reason``, when empty or longer than ``limit`` characters."""
    said = " ".join(str(value or "").split())
    if not said:
        raise ValidationError({"reason": [f"{label}：必填"]})
    if len(said) > limit:
        raise ValidationError({"reason": [f"{label}：不能超过 {limit} 个字（现有 {len(said)} 个）"]})
    return said


def code(value) -> str:
    """An identifier: half-width, no spaces or dashes, upper case."""
    return text(value).replace(" ", "").replace("-", "").upper()
