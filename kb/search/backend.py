"""The haystack Whoosh backend, adapted for Chinese and for several processes.

A small subclass, not a copy of haystack's backend. It changes six things:
1. the schema: text fields without an analyzer get the jieba analyzer (never Whoosh's
   English StemmingAnalyzer), facet fields are kept whole, the ranking prior is a column;
2. searching: one searcher per thread is kept open and refreshed only when the index
   has changed (haystack opens a new one for every query), with the filters' documents kept
   for it; Whoosh's own searches on it (haystack's search and more_like_this) score with
   kb.search.scoring's BM25F times each document's prior (current law first), the one formula
   kb.search.engine's faster term-at-a-time ranking uses;
3. writing: every write holds an inter-process file lock, so that Whoosh's single
   writer is never contended and no process meets a LockError (see kb.search.queue);
4. the index folder: WHOOSH_PATH may be a link to a complete index that kb.search.rebuild
   built beside the live one; the index is opened from the folder the link names, and a
   process follows the link when it changes (at its next search or write), so readers keep
   searching the old index until the new one is swapped in whole;
5. the search page's own queries do not pass through haystack at all: kb.search.engine ranks
   them on the kept searcher;
6. more_like_this (bench_related's baseline) keeps to the models asked for while it searches,
   rather than among the few documents of every kind it found, and pages without repeating.
"""

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.utils.encoding import force_str
from haystack import connections
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_CT, ID
from haystack.utils import get_identifier, get_model_ct
from whoosh import fields as whoosh_fields
from whoosh import index as whoosh_index
from whoosh import query as whoosh_query
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import FuzzyTermPlugin, QueryParser
from whoosh.reading import ReaderClosed
from whoosh.searching import ResultsPage
from whoosh.system import pack_uint

from . import scoring
from .analysis import ChineseWordAnalyzer, terms_function
from .scoring import PRIOR_FIELD, PRIOR_SCALE

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".writer.lock"
# Raised whenever the index's fields change the way documents are written: an index of an
# older version must be rebuilt (make run does it by itself; see kb/management/commands/bring_up.py).
SCHEMA_VERSION = 2
MAX_KEPT_FILTERS = 64


class IndexBusy(Exception):
    """Another process is writing the index; try again later."""


class WithoutLengthStatistics(W3Codec):
    """Whoosh's codec without the shortest and longest document of each postings block.

    Only Whoosh's own block-skipping search reads them (ours scores every posting, and Whoosh's
    stays correct without them); writing them reads each posting's document length back from
    disk, which was a third of a full rebuild.
    """

    length_stats = False


CODEC = WithoutLengthStatistics()
BULK_POOL_MB = 2048  # per writing process: a full rebuild's postings fit without spilling to disk


class CountedText(whoosh_fields.TEXT):
    """A text field for BM25 alone: how often each term occurs, no positions (nothing here asks for
    a phrase), indexed from our term functions directly.

    Whoosh's own indexing walks a generator of token objects through its filters for every word,
    which on a full rebuild cost more than jieba itself; the terms and their counts are the same.
    """

    def __init__(self, analyzer, field_boost: float = 1.0, stored: bool = False):
        super().__init__(
            analyzer=analyzer, phrase=False, field_boost=field_boost, stored=stored, sortable=False
        )
        self.terms = terms_function(analyzer)

    def index(self, value, **kwargs):
        if self.terms is None or not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        for word, frequency in Counter(self.terms(value)).items():
            yield word.encode("utf-8"), frequency, frequency * boost, pack_uint(frequency)


# A searcher replaced by a newer one stays open this long, for the request that may still read it
# (gunicorn ends a request after 30 s), and at most this many stay open per thread (open files).
RETIRED_SECONDS = 35.0
MAX_RETIRED = 16


class KeptSearcher:
    """A searcher that stays open when haystack closes it after a search; the next search reuses it."""

    def __init__(self, searcher):
        self._searcher = searcher

    def __getattr__(self, name):
        return getattr(self._searcher, name)

    def close(self):
        pass


