"""The Elasticsearch path's settings, mappings and query bodies (no server needed to build them)."""

import datetime
from unittest import mock

import numpy as np
import pytest
from django.test import override_settings
from haystack import connections

from kb.search.elastic import (
    BIGRAM_ANALYZER,
    INDEX_ANALYZER,
    SEARCH_ANALYZER,
    cosines,
    field_mapping,
    index_settings,
    lucene_query,
    nearest_body,
    rerank_body,
    vector_mapping,
    with_prior,
    with_vector,
)
from kb.search.embedding import normalized
from kb.search.engine import search_engine
from kb.search.query import select_terms, understand
from tests.helpers import make_article, make_law, make_provisions

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


# ------------------------------------------------------------------------------ search by meaning

QUESTION = [0.5, -0.25, 0.0, 0.75]  # exact in float32, so the bodies compare exactly
SCORED = {
    "source": "cosineSimilarity(params.query_vector, 'vector') + 1.0",
    "params": {"query_vector": [0.5, -0.25, 0.0, 0.75]},
}


class FakeEmbedder:
    """Four dimensions from the text's first characters: the same text, the same unit vector."""

    name = "fake-4"
    dimensions = 4

    def encode(self, texts):
        rows = [[float(ord(character) % 7 + 1) for character in (text + "    ")[:4]] for text in texts]
        return normalized(np.asarray(rows, dtype=np.float32).reshape(len(texts), 4))


def test_the_mapping_holds_a_dense_vector_of_the_models_dimensions():
    fields = {"text": {"type": "text"}, "prior": {"type": "integer"}}
    assert vector_mapping(512) == {"type": "dense_vector", "dims": 512}
    assert with_vector(fields, 512) == {**fields, "vector": {"type": "dense_vector", "dims": 512}}
    assert with_vector(fields, None) == fields, "no model, no vector field"
    assert "vector" not in fields, "the mapping given is not changed"
    with pytest.raises(ValueError, match="at least one dimension"):
        vector_mapping(0)


def test_the_nearest_are_the_kinds_documents_with_a_vector_scored_by_cosine():
    assert nearest_body(
        "articles.article", np.asarray(QUESTION, dtype=np.float32), 30, exclude_ids={12, 3}
    ) == {
        "size": 30,
        "_source": ["django_id"],
        "query": {
            "script_score": {
                "query": {
                    "bool": {
                        "filter": [
                            {"term": {"django_ct": "articles.article"}},
                            {"exists": {"field": "vector"}},
                        ],
                        "must_not": [{"terms": {"django_id": ["3", "12"]}}],
                    }
                },
                "script": SCORED,
            }
        },
    }
    provisions = nearest_body("statutes.provision", QUESTION, 100)
    assert provisions["size"] == 100
    assert provisions["query"]["script_score"]["query"] == {
        "bool": {"filter": [{"term": {"django_ct": "statutes.provision"}}, {"exists": {"field": "vector"}}]}
    }, "nothing excluded, no must_not"


def test_the_rerank_scores_the_lexical_top_alone():
    assert rerank_body("statutes.provision", QUESTION, [7, 2, 7, 40]) == {
        "size": 3,
        "_source": ["django_id"],
        "query": {
            "script_score": {
                "query": {
                    "bool": {
                        "filter": [
                            {"term": {"django_ct": "statutes.provision"}},
                            {"terms": {"django_id": ["7", "2", "40"]}},
                            {"exists": {"field": "vector"}},
                        ]
                    }
                },
                "script": SCORED,
            }
        },
    }


def test_scores_are_read_back_as_cosines_in_the_servers_order():
    response = {"hits": {"hits": [
        {"_id": "statutes.provision.7", "_score": 1.75, "_source": {"django_id": "7"}},
        {"_id": "statutes.provision.2", "_score": 0.5, "_source": {"django_id": "2"}},
    ]}}  # fmt: skip
    assert cosines(response) == [(7, 0.75), (2, -0.5)]
    assert cosines({}) == []


# The backend itself needs the client: `pip install -e '.[elasticsearch]'`. No server is needed:
# what it would send is caught.


