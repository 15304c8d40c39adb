#!/usr/bin/env python
"""Benchmark: an editor's preview and save of the longest body an article may hold.

    KB_VAR_DIR=… [DATABASE_URL=…] .venv/bin/python bench/heavy_body.py [--rounds 3]

Runs against the configured site (the whole library imported: `make run`, or bring_up), as one
editor alone on the machine. Two bodies at the limit (articles.markdown.MAX_BODY_CHARS):
- "第一条" × 33,333: a reference on every third character, no law named;
- the seed post (../shared/seed/lawyer-qa-post.txt) pasted again and again: quotes, citations and
  its misquote, hundreds of times.
For each: the live preview (articles.editor.preview, what the change form posts while typing), and
a save of a new draft through the one write path (articles.services.save_article), then the same
article published through it (the publication check renders again on the library as it is).
Prints the median of --rounds for each beside the target (under 3 s), and one JSON line with --json.
The drafts it writes are deleted after.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 3.0
SEED_POST = ROOT.parent / "shared" / "seed" / "lawyer-qa-post.txt"


def bodies(limit: int) -> dict[str, str]:
    found = {"第一条 × 33,333": ("第一条" * 33_333)[:limit]}
    if SEED_POST.exists():
        seed = SEED_POST.read_text(encoding="utf-8")
        found["seed post × N"] = (seed * (limit // len(seed) + 1))[:limit]
    return found


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", metavar="OUT")
    options = parser.parse_args()

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    import django

    django.setup()
    from articles import editor, services
    from articles.markdown import MAX_BODY_CHARS
    from articles.models import Article, Author, Category
    from kb.search import tasks

    category, author = Category.objects.order_by("pk").first(), Author.objects.order_by("pk").first()
    if category is None or author is None:
        sys.exit("no category or author: run `make run` (or bring_up) first")
    results = {}
    for name, body in bodies(MAX_BODY_CHARS).items():
        times = {"preview": [], "save draft": [], "publish": []}
        for _ in range(options.rounds):
            times["preview"].append(timed(lambda body=body: editor.preview(body)))
            article = Article(title=f"长正文测试：{name}", body=body, category=category, author=author)
            with tasks.paused():  # the editor's own time: the index follows in the worker
                times["save draft"].append(
                    timed(lambda article=article: services.save_article(article=article))
                )
                times["publish"].append(
                    timed(
                        lambda article=article: services.publish_article(
                            article=article, override_reason="基准测试"
                        )
                    )
                )
                services.delete_article(article=article)
        results[name] = {step: round(statistics.median(values), 3) for step, values in times.items()}
        for step, median in results[name].items():
            verdict = "met" if median < TARGET_SECONDS else "MISSED"
            print(f"{name:16} {step:11} median {median:6.2f} s  (target {TARGET_SECONDS:.0f} s: {verdict})")
    if options.json:
        Path(options.json).write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
