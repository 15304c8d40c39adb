"""Word-level differences between two texts (修订对照): two versions of a provision, two revisions of an
article (articles.revisions). Here, in the bottom layer, so every layer compares texts the same way.

Google's diff-match-patch (Myers' diff, then its semantic clean-up, which joins the scattered
one-word matches two rewritten sentences happen to share) run over the texts' words: jieba's words
for Chinese, every other run (Latin words, numbers, spaces, punctuation, line breaks) as written.
Each distinct word is mapped to one private-use character, diffed, and mapped back.
"""

import logging

import jieba
from diff_match_patch import diff_match_patch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Each word of the two texts stands for one character of Unicode's private use areas while they are
# compared, so that the diff's edits fall between words, never inside one.
PRIVATE_USE = [range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE)]
DIFF_SECONDS = 2.0  # past this, diff-match-patch returns a coarser (still correct) diff

REMOVED, KEPT, INSERTED = -1, 0, 1
jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter in the admin's logs


def words(text: str) -> list[str]:
    """The text cut into words, as a reader sees them."""
    return jieba.lcut(text, HMM=False)


def word_diff(old: str, new: str) -> list[tuple[int, str]]:
    """(REMOVED / KEPT / INSERTED, text), word by word, in reading order."""
    code: dict[str, str] = {}
    places = (point for area in PRIVATE_USE for point in area)

    def encode(text: str) -> str:
        cut = words(text)
        for word in dict.fromkeys(cut):
            if word not in code:
                code[word] = chr(next(places))
        return "".join(code[word] for word in cut)

    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_SECONDS
    diffs = engine.diff_main(encode(old or ""), encode(new or ""), False)
    engine.diff_cleanupSemantic(diffs)
    word_of = {char: word for word, char in code.items()}
    return [(operation, "".join(word_of[char] for char in text)) for operation, text in diffs]


def diff_html(old: str, new: str) -> SafeString:
    """What was taken out (<del>) and put in (<ins>), word by word; everything escaped.

    Meant for an element that keeps line breaks (white-space: pre-wrap): they are the texts' own.
    """
    tags = {
        REMOVED: ('<del class="diff-out">', "</del>"),
        KEPT: ("", ""),
        INSERTED: ('<ins class="diff-in">', "</ins>"),
    }
    return mark_safe(  # noqa: S308 - every piece of text is escaped
        "".join(
            f"{tags[operation][0]}{escape(text)}{tags[operation][1]}"
            for operation, text in word_diff(old, new)
        )
    )
