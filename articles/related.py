"""Related articles: posts on the same legal question, from text similarity and shared citations.

An article's own words (title twice, then its body) are weighed by how rare they are in the
search index and searched among published articles; articles that cite the same provisions
are added; the score is text similarity (relative to the best match) plus the share of
cited provisions in common, plus a little for the same category. Results are cached per
article and recomputed when any article changes (the cache key carries the articles'
latest update time and count, so every process sees the change at once).
"""

import math
from collections import Counter

from django.core.cache import cache
from django.db.models import Count, Max
from haystack.query import SearchQuerySet

from kb.search.analysis import ChineseWordAnalyzer, analyze
from kb.search.query import Term, render
from kb.search.selectors import ARTICLE_CT, search_backend

from .markdown import plain_text
from .models import Article, Citation

RELATED_LIMIT = 5
QUERY_TERMS = 60
TEXT_CANDIDATES = 30
SHARED_CITATION_WEIGHT = 0.8
CATEGORY_WEIGHT = 0.1
CACHE_SECONDS = 24 * 3600


def article_terms(article: Article, reader) -> list[Term]:
    """The article's most telling words: frequent in it, rare in the index."""
    words = analyze(ChineseWordAnalyzer(), f"{article.title} {article.title} {plain_text(article.body_html)}")
    counts = Counter(word for word in words if len(word) > 1)
    total = max(reader.doc_count(), 1)
    weighted = []
    for word, count in counts.items():
        frequency = reader.doc_frequency("text", word)
        if frequency:
            weighted.append((count * math.log(total / frequency), word))
    weighted.sort(reverse=True)
    if not weighted:
        return []
    top = weighted[0][0]
    return [Term("text", word, round(max(weight / top, 0.1), 2)) for weight, word in weighted[:QUERY_TERMS]]


def text_neighbours(article: Article) -> dict[int, float]:
    """Published articles by text similarity, scores relative to the best: {article id: 0..1}."""
    terms = article_terms(article, search_backend().searcher().reader())
    if not terms:
        return {}
    results = (
        SearchQuerySet().raw_search(render(terms)).narrow(f"django_ct:{ARTICLE_CT}")[: TEXT_CANDIDATES + 1]
    )
    scores = {}
    for result in results:
        pk = int(result.pk)
        if pk != article.pk:
            scores[pk] = result.score or 0.0
    best = max(scores.values(), default=0.0) or 1.0
    return {pk: score / best for pk, score in scores.items()}


def citation_neighbours(article: Article) -> dict[int, float]:
    """Published articles citing the same provisions: {article id: share of this article's provisions}."""
    cited = list(Citation.objects.filter(article=article).values_list("provision_id", flat=True))
    if not cited:
        return {}
    shared = (
        Citation.objects.filter(provision_id__in=cited, article__in=Article.objects.published())
        .exclude(article=article)
        .values("article_id")
        .annotate(shared=Count("provision_id", distinct=True))
    )
    return {row["article_id"]: row["shared"] / len(set(cited)) for row in shared}


def compute_related(article: Article, limit: int = RELATED_LIMIT) -> list[int]:
    text = text_neighbours(article)
    shared = citation_neighbours(article)
    candidates = set(text) | set(shared)
    if not candidates:
        return []
    published = dict(
        Article.objects.published()
        .filter(pk__in=candidates)
        .exclude(pk=article.pk)
        .values_list("pk", "category_id")
    )
    scores = {
        pk: text.get(pk, 0.0)
        + SHARED_CITATION_WEIGHT * shared.get(pk, 0.0)
        + (CATEGORY_WEIGHT if category_id == article.category_id else 0.0)
        for pk, category_id in published.items()
    }
    return sorted(scores, key=lambda pk: (-scores[pk], -pk))[:limit]


def articles_version() -> str:
    """Changes whenever an article is saved, published, unpublished or deleted."""
    state = Article.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    latest = state["latest"].isoformat() if state["latest"] else "-"
    return f"{latest}:{state['count']}"


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    key = f"articles:related:{article.pk}:{articles_version()}"
    ids = cache.get(key)
    if ids is None:
        try:
            ids = compute_related(article, limit)
        except Exception:  # noqa: BLE001 - an unreadable index must not break the article page
            ids = []
        if not ids:
            # Nothing similar found (or no index yet): the latest of the same category.
            ids = list(
                Article.objects.published()
                .filter(category_id=article.category_id)
                .exclude(pk=article.pk)
                .values_list("pk", flat=True)[:limit]
            )
        cache.set(key, ids, CACHE_SECONDS)
    articles = Article.objects.published().filter(pk__in=ids).only("id", "title", "excerpt", "published_at")
    by_id = {item.pk: item for item in articles}
    return [by_id[pk] for pk in ids if pk in by_id]
