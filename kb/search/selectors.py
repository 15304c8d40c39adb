"""Searching articles and provisions: what the search page, the suggestions and the benchmark call."""

import threading
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Max
from haystack import connections
from haystack.query import SearchQuerySet

from articles.markdown import plain_text
from articles.models import Article
from statutes.citations import CitationQuery, find_citation, known_law_names, resolve_citation
from statutes.models import Law, Provision

from .highlight import highlight
from .query import SearchQuery, render, select_terms, understand

PROVISION_CT = "statutes.provision"
ARTICLE_CT = "articles.article"


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


_law_names_lock = threading.Lock()
_law_names: tuple[tuple, list[str]] = ((), [])


def law_names() -> list[str]:
    """Names of current laws for citation recognition, reloaded when the library changes."""
    global _law_names
    version = tuple(Law.objects.aggregate(count=Count("id"), latest=Max("id")).values())
    if _law_names[0] != version:
        with _law_names_lock:
            _law_names = (version, known_law_names())
    return _law_names[1]


def search_backend():
    return connections["default"].get_backend()


def whoosh_query(query: SearchQuery) -> str | None:
    """The Whoosh query string for the understood query; None when nothing can match."""
    reader = search_backend().searcher().reader()
    terms = select_terms(query, reader)
    return render(terms) if terms else None


def run(
    query: SearchQuery, query_string: str | None, filters: list[str], offset: int, limit: int
) -> tuple[list, int]:
    """The objects ranked for the query within the filters, and how many match.

    query_string: the query already compiled by whoosh_query (a caller searching several kinds
    compiles it once), else compiled here. Haystack narrows; the backend keeps filter sets.
    """
    if query_string is None:
        query_string = whoosh_query(query)
    if not query_string:
        return [], 0
    results = SearchQuerySet().raw_search(query_string)
    for condition in filters:
        results = results.narrow(condition)
    results = results.load_all()
    objects = [result.object for result in results[offset : offset + limit] if result.object is not None]
    return objects, results.count()


def search_provisions(
    query: SearchQuery,
    *,
    include_superseded: bool = False,
    level: str = "",
    offset: int = 0,
    limit: int = 10,
    cited: Provision | None = None,
    query_string: str | None = None,
) -> HitList:
    """Provisions ranked for the query; current law only unless asked. A cited provision comes first.

    query_string: the query already compiled by whoosh_query, when the caller searches several kinds.
    """
    filters = [f"django_ct:{PROVISION_CT}"]
    if not include_superseded:
        filters.append("is_current:true")
    if level:
        filters.append(f"level_exact:{level}")
    provisions, total = run(query, query_string, filters, offset, limit)
    if (
        cited is not None
        and (include_superseded or cited.law.is_current)
        and (not level or cited.law.level == level)
    ):
        provisions = [provision for provision in provisions if provision.pk != cited.pk]
        if offset == 0:
            provisions = [cited, *provisions][:limit]
            total += 1
    terms = query.highlight_terms
    return HitList([Hit(provision, provision.text, terms) for provision in provisions], total)


def not_yet_visible_filter() -> list[str]:
    """The filter that keeps scheduled articles out of results until their publication time.

    They are in the index from the moment they are saved; this makes them appear at their time
    exactly, with no job that indexes them then.
    """
    scheduled = list(Article.objects.scheduled().values_list("pk", flat=True))
    if not scheduled:
        return []
    return ["NOT django_id:(" + " OR ".join(str(pk) for pk in scheduled) + ")"]


def search_articles(
    query: SearchQuery,
    *,
    category_id: int | None = None,
    offset: int = 0,
    limit: int = 10,
    query_string: str | None = None,
) -> HitList:
    filters = [f"django_ct:{ARTICLE_CT}"]
    if category_id:
        filters.append(f"category_id:{int(category_id)}")
    filters += not_yet_visible_filter()
    articles, total = run(query, query_string, filters, offset, limit)
    terms = query.highlight_terms
    return HitList([Hit(article, plain_text(article.body_html), terms) for article in articles], total)


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
    outcome.citation = find_citation(query.text, law_names())
    if outcome.citation:
        outcome.cited = resolve_citation(outcome.citation)
    # Term selection reads the index's statistics: once per search, for both kinds.
    query_string = whoosh_query(query)
    if kind in ("all", "provisions"):
        outcome.provisions = search_provisions(
            query,
            include_superseded=include_superseded,
            level=level,
            offset=offset if kind == "provisions" else 0,
            limit=limit,
            cited=outcome.cited,
            query_string=query_string,
        )
    if kind in ("all", "articles"):
        outcome.articles = search_articles(
            query,
            category_id=category_id,
            offset=offset if kind == "articles" else 0,
            limit=limit,
            query_string=query_string,
        )
    return outcome


def suggestions(raw: str, *, limit: int = 8) -> list[dict]:
    """As-you-type suggestions: a cited provision, article titles and law titles containing the text."""
    query = understand(raw)
    text = query.text
    if not text:
        return []
    found = []
    citation = find_citation(text, law_names())
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
