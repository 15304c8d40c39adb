"""haystack's Elasticsearch 7 backend with Chinese analysis and our prior (see kb.search.elastic).

    HAYSTACK_CONNECTIONS = {"default": {
        "ENGINE": "kb.search.elasticsearch_backend.KBElasticsearchEngine",
        "URL": "http://127.0.0.1:9200/", "INDEX_NAME": "kb",
        "CHINESE_ANALYZER": "ik",   # or "smartcn"
    }}

Needs `pip install "elasticsearch>=7,<8"` and the analysis plugin on every node.
"""

from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchEngine,
)

from .elastic import field_mapping, index_settings, lucene_query, with_prior


class KBElasticsearchBackend(Elasticsearch7SearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.DEFAULT_SETTINGS = index_settings(
            Elasticsearch7SearchBackend.DEFAULT_SETTINGS, connection_options.get("CHINESE_ANALYZER", "ik")
        )

    def build_schema(self, fields):
        content_field_name, mapping = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            mapping[name] = field_mapping(field_class, mapping[name])
        return content_field_name, mapping

    def build_search_kwargs(self, query_string, **kwargs):
        return with_prior(super().build_search_kwargs(query_string, **kwargs))

    def query_for_terms(self, terms) -> str:
        """How kb.search.engine's terms are written for this backend: a Lucene query string."""
        return lucene_query(terms)


class KBElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = KBElasticsearchBackend
