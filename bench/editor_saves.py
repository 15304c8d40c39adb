#!/usr/bin/env python
"""The editor of bench/load.py's mixed load: saves an article every few seconds, as the admin does
(articles.services), and measures how long after each commit an anonymous reader sees the new
title on the article page and in search.

    DJANGO_SETTINGS_MODULE=kb.settings.prod … python bench/editor_saves.py URL SECONDS [EVERY]

Prints one JSON line: the delays in milliseconds (article page, search) and any save not seen
within 10 s.
"""

import json
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from articles import services  # noqa: E402
from articles.models import Article  # noqa: E402

SEEN_WITHIN = 10.0


def seen(url: str, text: str) -> float | None:
    """Seconds until the page at url shows text (polled every 20 ms), None after SEEN_WITHIN."""
    start = time.monotonic()
    while time.monotonic() - start < SEEN_WITHIN:
        with urllib.request.urlopen(url, timeout=10) as response:
            if text in response.read().decode("utf-8", "replace"):
                return time.monotonic() - start
        time.sleep(0.02)
    return None


def main() -> int:
    site, duration = sys.argv[1], float(sys.argv[2])
    every = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    article = Article.objects.published().order_by("-pk").first()
    original = article.title
    page_delays, search_delays, missed = [], [], 0
    deadline = time.monotonic() + duration
    number = 0
    try:
        while time.monotonic() < deadline:
            number += 1
            marker = f"修订{number:03d}号"
            article.title = f"{original[:180]}（{marker}）"
            services.save_article(article=article)  # committed when it returns
            on_page = seen(site + article.get_absolute_url(), marker)
            in_search = seen(site + "/search/?type=articles&q=" + urllib.parse.quote(marker), marker)
            for delays, delay in ((page_delays, on_page), (search_delays, in_search)):
                if delay is None:
                    missed += 1
                else:
                    delays.append(round(delay * 1000, 1))
            time.sleep(max(0.0, every - (on_page or 0) - (in_search or 0)))
    finally:
        article.title = original
        services.save_article(article=article)
    print(json.dumps({"saves": number, "page_ms": page_delays, "search_ms": search_delays, "missed": missed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
