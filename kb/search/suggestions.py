"""The provisions an imported post should cite, as the search's evidence ranks them (for import_posts).

Two rankings of the statute search (selectors.search_provisions, which lifts what the published
answers nearest to a query cite: kb.search.evidence), fused by reciprocal rank:
- the post's question (its title): the answers to similar questions and what they cite;
- the question with the post's own words after it: for the post as a whole its answer's opening (the
  query an article's topics are found with), for one reference the passage it quotes in words the
  library cannot place word for word.
With a law named, only that law's provisions (its current version's) are kept.

Measured on posts whose citations are known (tests/search/test_post_suggestions.py, and
bench/post_suggestions.py on the LeCoQA answers): the question alone misses what an answer's words
name; the opening words alone rank the loan provisions first for every post that opens with 网贷,
逾期, 借款; fused, each makes up for the other.
"""

from statutes.models import Law, Provision

from .query import MAX_QUERY_LENGTH, understand
from .selectors import search_provisions

LIMIT = 10
IN_ONE_LAW = 60  # candidates of each ranking looked through for a provision of the law the post names
FUSION_K = 10  # reciprocal rank fusion: 1 / (FUSION_K + rank)


def provisions_for(
    question: str, passage: str = "", law: Law | None = None, *, exclude_articles=frozenset()
) -> list[Provision]:
    """Provisions to cite for a post's question and its own words (passage), best first; with a law,
    only that law's. exclude_articles: articles whose citations must not count as evidence (the
    benchmark leaves a question's own answer out)."""
    limit = LIMIT if law is None else IN_ONE_LAW
    scores: dict[int, float] = {}
    found: dict[int, Provision] = {}
    for text in (question, f"{question} {passage}" if passage else ""):
        text = " ".join(text.split())[:MAX_QUERY_LENGTH]
        if not text:
            continue
        hits = search_provisions(
            understand(text), limit=limit, exclude_articles=frozenset(exclude_articles)
        ).hits
        for rank, hit in enumerate(hits):
            if law is not None and hit.object.law.title != law.title:
                continue
            found[hit.object.pk] = hit.object
            scores[hit.object.pk] = scores.get(hit.object.pk, 0.0) + 1 / (FUSION_K + rank)
    return [found[pk] for pk in sorted(scores, key=lambda pk: -scores[pk])][:LIMIT]
