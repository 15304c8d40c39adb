"""The Elasticsearch path's settings, mappings and query bodies (no server needed to build them)."""

import pytest
from haystack import connections

from kb.search.elastic import (
    BIGRAM_ANALYZER,
    INDEX_ANALYZER,
    SEARCH_ANALYZER,
    field_mapping,
    index_settings,
    lucene_query,
    with_prior,
)
from kb.search.engine import search_engine
from kb.search.query import select_terms, understand

HAYSTACK_BASE = {"settings": {"analysis": {"analyzer": {"ngram_analyzer": {"tokenizer": "standard"}}}}}


@pytest.mark.parametrize(("plugin", "index_tokenizer", "search_tokenizer"), [
    ("ik", "ik_max_word", "ik_smart"),
    ("smartcn", "smartcn_tokenizer", "smartcn_tokenizer"),
])  # fmt: skip
def test_index_settings_add_chinese_analyzers_and_keep_haystacks(plugin, index_tokenizer, search_tokenizer):
    settings = index_settings(HAYSTACK_BASE, plugin)
    analyzers = settings["settings"]["analysis"]["analyzer"]
    assert analyzers[INDEX_ANALYZER]["tokenizer"] == index_tokenizer
    assert analyzers[SEARCH_ANALYZER]["tokenizer"] == search_tokenizer
    assert "cjk_bigram" in analyzers[BIGRAM_ANALYZER]["filter"]
    assert "ngram_analyzer" in analyzers
    assert "kb_chinese_index" not in HAYSTACK_BASE["settings"]["analysis"]["analyzer"], (
        "the base is not changed"
    )
    with pytest.raises(ValueError, match="unknown Chinese analyzer"):
        index_settings(HAYSTACK_BASE, "jieba-on-the-server")


def test_field_mappings_follow_our_search_indexes():
    fields = connections["default"].get_unified_index().all_searchfields()
    mapped = {
        name: field_mapping(
            field, {"type": "text", "analyzer": "snowball"} if field.indexed else {"type": "keyword"}
        )
        for name, field in fields.items()
    }
    assert mapped["text"] == {"type": "text", "analyzer": INDEX_ANALYZER, "search_analyzer": SEARCH_ANALYZER}
    assert mapped["bigrams"] == {"type": "text", "analyzer": BIGRAM_ANALYZER}
    assert mapped["prior"] == {"type": "integer", "null_value": 1000}
    assert mapped["law_title"] == {"type": "keyword"}


def test_search_bodies_multiply_by_the_prior_and_keep_the_query():
    body = {
        "query": {"query_string": {"query": "(text:通讯录^0.50 OR bigrams:通讯^0.80)"}},
        "from": 0,
        "size": 10,
    }
    wrapped = with_prior(body)
    scored = wrapped["query"]["function_score"]
    assert scored["query"] == body["query"] and scored["boost_mode"] == "multiply"
    assert scored["field_value_factor"] == {"field": "prior", "factor": 0.001, "missing": 1000}
    assert wrapped["size"] == 10 and "function_score" not in body["query"]
    assert with_prior({"size": 0}) == {"size": 0}


def test_the_search_pages_queries_are_plain_lucene_query_strings(demo_index):
    """What the search page sends is read the same by Elasticsearch's query_string: field:term^boost ORs."""
    import re

    statistics = search_engine().statistics()
    rendered = lucene_query(
        select_terms(understand('网贷逾期 会爆通讯录吗？ AND (OR) text:* \\"x'), statistics)
    )
    inner = rendered.removeprefix("(").removesuffix(")")
    for clause in inner.split(" OR "):
        assert re.fullmatch(
            r"(text|heading|bigrams):[^\s\"'*?:()\\\[\]{}^~!+\-/&|]+(\^\d+\.\d\d)?", clause
        ), clause
