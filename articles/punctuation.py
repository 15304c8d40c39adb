"""Half-width punctuation typed in Chinese text (违法吗? 如下: …): found for the editor's hint, made
full width in one click, and by import_posts.

A , ? : ; ! counts when Chinese is on one side of it (a Han character or full-width punctuation,
looking through Markdown's emphasis markers: **注意**:); a pair of parentheses counts when Chinese is
inside or right outside it: (一) 民法典(2020年). Left alone: code (`…`, fenced and indented blocks), URLs
and e-mail addresses, a link's or an image's target and the ! of an image, HTML tags, numbers (1,000
and 10:30 have no Chinese beside the mark) and Markdown's own syntax (list markers, tables, headings).
"""

import re
from dataclasses import dataclass

FULL_WIDTH = {",": "，", "?": "？", ":": "：", ";": "；", "!": "！", "(": "（", ")": "）"}
MARKS = ",?:;!"
CHINESE_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e“”‘’…—]")
EMPHASIS = "*_~"
# What is not prose: each span is left as it is.
CODE_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
# To the next space or full-width mark: a URL may hold Chinese (?q=借款,逾期); one that runs into the
# text after it is left alone whole rather than cut short.
URL_RE = re.compile(r"(?:https?|ftp)://[^\s\u3000-\u303f\uff01-\uff5e<>“”]+|www\.[A-Za-z0-9-]+\.[^\s<>]+")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
HTML_TAG_RE = re.compile(r"<[A-Za-z/!][^>\n]*>")
LINK_TARGET_RE = re.compile(r"\]\([^)\n]*\)")
REFERENCE_DEFINITION_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:.*$", re.M)
IMAGE_RE = re.compile(r"!\[")
PARENTHESES_RE = re.compile(r"\(([^()\n]*)\)")


@dataclass
class HalfWidthMark:
    start: int  # in the text as given (Python indices)
    end: int
    text: str
    replacement: str


def not_prose(text: str) -> list[bool]:
    """Per character: True where it is code, a URL, a link's target or other syntax, not prose."""
    masked = [False] * len(text)

    def mask(start: int, end: int) -> None:
        masked[start:end] = [True] * (end - start)

    # Fenced code blocks, and indented ones (after a blank line, outside a list).
    offset, fence, previous_blank, in_indented = 0, "", True, False
    for line in text.splitlines(keepends=True):
        opening = CODE_FENCE_RE.match(line)
        if fence:
            mask(offset, offset + len(line))
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
        elif opening:
            fence = opening.group(1)
            mask(offset, offset + len(line))
        elif (
            line.strip()
            and (line.startswith("    ") or line.startswith("\t"))
            and (previous_blank or in_indented)
        ):
            in_indented = True
            mask(offset, offset + len(line))
        elif line.strip():
            in_indented = False
        previous_blank = not line.strip()
        offset += len(line)
    for pattern in (INLINE_CODE_RE, HTML_TAG_RE, LINK_TARGET_RE, REFERENCE_DEFINITION_RE, URL_RE, EMAIL_RE):
        for found in pattern.finditer(text):
            mask(*found.span())
    for found in IMAGE_RE.finditer(text):
        mask(found.start(), found.start() + 1)
    return masked


def _neighbour(text: str, index: int, step: int) -> str:
    """The character next to text[index] in that direction, looking through emphasis markers."""
    index += step
    while 0 <= index < len(text) and text[index] in EMPHASIS:
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _chinese(char: str) -> bool:
    return bool(char) and bool(CHINESE_RE.match(char))


def half_width_marks(text: str) -> list[HalfWidthMark]:
    """The half-width marks typed in the Chinese of this Markdown, in order, with their full-width forms."""
    masked = not_prose(text)
    found: dict[int, HalfWidthMark] = {}
    for index, char in enumerate(text):
        if char in MARKS and not masked[index]:
            before, after = _neighbour(text, index, -1), _neighbour(text, index, 1)
            if (_chinese(before) or _chinese(after)) and not (before.isdigit() and after.isdigit()):
                found[index] = HalfWidthMark(index, index + 1, char, FULL_WIDTH[char])
    for pair in PARENTHESES_RE.finditer(text):
        opening, closing = pair.start(), pair.end() - 1
        if masked[opening] or masked[closing]:
            continue
        inside = pair.group(1)
        outside = _neighbour(text, opening, -1), _neighbour(text, closing, 1)
        if any(_chinese(char) for char in inside) or any(_chinese(char) for char in outside):
            for index in (opening, closing):
                found[index] = HalfWidthMark(index, index + 1, text[index], FULL_WIDTH[text[index]])
    return [found[index] for index in sorted(found)]


def full_width(text: str) -> str:
    """The text with its half-width marks in Chinese made full width (half_width_marks)."""
    out = list(text)
    for mark in half_width_marks(text):
        out[mark.start] = mark.replacement
    return "".join(out)
