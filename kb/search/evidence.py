"""What the knowledge base's own answers say about a question: the provisions that answers to similar questions cite.

A reader's question is matched against the published articles (their questions and answers,
with the same analysis and expansions as any search); the provisions the nearest articles cite
are evidence for those provisions, the nearest weighing most (1, 1/2, 1/3 …). The evidence is
added to the direct ranking of provisions (their own words against the question):

    score = direct / best direct + EVIDENCE_WEIGHT × confidence × evidence / most evidence

confidence says how much the nearest article resembles the question (its score against what a
document holding every term once would score), up to 1; below MIN_SIMILARITY no article resembles
the question and the direct ranking stays exactly as it is. Nothing is trained: a new, edited, unpublished or deleted
article changes the evidence at its next index update; drafts and scheduled articles never count.

An answer to the very question asked (its title shares most words with it) is stronger still:
what it cites comes first, in its order.

The weights were set on the benchmark's questions with each question's own answer left out
(bench_search); see the README for the figures.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from articles.models import Article, Citation
from statutes.models import Law, Provision

from .analysis import stopwords, whole_words
from .engine import Filters, Ranked
from .query import WORD_FIELD, Term

NEIGHBOURS = 20
CANDIDATES = 300  # provisions of the direct ranking that evidence may reorder
EVIDENCE_WEIGHT = 0.75
FULL_CONFIDENCE = 1.2
MIN_SIMILARITY = 0.2
SAME_QUESTION = 0.6  # the share of their words a title and a question have in common to be the same question
ARTICLE_PRIOR = 1.5  # the articles' prior in the index (search_indexes.ArticleIndex)


@dataclass
class Evidence:
    """Provision id → evidence (0..1, relative to the best), and the nearest articles citing each.

    answered: what the answers to the very same question cite, in their order: it comes first.
    """

    scores: dict[int, float] = field(default_factory=dict)
    cited_by: dict[int, list[int]] = field(default_factory=dict)
    confidence: float = 0.0
    answered: list[int] = field(default_factory=list)


def best_possible(terms: list[Term], statistics, words: list[str] = ()) -> float:
    """What a document holding each term once would score: the yardstick of similarity.

    words: the question's words; those the index does not know count as the rarest terms would,
    so that a question that is mostly about something no document mentions resembles nothing.
    """
    if statistics is None:
        return 0.0
    count = statistics.document_count
    total = 0.0
    for term in terms:
        frequency = statistics.document_frequency(term.field, term.text)
        if frequency:
            total += (math.log(count / (frequency + 1)) + 1) * term.weight
    unknown = [
        word
        for word in dict.fromkeys(words)
        if len(word) > 1 and not statistics.document_frequency(WORD_FIELD, word)
    ]
    total += len(unknown) * (math.log(count) + 1)
    return total * ARTICLE_PRIOR


def gather(
    engine, terms: list[Term], statistics, *, question: str = "", words=(), exclude_articles=frozenset()
) -> Evidence:
    """The evidence the published articles nearest to the question give (words: the question's words)."""
    nearest = engine.rank(Article, terms, Filters(exclude_ids=frozenset(exclude_articles)), limit=NEIGHBOURS)
    if not nearest.ids:
        return Evidence()
    ceiling = best_possible(terms, statistics, words)
    similarity = nearest.scores[0] / ceiling if ceiling else FULL_CONFIDENCE
    if similarity < MIN_SIMILARITY:  # no answer resembles the question: nothing to learn from
        return Evidence()
    confidence = min(1.0, similarity / FULL_CONFIDENCE)
    scores, cited_by = cited_by_nearest([(pk, 1 / (rank + 1)) for rank, pk in enumerate(nearest.ids)])
    if not scores:  # the nearest articles cite nothing
        return Evidence()
    best = max(scores.values())
    answered = []
    for article_id in same_question(question, nearest.ids):
        for provision_id, article_ids in cited_by.items():
            if article_id in article_ids and provision_id not in answered:
                answered.append(provision_id)
    return Evidence(
        scores={pk: score / best for pk, score in scores.items()},
        cited_by=cited_by,
        confidence=confidence,
        answered=answered,
    )


def cited_by_nearest(nearest: list[tuple[int, float]]) -> tuple[dict[int, float], dict[int, list[int]]]:
    """What the nearest articles cite: provision id → the sum of the citing articles' weights, and
    provision id → those articles, nearest first. nearest: (article id, weight), nearest first."""
    weight_of = dict(nearest)
    rank_of = {article_id: rank for rank, (article_id, _) in enumerate(nearest)}
    scores: dict[int, float] = defaultdict(float)
    cited_by: dict[int, list[int]] = defaultdict(list)
    citations = Citation.objects.filter(article_id__in=list(weight_of)).values_list(
        "article_id", "provision_id"
    )
    # Each pair once, in each article's own order of citations (what an answer cites first comes first).
    for article_id, provision_id in sorted(dict.fromkeys(citations), key=lambda row: rank_of[row[0]]):
        scores[provision_id] += weight_of[article_id]
        cited_by[provision_id].append(article_id)
    return dict(scores), dict(cited_by)


def question_words(text: str) -> set[str]:
    stop = stopwords()
    return {word for word, _, _ in whole_words(text) if len(word) > 1 and word not in stop}


def same_question(question: str, article_ids: list[int]) -> list[int]:
    """Those of the articles whose title asks the question itself: most of their words are shared
    (SAME_QUESTION of all the words of both, as jieba cuts them)."""
    asked = question_words(question)
    if not asked:
        return []
    titles = dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "title"))
    found = []
    for article_id in article_ids:
        words = question_words(titles.get(article_id, ""))
        if words and len(asked & words) / len(asked | words) >= SAME_QUESTION:
            found.append(article_id)
    return found


def fuse(direct: Ranked, evidence: Evidence, allowed: set[int]) -> list[tuple[int, float]]:
    """Direct ranking and evidence as one ranking: (provision id, score), best first.

    allowed: the evidence's provisions that pass the search's filters (current law, level).
    """
    top = direct.scores[0] if direct.scores else 0.0
    if top > 0:
        fused = {pk: score / top for pk, score in zip(direct.ids, direct.scores, strict=True)}
    else:  # a backend that ranks without scores: its order, from 1 down
        fused = {pk: 1 - rank / len(direct.ids) for rank, pk in enumerate(direct.ids)}
    weight = EVIDENCE_WEIGHT * evidence.confidence
    for pk, score in evidence.scores.items():
        if pk in allowed:
            fused[pk] = fused.get(pk, 0.0) + weight * score
    position = {pk: rank for rank, pk in enumerate(direct.ids)}
    ranking = sorted(
        fused.items(), key=lambda item: (-item[1], position.get(item[0], len(position)), item[0])
    )
    first = [pk for pk in evidence.answered if pk in allowed]
    if not first:
        return ranking
    # The same question answered already: what its answer cites comes first, in that answer's order.
    lead = ranking[0][1] if ranking else 0.0
    chosen = set(first)
    return [(pk, lead + len(first) - rank) for rank, pk in enumerate(first)] + [
        item for item in ranking if item[0] not in chosen
    ]


def allowed_provisions(provision_ids, *, current_law_only: bool, level: str) -> set[int]:
    """Those of the provisions that the search's filters let through."""
    provisions = Provision.objects.filter(pk__in=list(provision_ids))
    if current_law_only:
        provisions = provisions.filter(law__in=Law.objects.in_force())
    if level:
        provisions = provisions.filter(law__level=level)
    return set(provisions.values_list("pk", flat=True))