class OneSearcherWriter:
    """A Whoosh writer whose update_document finds the replaced document with one searcher per batch.

    Whoosh's own update_document opens the index again for every document, which copies
    the segment files each time: a full rebuild of 64,000 provisions took hours. Deleting
    through one searcher, then adding, is what Whoosh's documentation advises for batches.
    """

    def __init__(self, writer):
        self._writer = writer
        self._searcher = None

    def __getattr__(self, name):
        return getattr(self._writer, name)

    def update_document(self, **fields):
        # haystack's documents have one unique field, their id ("articles.article.12").
        if self._searcher is None:
            self._searcher = self._writer.searcher()
        for docnum in list(self._searcher.document_numbers(id=fields["id"])):
            self._writer.delete_document(docnum)
        self._writer.add_document(**fields)

    def _close_searcher(self):
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def commit(self, *args, **kwargs):
        self._close_searcher()
        return self._writer.commit(*args, **kwargs)

    def cancel(self, *args, **kwargs):
        self._close_searcher()
        return self._writer.cancel(*args, **kwargs)


class SharedSearcherIndex:
    """Stands in for the Whoosh index: searcher() reuses one searcher per thread.

    folder: the real folder the index was opened from. haystack calls refresh() before every
    search and write: when WHOOSH_PATH now names another folder (a rebuild was swapped in),
    the backend opens that one and refresh() returns it.
    """

    def __init__(self, index, backend=None, folder=None):
        self._index = index
        self._local = threading.local()
        self._backend = backend
        self.folder = folder

    def __getattr__(self, name):
        return getattr(self._index, name)

    def refresh(self):
        if self._backend is not None and self._backend.live_folder() != self.folder:
            self.forget_searchers()
            self._backend.setup()
            return self._backend.index
        return self

    def writer(self, **kwargs):
        # Whoosh's default 128 MB pool flushes and merges over and over on a full rebuild.
        kwargs.setdefault("limitmb", 512)
        kwargs.setdefault("codec", CODEC)
        return OneSearcherWriter(self._index.writer(**kwargs))

    def bulk_writer(self, processes: int):
        """A writer for a whole new index: documents analyzed and written by several processes, each
        making segments of its own (not merged: searching several segments costs nothing worth it)."""
        options = {"limitmb": BULK_POOL_MB, "codec": CODEC}
        if processes <= 1:
            return self._index.writer(**options)
        return self._index.writer(procs=processes, multisegment=True, batchsize=256, **options)

    def searcher(self, **kwargs):
        if kwargs:
            return self._index.searcher(**kwargs)
        current = getattr(self._local, "searcher", None)
        try:
            up_to_date = current is not None and current.up_to_date()
        except ReaderClosed:
            # Its segments were closed under it (seen, rarely, with saves and searches racing in
            # several processes): start afresh rather than fail the search.
            logger.warning("A kept searcher was found closed; opening a new one.")
            current, up_to_date = None, False
        if not up_to_date:
            # A new searcher beside the old one, never Whoosh's refresh(): that closes the old one's
            # segments, which a search in progress in this thread (an engine holding it while it
            # ranks another kind, the evidence, the statistics) may still read: ReaderClosed. The
            # old one is closed once no request can still hold it.
            if current is not None:
                self.retire(current)
            current = self._index.searcher(weighting=scoring.PriorBM25F())
            self._local.searcher = current
            self._local.filters = {}
        return KeptSearcher(current)

    def retire(self, searcher) -> None:
        """Close searchers replaced more than RETIRED_SECONDS ago (no request lasts that long); keep this one."""
        now = time.monotonic()
        retired = getattr(self._local, "retired", [])
        for since, old in retired:
            if now - since > RETIRED_SECONDS:
                with contextlib.suppress(Exception):
                    old.close()
        kept = [(since, old) for since, old in retired if now - since <= RETIRED_SECONDS]
        kept.append((now, searcher))
        for _since, old in kept[:-MAX_RETIRED]:  # the oldest first; a search it closes starts again
            with contextlib.suppress(Exception):
                old.close()
        self._local.retired = kept[-MAX_RETIRED:]

    def kept_filter(self, searcher, query) -> frozenset[int]:
        """The documents a filter query matches, found once per index generation (per thread)."""
        filters = self._local.filters
        key = repr(query)
        documents = filters.get(key)
        if documents is None:
            if len(filters) >= MAX_KEPT_FILTERS:
                filters.clear()
            documents = filters[key] = frozenset(searcher.docs_for_query(query))
        return documents

    def doc_count(self):
        # haystack asks before every search; the kept searcher knows without reopening the index.
        return self.searcher().doc_count()

    def forget_searchers(self):
        searchers = [getattr(self._local, "searcher", None)]
        searchers += [old for _since, old in getattr(self._local, "retired", [])]
        for searcher in filter(None, searchers):
            with contextlib.suppress(Exception):
                searcher.close()
        self._local = threading.local()


