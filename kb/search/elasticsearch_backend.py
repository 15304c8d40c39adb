"""haystack's Elasticsearch 7 backend with Chinese analysis, our prior and vectors (see kb.search.elastic).

    HAYSTACK_CONNECTIONS = {"default": {
        "ENGINE": "kb.search.elasticsearch_backend.KBElasticsearchEngine",
        "URL": "http://127.0.0.1:9200/", "INDEX_NAME": "kb",
        "CHINESE_ANALYZER": "ik",   # or "smartcn"
    }}

Needs `pip install -e '.[elasticsearch]'` (the client, `elasticsearch>=7,<8`) and the analysis
plugin on every node.

With a model configured (settings.KB_EMBEDDER), every document the local snapshots would hold
(kb.search.vectors) is written with its vector, and the server answers what the snapshots answer
for search by meaning: nearest() and similarities(), or VectorSet's two methods through
ElasticVectors.
"""

import elasticsearch
import numpy as np
from django.core.exceptions import ImproperlyConfigured
from haystack.backends.elasticsearch7_backend import (
    Elasticsearch7SearchBackend,
    Elasticsearch7SearchEngine,
)
from haystack.utils import get_model_ct

from articles.models import Article
from statutes.models import Provision

from . import vectors
from .elastic import (
    VECTOR_FIELD,
    cosines,
    field_mapping,
    index_settings,
    lucene_query,
    nearest_body,
    rerank_body,
    with_prior,
    with_vector,
)
from .embedding import get_embedder

# The kinds that have vectors: their documents get one when the snapshot would hold them.
EMBEDDED = {Article: vectors.ARTICLES, Provision: vectors.PROVISIONS}


class KBElasticsearchBackend(Elasticsearch7SearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.DEFAULT_SETTINGS = index_settings(
            Elasticsearch7SearchBackend.DEFAULT_SETTINGS, connection_options.get("CHINESE_ANALYZER", "ik")
        )
        self._vectors_of: dict[int, list[float]] = {}  # of the objects update() is writing

    def build_schema(self, fields):
        content_field_name, mapping = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            mapping[name] = field_mapping(field_class, mapping[name])
        return content_field_name, with_vector(mapping, vector_dimensions())

    def build_search_kwargs(self, query_string, **kwargs):
        return with_prior(super().build_search_kwargs(query_string, **kwargs))

    def query_for_terms(self, terms) -> str:
        """How kb.search.engine's terms are written for this backend: a Lucene query string."""
        return lucene_query(terms)

    # -------------------------------------------------------------------------- vectors, written

    def update(self, index, iterable, commit=True):
        objects = list(iterable)
        self._vectors_of = document_vectors(index.get_model(), objects)
        try:
            super().update(index, objects, commit=commit)
        finally:
            self._vectors_of = {}

    def _prepare_object(self, index, obj):
        prepared = super()._prepare_object(index, obj)
        vector = self._vectors_of.get(obj.pk)
        if vector is not None:
            prepared[VECTOR_FIELD] = vector
        return prepared

    # ----------------------------------------------------------------------------- vectors, read

    def nearest(self, model, vector, k: int, exclude_ids=frozenset()) -> list[tuple[int, float]]:
        """The k documents of the model nearest the vector, (pk, cosine) best first (VectorSet.nearest)."""
        if k <= 0:
            return []
        return self._cosines(nearest_body(get_model_ct(model), vector, k, exclude_ids=exclude_ids))

    def similarities(self, model, vector, ids) -> dict[int, float]:
        """Cosine of the vector with these documents' vectors; those without one are left out."""
        body = rerank_body(get_model_ct(model), vector, ids)
        return dict(self._cosines(body)) if body["size"] else {}

    def _cosines(self, body: dict) -> list[tuple[int, float]]:
        try:
            return cosines(self.conn.search(body=body, index=self.index_name))
        except elasticsearch.TransportError:
            if not self.silently_fail:
                raise
            self.log.exception("Failed to find the nearest documents by meaning in Elasticsearch")
            return []


def document_vectors(model, objects) -> dict[int, list[float]]:
    """pk → vector of the objects their kind's snapshot would hold; {} with no model (or another kind).

    Through the vectors' cache (kb.search.vectors): a text embedded once, for the snapshots or an
    earlier indexing, is not embedded again.
    """
    if model not in EMBEDDED or not objects or (embedder := get_embedder(EMBEDDED[model])) is None:
        return {}
    to_embed, text_of = vectors.objects_and_texts(EMBEDDED[model])
    held = set(to_embed.filter(pk__in=[obj.pk for obj in objects]).values_list("pk", flat=True))
    chosen = [obj for obj in objects if obj.pk in held]
    found: dict[int, list[float]] = {}
    with vectors.opened_cache(embedder) as store:
        for start in range(0, len(chosen), vectors.BATCH):
            batch = chosen[start : start + vectors.BATCH]
            matrix = store.vectors([text_of(obj) for obj in batch])
            found.update((obj.pk, row.tolist()) for obj, row in zip(batch, matrix, strict=True))
    return found


def vector_dimensions() -> int | None:
    """The dimensions of the index's one vector field: articles and provisions share it, so their
    models must agree (KB_ARTICLE_EMBEDDER with another model's dimensions works on local vectors only)."""
    dimensions = {embedder.dimensions for kind in EMBEDDED.values() if (embedder := get_embedder(kind))}
    if len(dimensions) > 1:
        raise ImproperlyConfigured(
            "On Elasticsearch the articles' and the provisions' models share one vector field: "
            "KB_ARTICLE_EMBEDDER must name a model of KB_EMBEDDER's dimensions."
        )
    return dimensions.pop() if dimensions else None


class ElasticVectors:
    """One kind's vectors on the server, with the two methods search uses of a VectorSet."""

    def __init__(self, backend: KBElasticsearchBackend, model):
        self.backend, self.model = backend, model

    def nearest(self, vector: np.ndarray, limit: int, exclude: frozenset[int] = frozenset()):
        return self.backend.nearest(self.model, vector, limit, exclude_ids=exclude)

    def similarities(self, vector: np.ndarray, ids) -> dict[int, float]:
        return self.backend.similarities(self.model, vector, ids)


class KBElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = KBElasticsearchBackend
