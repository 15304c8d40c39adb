"""The article page's cache: the costly parts of each page, kept per article and dropped when what they show changes.

A page shows its article, the articles before and after it in its category, and its related
articles. Each article has a page version (a column: every process reads it with the article, so
a drop is seen by all of them at once, whichever cache they use); its parts are kept in Django's
cache under a key that carries it. A save drops the pages that show the article
(articles.services); recomputing an article's related list drops that article's page
(kb.search.related). Nothing else is dropped.
"""

from django.core.cache import cache
from django.db.models import F

from .models import Article, RelatedArticle
from .selectors import article_neighbours

PAGE_SECONDS = 600  # statute text (which only an import changes) and relative dates may lag this much


def cached_parts(article: Article, origin: str, render) -> dict[str, str]:
    """The page parts of the article for pages linking to origin, rendered by render() once and kept until dropped."""
    key = f"articles:page:{article.pk}:{article.page_version}:{origin}"
    return cache.get_or_set(key, render, PAGE_SECONDS)


def drop(article_ids) -> None:
    """Forget the cached pages of these articles: their next reader gets a new rendering."""
    Article.objects.filter(pk__in=list(article_ids)).update(page_version=F("page_version") + 1)


def pages_showing(article: Article) -> set[int]:
    """The articles whose pages show this one: itself, its neighbours, those listing it as related."""
    shown = {article.pk}
    neighbours = article_neighbours(article=article)
    shown |= {other.pk for other in (neighbours.previous, neighbours.following) if other is not None}
    shown |= set(RelatedArticle.objects.filter(related=article).values_list("article_id", flat=True))
    return shown
