#!/usr/bin/env python
"""Benchmark: the provisions import_posts suggests (kb.search.suggestions), on the real site's data.

    .venv/bin/python bench/post_suggestions.py [--posts 200]

Each imported LeCoQA answer (articles whose import key starts with lecoqa:) stands for a legacy post
on its question: its title is the question, its body the answer, its citations the known ones. For
the first --posts of them it takes what import_posts would suggest: what the finder resolves in the
body, then SUGGESTIONS provisions from kb.search.suggestions (the question's evidence fused with the
answer's opening words, with the answer itself left out of the evidence, as a post on a question the
site does not answer yet); beside it, the finder's and the same number of provisions from what the
change form suggested before (the statute search for the opening words, as topics are computed) and
from the question alone. Prints the share of the known citations each gets right.
Needs the site's database and index (make run).
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=200)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    import django

    django.setup()
    from articles.legacy_posts import SUGGESTIONS
    from articles.markdown import plain_text
    from articles.models import Article
    from kb.search.query import MAX_QUERY_LENGTH, understand
    from kb.search.selectors import search_provisions
    from kb.search.suggestions import provisions_for

    answers = Article.objects.filter(import_key__startswith="lecoqa:").order_by("pk")[: options.posts]
    known_total = 0
    right = {
        "finder": 0,
        "import_posts (question + opening words)": 0,
        "opening words": 0,
        "question alone": 0,
    }
    for answer in answers:
        known = set(answer.citations.values_list("provision_id", flat=True))
        if not known:
            continue
        finder = answer.found_provision_ids
        opening = plain_text(answer.body_html)

        def with_finder(ranked, finder=finder):
            return set(finder) | set([pk for pk in ranked if pk not in finder][:SUGGESTIONS])

        def ranked(question, words, answer=answer):
            return [
                provision.pk for provision in provisions_for(question, words, exclude_articles={answer.pk})
            ]

        text = f"{answer.title} {opening}"[:MAX_QUERY_LENGTH]
        topics = search_provisions(understand(text), limit=2 * SUGGESTIONS, exclude_articles={answer.pk}).hits
        known_total += len(known)
        right["finder"] += len(known & set(finder))
        right["import_posts (question + opening words)"] += len(
            known & with_finder(ranked(answer.title, opening))
        )
        right["opening words"] += len(known & with_finder([hit.object.pk for hit in topics]))
        right["question alone"] += len(known & with_finder(ranked(answer.title, "")))
    print(
        f"posts: {len(answers)}, known citations: {known_total}, suggested besides the finder's: {SUGGESTIONS}"
    )
    for name, count in right.items():
        print(f"share right, {name}: {count / known_total:.3f}")


if __name__ == "__main__":
    main()
