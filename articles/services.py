"""Writes with rules: articles (create, update, publish, unpublish, delete), the editors' group, the demo content.

Every article write goes through these functions, whoever makes it (the admin, commands, tests),
each in one transaction:
- the row: Article.save() renders the body (links, reference report, excerpt);
- citations: the rows the body's references make follow the body; an editor's rows stay;
- the reader cache and the search layer learn of the change by themselves (kb subscribes to
  saves and deletes): kept pages are dropped with the commit, and the index, the topics and the
  related lists follow it.
The search layer learns of the change by itself (kb.search subscribes to saves and deletes) and
brings the index, the topics and the related articles up to date after the commit.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from reversion.models import Version

from statutes.models import Provision
from statutes.text import clean_text, one_line

from . import revisions
from .models import Article, ArticleTopic, Author, Category, Citation, ImportCheck, RelatedArticle
from .references import publication_problems as references_publication_problems

EDITOR_GROUP = "编辑"
DELETE_ATTEMPTS = 3


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


class PublishRefused(Exception):
    """The article cites what the library does not confirm; publishing it takes a reason."""

    def __init__(self, article: Article, problems: list[str]):
        super().__init__(f"{article}：" + "；".join(problems))
        self.article = article
        self.problems = problems


def publication_problems(article: Article, *, stored: Article | None) -> list[str]:
    """The one publishing rule: what keeps this state of the article from readers.

    A text readers will see for the first time (published now, or the body of a published article
    changed) is checked on the library as it is now; a misquote or an unknown law blocks it unless
    an editor gives a reason (see save_article). stored: the article as it is in the database.
    """
    if article.status != Article.Status.PUBLISHED:
        return []
    if stored is not None and stored.status == Article.Status.PUBLISHED and stored.body == article.body:
        return []
    article.ensure_rendered(for_this_write=True)  # made for this write: the library as it is now
    return references_publication_problems(article.reference_report)


def published_anyway(reason: str, problems: list[str]) -> str:
    """The revision's comment when an editor publishes despite the reference check."""
    return f"仍然发布（{reason}）：" + "；".join(problems)


def save_article(
    *,
    article: Article,
    editor_citations: list[int] | None = None,
    user=None,
    comment: str = "",
    publish_reason: str = "",
) -> Article:
    """The one door for every change to an article, whoever makes it; its writes in one transaction.

    - the text cleaned (no control characters; the title on one line);
    - the publishing rule (publication_problems): refused with PublishRefused, nothing written,
      unless publish_reason says why it is published all the same (the revision keeps it);
    - the row, with the body rendered (links, reference report, excerpt);
    - the citations: the body's follow the body; editor_citations, when given, become the editor's
      own choice, in that order (None keeps the editor's rows as they are);
    - a revision with its user, its comment and the citations as they end up;
    - the reader cache and the search layer learn of the change from the save (kb subscribes): kept
      pages go with the commit; the index, topics and related lists follow it.

    The body is rendered and checked before the transaction opens: rendering a long body takes time,
    and on SQLite a write transaction holds the whole database (readers' counts, other editors).
    """
    clean_fields(article)
    stored = Article.objects.filter(pk=article.pk).first() if article.pk else None
    problems = publication_problems(article, stored=stored)
    reason = one_line(publish_reason)  # kept in the revision's comment
    if problems and not reason:
        raise PublishRefused(article, problems)
    article.ensure_rendered()
    with transaction.atomic(), reversion.create_revision():
        article.save()
        if editor_citations is not None:
            Citation.objects.filter(article=article, added_by=Citation.AddedBy.EDITOR).delete()
            _sync_found_citations(article=article)  # first: no row of an earlier body stays in the way
            Citation.objects.bulk_create(
                [
                    Citation(
                        article=article,
                        provision_id=provision_id,
                        order=order,
                        added_by=Citation.AddedBy.EDITOR,
                    )
                    for order, provision_id in enumerate(dict.fromkeys(editor_citations), start=1)
                ],
                ignore_conflicts=True,  # a provision the body cites stays the body's
            )
        _sync_found_citations(article=article)  # the order: the body's, then the editor's
        revisions.keep_citations(article)
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(revision_comment(article, stored, comment, problems, reason))
    return article


