"""Related articles: posts on the same legal question, from text similarity and shared provisions.

Four signals, added up:
- text: the article's own words, weighed by how often it uses them and how rare they are in
  the search index (title words count double), searched among published articles; scores
  relative to the best match;
- citations: the share of this article's cited provisions that the other one cites too;
- topics: the provisions the statute search finds for each article's opening words, saved
  with the article (ArticleTopic), in common, weighed by their ranks. Two answers about the
  same provision are on the same question even when they are worded apart;
- meaning: the cosine of the two articles' vectors (kb.search.vectors) above 0.4, scaled to 0..1;
plus a little for the same category. The weights were set on bench_related's LeCoQA rows (topics
found with search by meaning, or meaning weighed higher, measured no better there).

Related lists are derived data, computed once per write and kept as rows (RelatedArticle) that
the article page reads: when an article changes, after the index has it (kb.search.tasks), its
topics and its list are recomputed, and so are the lists that showed it and those it now shows;
the cached pages of every recomputed list are dropped. `manage.py refresh_topics` recomputes all.
"""

import logging
import math
from collections import Counter, defaultdict

import numpy as np
from django.db.models import Count

from articles import services
from articles.markdown import plain_text
from articles.models import Article, ArticleTopic, Citation, RelatedArticle

from . import vectors
from .analysis import ChineseWordAnalyzer, analyze
from .engine import Filters, search_engine
from .query import MAX_QUERY_LENGTH, WORD_FIELD, Term, select_terms, understand
from .selectors import not_yet_visible, search_provisions

logger = logging.getLogger(__name__)

RELATED_LIMIT = 5
QUERY_TERMS = 80
TITLE_WEIGHT = 2
TITLE_QUERY_WEIGHT = 0.5
# A word must be in two documents besides this article: names and one-off words match nothing.
MIN_DOCUMENT_FREQUENCY = 3
TEXT_CANDIDATES = 30
SHARED_CITATION_WEIGHT = 0.8
TOPIC_LIMIT = 10
TOPIC_TEXT_CHARS = MAX_QUERY_LENGTH  # the question and the answer's opening
TOPIC_WEIGHT = 0.75
CATEGORY_WEIGHT = 0.1
# Nearness in meaning (kb.search.vectors): the cosine above MEANING_FLOOR, scaled to 0..1.
MEANING_CANDIDATES = 30
MEANING_WEIGHT = 0.75
MEANING_FLOOR = 0.4


def article_terms(article: Article, statistics) -> list[Term]:
    """The article's most telling words: frequent in it, rare in the index, title words first.

    The title is a reader's question, so it is also read as the search page reads one (its
    character pairs and everyday → legal expansions), at a lower weight.
    """
    analyzer = ChineseWordAnalyzer()
    title_words = {word for word in analyze(analyzer, article.title) if len(word) > 1}
    words = analyze(analyzer, f"{article.title} {plain_text(article.body_html)}")
    counts = Counter(word for word in words if len(word) > 1)
    weighted = []
    for word, count in counts.items():
        if statistics is None:  # a backend without term statistics: how often the article says it
            weighted.append((count * (TITLE_WEIGHT if word in title_words else 1), word))
            continue
        frequency = statistics.document_frequency(WORD_FIELD, word)
        if frequency >= MIN_DOCUMENT_FREQUENCY and frequency < statistics.document_count:
            idf = math.log(statistics.document_count / frequency)  # a word in every document tells nothing
            weighted.append((count * idf * (TITLE_WEIGHT if word in title_words else 1), word))
    weighted.sort(reverse=True)
    top = weighted[0][0] if weighted else 1.0
    terms = [
        Term(WORD_FIELD, word, round(max(weight / top, 0.1), 2)) for weight, word in weighted[:QUERY_TERMS]
    ]
    taken = {(term.field, term.text) for term in terms}
    for term in select_terms(understand(article.title), statistics):
        if (term.field, term.text) not in taken:
            terms.append(Term(term.field, term.text, round(term.weight * TITLE_QUERY_WEIGHT, 2)))
    return terms


def text_neighbours(article: Article) -> dict[int, float]:
    """Published articles by text similarity, scores relative to the best: {article id: 0..1}."""
    engine = search_engine()
    terms = article_terms(article, engine.statistics())
    if not terms:
        return {}
    filters = Filters(exclude_ids=not_yet_visible() | {article.pk})
    ranked = engine.rank(Article, terms, filters, limit=TEXT_CANDIDATES)
    best = max(ranked.scores, default=0.0) or 1.0
    return {pk: score / best for pk, score in zip(ranked.ids, ranked.scores, strict=True)}


def meaning_neighbours(article: Article) -> dict[int, float]:
    """Published articles near this one in meaning (kb.search.vectors): {article id: cosine}, the
    nearest MEANING_CANDIDATES; none while the vectors are not built or the article has none."""
    found = vectors.current(vectors.ARTICLES)
    if found is None:
        return {}
    rows = found.rows_of([article.pk])
    if not rows:
        return {}
    vector = np.asarray(found.matrix[rows[article.pk]])
    excluded = not_yet_visible() | {article.pk}
    return dict(found.nearest(vector, MEANING_CANDIDATES, exclude=excluded))


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


