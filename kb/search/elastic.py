"""Elasticsearch for the scale-out path: Chinese analysis on the server, the same queries and ranking.

Pure functions (no Elasticsearch client needed, so they are tested here); the backend that uses
them is kb.search.elasticsearch_backend, importable where the `elasticsearch` 7.x package is.

- Text is analyzed on the server by the IK plugin (ik_max_word when indexing, ik_smart when
  searching: fine-grained words in the index, the likeliest split of a query) or, without IK,
  by the smartcn plugin that ships with Elasticsearch. The bigram field uses the built-in
  cjk_bigram filter, as our Whoosh bigram field does.
- The search page's queries are flat ORs of weighted terms (kb.search.query), written as a
  Lucene query string (lucene_query); the prior (level of the norm, size of the law, current
  law) multiplies the score as in Whoosh (kb.search.scoring).
- Search by meaning (kb.search.meaning) keeps its fusion: each document the local snapshots would
  hold (kb.search.vectors: provisions of the current version of every law, published articles)
  carries its vector in a `dense_vector` field, and the nearest documents by meaning and the
  re-rank of the lexical top come from the server (nearest_body, rerank_body) instead of the
  snapshots.

Elasticsearch 7, the version haystack's backend speaks (client `elasticsearch>=7,<8`), has
`dense_vector` but no kNN search: a vector field takes `dims` alone (no `index`, no
`similarity`), and the nearest are found by a `script_score` query over the documents
that hold a vector, scored `cosineSimilarity(params.query_vector, 'vector') + 1.0` (a score may not
be negative). That search is exact, one dot product per document of the kind, as the snapshots'
search is in numpy. On Elasticsearch 8 the same search is approximate kNN (HNSW), with the
mapping and clause

    "vector": {"type": "dense_vector", "dims": 512, "index": true, "similarity": "cosine"}

    "knn": {"field": "vector", "query_vector": [...], "k": 30, "num_candidates": 300,
            "filter": [{"term": {"django_ct": "articles.article"}}]}

(in the search body beside `query`, Elasticsearch ≥ 8.4), whose `_score` is (1 + cosine) / 2
rather than 1 + cosine. The re-rank stays a script_score over the given ids on either version.
"""

import copy
from collections.abc import Iterable, Sequence

from .scoring import PRIOR_FIELD, PRIOR_SCALE

ANALYZER_PLUGINS = {
    # plugin: (index-time tokenizer, search-time tokenizer)
    "ik": ("ik_max_word", "ik_smart"),
    "smartcn": ("smartcn_tokenizer", "smartcn_tokenizer"),
}
INDEX_ANALYZER = "kb_chinese_index"
SEARCH_ANALYZER = "kb_chinese_search"
BIGRAM_ANALYZER = "kb_chinese_bigram"
BIGRAM_FIELD = "bigrams"
VECTOR_FIELD = "vector"
# haystack's own fields on every document (haystack.constants' defaults, which we keep)
CONTENT_TYPE_FIELD = "django_ct"
ID_FIELD = "django_id"
# Elasticsearch 7 scores may not be negative: the cosine is shifted by one and shifted back (cosines).
COSINE_SCRIPT = f"cosineSimilarity(params.query_vector, '{VECTOR_FIELD}') + 1.0"


def index_settings(base: dict, plugin: str = "ik") -> dict:
    """haystack's index settings (base) with our three Chinese analyzers added."""
    if plugin not in ANALYZER_PLUGINS:
        raise ValueError(f"unknown Chinese analyzer plugin {plugin!r}: use one of {sorted(ANALYZER_PLUGINS)}")
    index_tokenizer, search_tokenizer = ANALYZER_PLUGINS[plugin]
    settings = copy.deepcopy(base)
    analysis = settings.setdefault("settings", {}).setdefault("analysis", {})
    analyzers = analysis.setdefault("analyzer", {})
    # cjk_width folds full-width letters and digits, as kb.search.query normalizes queries.
    analyzers[INDEX_ANALYZER] = {"tokenizer": index_tokenizer, "filter": ["cjk_width", "lowercase"]}
    analyzers[SEARCH_ANALYZER] = {"tokenizer": search_tokenizer, "filter": ["cjk_width", "lowercase"]}
    analyzers[BIGRAM_ANALYZER] = {"tokenizer": "standard", "filter": ["cjk_width", "lowercase", "cjk_bigram"]}
    return settings


