"""Term-at-a-time BM25F × prior over Whoosh's postings: Whoosh's own ranking, faster.

Every query we make is a flat OR of weighted terms (kb.search.query). Whoosh scores such a
query a document at a time: a tree of matchers asks each term for its next document, in
Python, for every posting. Here each term's postings are read a block at a time
(kb.search.postings) and added into one table of scores, which gives the same BM25F scores
(times the prior) about five times faster: that is what keeps a question of twenty terms over
64,000 provisions within a few times SQLite FTS5 (see bench_search).

What does not change per index generation (document lengths, priors) is read once per
segment: segments are immutable, so a new article only adds a small one.

bm25f() is the one BM25F formula of the site: score_terms ranks with it, and so do Whoosh's
own searches on our index (haystack's search and more_like_this), through PriorBM25F.
"""

import math
import threading
from collections import OrderedDict

from whoosh import scoring as whoosh_scoring

from .postings import segment_postings

PRIOR_FIELD = "prior"
PRIOR_SCALE = 1000  # priors are stored as integers, in thousandths
SPARSE_FILTER_SHARE = 8  # a filter holding under an eighth of the documents is applied while reading
K1, B = 1.2, 0.75


def bm25f(reader, field: str, text: str, weight: float = 1.0, *, k1: float = K1, b: float = B):
    """One query term's BM25F: a function (frequency, length) → score of a document holding it,
    before the prior. The one BM25F formula here: score_terms and PriorBM25F both score with it.

    As Whoosh's BM25F computes it: idf = log(N / (df + 1)) + 1, N counting deleted documents, times
    the term's weight in the query; the field's length in the document against its average.
    reader: the whole index's (the statistics are global, also when a segment is being scored).
    frequency: the posting's weight (how often the document holds the term, times the field's boost).
    """
    document_count = reader.doc_count_all() or 1
    idf = (math.log(document_count / (reader.doc_frequency(field, text) + 1)) + 1) * weight
    average = (reader.field_length(field) / document_count) or 1
    k1_plus_one, constant, per_length = k1 + 1, k1 * (1 - b), k1 * b / average

    # A closure, not a method: called for every posting, its numbers are read fastest as its own.
    def score(frequency: float, length: int) -> float:
        return idf * frequency * k1_plus_one / (frequency + constant + per_length * length)

    return score


class PriorBM25F(whoosh_scoring.WeightingModel):
    """Whoosh's weighting for its own searches on our index: bm25f(), times the document's prior
    (a column, in thousandths) so that current law ranks first, as score_terms ranks."""

    use_final = True

    def __init__(self, *, k1: float = K1, b: float = B):
        self.k1, self.b = k1, b

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:  # no lengths (an ID field): the weight itself
            return whoosh_scoring.WeightScorer.for_(searcher, fieldname, text)
        # Whoosh multiplies by the query term's boost itself (it wraps the term's matcher).
        score = bm25f(searcher.get_parent().reader(), fieldname, text, k1=self.k1, b=self.b)
        return TermScorer(score, searcher, fieldname)

    def final(self, searcher, docnum, score):
        priors = getattr(searcher, "_kb_priors", None)
        if priors is None:
            reader = searcher.reader()
            # False, not None, marks "no prior column": a column reader may itself be falsy.
            priors = reader.column_reader(PRIOR_FIELD) if reader.has_column(PRIOR_FIELD) else False
            searcher._kb_priors = priors
        if priors is False:
            return score
        return score * (priors[docnum] or PRIOR_SCALE) / PRIOR_SCALE


class TermScorer(whoosh_scoring.BaseScorer):
    """One term's bm25f() scoring the documents of a Whoosh matcher (one segment, local numbers)."""

    def __init__(self, bm25f_score, searcher, fieldname: str):
        self._score = bm25f_score
        self.searcher = searcher
        self.fieldname = fieldname

    def score(self, matcher):
        return self._score(matcher.weight(), self.searcher.doc_field_length(matcher.id(), self.fieldname, 1))


