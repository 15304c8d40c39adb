"""The search engine: weighted terms and filters in; ranked documents, their scores and a total out.

What the search page, the suggestions' citation jump, related articles and topics ask of an
index, whichever haystack backend holds it:
- statistics(): how many documents hold a term (the query keeps the rare, telling ones), or
  None where the backend does not tell;
- rank(model, terms, filters, offset, limit): ids, best first, with scores, and how many matched.

WhooshEngine answers from our Whoosh index directly: filters are sets of document numbers kept
per index generation, scoring is term at a time (kb.search.scoring); no query string is written
or parsed. HaystackEngine answers from any other haystack backend through haystack's public API,
in the backend's own query syntax: Elasticsearch reads Lucene query strings (kb.search.elastic);
a backend without a syntax of its own (haystack's SimpleEngine) gets the words.
"""

import functools
import heapq
import logging
from dataclasses import dataclass, field

from haystack import connections
from haystack.query import SearchQuerySet
from whoosh import query as whoosh_query
from whoosh.reading import ReaderClosed

from articles.models import Article
from statutes.models import Provision

from . import scoring
from .backend import KBWhooshSearchBackend
from .query import WORD_FIELD, Term

logger = logging.getLogger(__name__)

CONTENT_TYPE = {Provision: "statutes.provision", Article: "articles.article"}
SINGLE_CHARACTER_EXPANSIONS = 12


@dataclass(frozen=True)
class Filters:
    """Which documents of a kind may rank."""

    current_law_only: bool = False  # provisions of laws in force
    level: str = ""  # provisions of one level (法律, 司法解释 …)
    category_id: int | None = None  # articles of one category
    exclude_ids: frozenset[int] = frozenset()  # (articles: scheduled ones, or a benchmark's own answer)


@dataclass
class Ranked:
    ids: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    total: int = 0


class WhooshStatistics:
    """Term statistics of one open index generation."""

    def __init__(self, reader):
        self._reader = reader
        self.document_count = max(reader.doc_count(), 1)

    def document_frequency(self, field_name: str, text: str) -> int:
        return self._reader.doc_frequency(field_name, text)

    def words_containing(
        self, character: str, limit: int = SINGLE_CHARACTER_EXPANSIONS
    ) -> list[tuple[int, str]]:
        """Indexed words that contain the character, most documents first (债 → 债务, 债权 …)."""
        found = []
        for text in self._reader.lexicon(WORD_FIELD):
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            if character in word and word != character:
                found.append((self._reader.doc_frequency(WORD_FIELD, word), word))
        found.sort(reverse=True)
        return found[:limit]


class WhooshEngine:
    """One view of the index for as long as the engine lives (one search): statistics and rankings
    come from the same searcher, which a commit elsewhere cannot close in between."""

    def __init__(self, backend: KBWhooshSearchBackend):
        self.backend = backend
        self._searcher = None

    @property
    def searcher(self):
        if self._searcher is None:
            self._searcher = self.backend.searcher()
        return self._searcher

    def statistics(self) -> WhooshStatistics:
        return WhooshStatistics(self.searcher.reader())

    def rank(
        self, model, terms: list[Term], filters: Filters = Filters(), *, offset: int = 0, limit: int = 10
    ) -> Ranked:
        searcher = self.searcher
        allowed = self.allowed(searcher, model, filters)
        scores = scoring.score_terms(searcher.reader(), terms, allowed)
        # Highest score first; equal scores in document order, as Whoosh ranks them.
        top = heapq.nsmallest(offset + limit, scores.items(), key=lambda item: (-item[1], item[0]))[offset:]
        ids = [int(searcher.stored_fields(document)["django_id"]) for document, _ in top]
        return Ranked(ids=ids, scores=[score for _, score in top], total=len(scores))

    def allowed(self, searcher, model, filters: Filters) -> set[int]:
        """The documents the filters let through, as a set of document numbers."""
        conditions = [whoosh_query.Term("django_ct", CONTENT_TYPE[model])]
        if filters.current_law_only:
            conditions.append(whoosh_query.Term("is_current", True))
        if filters.level:
            conditions.append(whoosh_query.Term("level_exact", filters.level))
        if filters.category_id is not None:
            conditions.append(whoosh_query.Term("category_id", int(filters.category_id)))
        documents = set(self.backend.index.kept_filter(searcher, whoosh_query.And(conditions)))
        if filters.exclude_ids:
            excluded = whoosh_query.Or(
                [whoosh_query.Term("django_id", str(pk)) for pk in filters.exclude_ids]
            )
            documents -= set(searcher.docs_for_query(excluded))
        return documents


class HaystackEngine:
    """Any haystack backend, through SearchQuerySet: the backend's query syntax, its own ranking."""

    def __init__(self, using: str = "default"):
        self.using = using

    def statistics(self) -> None:
        return None

    def rank(
        self, model, terms: list[Term], filters: Filters = Filters(), *, offset: int = 0, limit: int = 10
    ) -> Ranked:
        backend = connections[self.using].get_backend()
        write = getattr(backend, "query_for_terms", words_only)
        results = SearchQuerySet(using=self.using).models(model).raw_search(write(terms))
        for condition in narrowing(filters):
            results = results.narrow(condition)
        page = list(results[offset : offset + limit])
        return Ranked(
            ids=[int(result.pk) for result in page],
            scores=[result.score or 0.0 for result in page],
            total=results.count(),
        )


def words_only(terms: list[Term]) -> str:
    return " ".join(dict.fromkeys(term.text for term in terms if term.field == WORD_FIELD))


def narrowing(filters: Filters) -> list[str]:
    """The filters as haystack narrow queries (field:value, as Lucene-like backends read them)."""
    conditions = []
    if filters.current_law_only:
        conditions.append("is_current:true")
    if filters.level:
        conditions.append(f"level_exact:{filters.level}")
    if filters.category_id is not None:
        conditions.append(f"category_id:{int(filters.category_id)}")
    if filters.exclude_ids:
        conditions.append(
            "NOT django_id:(" + " OR ".join(str(pk) for pk in sorted(filters.exclude_ids)) + ")"
        )
    return conditions


def search_engine(using: str = "default"):
    """An engine for one search on a haystack connection: ours on our Whoosh backend, haystack's API on any other."""
    backend = connections[using].get_backend()
    if isinstance(backend, KBWhooshSearchBackend):
        return WhooshEngine(backend)
    return HaystackEngine(using)


def recovering_closed_readers(search):
    """A search function run again, once, on fresh searchers when it met a closed index reader.

    A reader is closed under a search when the index was replaced meanwhile (a rebuild swapped in,
    a searcher retired too long ago): the same request then gets its answer, not a 500.
    """

    @functools.wraps(search)
    def searching(*args, **kwargs):
        try:
            return search(*args, **kwargs)
        except ReaderClosed:
            logger.warning("A search met a closed index reader; searching again on fresh searchers.")
            index = getattr(connections["default"].get_backend(), "index", None)
            if hasattr(index, "forget_searchers"):
                index.forget_searchers()
            return search(*args, **kwargs)

    return searching
