#!/usr/bin/env python
"""Benchmark: a full rebuild of the search index beside the time jieba alone takes to analyze the same texts.

    .venv/bin/python bench/rebuild.py [--rounds 2] [--json var/bench_rebuild.json]

On the configured site (the whole library imported: `make run`, or `make import-corpus`), in turns:
- jieba alone: our word analysis (jieba in search mode with the legal dictionary, stop words
  out) of the text and the heading of every document the index holds, in one process, the
  dictionary loaded beforehand and the texts prepared beforehand (neither counted);
- the rebuild: kb.search.rebuild.build_index into a throw-away folder: reading the database,
  preparing the documents, analyzing (jieba and character pairs) and writing them, with every
  core, as `manage.py rebuild_index` does before it swaps the new index in.
Prints each round, the medians and their ratio beside the target (at most 2).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")

import django  # noqa: E402

django.setup()

from haystack import connections  # noqa: E402

from kb.search.analysis import ensure_dictionary, word_terms  # noqa: E402
from kb.search.rebuild import build_index  # noqa: E402

TARGET_RATIO = 2.0


def prepared_texts() -> list[tuple[str, str]]:
    """(text, heading) of every document, as the search indexes prepare them."""
    texts = []
    for index in connections["default"].get_unified_index().get_indexes().values():
        for obj in index.index_queryset().order_by("pk").iterator(chunk_size=2000):
            prepared = index.full_prepare(obj)
            texts.append((prepared["text"], prepared["heading"]))
    return texts


def jieba_alone(texts: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    for text, heading in texts:
        word_terms(text)
        word_terms(heading)
    return time.perf_counter() - started


def full_build(processes: int | None) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory(prefix="kb-bench-rebuild-") as folder:
        started = time.perf_counter()
        _, documents = build_index(Path(folder) / "index", processes=processes)
        return time.perf_counter() - started, documents


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, help="writing processes (default: one per core, at most 4)")
    parser.add_argument("--json", metavar="OUT", help="write the figures to this file")
    options = parser.parse_args()

    ensure_dictionary()
    texts = prepared_texts()
    print(f"{len(texts):,} documents; {os.cpu_count()} cores", flush=True)
    jieba_times, build_times, documents = [], [], {}
    for round_number in range(1, options.rounds + 1):
        jieba_times.append(jieba_alone(texts))
        seconds, documents = full_build(options.processes)
        build_times.append(seconds)
        print(
            f"round {round_number}: jieba alone {jieba_times[-1]:.1f} s, rebuild {seconds:.1f} s", flush=True
        )
    jieba_median, build_median = statistics.median(jieba_times), statistics.median(build_times)
    ratio = build_median / jieba_median
    print(
        f"median: jieba alone {jieba_median:.1f} s, rebuild {build_median:.1f} s, ratio {ratio:.2f} (target <= {TARGET_RATIO})"
    )
    if options.json:
        Path(options.json).write_text(
            json.dumps(
                {
                    "documents": documents,
                    "jieba_alone_s": jieba_times,
                    "rebuild_s": build_times,
                    "median_ratio": round(ratio, 3),
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