class SegmentStatistics:
    """Per-document lengths of the scored fields, and priors, of one (immutable) segment.

    It keeps numbers, never the reader it was made from: a searcher refreshed after an index
    change closes its old segment readers, while the segment (and so these numbers) lives on.
    """

    def __init__(self, segment_reader):
        self._lengths = {}
        self._lock = threading.Lock()
        count = segment_reader.doc_count_all()
        if PRIOR_FIELD in segment_reader.schema and segment_reader.has_column(PRIOR_FIELD):
            column = segment_reader.column_reader(PRIOR_FIELD)
            self.priors = [column[document] or PRIOR_SCALE for document in range(count)]
        else:
            self.priors = None

    def lengths(self, field: str, segment_reader) -> list[int]:
        """The field's length in every document, read once from an open reader of this segment."""
        lengths = self._lengths.get(field)
        if lengths is None:
            with self._lock:
                lengths = self._lengths.get(field)
                if lengths is None:
                    lengths = [
                        segment_reader.doc_field_length(document, field, 1)
                        for document in range(segment_reader.doc_count_all())
                    ]
                    self._lengths[field] = lengths
        return lengths


_statistics_lock = threading.Lock()
_statistics: OrderedDict = OrderedDict()
MAX_KEPT_SEGMENTS = 64


def segment_statistics(segment_reader) -> SegmentStatistics:
    key = (segment_reader.segment().segment_id(), segment_reader.doc_count_all())
    with _statistics_lock:
        statistics = _statistics.get(key)
        if statistics is not None:
            _statistics.move_to_end(key)
            return statistics
    statistics = SegmentStatistics(segment_reader)
    with _statistics_lock:
        _statistics[key] = statistics
        while len(_statistics) > MAX_KEPT_SEGMENTS:
            _statistics.popitem(last=False)
    return statistics


def score_terms(reader, terms, allowed=None, *, k1: float = K1, b: float = B) -> dict[int, float]:
    """bm25f() × prior of every document that has a term: what Whoosh's searches with PriorBM25F
    score, term at a time instead of document at a time.

    terms: (field, text, weight) triples, or objects with those attributes.
    allowed: a set of document numbers (a filter) or None for all.
    """
    document_count = reader.doc_count_all() or 1
    weighted = []
    for term in terms:
        field, text, weight = (term.field, term.text, term.weight) if hasattr(term, "field") else term
        if field in reader.schema and reader.doc_frequency(field, text):
            weighted.append((field, text, bm25f(reader, field, text, weight, k1=k1, b=b)))
    # A small filter (the articles among the provisions) is applied while reading, block by block;
    # a large one (current law) costs more to sort per query than it saves, so it is applied after.
    sparse = allowed is not None and len(allowed) * SPARSE_FILTER_SHARE < document_count
    scores: dict[int, float] = {}
    for leaf, offset in reader.leaf_readers():
        wanted = None
        if sparse:
            end = offset + leaf.doc_count_all()
            wanted = sorted(document - offset for document in allowed if offset <= document < end)
            if not wanted:
                continue
            kept = frozenset(wanted)
        statistics = segment_statistics(leaf)
        priors = statistics.priors
        deleted = frozenset(leaf.segment().deleted_docs()) if leaf.has_deletions() else ()
        for field, text, score_posting in weighted:
            lengths = statistics.lengths(field, leaf)
            for document, frequency in segment_postings(leaf, field, text, wanted):
                if (deleted and document in deleted) or (sparse and document not in kept):
                    continue
                score = score_posting(frequency, lengths[document])
                if priors is not None:
                    score *= priors[document] / PRIOR_SCALE
                document += offset
                scores[document] = scores.get(document, 0.0) + score
    if allowed is not None and not sparse:
        scores = {document: score for document, score in scores.items() if document in allowed}
    return scores
