"""Searching articles and provisions: what the search page, the suggestions and the benchmark call."""

import logging
from dataclasses import dataclass, field, replace
from functools import cached_property

from django.conf import settings
from haystack import connections

from articles.markdown import plain_text
from articles.models import Article
from statutes.citations import CitationQuery, find_citation, known_law_names, resolve_citation
from statutes.models import Law, Provision

from . import evidence, meaning
from .engine import Filters, recovering_closed_readers, search_engine
from .highlight import highlight
from .models import PinnedResult
from .query import SearchQuery, Term, select_terms, understand

logger = logging.getLogger(__name__)


class Hit:
    """A result; its snippet is made only when a page shows it.

    cited_by: for a provision, the published answers near the question that cite it (why it is there).
    """

    def __init__(self, obj, text: str, terms: list[str], cited_by: list | None = None, pinned: bool = False):
        self.object = obj
        self._text = text
        self._terms = terms
        self.cited_by = cited_by or []
        self.pinned = pinned  # an editor put it first for this query (编辑推荐)

    @cached_property
    def snippet(self):
        return highlight(self._text, self._terms)


@dataclass
class HitList:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    # Of the articles found, those that answer the question (its words weigh enough in them, or an
    # editor pinned them): what search insight counts. Words alone find some article for most questions.
    relevant: int = 0


@dataclass
class SearchOutcome:
    query: SearchQuery
    citation: CitationQuery | None = None
    cited: Provision | None = None
    provisions: HitList = field(default_factory=HitList)
    articles: HitList = field(default_factory=HitList)
    # Whether anything here answers the question (kb.search.meaning.answered); None: not judged
    # (search by meaning off, or its vectors still being built: see meaning_ready).
    answered: bool | None = None
    meaning_ready: bool = False


def search_backend():
    return connections["default"].get_backend()


def search_provisions(
    query: SearchQuery,
    *,
    terms: list[Term] | None = None,
    include_superseded: bool = False,
    level: str = "",
    offset: int = 0,
    limit: int = 10,
    cited: Provision | None = None,
    use_articles: bool = True,
    exclude_articles: frozenset[int] = frozenset(),
    engine=None,
    question_meaning: "meaning.Meaning | None" = None,
) -> HitList:
    """Provisions ranked for the query; current law only unless asked. A cited provision comes first.

    Their own words rank them, and the provisions that the published answers to similar questions
    cite are lifted (kb.search.evidence; use_articles=False leaves that out; exclude_articles
    keeps some articles from counting, as the benchmark does with a question's own answer).
    terms, engine: the query's terms and the engine, when the caller has them (it searches several kinds).
    """
    engine = engine or search_engine()
    statistics = engine.statistics()
    if terms is None:
        terms = select_terms(query, statistics)
    filters = Filters(current_law_only=not include_superseded, level=level)
    direct = engine.rank(Provision, terms, filters, limit=max(evidence.CANDIDATES, offset + limit))
    found = evidence.Evidence()
    if use_articles and terms:
        found = evidence.gather(
            engine,
            terms,
            statistics,
            question=query.text,
            words=query.words,
            exclude_articles=not_yet_visible() | exclude_articles,
        )
    brought = set()  # the provisions meaning brings: the nearest answers' citations, the nearest provisions
    if question_meaning is not None:
        brought = {pk for pk, _ in question_meaning.nearest_provisions}
        if use_articles:
            brought |= set(question_meaning.bridge)
    allowed = evidence.allowed_provisions(
        {*found.scores, *brought}, current_law_only=not include_superseded, level=level
    )
    ranked_ids = [pk for pk, _ in evidence.fuse(direct, found, allowed)]
    cited_by = {pk: list(articles) for pk, articles in found.cited_by.items()}
    if question_meaning is not None and cited is None:
        if not use_articles:
            question_meaning = replace(question_meaning, bridge={}, cited_by={})
        ranked_ids = meaning.fuse(ranked_ids, question_meaning, allowed)
        for pk, articles in question_meaning.cited_by.items():
            cited_by[pk] = list(dict.fromkeys([*cited_by.get(pk, []), *articles]))
    total = direct.total + len(allowed - set(direct.ids))
    ids = ranked_ids[offset : offset + limit]
    if (
        cited is not None
        and (include_superseded or cited.law.is_in_force)
        and (not level or cited.law.level == level)
    ):
        ids = [pk for pk in ids if pk != cited.pk]
        if offset == 0:
            ids = [cited.pk, *ids][:limit]
            total += 1
    provisions = in_order(Provision.objects.select_related("law"), ids)
    citing = in_order(
        Article.objects.published().only("id", "title"),
        sorted({pk for provision in provisions for pk in cited_by.get(provision.pk, [])}),
    )
    by_id = {article.pk: article for article in citing}
    words = query.highlight_terms
    return HitList(
        [
            Hit(
                provision,
                provision.text,
                words,
                [by_id[pk] for pk in cited_by.get(provision.pk, []) if pk in by_id],
            )
            for provision in provisions
        ],
        total,
    )


