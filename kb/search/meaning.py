"""Search by meaning, fused with search by words.

Words find a provision that says what the reader typed; a reader rarely types what a provision says
(网贷逾期会爆通讯录吗 / 个人信息、催收). The question's vector (kb.search.embedding) brings three
rankings of provisions, fused by reciprocal rank:

- words: the lexical system as it was (its own words and the evidence of the answers they find,
  kb.search.evidence);
- the bridge: the provisions cited by the published answers nearest the question in meaning,
  each answer weighing by its nearness: what lawyers cited for questions like this one;
- the re-rank: the lexical system's first RERANK_DEPTH provisions, ordered by their own nearness to
  the question;
- and, weighing less, the provisions nearest the question in the whole library (found by meaning
  alone, which by itself ranks worse than words: see the benchmark).

    score(p) = Σ over the rankings r holding p among their first DEPTH of weight_r / (RRF_K + rank_r(p))

The provisions no ranking holds among its first places keep the lexical order after them. A
citation query (民法典第1032条) is not fused: the cited provision leads as before.

The same nearness judges whether the knowledge base holds an answer at all (answered()): no
answer near the question and no provision near it means nothing here answers it. How near is near
depends on the model (a cosine of 0.8 is far for e5, near for the Universal Sentence Encoder): the
thresholds are the model's.

The answers and the provisions may have models of their own (kb.search.embedding): the question is
then embedded by each, and compared with each kind's vectors by that kind's vector of it.

The weights and thresholds were set on the dev questions (bench_search, each question's own answer
left out) and bench/data/off_topic_questions.txt; docs/search.md has the figures.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from haystack import connections

from articles.models import Article
from statutes.models import Provision

from . import vectors
from .embedding import MultilingualE5Small, UniversalSentenceEncoder, get_embedder, question_vector
from .evidence import cited_by_nearest

BRIDGE_NEIGHBOURS = 30
DEPTH = 100
RRF_K = 1.0
WEIGHTS = {"words": 1.5, "bridge": 1.0, "rerank": 1.0, "nearest": 0.5}
# Nothing here answers a question when no answer is this near it (cosine) and no provision this near,
# by the model of each kind (another model: the Universal Sentence Encoder's). bench_search, 4 Dec 2026:
# USE for both: 2.0 % of the dev questions, 97.2 % of the off-topic ones (answers' thresholds 0.32-0.50
# meet both targets); e5 for the answers, USE for the provisions: 1.5 % and 97.2 % (0.87-0.91 meet them).
ANSWER_COSINE = {UniversalSentenceEncoder.name: 0.40, MultilingualE5Small.name: 0.88}
# e5 for the whole library was not measured (about 2.3 CPU-hours to embed it): its value is the
# answers' one, on e5's scale of cosines, until it is.
PROVISION_COSINE = {UniversalSentenceEncoder.name: 0.45, MultilingualE5Small.name: 0.88}


@dataclass
class Meaning:
    """What the question's vector says: the nearest published answers and what they cite."""

    vector: np.ndarray  # the question by the provisions' model
    nearest_articles: list[tuple[int, float]] = field(default_factory=list)
    nearest_provisions: list[tuple[int, float]] = field(default_factory=list)  # of current laws
    # provision id → bridge score, and the nearest answers citing it (nearest first)
    bridge: dict[int, float] = field(default_factory=dict)
    cited_by: dict[int, list[int]] = field(default_factory=dict)
    article_model: str = ""  # the articles' model (its name), when they have vectors
    provision_model: str = ""

    @property
    def best_article_cosine(self) -> float:
        return self.nearest_articles[0][1] if self.nearest_articles else 0.0

    @property
    def best_provision_cosine(self) -> float:
        return self.nearest_provisions[0][1] if self.nearest_provisions else 0.0


def vector_source(kind: str):
    """The kind's vectors as search uses them (nearest, similarities): the local snapshots, or, on a
    search server that indexes them (kb.search.elasticsearch_backend), the server's; None without."""
    local = vectors.current(kind)
    if local is not None:
        return local
    backend = connections["default"].get_backend()
    if hasattr(backend, "nearest") and get_embedder(kind) is not None:
        from .elasticsearch_backend import ElasticVectors  # only where the client is installed

        return ElasticVectors(backend, Provision if kind == vectors.PROVISIONS else Article)
    return None


