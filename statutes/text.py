"""Text as it may be stored and shown: no control characters, one kind of line end.

C0 control characters other than tab and newline (and DEL) have no place in a law, an article or a
title: XML (the feed, the sitemaps) cannot carry them, PostgreSQL refuses NUL, and no one types
them. Every door that stores text (the articles' write path, the importers, restore) passes it
through here, and what is shown in XML passes through it again, for rows stored before.
"""

import re

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAK_RE = re.compile(r"\s*[\r\n\t]+\s*")


def clean_text(text: str) -> str:
    """The text with \\r\\n and \\r made \\n, and every other control character but tab removed."""
    if not text:
        return text
    return CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    """A title: clean_text, its line breaks and tabs made one space, trimmed."""
    return LINE_BREAK_RE.sub(" ", clean_text(text or "")).strip()
