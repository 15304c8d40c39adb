"""The term-at-a-time scorer gives Whoosh's own ranking (BM25F × prior), only faster."""

import pytest
from haystack import connections
from whoosh import query as whoosh_query

from articles.models import Article
from kb.search import scoring
from kb.search.engine import Filters, search_engine
from kb.search.query import select_terms, understand
from statutes.models import Provision

QUESTIONS = [
    "网贷逾期群发短信给通讯录违法吗",
    "公司不给加班费怎么办",
    "个人信息 处理者 同意",
    "债",
    "民法典第1032条",
]


def as_whoosh(terms):
    """Our terms as the Whoosh query they stand for: a flat OR of weighted terms."""
    return whoosh_query.Or([whoosh_query.Term(term.field, term.text, boost=term.weight) for term in terms])


def whoosh_ranking(searcher, terms, allowed=None, pagelen=20):
    page = searcher.search_page(as_whoosh(terms), 1, pagelen=pagelen, filter=allowed)
    return [(page.docnum(i), page.score(i)) for i in range(len(page.results.top_n[:pagelen]))], len(page)


def fast_ranking(searcher, terms, allowed=None, pagelen=20):
    scores = scoring.score_terms(searcher.reader(), terms, allowed)
    top = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:pagelen]
    return top, len(scores)


def assert_same(expected, actual):
    (expected_hits, expected_total), (actual_hits, actual_total) = expected, actual
    assert actual_total == expected_total
    assert [docnum for docnum, _ in actual_hits] == [docnum for docnum, _ in expected_hits]
    for (_, expected_score), (_, actual_score) in zip(expected_hits, actual_hits, strict=True):
        assert actual_score == pytest.approx(expected_score, rel=1e-9)


@pytest.fixture
def searcher(demo_index):
    return search_engine().backend.searcher()  # the kept Whoosh searcher, weighted by PriorBM25F


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_same_documents_scores_and_totals_as_whoosh(searcher, question):
    terms = select_terms(understand(question), search_engine().statistics())
    assert terms
    assert_same(whoosh_ranking(searcher, terms), fast_ranking(searcher, terms))


def test_the_one_formula_is_whooshs_stock_bm25f_times_the_prior(searcher):
    """kb.search.scoring's BM25F (which Whoosh's own searches on our index use too) is Whoosh's
    stock BM25F, times each document's prior: the stock model, not ours, is the reference here."""
    from whoosh.scoring import BM25F
    from whoosh.searching import Searcher

    terms = select_terms(understand(QUESTIONS[0]), search_engine().statistics())
    reader = searcher.reader()
    stock = Searcher(reader, weighting=BM25F(B=scoring.B, K1=scoring.K1), closereader=False)
    priors = reader.column_reader(scoring.PRIOR_FIELD)
    expected = {
        hit.docnum: hit.score * priors[hit.docnum] / scoring.PRIOR_SCALE
        for hit in stock.search(as_whoosh(terms), limit=None)
    }
    assert len({priors[document] for document in expected}) > 1, "documents with different priors"
    actual = scoring.score_terms(reader, terms)
    assert set(actual) == set(expected)
    for document, score in expected.items():
        assert actual[document] == pytest.approx(score, rel=1e-9)
    kept = {hit.docnum: hit.score for hit in searcher.search(as_whoosh(terms), limit=None)}
    assert kept == pytest.approx(expected, rel=1e-9)


def test_the_engine_ranks_as_whoosh_within_its_filters(searcher):
    engine = search_engine()
    terms = select_terms(understand("个人信息 通讯录"), engine.statistics())
    current = set(searcher.docs_for_query(whoosh_query.And([
        whoosh_query.Term("django_ct", "statutes.provision"), whoosh_query.Term("is_current", True)
    ])))  # fmt: skip
    assert current
    expected, total = whoosh_ranking(searcher, terms, allowed=current, pagelen=10)
    ranked = engine.rank(Provision, terms, Filters(current_law_only=True), limit=10)
    assert ranked.total == total
    assert ranked.ids == [int(searcher.stored_fields(docnum)["django_id"]) for docnum, _ in expected]
    assert ranked.scores == pytest.approx([score for _, score in expected], rel=1e-9)
    page_two = engine.rank(Provision, terms, Filters(current_law_only=True), offset=5, limit=5)
    assert page_two.ids == ranked.ids[5:]


def test_filters_narrow_by_kind_category_and_exclusion(searcher):
    engine = search_engine()
    terms = select_terms(understand("网贷逾期"), engine.statistics())
    articles = engine.rank(Article, terms, limit=50)
    assert articles.ids and set(articles.ids) <= set(Article.objects.values_list("pk", flat=True))
    first = Article.objects.get(pk=articles.ids[0])
    same_category = engine.rank(Article, terms, Filters(category_id=first.category_id), limit=50)
    assert set(same_category.ids) == {
        pk for pk in articles.ids if Article.objects.get(pk=pk).category_id == first.category_id
    }
    without = engine.rank(Article, terms, Filters(exclude_ids=frozenset({first.pk})), limit=50)
    assert first.pk not in without.ids and without.total == articles.total - 1


def test_deleted_documents_are_left_out(searcher, demo_index):
    provision = Provision.objects.filter(text__contains="个人信息").first()
    connections["default"].get_unified_index().get_index(Provision).remove_object(provision)
    searcher = search_engine().backend.searcher()
    reader = searcher.reader()
    assert reader.has_deletions() or reader.doc_count() < reader.doc_count_all()
    terms = select_terms(understand("个人信息"), search_engine().statistics())
    assert_same(whoosh_ranking(searcher, terms, pagelen=100), fast_ranking(searcher, terms, pagelen=100))


@pytest.mark.parametrize("share", [1, 7, 50, 400])
def test_a_small_filter_skips_blocks_and_keeps_whooshs_scores(tmp_path, share):
    """Thousands of documents span many posting blocks; a filter of every share-th one is read sparsely."""
    from whoosh import fields, index
    from whoosh import scoring as whoosh_scoring

    schema = fields.Schema(text=fields.TEXT())
    storage = index.create_in(tmp_path, schema)
    writer = storage.writer()
    for number in range(3000):
        words = ["common", f"w{number % 7}", f"v{number % 11}"] + ["filler"] * (number % 5)
        writer.add_document(text=" ".join(words))
    writer.commit()
    terms = [("text", "common", 0.5), ("text", "w3", 1.0), ("text", "v5", 2.0)]
    query = whoosh_query.Or([whoosh_query.Term(field, text, boost=weight) for field, text, weight in terms])
    with storage.searcher(weighting=whoosh_scoring.BM25F(B=0.75, K1=1.2)) as searcher:
        allowed = set(range(0, 3000, share))
        expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None, filter=allowed)}
        actual = scoring.score_terms(searcher.reader(), terms, allowed, k1=1.2, b=0.75)
    assert set(actual) == set(expected)
    for document, score in expected.items():
        assert actual[document] == pytest.approx(score, rel=1e-9)
