"""Snippets with the reader's words marked: whole words only, and HTML-escaped.

A word is marked where jieba's plain cut of the text has it as a word of its own: 民法 is not
marked inside 人民法院. The text is escaped piece by piece and only our own <mark> tags are
added, so neither a query nor a document can put markup on the page.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .analysis import whole_words

SNIPPET_LENGTH = 140


def best_window(words: list[tuple[str, int, int]], terms: set[str], length: int) -> int:
    """Where a window of `length` characters covers the most distinct marked words (ties: earliest)."""
    found = [(start, word) for word, start, _ in words if word in terms]
    best_start, best_score = 0, -1
    for start, _ in found:
        window_start = max(0, start - 10)
        score = len({word for position, word in found if window_start <= position < window_start + length})
        if score > best_score:
            best_start, best_score = window_start, score
    return best_start


def highlight(text: str, terms: list[str], *, length: int = SNIPPET_LENGTH) -> str:
    """An escaped snippet of text around the terms, each whole-word occurrence wrapped in <mark>."""
    text = " ".join((text or "").split())
    wanted = {term.lower() for term in terms if term}
    words = whole_words(text) if wanted else []
    start = best_window(words, wanted, length) if wanted else 0
    end = start + length
    pieces, position = [], start
    for word, word_start, word_end in words:
        if word not in wanted or word_start < start or word_end > end:
            continue
        pieces.append(escape(text[position:word_start]))
        pieces.append(f"<mark>{escape(text[word_start:word_end])}</mark>")
        position = word_end
    pieces.append(escape(text[position:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)