def search_articles(
    query: SearchQuery,
    *,
    terms: list[Term] | None = None,
    category_id: int | None = None,
    offset: int = 0,
    limit: int = 10,
    cited: Provision | None = None,
    engine=None,
    question_meaning: "meaning.Meaning | None" = None,
) -> HitList:
    """Published articles ranked for the query: scheduled ones stay out until their time.

    The articles editors pinned for the query (编辑推荐) come first; then, for a citation
    (民法典第1032条), the articles that cite that provision.
    """
    engine = engine or search_engine()
    statistics = engine.statistics()
    if terms is None:
        terms = select_terms(query, statistics)
    filters = Filters(category_id=category_id, exclude_ids=not_yet_visible())
    visible = Article.objects.published()
    if category_id is not None:
        visible = visible.filter(category_id=category_id)
    pinned = pinned_articles(query.text, visible)
    citing = []
    if cited is not None:
        citing = list(visible.filter(citations__provision=cited).values_list("pk", flat=True))
    depth = offset + limit + len({*pinned, *citing})
    if question_meaning is not None and cited is None:
        depth = max(depth, meaning.DEPTH)  # one fused ranking whatever the page: pages never overlap
    ranked = engine.rank(Article, terms, filters, limit=depth)
    # Citing articles in the order the words rank them, those the words do not find after.
    position = {pk: rank for rank, pk in enumerate(ranked.ids)}
    citing.sort(key=lambda pk: (position.get(pk, len(position)), -pk))
    first = list(dict.fromkeys([*pinned, *citing]))
    by_words = ranked.ids
    if question_meaning is not None and cited is None:
        near = [pk for pk, _ in question_meaning.nearest_articles]
        visible_ids = set(visible.filter(pk__in=near).values_list("pk", flat=True))
        by_words = meaning.fuse_articles(ranked.ids, question_meaning, visible_ids)
    ordered = first + [pk for pk in by_words if pk not in set(first)]
    total = max(ranked.total, len(by_words)) + len(set(first) - set(by_words))
    articles = in_order(Article.objects.published().with_relations(), ordered[offset : offset + limit])
    # As the evidence judges an answer near enough to learn from (kb.search.evidence).
    threshold = evidence.MIN_SIMILARITY * evidence.best_possible(terms, statistics, query.words)
    answering = {pk for pk, score in zip(ranked.ids, ranked.scores, strict=False) if score >= threshold}
    if question_meaning is not None:  # and those as near the question in meaning as an answer is
        near_enough = meaning.threshold(meaning.ANSWER_COSINE, question_meaning.article_model)
        answering |= {pk for pk, cosine in question_meaning.nearest_articles if cosine >= near_enough} & set(
            by_words
        )
    words = query.highlight_terms
    return HitList(
        [
            Hit(article, plain_text(article.body_html), words, pinned=article.pk in pinned)
            for article in articles
        ],
        total,
        relevant=len(answering | set(pinned)) if terms else len(pinned),
    )


