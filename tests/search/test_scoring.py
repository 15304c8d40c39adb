"""The term-at-a-time scorer gives Whoosh's own ranking (BM25F × prior), only faster."""

import pytest
from haystack import connections

from kb.search import scoring
from kb.search.query import render, select_terms, understand
from kb.search.selectors import search_backend
from statutes.models import Provision

QUESTIONS = [
    "网贷逾期群发短信给通讯录违法吗",
    "公司不给加班费怎么办",
    "个人信息 处理者 同意",
    "债",
    "民法典第1032条",
]


def whoosh_ranking(searcher, query, allowed=None, pagelen=20):
    page = searcher.search_page(query, 1, pagelen=pagelen, filter=allowed)
    return [(page.docnum(i), page.score(i)) for i in range(len(page.results.top_n[:pagelen]))], len(page)


def fast_ranking(searcher, query, allowed=None, pagelen=20):
    weighting = searcher.weighting
    terms = scoring.flat_terms(query)
    page = scoring.search_page(searcher, query, terms, 1, pagelen, allowed, k1=weighting.K1, b=weighting.B)
    return [(page.docnum(i), page.score(i)) for i in range(len(page.results.top_n[:pagelen]))], len(page)


def assert_same(expected, actual):
    (expected_hits, expected_total), (actual_hits, actual_total) = expected, actual
    assert actual_total == expected_total
    assert [docnum for docnum, _ in actual_hits] == [docnum for docnum, _ in expected_hits]
    for (_, expected_score), (_, actual_score) in zip(expected_hits, actual_hits, strict=True):
        assert actual_score == pytest.approx(expected_score, rel=1e-9)


@pytest.fixture
def searcher(demo_index):
    backend = search_backend()
    return backend.searcher()._searcher  # the kept Whoosh searcher itself, with PriorBM25F


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_same_documents_scores_and_totals_as_whoosh(searcher, question):
    query_string = render(select_terms(understand(question), searcher.reader()))
    query = search_backend().parser.parse(query_string)
    assert scoring.flat_terms(query), "the search page's queries are flat ORs of terms"
    assert_same(whoosh_ranking(searcher, query), fast_ranking(searcher, query))


def test_filters_are_honoured(searcher):
    query = search_backend().parser.parse(
        render(select_terms(understand("个人信息 通讯录"), searcher.reader()))
    )
    current = set(searcher.docs_for_query(search_backend().parser.parse("is_current:true")))
    assert current
    expected = whoosh_ranking(searcher, query, allowed=current)
    assert expected[1] > 0
    assert_same(expected, fast_ranking(searcher, query, allowed=current))


def test_deleted_documents_are_left_out(demo_index):
    backend = search_backend()
    provision = Provision.objects.filter(text__contains="个人信息").first()
    connections["default"].get_unified_index().get_index(Provision).remove_object(provision)
    searcher = backend.searcher()._searcher
    assert (
        searcher.reader().has_deletions() or searcher.reader().doc_count() < searcher.reader().doc_count_all()
    )
    query = backend.parser.parse(render(select_terms(understand("个人信息"), searcher.reader())))
    assert_same(whoosh_ranking(searcher, query, pagelen=100), fast_ranking(searcher, query, pagelen=100))


def test_other_queries_are_left_to_whoosh():
    from whoosh import query as whoosh_query

    assert scoring.flat_terms(whoosh_query.Term("text", "债务")) == [("text", "债务", 1.0)]
    assert (
        scoring.flat_terms(whoosh_query.And([whoosh_query.Term("text", "a"), whoosh_query.Term("text", "b")]))
        is None
    )
    assert scoring.flat_terms(whoosh_query.Or([whoosh_query.Phrase("text", ["a", "b"])])) is None


@pytest.mark.parametrize("share", [1, 7, 50, 400])
def test_a_small_filter_skips_blocks_and_keeps_whooshs_scores(tmp_path, share):
    """Thousands of documents span many posting blocks; a filter of every share-th one is read sparsely."""
    from whoosh import fields, index
    from whoosh import scoring as whoosh_scoring
    from whoosh.query import Or, Term

    schema = fields.Schema(text=fields.TEXT())
    storage = index.create_in(tmp_path, schema)
    writer = storage.writer()
    for number in range(3000):
        words = ["common", f"w{number % 7}", f"v{number % 11}"] + ["filler"] * (number % 5)
        writer.add_document(text=" ".join(words))
    writer.commit()
    weighting = whoosh_scoring.BM25F(B=0.75, K1=1.2)
    with storage.searcher(weighting=weighting) as searcher:
        query = Or([Term("text", "common", boost=0.5), Term("text", "w3"), Term("text", "v5", boost=2.0)])
        allowed = set(range(0, 3000, share))
        expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None, filter=allowed)}
        actual = scoring.score_terms(searcher, scoring.flat_terms(query), allowed, k1=1.2, b=0.75)
    assert set(actual) == set(expected)
    for document, score in expected.items():
        assert actual[document] == pytest.approx(score, rel=1e-9)