def rendered_beforehand(*, body: str, summary: str) -> Article | None:
    """This text as a form saves it (trimmed, then cleaned), rendered and checked now.

    A form that validates and saves in one transaction (the admin's) renders before it opens:
    on SQLite that transaction holds the whole database for writing, and a long body takes a
    second to render. The form's article takes this rendering (Article.take_rendering) if its
    text is the same. None when the text cannot be rendered: the form says why.
    """
    draft = Article(body=clean_text(body.strip()), summary=clean_text(summary.strip()))
    try:
        draft.render()
    except ValidationError:
        return None
    return draft


def clean_fields(article: Article) -> None:
    """What the article stores, without control characters (statutes.text); its title on one line."""
    article.title = one_line(article.title)
    for name in ("body", "summary", "source_name", "source_url"):
        setattr(article, name, clean_text(getattr(article, name)))


def revision_comment(article: Article, stored: Article | None, comment: str, problems, reason: str) -> str:
    """What the revision says it was: the caller's words, or what the save did; and why it was
    published despite the reference check."""
    if not comment:
        if stored is None:
            comment = "创建"
        elif stored.status != article.status:
            comment = "发布" if article.status == Article.Status.PUBLISHED else "撤回为草稿"
        else:
            comment = reversion.get_comment() or "修改"
    if problems:
        anyway = published_anyway(reason, problems)
        comment = anyway if comment == "发布" else f"{comment}；{anyway}"
    return comment


def restore_article(*, article: Article, version: Version, user=None, override_reason: str = "") -> Article:
    """Back to a revision's content and citations, as they were: a new revision, rendered and
    checked again on the current library.

    Never its status or publication time: publishing is an act of its own. Restoring into a
    published article is publishing that text, so it passes the publishing rule (override_reason).
    """
    fields = version.field_dict
    for name in revisions.RESTORED_FIELDS:
        setattr(article, name, fields[name])
    cited = revisions.cited_in(version)
    when = timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M:%S")
    return save_article(
        article=article,
        editor_citations=None
        if cited is None
        else [
            provision_id for provision_id, _order, added_by in cited if added_by == Citation.AddedBy.EDITOR
        ],
        user=user,
        comment=f"恢复到 {when} 的版本",
        publish_reason=override_reason,
    )


class FixOutdated(Exception):
    """The article no longer holds what the import check's fix would change (an editor changed it)."""


def apply_import_check(*, check: ImportCheck, user=None) -> Article:
    """Take the fix an import check suggests, through save_article (a new revision saying so):

    - a 相关法条 reference: the suggested provision cited in place of the one written;
    - a reference in the body: rewritten (the first place it is written as it was);
    - a suggested provision: cited, after the editor's own.

    FixOutdated when the article no longer holds what the fix changes; the check is marked applied.
    """
    article = Article.objects.get(pk=check.article_id)
    if check.suggested_id is None:
        raise FixOutdated("这一项没有可采纳的建议。")
    editor_rows = list(
        Citation.objects.filter(article=article, added_by=Citation.AddedBy.EDITOR)
        .order_by("order", "pk")
        .values_list("provision_id", flat=True)
    )
    name = f"{check.suggested.law.short_title or check.suggested.law.title} {check.suggested.label}"
    if check.kind == ImportCheck.Kind.BODY:
        if not check.text or check.text not in article.body:
            raise FixOutdated(f"正文中已找不到“{check.text}”，没有改动。")
        article.body = article.body.replace(check.text, check.replacement, 1)
        cited, comment = None, f"采纳导入检查的建议：正文中“{check.text}”改为“{check.replacement}”"
    elif check.kind == ImportCheck.Kind.STATUTES:
        cited = [check.suggested_id if pk == check.written_id else pk for pk in editor_rows]
        if check.suggested_id not in cited:
            cited.append(check.suggested_id)
        written = check.written.label if check.written else check.text
        comment = f"采纳导入检查的建议：相关法条 {written} 改为 {name}"
    else:
        cited, comment = [*editor_rows, check.suggested_id], f"采纳导入检查的建议：引用 {name}"
    with transaction.atomic():
        save_article(article=article, editor_citations=cited, user=user, comment=comment)
        ImportCheck.objects.filter(pk=check.pk).update(applied_at=timezone.now())
    return article


