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
"""

import copy

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
