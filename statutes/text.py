"""Text as it may be stored and shown: no control characters, one kind of line end; titles on one line.

C0 control characters other than tab and newline (and DEL) have no place in a law, an article or a
title: XML (the feed, the sitemaps) cannot carry them, PostgreSQL refuses NUL, and no one types
them. Every door that stores text (the articles' write path, the importers, restore) passes it
through here, and what is shown in XML passes through it again, for rows stored before.
"""

import re

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A break in a title: a line end, a tab, or a Unicode line or paragraph separator, with the blanks around it.
LINE_BREAK_RE = re.compile(r"\s*[\n\t\x85\u2028\u2029]+\s*")
# Punctuation written full-width in Chinese, which carries its own space: 。，、；：？！（）《》【】 …
# (not the curly quotes, which Latin text shares).
WIDE_PUNCTUATION = "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
IDEOGRAPH_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WIDE_PUNCTUATION_RE = re.compile(rf"[{WIDE_PUNCTUATION}]")
SPACE_BY_PUNCTUATION_RE = re.compile(
    rf"[ \u00a0\u3000]+(?=[{WIDE_PUNCTUATION}])|(?<=[{WIDE_PUNCTUATION}])[ \u00a0\u3000]+"
)
SPACES_RE = re.compile(r" {2,}")


def clean_text(text: str) -> str:
    """The text with \\r\\n and \\r made \\n, and every other control character but tab removed."""
    if not text:
        return text
    return CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def joined_lines(text: str) -> str:
    """The text on one line: a line break (or tab) inside Chinese text goes without a trace, as a
    reader joins wrapped lines ("承担违约责任吗？\\n向第三人" → "承担违约责任吗？向第三人");
    elsewhere (between Latin words, or Latin and Chinese) it becomes one space. Ends trimmed."""
    text = clean_text(text or "")

    def joined(match: re.Match) -> str:
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        if IDEOGRAPH_RE.match(before) and IDEOGRAPH_RE.match(after):
            return ""
        return "" if WIDE_PUNCTUATION_RE.match(before) or WIDE_PUNCTUATION_RE.match(after) else " "

    return LINE_BREAK_RE.sub(joined, text).strip()


def one_line(text: str) -> str:
    """A title as it is stored: joined_lines, without the blanks Chinese does not write beside its
    full-width punctuation ("之后 ，" → "之后，"), runs of spaces made one."""
    text = SPACE_BY_PUNCTUATION_RE.sub("", joined_lines(text))
    return SPACES_RE.sub(" ", text).strip()


def heading_line(text: str) -> str:
    """A heading (第一章 总则) on one line: a line break in it is the space between number and name."""
    return one_line(LINE_BREAK_RE.sub(" ", clean_text(text or "")))