def publish_article(
    *, article: Article, at: datetime.datetime | None = None, override_reason: str = "", user=None
) -> bool:
    """Publish now (or at the given time, or at the time it already has). False if it was published.

    Refused (PublishRefused, nothing saved, the article as it was) when the reference check finds a
    problem and no reason is given.
    """
    if article.status == Article.Status.PUBLISHED:
        return False
    was = (article.status, article.published_at)
    article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or timezone.now()
    try:
        save_article(article=article, user=user, publish_reason=override_reason)
    except PublishRefused:
        article.status, article.published_at = was
        raise
    return True


def unpublish_article(*, article: Article, user=None) -> bool:
    """Back to draft: hidden from readers and from search. False if it was a draft."""
    if article.status == Article.Status.DRAFT:
        return False
    article.status = Article.Status.DRAFT
    save_article(article=article, user=user)
    return True


def delete_article(*, article: Article) -> None:
    """Delete the article and what points at it.

    The search task of another save may add a related-list row naming this article while it is being
    deleted; PostgreSQL then refuses the deletion at its commit (a deferred foreign key). The rows are
    collected again and the deletion tried again.
    """
    pk = article.pk
    for attempt in range(1, DELETE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                current = Article.objects.filter(pk=pk).first()
                if current is not None:
                    current.delete()
            break
        except IntegrityError:
            if attempt == DELETE_ATTEMPTS:
                raise
    article.pk = None


def _sync_found_citations(*, article: Article) -> None:
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


# --- what the search layer derives from articles ------------------------------------------


def replace_topics(*, article: Article, provision_ids: list[int]) -> None:
    """The provisions the article is about, as the statute search ranks them (ArticleTopic)."""
    with transaction.atomic():
        ArticleTopic.objects.filter(article=article).delete()
        ArticleTopic.objects.bulk_create(
            ArticleTopic(article=article, provision_id=provision_id, rank=rank)
            for rank, provision_id in enumerate(provision_ids)
        )


def replace_related(*, article_id: int, related_ids: list[int]) -> list[int] | None:
    """The article's related list becomes these articles, in this order (RelatedArticle). Returns the ids listed: those still there, since another process may have deleted
    one meanwhile (its deletion refreshes the lists that had it); None if the article itself is gone."""
    try:
        with transaction.atomic():
            still_there = set(
                Article.objects.filter(pk__in=[article_id, *related_ids]).values_list("pk", flat=True)
            )
            if article_id not in still_there:
                return None
            related_ids = [pk for pk in related_ids if pk in still_there]
            RelatedArticle.objects.filter(article_id=article_id).delete()
            RelatedArticle.objects.bulk_create(
                RelatedArticle(article_id=article_id, related_id=pk, rank=rank)
                for rank, pk in enumerate(related_ids)
            )
    except IntegrityError:  # deleted between the look and the write
        return None
    return related_ids


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


def read_demo_article(path: Path) -> tuple[dict[str, str], str]:
    """A demo file's front matter and body, its title and body as save_article stores them."""
    fields, body = parse_front_matter(path.read_text(encoding="utf-8"))
    if "title" in fields:
        fields["title"] = one_line(fields["title"])
    return fields, clean_text(body)


@transaction.atomic
def withdraw_demo_articles(folder: Path) -> list[str]:
    """Withdraw to drafts the published demo articles that are still as the demo wrote them.

    For a site that has the real answers: the demo articles make way for them (the category counts,
    the home page, search). One matched by its file's title and body, so that an article an editor
    has made their own (edited its title or body) stays as it is. Each goes through save_article,
    as an editor's withdrawal would (a revision says why); re-runnable: drafts stay drafts.
    """
    withdrawn = []
    for path in sorted(folder.glob("*.md")):
        try:
            fields, body = read_demo_article(path)
            title = fields["title"]
        except (KeyError, ValueError) as error:
            raise DemoContentError(f"{path.name}: {error!r}") from error
        for article in Article.objects.filter(title=title, body=body, status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            save_article(article=article, comment="示例文章：站点已有真实问答，撤回为草稿")
            withdrawn.append(title)
    return withdrawn


@transaction.atomic
def load_demo_articles(folder: Path) -> DemoLoadReport:
    """Create the demo articles of folder/*.md that do not exist yet (matched by title).

    Articles go through save_article, as an editor's would; an article already there is left as
    it is, whatever editors did to it.
    """
    report = DemoLoadReport(created=[], existing=[])
    for path in sorted(folder.glob("*.md")):
        try:
            fields, body = read_demo_article(path)
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
        save_article(article=article, editor_citations=[provision.pk for provision in provisions])
        report.created.append(title)
    return report
