#!/usr/bin/env python
"""Benchmark: the whole statute corpus imported into an empty database.

    .venv/bin/python bench/import_statutes.py [--corpus ../shared/data/laws] [--runs 3]

Runs against a throw-away SQLite database (or DATABASE_URL if you set KB_BENCH_DATABASE_URL),
never the site's own. Prints, for each run and as medians measured side by side in
this one process:
  parse only   reading and parsing every file, no database (the floor)
  fresh import an empty library to the full one
  re-import    the same corpus again, which must change nothing
  update       a copy of the corpus with about 1 % of its provisions reworded (every hundredth),
               imported over it: an update, with its report (issue 23), then the original again
and compares the fresh import with the 60 s target of issue 2, and the update with the no-change
re-import (target: at most 2x).
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
UPDATE_TARGET_RATIO = 2.0
PROVISION_LINE_RE = re.compile(r"^第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?\s")
REWORDED = "（基准测试改写）"


def reworded_copy(corpus: Path, folder: Path, every: int = 100) -> int:
    """The corpus copied to folder with every `every`-th provision reworded; how many were."""
    shutil.copytree(corpus, folder)
    count = seen = 0
    for path in sorted(folder.rglob("*.md")):
        lines = path.read_text(encoding="utf-8-sig").split("\n")
        touched = False
        for number, line in enumerate(lines):
            if PROVISION_LINE_RE.match(line):
                seen += 1
                if seen % every == 0:
                    lines[number] = line + REWORDED
                    count += 1
                    touched = True
        if touched:
            path.write_text("\n".join(lines), encoding="utf-8")
    return count


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
    changed_corpus = Path(workdir) / "laws-reworded"
    reworded = reworded_copy(corpus, changed_corpus)
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
        started = time.perf_counter()
        update = import_statutes(changed_corpus)
        update_seconds = time.perf_counter() - started
        import_statutes(corpus)  # back to the original for the next run (an update too, not timed)
        reported = update.library_import.summary["provisions_changed"]
        if not reported:
            print("ERROR: the update reported no change", file=sys.stderr)
            return 1
        if fresh.skipped:
            print(f"WARNING: {len(fresh.skipped)} files skipped: {fresh.skipped[:3]}", file=sys.stderr)
        if again.changed:
            print("ERROR: the second import changed something", file=sys.stderr)
            return 1
        rows.append((parse_seconds, fresh_seconds, again_seconds, update_seconds))
        print(
            f"run {run}: parse only {parse_seconds:6.2f} s | fresh import {fresh_seconds:6.2f} s | "
            f"re-import {again_seconds:6.2f} s (changed nothing) | update {update_seconds:6.2f} s "
            f"({reworded} provisions reworded in the files, {reported} changes reported in current texts)"
        )

    parse_median, fresh_median, again_median, update_median = (
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
    ratio = update_median / again_median
    print(
        f"  update        {update_median:6.2f} s  ({ratio:.2f}x the re-import; target at most {UPDATE_TARGET_RATIO:.0f}x)"
    )
    verdict = "within" if fresh_median < TARGET_SECONDS else "OVER"
    print(
        f"target: fresh import under {TARGET_SECONDS:.0f} s -> {verdict} ({fresh_median / TARGET_SECONDS:.0%} of it)"
    )
    return 0 if fresh_median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
