"""Reads for the reading site, each a fixed number of queries whatever the data."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from statutes.models import LawChange, Provision

from .models import Article, Author, Category, CitationAlert, visible_to_readers

RELATED_LIMIT = 5


@dataclass
class ArticleNeighbours:
    previous: Article | None
    following: Article | None


def visible_articles(*, user=None) -> QuerySet[Article]:
    """What a visitor may open: published articles; staff also see drafts, to preview them."""
    if user is not None and user.is_active and user.is_staff:
        return Article.objects.all()
    return Article.objects.published()


def cited_provisions(*, article: Article) -> list[Provision]:
    """The provisions the article cites, in citation order, with their laws: one query."""
    return list(
        Provision.objects.filter(citations__article=article)
        .select_related("law")
        .order_by("citations__order", "citations__pk")
    )


def article_neighbours(*, article: Article) -> ArticleNeighbours:
    """The previous and next published articles of the same category, by publication time."""
    if article.published_at is None:
        return ArticleNeighbours(None, None)
    siblings = Article.objects.published().filter(category_id=article.category_id).only("id", "title")
    previous = (
        siblings.filter(
            Q(published_at__lt=article.published_at) | Q(published_at=article.published_at, pk__lt=article.pk)
        )
        .order_by("-published_at", "-pk")
        .first()
    )
    following = (
        siblings.filter(
            Q(published_at__gt=article.published_at) | Q(published_at=article.published_at, pk__gt=article.pk)
        )
        .order_by("published_at", "pk")
        .first()
    )
    return ArticleNeighbours(previous, following)


def related_articles(*, article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """Posts on the same legal question, as the search layer ranked them (RelatedArticle); where it
    has not (yet) found any, the latest of the same category."""
    related = list(
        Article.objects.published()
        .filter(suggested_under__article=article)
        .order_by("suggested_under__rank")
        .only("id", "title", "excerpt", "published_at")[:limit]
    )
    if related:
        return related
    return list(
        Article.objects.published()
        .filter(category_id=article.category_id)
        .exclude(pk=article.pk)
        .only("id", "title", "excerpt", "published_at")[:limit]
    )


def outdated_provisions(provisions: list[Provision]) -> list[Provision]:
    """Cited provisions whose law is no longer the version in force (已修改 / 已废止)."""
    return [provision for provision in provisions if not provision.law.is_in_force]


@dataclass
class ChangeNotice:
    """Beside a quoted provision a library update changed, until an editor acts on its alert."""

    what: str  # 修改, 删除, 条号变动, 废止
    on: datetime.date | None  # when: the new version's date, or the update's
    current_url: str  # the text in force now (the provision, its new place, or its law)


def change_notices(*, article: Article, provisions: list[Provision]) -> None:
    """Each cited provision with an open alert gets its notice (provision.change_notice): one query."""
    alerts = (
        CitationAlert.objects.filter(article=article, resolved_at__isnull=True)
        .select_related(
            "law_change__law", "law_change__library_import", "provision_change__new_provision__law"
        )
        .order_by("created_at")
    )
    by_provision = {alert.provision_id: alert for alert in alerts}
    for provision in provisions:
        alert = by_provision.get(provision.pk)
        provision.change_notice = alert and notice_of(alert, provision)


def notice_of(alert: CitationAlert, provision: Provision) -> ChangeNotice:
    law = alert.law_change.law
    changed_on = timezone.localdate(alert.law_change.library_import.started_at)
    if alert.law_change.kind == LawChange.Kind.NEW_VERSION:
        changed_on = law.promulgated_on or changed_on
    new = alert.provision_change.new_provision if alert.provision_change else None
    current_url = new.get_absolute_url() if new is not None else law.get_absolute_url()
    return ChangeNotice(alert.what_changed, changed_on, current_url)


def categories_with_counts() -> list[Category]:
    # Meta.ordering does not apply to aggregate queries: order explicitly.
    categories = Category.objects.annotate(
        article_count=Count("articles", filter=visible_to_readers("articles__"))
    )
    return list(categories.order_by("order", "name"))


def most_read_articles(*, limit: int = 5) -> list[Article]:
    """The articles readers opened most; none read yet, none listed (a ranking of noughts says nothing)."""
    read = Article.objects.published().filter(view_count__gt=0)
    return list(read.order_by("-view_count", "-published_at")[:limit])


def articles_citing(*, provision: Provision, limit: int = 50) -> list[Article]:
    """Published articles that cite the provision, newest first."""
    return list(
        Article.objects.published()
        .filter(citations__provision=provision)
        .only("id", "title", "published_at")[:limit]
    )


def author_articles(*, author: Author) -> QuerySet[Article]:
    return Article.objects.published().filter(author=author).select_related("category")
