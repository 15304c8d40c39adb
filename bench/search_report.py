#!/usr/bin/env python
"""Benchmark: the editors' search report (kb.search.insight.search_report) at many recorded searches.

    .venv/bin/python bench/search_report.py [--records 100000] [--queries 13000] [--rounds 5]

Builds a throw-away SQLite database (or uses DATABASE_URL's server, in a database of its own, if it
is PostgreSQL), records --records searches of --queries distinct questions spread over 90 days (a
few questions asked often, most asked rarely, as readers do), then times the report for each period
the admin offers (today, 7, 30, 90 days, all time). Prints the median of --rounds for each, beside the
target: under 1 s at 100,000 recorded searches.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=13_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="kb-bench-report-")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/db.sqlite3"
    os.environ["KB_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from django.utils import timezone

    from kb.search import insight
    from kb.search.models import SearchRecord

    # A database of its own (test_… on a server), migrated, removed at the end.
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("migrate", verbosity=0)
        random.seed(7)
        now = timezone.now()
        weights = [1 / (rank + 1) for rank in range(options.queries)]  # Zipf: few often, most rarely
        asked = random.choices(range(options.queries), weights=weights, k=options.records)
        rows = [
            SearchRecord(
                query=f"读者的问题{number}号：网贷逾期会不会爆通讯录",
                articles_found=number % 4,
                provisions_found=number % 17,
                searched_at=now - datetime.timedelta(seconds=random.uniform(0, 90 * 86400)),
            )
            for number in asked
        ]
        started = time.perf_counter()
        SearchRecord.objects.bulk_create(rows, batch_size=5000)
        print(
            f"{options.records:,} searches of {len(set(asked)):,} questions recorded in "
            f"{time.perf_counter() - started:.1f} s ({connection.vendor})",
            flush=True,
        )
        figures = {}
        for period in insight.PERIODS:
            times = []
            for _ in range(options.rounds):
                started = time.perf_counter()
                report = insight.search_report(insight.period_start(period))
                len(report.frequent), len(report.unanswered), len(report.few)
                times.append(time.perf_counter() - started)
            figures[period] = statistics.median(times)
            print(
                f"period {insight.PERIODS[period]:<10} {report.searches:>8,} searches "
                f"{report.distinct_queries:>7,} questions   median {figures[period] * 1000:8.1f} ms",
                flush=True,
            )
        worst = max(figures.values())
        verdict = "met" if worst < TARGET_SECONDS else "MISSED"
        print(
            f"slowest period: {worst * 1000:.1f} ms (target under {TARGET_SECONDS * 1000:.0f} ms: {verdict})"
        )
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
