"""Writes with rules: articles (create, update, publish, unpublish, delete), the editors' group, the demo content.

Every article write goes through these functions, whoever makes it (the admin, commands, tests),
each in one transaction:
- the row: Article.save() renders the body (links, reference report, excerpt);
- citations: the rows the body's references make follow the body; an editor's rows stay;
- after the commit, the cached pages that show the article are dropped (articles.pages).
The search layer learns of the change by itself (kb.search subscribes to saves and deletes) and
brings the index, the topics and the related articles up to date after the commit.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from statutes.models import Provision

from . import pages, revisions
from .models import Article, Author, Category, Citation
from .references import body_publication_problems

EDITOR_GROUP = "编辑"


def ensure_editor_group() -> Group:
    """Create or repair the 编辑 group with exactly the permissions editors need (settings.EDITOR_PERMISSIONS)."""
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    granted = settings.EDITOR_PERMISSIONS
    wanted = [
        f"{action}_{model}"
        for models in granted.values()
        for model, actions in models.items()
        for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label__in=granted, codename__in=wanted
    ).select_related("content_type")
    permissions = [
        permission
        for permission in permissions
        if permission.content_type.model in granted[permission.content_type.app_label]
    ]
    group.permissions.set(permissions)
    return group


# --- articles -----------------------------------------------------------------------


@transaction.atomic
def save_article(*, article: Article, sync_citations: bool = True, user=None, comment: str = "") -> Article:
    """Create or update an article, with the citations its body makes; kept as a revision.

    sync_citations=False leaves the citations to the caller, who saves an editor's citation rows
    first and then calls sync_found_citations (the admin: its inline rows are saved after the article;
    its revision, which the admin opens around both, then holds them too).
    """
    stored = Article.objects.filter(pk=article.pk).first() if article.pk else None
    showing = pages.pages_showing(stored) if stored else set()  # as it was: its old neighbours too
    with reversion.create_revision():
        article.save()
        if sync_citations:
            sync_found_citations(article=article)
            revisions.keep_citations(article)
        if user is not None:
            reversion.set_user(user)
        if comment or not reversion.get_comment():
            reversion.set_comment(comment or ("创建" if stored is None else "修改"))
    drop_pages_on_commit(showing | pages.pages_showing(article))
    return article


@transaction.atomic
def restore_article(*, article: Article, version: Version, user=None) -> Article:
    """Back to what a revision held (text, publication, the editor's citations): a new revision,
    rendered and checked again on the current library."""
    fields = version.field_dict
    with reversion.create_revision():
        for name in revisions.CONTENT_FIELDS:
            setattr(article, name, fields[name])
        when = timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M:%S")
        save_article(article=article, sync_citations=False, user=user, comment=f"恢复到 {when} 的版本")
        replace_editor_citations(
            article=article,
            provision_ids=[
                provision_id
                for provision_id, _order, added_by in revisions.cited_in(version)
                if added_by == Citation.AddedBy.EDITOR
            ],
        )
    return article


def replace_editor_citations(*, article: Article, provision_ids: list[int]) -> None:
    """The article's own choice of citations becomes these, in this order (a provision the body
    already cites stays the body's); the body's follow, and the revision being made records them."""
    Citation.objects.filter(article=article, added_by=Citation.AddedBy.EDITOR).delete()
    sync_found_citations(article=article)  # first: no row of an earlier body stays in the way
    Citation.objects.bulk_create(
        [
            Citation(
                article=article, provision_id=provision_id, order=order, added_by=Citation.AddedBy.EDITOR
            )
            for order, provision_id in enumerate(provision_ids, start=1)
        ],
        ignore_conflicts=True,
    )
    sync_found_citations(article=article)  # the order: the body's, then the editor's
    revisions.keep_citations(article)


def published_anyway(reason: str, problems: list[str]) -> str:
    """The revision's comment when an editor publishes despite the reference check."""
    return f"仍然发布（{reason}）：" + "；".join(problems)


class PublishRefused(Exception):
    """The article cites what the library does not confirm; publishing it takes a reason."""

    def __init__(self, article: Article, problems: list[str]):
        super().__init__(f"{article}：" + "；".join(problems))
        self.article = article
        self.problems = problems


@transaction.atomic
def publish_article(
    *, article: Article, at: datetime.datetime | None = None, override_reason: str = "", user=None
) -> bool:
    """Publish now (or at the given time, or at the time it already has). False if it was published.

    The references are checked again, on the library as it is now: a misquote or an unknown law
    refuses the publication (PublishRefused, nothing saved) unless an editor gives a reason to
    publish anyway, which the revision keeps.
    """
    if article.status == Article.Status.PUBLISHED:
        return False
    reason = override_reason.strip()
    problems = body_publication_problems(article.body)
    if problems and not reason:
        raise PublishRefused(article, problems)
    article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or timezone.now()
    comment = "发布"
    if problems:
        comment = published_anyway(reason, problems)
    save_article(article=article, user=user, comment=comment)
    return True


@transaction.atomic
def unpublish_article(*, article: Article, user=None) -> bool:
    """Back to draft: hidden from readers and from search. False if it was a draft."""
    if article.status == Article.Status.DRAFT:
        return False
    article.status = Article.Status.DRAFT
    save_article(article=article, user=user, comment="撤回为草稿")
    return True


@transaction.atomic
def delete_article(*, article: Article) -> None:
    showing = pages.pages_showing(article)
    article.delete()
    drop_pages_on_commit(showing)


def sync_found_citations(*, article: Article) -> None:
    """The citation rows follow the body's references, in the body's order.

    Rows the finder made for references no longer in the body go; rows an editor added stay, after
    the body's own (an editor's row for a provision the body also cites takes the body's place).
    """
    found = article.found_provision_ids
    Citation.objects.filter(article=article, added_by=Citation.AddedBy.FINDER).exclude(
        provision_id__in=found
    ).delete()
    rows = {citation.provision_id: citation for citation in Citation.objects.filter(article=article)}
    Citation.objects.bulk_create(
        [
            Citation(article=article, provision_id=provision_id, added_by=Citation.AddedBy.FINDER)
            for provision_id in found
            if provision_id not in rows
        ],
        ignore_conflicts=True,
    )
    in_body = {provision_id: place for place, provision_id in enumerate(found)}
    citations = sorted(
        Citation.objects.filter(article=article),
        key=lambda row: (
            row.provision_id not in in_body,
            in_body.get(row.provision_id, 0),
            row.order,
            row.pk,
        ),
    )
    moved = []
    for order, citation in enumerate(citations, start=1):
        if citation.order != order:
            citation.order = order
            moved.append(citation)
    Citation.objects.bulk_update(moved, ["order"])


def drop_pages_on_commit(article_ids: set[int]) -> None:
    if article_ids:
        transaction.on_commit(lambda: pages.drop(article_ids))


# --- demo content -------------------------------------------------------------------

FRONT_MATTER_FENCE = "---"


class DemoContentError(ValueError):
    """A demo article file that cannot be loaded as written."""


@dataclass
class DemoLoadReport:
    created: list[str]
    existing: list[str]


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """'---\\nkey: value\\n---\\nbody' → ({key: value}, body)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise DemoContentError("the file does not start with a '---' front matter block")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise DemoContentError("the front matter block is not closed with '---'") from None
    fields = {}
    for line in lines[1:end]:
        key, separator, value = line.partition(":")
        if not separator:
            raise DemoContentError(f"front matter line without 'key: value': {line!r}")
        fields[key.strip()] = value.strip()
    return fields, "\n".join(lines[end + 1 :]).strip() + "\n"


def resolve_citations(spec: str) -> list[Provision]:
    """'电信条例 65; 民法典 1032' → the provisions of the current laws with those short titles."""
    provisions = []
    for item in filter(None, (part.strip() for part in spec.split(";"))):
        short_title, _, key = item.rpartition(" ")
        provision = (
            Provision.objects.filter(law__short_title=short_title, law__is_current=True, key=key)
            .select_related("law")
            .first()
        )
        if provision is None:
            raise DemoContentError(f"cited provision not in the library: {item!r}")
        provisions.append(provision)
    return provisions


@transaction.atomic
def load_demo_articles(folder: Path) -> DemoLoadReport:
    """Create the demo articles of folder/*.md that do not exist yet (matched by title).

    Articles go through save_article, as an editor's would; an article already there is left as
    it is, whatever editors did to it.
    """
    report = DemoLoadReport(created=[], existing=[])
    for path in sorted(folder.glob("*.md")):
        try:
            fields, body = parse_front_matter(path.read_text(encoding="utf-8"))
            title = fields["title"]
            if Article.objects.filter(title=title).exists():
                report.existing.append(title)
                continue
            published_at = timezone.make_aware(datetime.datetime.fromisoformat(fields["published"]))
            article = Article(
                title=title,
                category=Category.objects.get(slug=fields["category"]),
                author=Author.objects.get(name=fields["author"]),
                body=body,
                status=Article.Status.PUBLISHED,
                published_at=published_at,
                view_count=int(fields.get("views", 0)),
            )
            provisions = resolve_citations(fields.get("cites", ""))
        except (KeyError, ValueError, Category.DoesNotExist, Author.DoesNotExist) as error:
            raise DemoContentError(f"{path.name}: {error!r}") from error
        # The declared citations are the editor's; the finder adds what else the body cites.
        save_article(article=article, sync_citations=False)
        Citation.objects.bulk_create(
            Citation(article=article, provision=provision, order=order, added_by=Citation.AddedBy.EDITOR)
            for order, provision in enumerate(provisions, start=1)
        )
        sync_found_citations(article=article)
        report.created.append(title)
    return report