def understand(text: str, *, exclude_articles: frozenset[int] = frozenset()) -> Meaning | None:
    """The question's meaning against the articles' vectors; None while they are not built (or off)."""
    provisions = vector_source(vectors.PROVISIONS)
    if provisions is None:
        return None
    vector = question_vector(text, vectors.PROVISIONS)
    if vector is None:
        return None
    articles = vector_source(vectors.ARTICLES)
    nearest = []
    if articles is not None:
        nearest = articles.nearest(
            question_vector(text, vectors.ARTICLES), BRIDGE_NEIGHBOURS, exclude=exclude_articles
        )
    meaning = Meaning(
        vector=vector,
        nearest_articles=nearest,
        nearest_provisions=provisions.nearest(vector, DEPTH),
        article_model=get_embedder(vectors.ARTICLES).name if articles is not None else "",
        provision_model=get_embedder(vectors.PROVISIONS).name,
    )
    if nearest:  # the bridge: each answer's citations weigh as near as the answer is
        meaning.bridge, meaning.cited_by = cited_by_nearest(
            [(pk, max(cosine, 0.0)) for pk, cosine in nearest]
        )
    return meaning


def fuse(words: list[int], meaning: Meaning, allowed: set[int]) -> list[int]:
    """One ranking of provision ids from the lexical ranking (best first) and the question's meaning.

    allowed: of the provisions meaning brings (the bridge's, the nearest), those that pass the
    search's filters (current law, level); the lexical ranking has passed them already.
    """
    rankings: dict[str, list[int]] = {
        "words": words,
        "bridge": sorted((pk for pk in meaning.bridge if pk in allowed), key=lambda pk: -meaning.bridge[pk]),
        "nearest": [pk for pk, _ in meaning.nearest_provisions if pk in allowed],
    }
    provisions = vector_source(vectors.PROVISIONS)
    if provisions is not None:
        nearness = provisions.similarities(meaning.vector, words[:DEPTH])
        rankings["rerank"] = sorted(nearness, key=lambda pk: -nearness[pk])
    return reciprocal_rank_fusion(rankings, words)


def reciprocal_rank_fusion(rankings: dict[str, list[int]], words: list[int]) -> list[int]:
    """The rankings' ids by Σ weight / (RRF_K + rank), ties in the lexical order; then the rest of it."""
    scores: dict[int, float] = defaultdict(float)
    for name, ranking in rankings.items():
        for rank, pk in enumerate(ranking[:DEPTH]):
            scores[pk] += WEIGHTS[name] / (RRF_K + rank + 1)
    position = {pk: rank for rank, pk in enumerate(words)}
    fused = sorted(scores, key=lambda pk: (-scores[pk], position.get(pk, len(position)), pk))
    chosen = set(fused)
    return fused + [pk for pk in words if pk not in chosen]


def fuse_articles(words: list[int], meaning: Meaning, visible: set[int] | None = None) -> list[int]:
    """Articles ranked by words and by nearness in meaning, by reciprocal rank."""
    near = [pk for pk, _ in meaning.nearest_articles if visible is None or pk in visible]
    return reciprocal_rank_fusion({"words": words, "nearest": near}, words)


def answered(meaning: Meaning | None) -> bool | None:
    """Whether anything here is about the question: None when meaning cannot judge (not built)."""
    if meaning is None or not (meaning.nearest_articles or meaning.nearest_provisions):
        return None  # nothing to compare with (a search server without vectors yet): no judgement
    return meaning.best_article_cosine >= threshold(
        ANSWER_COSINE, meaning.article_model
    ) or meaning.best_provision_cosine >= threshold(PROVISION_COSINE, meaning.provision_model)


def threshold(thresholds: dict[str, float], model: str) -> float:
    """The model's threshold; a model without one of its own (a test's) has the default model's."""
    return thresholds.get(model, thresholds[UniversalSentenceEncoder.name])
