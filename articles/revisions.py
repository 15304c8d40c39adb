"""Every saved state of an article, kept by django-reversion: listed, compared and restored.

A revision holds what an editor writes (title, body, summary, category, author, publication,
source) and the article's citations. Restoring one sets its content and citations again on the
live article (never its publication) and saves it through articles.services, so that rendering
and the reference check run again on the current library, and the restoration is itself a new
revision; the view count, the status and everything rendered stay the live article's.
"""

import datetime
from dataclasses import dataclass

import reversion
from django.utils import timezone
from django.utils.safestring import SafeString
from reversion.models import Version

from statutes.diff import diff_html

from .models import Article, Citation, RevisionCitations

# What a revision gives back (by attribute: category_id, not category); the rest of the row is
# derived or counted.
CONTENT_FIELDS = [
    "title", "category_id", "author_id", "body", "summary", "status", "published_at",
    "origin", "source_name", "source_url",
]  # fmt: skip

# What restoring a revision brings back: the content, never the publication (an act of its own).
RESTORED_FIELDS = [name for name in CONTENT_FIELDS if name not in ("status", "published_at")]


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