@pytest.fixture
def es_backend():
    pytest.importorskip("elasticsearch")
    from kb.search.elasticsearch_backend import KBElasticsearchBackend

    backend = KBElasticsearchBackend("default", URL="http://127.0.0.1:9/", INDEX_NAME="kb-test")
    backend.conn = mock.Mock()
    backend.setup_complete = True
    return backend


@pytest.fixture
def fake_model(tmp_path):
    with override_settings(KB_EMBEDDER="tests.search.test_elastic.FakeEmbedder", VECTORS_PATH=tmp_path):
        yield FakeEmbedder()


def test_the_backends_mapping_has_the_vector_field_only_with_a_model(es_backend, tmp_path):
    fields = connections["default"].get_unified_index().all_searchfields()
    _, without = es_backend.build_schema(fields)
    assert "vector" not in without and without["text"]["analyzer"] == INDEX_ANALYZER
    with override_settings(KB_EMBEDDER="tests.search.test_elastic.FakeEmbedder", VECTORS_PATH=tmp_path):
        _, mapping = es_backend.build_schema(fields)
    assert mapping["vector"] == {"type": "dense_vector", "dims": 4}
    assert mapping["prior"] == {"type": "integer", "null_value": 1000}


def written_documents(backend, model, objects) -> dict[str, dict]:
    """What backend.update would send to the server for these objects, by document id."""
    written = []
    index = connections["default"].get_unified_index().get_index(model)
    with mock.patch(
        "haystack.backends.elasticsearch_backend.bulk", lambda conn, docs, **kw: written.extend(docs)
    ):
        backend.update(index, model.objects.filter(pk__in=[obj.pk for obj in objects]))
    return {document["_id"]: document for document in written}


@pytest.mark.django_db
def test_documents_are_written_with_the_vectors_the_snapshots_would_hold(es_backend, fake_model):
    from articles.models import Article
    from kb.search import vectors
    from statutes.models import Provision

    superseded = make_provisions(make_law(is_current=False), 1)[0]
    current = make_provisions(make_law(promulgated_on=datetime.date(2024, 1, 1)), 2)
    published = make_article()

    documents = written_documents(es_backend, Provision, [superseded, *current])
    for provision in current:
        assert documents[f"statutes.provision.{provision.pk}"]["vector"] == pytest.approx(
            fake_model.encode([vectors.provision_text(provision)])[0].tolist()
        )
    assert "vector" not in documents[f"statutes.provision.{superseded.pk}"], "no vector for an old version"
    documents = written_documents(es_backend, Article, [published])
    assert documents[f"articles.article.{published.pk}"]["vector"] == pytest.approx(
        fake_model.encode([vectors.article_text(published)])[0].tolist()
    )


@pytest.mark.django_db
def test_documents_have_no_vector_when_meaning_is_off(es_backend):
    from statutes.models import Provision

    provision = make_provisions(make_law(), 1)[0]
    (document,) = written_documents(es_backend, Provision, [provision]).values()
    assert "vector" not in document and document["django_id"] == str(provision.pk)


def test_nearest_and_similarities_send_those_bodies_and_read_cosines(es_backend):
    from articles.models import Article
    from kb.search.elasticsearch_backend import ElasticVectors
    from statutes.models import Provision

    es_backend.conn.search.return_value = {"hits": {"hits": [
        {"_score": 1.5, "_source": {"django_id": "9"}},
        {"_score": 1.25, "_source": {"django_id": "4"}},
    ]}}  # fmt: skip
    vector = np.asarray(QUESTION, dtype=np.float32)
    assert es_backend.nearest(Article, vector, 30, exclude_ids=frozenset({5})) == [(9, 0.5), (4, 0.25)]
    es_backend.conn.search.assert_called_with(
        body=nearest_body("articles.article", QUESTION, 30, exclude_ids=[5]), index="kb-test"
    )
    assert ElasticVectors(es_backend, Provision).similarities(vector, [4, 9]) == {9: 0.5, 4: 0.25}
    es_backend.conn.search.assert_called_with(
        body=rerank_body("statutes.provision", QUESTION, [4, 9]), index="kb-test"
    )
    es_backend.conn.search.reset_mock()
    assert (
        es_backend.nearest(Article, vector, 0) == [] and es_backend.similarities(Provision, vector, []) == {}
    )
    es_backend.conn.search.assert_not_called()
