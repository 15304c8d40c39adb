"""Every saved state of an article, kept by django-reversion: listed, compared and restored.

A revision holds what an editor writes (title, body, summary, category, author, publication,
source) and the article's citations. Restoring one sets its content and citations again on the
live article (never its publication) and saves it through articles.services, so that rendering
and the reference check run again on the current library, and the restoration is itself a new
revision; the view count, the status and everything rendered stay the live article's.
"""

import datetime
import logging
from dataclasses import dataclass

import jieba
import reversion
from diff_match_patch import diff_match_patch
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from .models import Article, Citation, RevisionCitations

# What a revision gives back (by attribute: category_id, not category); the rest of the row is
# derived or counted.
CONTENT_FIELDS = [
    "title", "category_id", "author_id", "body", "summary", "status", "published_at",
    "origin", "source_name", "source_url",
]  # fmt: skip

# What restoring a revision brings back: the content, never the publication (an act of its own).
RESTORED_FIELDS = [name for name in CONTENT_FIELDS if name not in ("status", "published_at")]

# Each word of the two texts stands for one character of Unicode's private use areas while they are
# compared, so that the diff's edits fall between words, never inside one.
PRIVATE_USE = [range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE)]
DIFF_SECONDS = 2.0  # past this, diff-match-patch returns a coarser (still correct) diff
jieba.setLogLevel(logging.WARNING)

# django-reversion serializes fields by name.
reversion.register(
    Article,
    fields=[Article._meta.get_field(name).name for name in CONTENT_FIELDS] + ["body_html", "excerpt"],
)


def keep_citations(article: Article) -> None:
    """Record in the revision being made the article's citation rows as they now stand.

    Called once the rows are final (after the body's own are synced): django-reversion would
    serialize related rows when the article itself is saved, before they change.
    """
    rows = Citation.objects.filter(article=article).order_by("order")
    rows = rows.values_list("provision_id", "order", "added_by")
    reversion.add_meta(RevisionCitations, rows=[list(row) for row in rows])


def revisions_of(article: Article):
    """The article's versions, newest first, with their revision (date, user, comment)."""
    return Version.objects.get_for_object(article).select_related("revision__user")


@dataclass
class Change:
    field: str
    label: str
    diff: SafeString


def words(text: str) -> list[str]:
    """The text cut into words, as a reader sees them: jieba for Chinese, and every other run
    (Latin words, numbers, spaces, punctuation, line breaks) as it is written."""
    return jieba.lcut(text, HMM=False)


def word_diff(old: str, new: str) -> list[tuple[int, str]]:
    """(-1 taken out / 0 kept / 1 put in, text), word by word: diff-match-patch's diff (Myers'
    algorithm, then its semantic clean-up, which joins the scattered one-word matches two rewritten
    sentences happen to share) run over the texts' words instead of their characters."""
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

    Shown in a <pre> (white-space: pre-wrap): line breaks are the texts' own.
    """
    tags = {-1: ('<del class="diff-out">', "</del>"), 0: ("", ""), 1: ('<ins class="diff-in">', "</ins>")}
    return mark_safe(
        "".join(
            f"{tags[operation][0]}{escape(text)}{tags[operation][1]}"
            for operation, text in word_diff(old, new)
        )
    )


def compare(older: Version, newer: Version) -> list[Change]:
    """What changed from one version to the other, for the fields editors write."""
    labels = {
        "title": "标题",
        "body": "正文",
        "summary": "摘要",
        "status": "状态",
        "published_at": "发布时间",
    }
    changes = []
    for name, label in labels.items():
        before, after = readable(name, older.field_dict.get(name)), readable(name, newer.field_dict.get(name))
        if before != after:
            changes.append(Change(name, label, diff_html(before, after)))
    return changes


def readable(name: str, value) -> str:
    """A field's value as editors read it: times local to the second, states by their label."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if name == "status":
        return Article.Status(value).label
    return str(value)


def cited_in(version: Version) -> list[tuple[int, int, str]] | None:
    """(provision id, order, added by) of the citations the article had at that revision; None for
    a revision that did not record them."""
    kept = RevisionCitations.objects.filter(revision_id=version.revision_id).order_by("pk").last()
    return [tuple(row) for row in kept.rows] if kept else None