def field_mapping(field_class, mapping: dict) -> dict:
    """The mapping of one haystack field: Chinese analyzers for searched text, the prior as an integer."""
    mapping = dict(mapping)
    name = field_class.index_fieldname
    if name == PRIOR_FIELD:
        return {"type": "integer", "null_value": PRIOR_SCALE}
    if mapping.get("type") != "text":
        return mapping
    mapping.pop("analyzer", None)
    if name == BIGRAM_FIELD:
        mapping["analyzer"] = BIGRAM_ANALYZER
    else:
        mapping["analyzer"] = INDEX_ANALYZER
        mapping["search_analyzer"] = SEARCH_ANALYZER
    return mapping


def with_prior(search_kwargs: dict) -> dict:
    """haystack's search body with the score multiplied by the document's prior, as in Whoosh."""
    body = copy.deepcopy(search_kwargs)
    query = body.get("query")
    if query is None:
        return body
    body["query"] = {
        "function_score": {
            "query": query,
            "field_value_factor": {"field": PRIOR_FIELD, "factor": 1 / PRIOR_SCALE, "missing": PRIOR_SCALE},
            "boost_mode": "multiply",
        }
    }
    return body


def lucene_query(terms) -> str:
    """(text:通讯录^0.50 OR bigrams:通讯^0.80): the terms as Elasticsearch's query_string reads them.

    Terms are made only of Han characters, letters and digits (kb.search.query), so nothing in
    them is syntax.
    """
    clauses = [
        f"{term.field}:{term.text}" + (f"^{term.weight:.2f}" if term.weight != 1.0 else "") for term in terms
    ]
    return "(" + " OR ".join(clauses) + ")" if clauses else ""


# ------------------------------------------------------------------------------ search by meaning


def vector_mapping(dimensions: int) -> dict:
    """The mapping of the vector field on Elasticsearch 7: the model's dimensions (cosine is the query's)."""
    if dimensions <= 0:
        raise ValueError(f"a vector has at least one dimension, not {dimensions}")
    return {"type": "dense_vector", "dims": int(dimensions)}


def with_vector(mapping: dict, dimensions: int | None) -> dict:
    """The index's field mappings with the vector field added; unchanged when meaning is off (None).

    One field serves both kinds: haystack keeps articles and provisions in one index.
    """
    if not dimensions:
        return mapping
    return {**mapping, VECTOR_FIELD: vector_mapping(dimensions)}


def cosine_scored(query: dict, vector: Sequence[float]) -> dict:
    """The documents the query finds, scored 1 + their vector's cosine with the question's."""
    return {
        "script_score": {
            "query": query,
            "script": {"source": COSINE_SCRIPT, "params": {"query_vector": [float(x) for x in vector]}},
        }
    }


def nearest_body(
    content_type: str, vector: Sequence[float], k: int, *, exclude_ids: Iterable[int] = ()
) -> dict:
    """The search body for the k documents of a kind nearest the vector, leaving out the excluded ids.

    Only documents holding a vector are scored (cosineSimilarity fails on a document without
    one). content_type is haystack's: "articles.article" (the bridge's nearest answers) or
    "statutes.provision" (the nearest provisions).
    """
    condition: dict = {
        "filter": [{"term": {CONTENT_TYPE_FIELD: content_type}}, {"exists": {"field": VECTOR_FIELD}}]
    }
    excluded = sorted({int(pk) for pk in exclude_ids})
    if excluded:
        condition["must_not"] = [{"terms": {ID_FIELD: [str(pk) for pk in excluded]}}]
    return {"size": int(k), "_source": [ID_FIELD], "query": cosine_scored({"bool": condition}, vector)}


def rerank_body(content_type: str, vector: Sequence[float], ids: Iterable[int]) -> dict:
    """The search body for these documents' cosines with the vector (the re-rank of the lexical top)."""
    wanted = list(dict.fromkeys(int(pk) for pk in ids))
    condition = {
        "filter": [
            {"term": {CONTENT_TYPE_FIELD: content_type}},
            {"terms": {ID_FIELD: [str(pk) for pk in wanted]}},
            {"exists": {"field": VECTOR_FIELD}},
        ]
    }
    return {"size": len(wanted), "_source": [ID_FIELD], "query": cosine_scored({"bool": condition}, vector)}


def cosines(response: dict) -> list[tuple[int, float]]:
    """(id, cosine) of a nearest_body or rerank_body answer, in its order (best first)."""
    return [
        (int(hit["_source"][ID_FIELD]), float(hit["_score"]) - 1.0)
        for hit in response.get("hits", {}).get("hits", [])
    ]
