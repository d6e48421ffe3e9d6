"""禁用词: the check every question and answer passes before anything is stored. Plain functions
over plain text; the list itself is ``ForbiddenWord`` rows, kept by the city administrator."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError

MAX_WORD_CHARS = 40
# full-width letters and digits and the ideographic space, as people mean them (Ａ → a)
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """Full-width to half-width, lower case, spaces removed: "法 轮" or "ＡＢ" cannot slip past by typing."""
    return "".join(str(text or "").translate(_FULL_WIDTH).lower().split())


def found_in(text: str, words: Iterable[str]) -> str | None:
    """The first forbidden word (as the list spells it) that ``text`` contains, or None."""
    folded = fold(text)
    for word in words:
        if word and fold(word) in folded:
            return word
    return None


def check(fields: dict[str, str], words: Iterable[str], labels: dict[str, str]) -> None:
    """ValidationError on the first field holding a forbidden word, naming the word (in Chinese)."""
    words = list(words)
    for name, text in fields.items():
        word = found_in(text, words)
        if word is not None:
            raise ValidationError({name: [f"{labels[name]}含有禁用词「{word}」，请修改后再提交"]})


def parse_list(text: str) -> list[str]:
    """The words typed into the list's box: one a line (or separated by 、，, ;), blanks and repeats
    dropped, in the order typed; a word too long is refused."""
    raw = str(text or "")
    for sep in "、，,;；":
        raw = raw.replace(sep, "\n")
    out: list[str] = []
    for line in raw.splitlines():
        word = " ".join(line.split())
        if not word or word in out:
            continue
        if len(word) > MAX_WORD_CHARS:
            raise ValidationError({"words": [f"禁用词「{word[:10]}…」过长：每个不超过 {MAX_WORD_CHARS} 个字"]})
        out.append(word)
    return out