def pinned_articles(text: str, visible=None) -> list[int]:
    """The published articles editors pinned for this (normalized) query, in their order."""
    if not text:
        return []
    visible = visible if visible is not None else Article.objects.published()
    return list(
        PinnedResult.objects.filter(query=text, article__in=visible)
        .order_by("order", "pk")
        .values_list("article_id", flat=True)
    )


def not_yet_visible() -> frozenset[int]:
    """Scheduled articles: in the index from the moment they are saved, kept out of results until
    their publication time, which makes them appear then exactly with no job that indexes them."""
    return frozenset(Article.objects.scheduled().values_list("pk", flat=True))


def in_order(queryset, ids: list[int]) -> list:
    """The objects with these ids, in this order; those the queryset leaves out are dropped."""
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def meaning_text(query) -> str:
    """What the question's vector is made of: its words without filler, and, with KB_MEANING_TERMS,
    the legal terms of its everyday words (公司不给加班费 + 延长工作时间), which the model does not
    tie together by itself."""
    text = query.core or query.text
    if str(settings.KB_MEANING_TERMS) in ("1", "True") and query.legal_terms:
        text = f"{text} {' '.join(query.legal_terms)}"
    return text


@recovering_closed_readers
def search(
    raw: str,
    *,
    kind: str = "all",
    include_superseded: bool = False,
    level: str = "",
    category_id: int | None = None,
    offset: int = 0,
    limit: int = 10,
    use_articles: bool = True,
    exclude_articles: frozenset[int] = frozenset(),
    use_meaning: bool = True,
) -> SearchOutcome:
    """The search page's search. use_articles and exclude_articles: see search_provisions;
    use_meaning=False: by words alone, as before search by meaning (the benchmark's reference)."""
    query = understand(raw)
    outcome = SearchOutcome(query=query)
    if query.is_empty:
        return outcome
    outcome.citation = find_citation(query.text, known_law_names())
    if outcome.citation:
        outcome.cited = resolve_citation(outcome.citation)
    question_meaning = None
    if use_meaning:
        try:
            question_meaning = meaning.understand(
                meaning_text(query), exclude_articles=not_yet_visible() | exclude_articles
            )
        except Exception:  # noqa: BLE001 - the reader is answered by words, and operators learn why
            logger.exception("Search by meaning failed for a question; answered by words alone.")
        outcome.meaning_ready = question_meaning is not None
        outcome.answered = True if outcome.cited else meaning.answered(question_meaning)
    # One engine (one view of the index) and one selection of terms, for both kinds.
    engine = search_engine()
    terms = select_terms(query, engine.statistics())
    if kind in ("all", "provisions"):
        outcome.provisions = search_provisions(
            query,
            terms=terms,
            include_superseded=include_superseded,
            level=level,
            offset=offset if kind == "provisions" else 0,
            limit=limit,
            cited=outcome.cited,
            use_articles=use_articles,
            exclude_articles=exclude_articles,
            engine=engine,
            question_meaning=question_meaning,
        )
    if kind in ("all", "articles"):
        outcome.articles = search_articles(
            query,
            terms=terms,
            category_id=category_id,
            offset=offset if kind == "articles" else 0,
            limit=limit,
            cited=outcome.cited,
            engine=engine,
            question_meaning=question_meaning,
        )
    return outcome


def suggestions(raw: str, *, limit: int = 8) -> list[dict]:
    """As-you-type suggestions: a cited provision, article titles and law titles containing the text."""
    query = understand(raw)
    text = query.text
    if not text:
        return []
    found = []
    citation = find_citation(text, known_law_names())
    cited = resolve_citation(citation) if citation else None
    if cited:
        found.append(
            {
                "kind": "provision",
                "label": f"{cited.law.short_title} {cited.label}",
                "url": cited.get_absolute_url(),
            }
        )
    for article in Article.objects.published().filter(title__icontains=text).only("id", "title")[:limit]:
        found.append({"kind": "article", "label": article.title, "url": article.get_absolute_url()})
    for law in Law.objects.current().matching_title(text).only("id", "title")[:limit]:
        found.append({"kind": "law", "label": law.title, "url": law.get_absolute_url()})
    return found[:limit]
