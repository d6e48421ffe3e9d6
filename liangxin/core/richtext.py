"""Rich text a user writes (a message's or a notice's body): paragraphs, bold, italics, lists,
links and headings, sanitised on save with nh3 (the Rust ``ammonia`` sanitiser) so that what is
stored is safe to show as HTML anywhere — in a page, an e-mail, the portal."""

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
_BLOCK_END = re.compile(r"</(p|li|h3|h4|blockquote)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]")


def clean_html(raw: str) -> str:
    """The body as stored: only the allowed tags and attributes, links with a safe scheme only.
    Plain text (no tag at all) becomes paragraphs, one per blank-line-separated block."""
    text = (raw or "").strip()
    if text and not _LOOKS_LIKE_HTML.search(text):
        blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
        text = "".join("<p>" + html.escape(b).replace("\n", "<br>") + "</p>" for b in blocks)
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES).strip()


def plain_text(stored: str) -> str:
    """The stored body as plain text (an SMS, a search index, an e-mail's text part)."""
    text = _BLOCK_END.sub("\n", stored or "")
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
