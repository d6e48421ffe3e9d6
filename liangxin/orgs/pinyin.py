"""Pinyin keys for search by initials (拼音首字母) and for sorting names the Chinese way."""

from pypinyin import Style, lazy_pinyin


def initials(name: str) -> str:
    """'上海嘉信科技有限公司' → 'SHJXKJYXGS'; letters and digits in the name are kept."""
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for ch in "".join(parts) if ch.isalnum()).upper()[:200]


def sort_key(name: str) -> str:
    """Full pinyin without tones, so names sort as in a Chinese dictionary."""
    return " ".join(lazy_pinyin(name, errors="default")).lower()[:400]
