#!/usr/bin/env python
"""Benchmark: the whole statute corpus imported into an empty database.

    .venv/bin/python bench/import_statutes.py [--corpus ../shared/data/laws] [--runs 3]

Runs against a throw-away SQLite database (or DATABASE_URL if you set KB_BENCH_DATABASE_URL),
never the site's own. Prints, for each run and as medians measured side by side in
this one process:
  parse only   reading and parsing every file, no database (the floor)
  fresh import an empty library to the full one
  re-import    the same corpus again, which must change nothing
and compares the fresh import with the 60 s target of issue 2.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "data" / "laws"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"No corpus at {corpus}: pass --corpus PATH.", file=sys.stderr)
        return 2

    workdir = tempfile.mkdtemp(prefix="kb-bench-import-")
    os.environ["DATABASE_URL"] = os.environ.get("KB_BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kb.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from statutes.importer import collect_files, import_statutes
    from statutes.models import Law, Provision
    from statutes.parser import parse_file

    call_command("migrate", verbosity=0)
    files = collect_files(corpus)
    rows = []
    for run in range(1, args.runs + 1):
        Law.objects.all().delete()
        started = time.perf_counter()
        for path in files:
            parse_file(path)
        parse_seconds = time.perf_counter() - started

        started = time.perf_counter()
        fresh = import_statutes(corpus)
        fresh_seconds = time.perf_counter() - started

        started = time.perf_counter()
        again = import_statutes(corpus)
        again_seconds = time.perf_counter() - started
        if fresh.skipped:
            print(f"WARNING: {len(fresh.skipped)} files skipped: {fresh.skipped[:3]}", file=sys.stderr)
        if again.changed:
            print("ERROR: the second import changed something", file=sys.stderr)
            return 1
        rows.append((parse_seconds, fresh_seconds, again_seconds))
        print(
            f"run {run}: parse only {parse_seconds:6.2f} s | fresh import {fresh_seconds:6.2f} s | "
            f"re-import {again_seconds:6.2f} s (changed nothing)"
        )

    parse_median, fresh_median, again_median = (
        statistics.median(column) for column in zip(*rows, strict=True)
    )
    print()
    print(f"corpus: {corpus} ({len(files)} files)")
    print(f"library: {Law.objects.count():,} law versions, {Provision.objects.count():,} provisions")
    print(f"database: {django.db.connection.vendor}")
    print(f"median of {len(rows)} runs:")
    print(f"  parse only    {parse_median:6.2f} s")
    print(f"  fresh import  {fresh_median:6.2f} s  ({fresh_median / parse_median:.1f}x parse only)")
    print(f"  re-import     {again_median:6.2f} s  ({again_median / parse_median:.1f}x parse only)")
    verdict = "within" if fresh_median < TARGET_SECONDS else "OVER"
    print(
        f"target: fresh import under {TARGET_SECONDS:.0f} s -> {verdict} ({fresh_median / TARGET_SECONDS:.0%} of it)"
    )
    return 0 if fresh_median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