def rank_weight(rank: int) -> float:
    return 1 / (rank + 1)


TOPIC_NORM = sum(rank_weight(rank) ** 2 for rank in range(TOPIC_LIMIT))  # an article with itself: 1


def refresh_topics(article: Article) -> None:
    """Save the provisions the statute search ranks highest for the article's opening words."""
    text = f"{article.title} {plain_text(article.body_html)}"[:TOPIC_TEXT_CHARS]
    try:
        # Other answers' citations count as evidence, the article's own do not: they are its citations.
        found = search_provisions(
            understand(text), limit=TOPIC_LIMIT, exclude_articles=frozenset({article.pk})
        )
        provisions = [hit.object for hit in found.hits]
    except Exception:  # noqa: BLE001 - the editor's save must not fail because of the index
        # Loud, and the article keeps its previous topics: `manage.py refresh_topics` repairs them.
        logger.exception("Topics of article %s not refreshed: the search index cannot be read", article.pk)
        return
    services.replace_topics(article=article, provision_ids=[provision.pk for provision in provisions])


def provisions_about(articles, provisions=None) -> dict[int, dict[int, int]]:
    """{article id: {provision id: rank}}: its topics, and what it cites (at rank 0)."""
    topics = ArticleTopic.objects.filter(article__in=articles)
    cited = Citation.objects.filter(article__in=articles)
    if provisions is not None:
        topics, cited = topics.filter(provision_id__in=provisions), cited.filter(provision_id__in=provisions)
    about: dict[int, dict[int, int]] = defaultdict(dict)
    for article_id, provision_id, rank in topics.values_list("article_id", "provision_id", "rank"):
        about[article_id][provision_id] = rank
    for article_id, provision_id in cited.values_list("article_id", "provision_id"):
        about[article_id][provision_id] = 0
    return about


def topic_neighbours(article: Article) -> dict[int, float]:
    """Published articles about the same provisions: {article id: 0..1, 1 for the same ranked list}.

    An article is about its topics and about what it cites: one that cites a provision and one
    that the search finds to be about it are on the same question.
    """
    mine = provisions_about([article.pk]).get(article.pk)
    if not mine:
        return {}
    others = provisions_about(Article.objects.published().exclude(pk=article.pk), list(mine))
    return {
        other: sum(rank_weight(mine[provision]) * rank_weight(rank) for provision, rank in ranks.items())
        / TOPIC_NORM
        for other, ranks in others.items()
    }


def compute_related(article: Article, limit: int = RELATED_LIMIT) -> list[int]:
    text = text_neighbours(article)
    shared = citation_neighbours(article)
    topics = topic_neighbours(article)
    near = meaning_neighbours(article)
    candidates = set(text) | set(shared) | set(topics) | set(near)
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
        + TOPIC_WEIGHT * topics.get(pk, 0.0)
        + MEANING_WEIGHT * max(near.get(pk, MEANING_FLOOR) - MEANING_FLOOR, 0.0) / (1 - MEANING_FLOOR)
        + (CATEGORY_WEIGHT if category_id == article.category_id else 0.0)
        for pk, category_id in published.items()
    }
    return sorted(scores, key=lambda pk: (-scores[pk], -pk))[:limit]


def latest_in_category(article: Article, limit: int) -> list[Article]:
    return list(
        Article.objects.published()
        .filter(category_id=article.category_id)
        .exclude(pk=article.pk)
        .only("id", "title", "excerpt", "published_at")[:limit]
    )


def refresh_related(article_ids) -> list[int]:
    """Recompute and keep the related lists of these articles (their pages are dropped).

    Returns the ids now listed, all lists together.
    """
    listed = set()
    for article in Article.objects.filter(pk__in=list(article_ids)).only(
        "id", "title", "body_html", "category_id"
    ):
        related = services.replace_related(article_id=article.pk, related_ids=compute_related(article))
        if related is None:
            logger.info("Article %s was deleted meanwhile; its deletion refreshes the lists.", article.pk)
            continue
        listed.update(related)
    return sorted(listed)


def after_changes(article_ids) -> None:
    """Bring the topics and related lists up to date with changed (saved or deleted) articles.

    Called once the index has them (kb.search.tasks.update_related). The changed articles' own lists, the
    lists that showed them and the lists of the articles they now show are recomputed: an
    answer newly published appears under its nearest neighbours, a deleted one leaves the
    lists that had it.
    """
    changed = set(Article.objects.filter(pk__in=list(article_ids)).values_list("pk", flat=True))
    for article in Article.objects.filter(pk__in=changed).only("id", "title", "body_html"):
        refresh_topics(article)
    showing = set(
        RelatedArticle.objects.filter(related_id__in=list(article_ids)).values_list("article_id", flat=True)
    )
    now_shown = refresh_related(changed)
    refresh_related((showing | set(now_shown)) - changed)
