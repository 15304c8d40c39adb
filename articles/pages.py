"""The article page's cache: the costly parts of each page, kept per article and dropped when what they show changes.

A page shows its article, the articles before and after it in its category, and its related
articles. Each article has a page version in Django's cache; the parts are kept under a key that
carries it, so dropping a page is setting a new version (whatever host the page was rendered
for). A save drops the pages that show the article (services); recomputing an article's related
list drops that article's page (kb.search.related). Nothing else is dropped.
"""

import time

from django.core.cache import cache

from .models import Article, RelatedArticle
from .selectors import article_neighbours

PAGE_SECONDS = 600  # statute text (which only an import changes) and relative dates may lag this much
VERSION_SECONDS = 24 * 3600


def version_key(article_id: int) -> str:
    return f"articles:page-version:{article_id}"


def parts_key(article_id: int, origin: str) -> str:
    """Where an article's page parts are kept, for pages rendered with links to origin."""
    version = cache.get(version_key(article_id))
    if version is None:
        version = time.time_ns()
        cache.add(version_key(article_id), version, VERSION_SECONDS)
        version = cache.get(version_key(article_id), version)
    return f"articles:page:{article_id}:{version}:{origin}"


def cached_parts(article: Article, origin: str, render) -> dict[str, str]:
    """The page parts of the article, rendered by render() once and kept until dropped."""
    return cache.get_or_set(parts_key(article.pk, origin), render, PAGE_SECONDS)


def drop(article_ids) -> None:
    """Forget the cached pages of these articles: their next reader gets a new rendering."""
    version = time.time_ns()
    cache.set_many({version_key(pk): version for pk in article_ids}, VERSION_SECONDS)


def pages_showing(article: Article) -> set[int]:
    """The articles whose pages show this one: itself, its neighbours, those listing it as related."""
    shown = {article.pk}
    neighbours = article_neighbours(article=article)
    shown |= {other.pk for other in (neighbours.previous, neighbours.following) if other is not None}
    shown |= set(RelatedArticle.objects.filter(related=article).values_list("article_id", flat=True))
    return shown