class KBWhooshSearchBackend(WhooshSearchBackend):
    lock_timeout = 300.0

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self._lock_depth = 0

    def live_folder(self) -> str:
        """The real folder of the live index: WHOOSH_PATH, or the folder it links to."""
        return os.path.realpath(self.path)

    def setup(self):
        """Open the live index (creating an empty one where there is none yet).

        Creating, like writing, happens under the inter-process lock: two processes finding no
        index would both create one (Whoosh: "File _MAIN_0.toc exists"). An existing index is
        opened without waiting for a writer.
        """
        folder = self.live_folder()
        if not whoosh_index.exists_in(folder):
            with self.process_lock():
                folder = self.live_folder()
                if not whoosh_index.exists_in(folder):
                    os.makedirs(folder, exist_ok=True)
                    FileStorage(folder).create_index(self.index_schema())
        self.open_folder(folder)

    def index_schema(self):
        unified = connections[self.connection_alias].get_unified_index()
        self.content_field_name, self.schema = self.build_schema(unified.all_searchfields())
        return self.schema

    def open_folder(self, folder: str, attempts: int = 10):
        """Open the index in folder, retrying as Whoosh's own reader() does.

        A writer in another process deletes the previous generation's table of contents when it
        commits; opening reads the newest one, which may be gone by the time it is read.
        """
        schema = self.index_schema()
        self.parser = QueryParser(self.content_field_name, schema=schema)
        self.parser.add_plugins([FuzzyTermPlugin])
        self.storage = FileStorage(folder)
        for attempt in range(attempts):
            try:
                index = self.storage.open_index(schema=schema)
                break
            except FileNotFoundError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05)
        self.index = SharedSearcherIndex(index, backend=self, folder=folder)
        self.setup_complete = True

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            if name not in schema.names():
                continue
            current = schema[name]
            replacement = None
            if not field_class.indexed:
                # Shown with results, never searched: stored only, no analysis at index time.
                replacement = whoosh_fields.STORED()
            elif field_class.faceted or getattr(field_class, "instance_name", "").endswith("_exact"):
                replacement = whoosh_fields.ID(stored=True)
            elif name == PRIOR_FIELD:
                replacement = whoosh_fields.NUMERIC(
                    numtype=int, bits=32, stored=True, sortable=True, default=PRIOR_SCALE
                )
            elif isinstance(current, whoosh_fields.TEXT):
                analyzer = field_class.analyzer or ChineseWordAnalyzer()
                # Only the document field is stored (haystack's more_like_this reads it back).
                replacement = CountedText(
                    analyzer, field_boost=float(field_class.boost), stored=bool(field_class.document)
                )
            if replacement is not None:
                schema.remove(name)
                schema.add(name, replacement)
                if field_class.document:
                    schema[name].spelling = True
        return content_field_name, schema

    # --- one writer across processes -------------------------------------------------

    @contextmanager
    def write_lock(self, *, timeout: float | None = None):
        """Hold the index's writer lock (re-entrant within a process).

        timeout=None waits up to lock_timeout; timeout=0 raises IndexBusy at once.
        """
        if not self.setup_complete:
            self.setup()
        with self.process_lock(timeout=timeout):
            # A rebuild swaps the index under this lock: write to the one that is live now.
            self.index = self.index.refresh()
            yield

    @contextmanager
    def process_lock(self, *, timeout: float | None = None):
        """The inter-process file lock itself (re-entrant within a process)."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        # Beside the index folder, not in it: rebuild_index deletes the folder while holding the lock.
        lock_path = os.path.normpath(self.path) + LOCK_SUFFIX
        os.makedirs(os.path.dirname(lock_path) or ".", exist_ok=True)
        handle = open(lock_path, "a+")  # noqa: SIM115 - held across the yield
        deadline = time.monotonic() + (self.lock_timeout if timeout is None else timeout)
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(
                            f"the search index at {self.path} is being written by another process"
                        ) from None
                    time.sleep(0.05)
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()

    def update(self, index, iterable, commit=True):
        with self.write_lock():
            super().update(index, iterable, commit=commit)

    def remove(self, obj_or_string, commit=True):
        with self.write_lock():
            super().remove(obj_or_string, commit=commit)

    def clear(self, models=None, commit=True):
        with self.write_lock():
            super().clear(models=models, commit=commit)

    def delete_index(self):
        """Empty the live index in place (WHOOSH_PATH may be a link that a rebuild swaps)."""
        with self.write_lock():
            if isinstance(getattr(self, "index", None), SharedSearcherIndex):
                self.index.forget_searchers()
            folder = self.live_folder()
            if os.path.isdir(folder):
                for name in os.listdir(folder):
                    os.remove(os.path.join(folder, name))
            self.setup()

    def document(self, search_index, obj) -> dict:
        """The fields of one object's document, as update() writes them."""
        document = {name: self._from_python(value) for name, value in search_index.full_prepare(obj).items()}
        document.pop("boost", None)  # document boosts do not exist in Whoosh 2.5+
        return document

    # --- reading ---------------------------------------------------------------------

    def more_like_this(
        self,
        model_instance,
        additional_query_string=None,
        start_offset=0,
        end_offset=None,
        models=None,
        limit_to_registered_models=None,
        result_class=None,
        **kwargs,
    ):
        """haystack's more_like_this, with the models (and the additional query) a filter of the
        search itself.

        haystack's takes the end_offset documents most like the object, of any kind, then keeps
        those of the models: among the provisions a few articles, or none, were left of the five
        asked for, and the hits it counted before that made a SearchQuerySet ask again and get
        the same ones (bench_related's baseline counted one article up to five times).
        """
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        if limit_to_registered_models is None:
            limit_to_registered_models = getattr(settings, "HAYSTACK_LIMIT_TO_REGISTERED_MODELS", True)
        if models:
            kinds = sorted(get_model_ct(model) for model in models)
        else:
            kinds = self.build_models_list() if limit_to_registered_models else []
        nothing = {"results": [], "hits": 0, "spelling_suggestion": None}
        searcher = self.index.searcher()
        allowed = None
        if kinds:
            of_kinds = whoosh_query.Or([whoosh_query.Term(DJANGO_CT, kind) for kind in kinds])
            allowed = set(self.index.kept_filter(searcher, of_kinds))
        if additional_query_string and additional_query_string != "*":
            matching = set(searcher.docs_for_query(self.parser.parse(force_str(additional_query_string))))
            allowed = matching if allowed is None else allowed & matching
        found = list(searcher.document_numbers(**{ID: get_identifier(model_instance)}))
        if not found or allowed == set():
            return nothing
        page_number, page_length = self.calculate_page(start_offset, end_offset)
        similar = searcher.more_like(
            found[0], self.content_field_name, top=page_number * page_length, normalize=True, filter=allowed
        )
        page = ResultsPage(similar, page_number, page_length)
        if page.pagenum < page_number:  # past the last page: Whoosh would give the last one again
            return nothing
        return self._process_results(page, result_class=result_class)

    def searcher(self):
        """A kept searcher on the current index, for the query builder's statistics."""
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        return self.index.searcher()


class KBWhooshEngine(BaseEngine):
    backend = KBWhooshSearchBackend
    query = WhooshSearchQuery
