"""Snippets with the reader's words marked: jieba-aware and HTML-escaped.

The text is escaped piece by piece and only our own <mark> tags are added, so neither a
query nor a document can put markup on the page.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

SNIPPET_LENGTH = 140


def best_window(text: str, terms: list[str], length: int) -> int:
    """Where a window of `length` characters covers the most distinct terms (ties: earliest)."""
    positions = sorted((text.find(term), term) for term in terms if term and text.find(term) >= 0)
    best_start, best_score = 0, -1
    for start, _ in positions:
        window = text[max(0, start - 10) : start - 10 + length] if start > 10 else text[:length]
        score = sum(1 for term in terms if term in window)
        if score > best_score:
            best_start, best_score = max(0, start - 10), score
    return best_start


def highlight(text: str, terms: list[str], *, length: int = SNIPPET_LENGTH) -> str:
    """An escaped snippet of text around the terms, each occurrence wrapped in <mark>."""
    text = " ".join((text or "").split())
    terms = sorted({term for term in terms if term}, key=len, reverse=True)
    start = best_window(text, terms, length) if terms else 0
    snippet = text[start : start + length]
    pieces, position = [], 0
    while position < len(snippet):
        match = next((term for term in terms if snippet.startswith(term, position)), None)
        if match:
            pieces.append(f"<mark>{escape(match)}</mark>")
            position += len(match)
        else:
            pieces.append(escape(snippet[position]))
            position += 1
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)
