"""Normalizing what people type or paste: full-width characters, stray spaces."""

import unicodedata


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


def code(value) -> str:
    """An identifier: half-width, no spaces or dashes, upper case."""
    return text(value).replace(" ", "").replace("-", "").upper()
