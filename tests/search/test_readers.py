"""Index readers under concurrent writes: a search in progress keeps reading what it opened, and a
search that meets a closed reader is answered on fresh ones, on the same request."""

import pytest
from haystack import connections
from whoosh.reading import ReaderClosed

from articles.models import Article
from kb.search import engine
from kb.search.selectors import search, search_backend
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


def index_now(article: Article) -> None:
    """What the search worker does for a save, here and now."""
    unified = connections["default"].get_unified_index()
    search_backend().update(unified.get_index(Article), [article])


def test_a_search_in_progress_keeps_reading_when_the_index_changes(search_index):
    make_article("第一篇文章甲乙")
    search_index()
    index = search_backend().index
    held = index.searcher()  # what an engine holds while it ranks another kind of result
    before = held.doc_count()
    index_now(make_article("第二篇文章丙丁"))  # the worker commits meanwhile
    newer = index.searcher()  # the same request asks again: a new searcher, the old one left open
    assert newer.doc_count() == before + 1
    assert held.doc_count() == before and sum(1 for _ in held.reader().all_doc_ids()) == before
    assert [hit.object.title for hit in search("第二篇文章丙丁").articles.hits][:1] == ["第二篇文章丙丁"]


def test_a_search_that_meets_a_closed_reader_is_answered_on_fresh_ones(search_index, caplog):
    make_article("读者关闭测试")
    search_index()
    calls = []

    def closed_the_first_time(question):
        calls.append(question)
        if len(calls) == 1:
            search_backend().index.searcher().close()  # as a swap or a retired searcher would leave it
            raise ReaderClosed()
        return search.__wrapped__(question)

    outcome = engine.recovering_closed_readers(closed_the_first_time)("读者关闭测试")
    assert len(calls) == 2 and [hit.object.title for hit in outcome.articles.hits] == ["读者关闭测试"]
    assert "closed index reader" in caplog.text
