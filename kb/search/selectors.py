"""Searching articles and provisions: what the search page, the suggestions and the benchmark call."""

from dataclasses import dataclass, field
from functools import cached_property

from haystack import connections

from articles.markdown import plain_text
from articles.models import Article
from statutes.citations import CitationQuery, find_citation, known_law_names, resolve_citation
from statutes.models import Law, Provision

from .engine import Filters, search_engine
from .highlight import highlight
from .query import SearchQuery, Term, select_terms, understand


class Hit:
    """A result; its snippet is made only when a page shows it."""

    def __init__(self, obj, text: str, terms: list[str]):
        self.object = obj
        self._text = text
        self._terms = terms

    @cached_property
    def snippet(self):
        return highlight(self._text, self._terms)


@dataclass
class HitList:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


@dataclass
class SearchOutcome:
    query: SearchQuery
    citation: CitationQuery | None = None
    cited: Provision | None = None
    provisions: HitList = field(default_factory=HitList)
    articles: HitList = field(default_factory=HitList)


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
) -> HitList:
    """Provisions ranked for the query; current law only unless asked. A cited provision comes first.

    terms: the query's terms when the caller selected them already (it searches several kinds).
    """
    engine = search_engine()
    if terms is None:
        terms = select_terms(query, engine.statistics())
    ranked = engine.rank(
        Provision,
        terms,
        Filters(current_law_only=not include_superseded, level=level),
        offset=offset,
        limit=limit,
    )
    provisions = in_order(Provision.objects.select_related("law"), ranked.ids)
    total = ranked.total
    if (
        cited is not None
        and (include_superseded or cited.law.is_in_force)
        and (not level or cited.law.level == level)
    ):
        provisions = [provision for provision in provisions if provision.pk != cited.pk]
        if offset == 0:
            provisions = [cited, *provisions][:limit]
            total += 1
    words = query.highlight_terms
    return HitList([Hit(provision, provision.text, words) for provision in provisions], total)


def search_articles(
    query: SearchQuery,
    *,
    terms: list[Term] | None = None,
    category_id: int | None = None,
    offset: int = 0,
    limit: int = 10,
) -> HitList:
    """Published articles ranked for the query: scheduled ones stay out until their time."""
    engine = search_engine()
    if terms is None:
        terms = select_terms(query, engine.statistics())
    filters = Filters(category_id=category_id, exclude_ids=not_yet_visible())
    ranked = engine.rank(Article, terms, filters, offset=offset, limit=limit)
    articles = in_order(Article.objects.published(), ranked.ids)
    words = query.highlight_terms
    return HitList([Hit(article, plain_text(article.body_html), words) for article in articles], ranked.total)


def not_yet_visible() -> frozenset[int]:
    """Scheduled articles: in the index from the moment they are saved, kept out of results until
    their publication time, which makes them appear then exactly with no job that indexes them."""
    return frozenset(Article.objects.scheduled().values_list("pk", flat=True))


def in_order(queryset, ids: list[int]) -> list:
    """The objects with these ids, in this order; those the queryset leaves out are dropped."""
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def search(
    raw: str,
    *,
    kind: str = "all",
    include_superseded: bool = False,
    level: str = "",
    category_id: int | None = None,
    offset: int = 0,
    limit: int = 10,
) -> SearchOutcome:
    query = understand(raw)
    outcome = SearchOutcome(query=query)
    if query.is_empty:
        return outcome
    outcome.citation = find_citation(query.text, known_law_names())
    if outcome.citation:
        outcome.cited = resolve_citation(outcome.citation)
    # Term selection reads the index's statistics: once per search, for both kinds.
    terms = select_terms(query, search_engine().statistics())
    if kind in ("all", "provisions"):
        outcome.provisions = search_provisions(
            query,
            terms=terms,
            include_superseded=include_superseded,
            level=level,
            offset=offset if kind == "provisions" else 0,
            limit=limit,
            cited=outcome.cited,
        )
    if kind in ("all", "articles"):
        outcome.articles = search_articles(
            query,
            terms=terms,
            category_id=category_id,
            offset=offset if kind == "articles" else 0,
            limit=limit,
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
