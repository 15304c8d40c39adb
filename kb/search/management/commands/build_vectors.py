"""python manage.py build_vectors: every vector search by meaning uses, built now (re-runnable).

Texts embedded before are taken from the cache (kb.search.vectors), so a second run, or one after
an import that changed a few provisions, embeds only what is new. bring_up leaves this to the
search worker (the site answers by words meanwhile); run it by hand after changing the model.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from kb import reader_cache
from kb.search import vectors
from kb.search.embedding import get_embedder


class Command(BaseCommand):
    help = "Build the vectors of search by meaning (provisions of current laws, published articles)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind", choices=vectors.KINDS, action="append", help="Only this kind (repeatable)."
        )

    def handle(self, *args, kind=None, verbosity=1, **options):
        embedder = get_embedder()
        if embedder is None:
            raise CommandError("Search by meaning is off (KB_EMBEDDER is empty): there is nothing to build.")
        for what in kind or vectors.KINDS:
            embedder = get_embedder(what)
            started = time.monotonic()
            count = vectors.build(what, progress=self.progress_bar(what, started, verbosity))
            if verbosity >= 1:
                self.stdout.write(
                    f"\r{what}: {count:,} vectors ({embedder.name}) in {time.monotonic() - started:.1f} s."
                    + " " * 20
                )
        reader_cache.content_changed()

    def progress_bar(self, what: str, started: float, verbosity: int):
        interactive = verbosity >= 1 and sys.stdout.isatty()
        shown = {"at": 0.0}

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if not interactive or (now - shown["at"] < 0.5 and done < total):
                return
            shown["at"] = now
            share = done / total if total else 1.0
            elapsed = now - started
            left = f"，约 {elapsed / share - elapsed:.0f} 秒后完成" if 0 < share < 1 else ""
            bar = "#" * int(share * 30)
            self.stdout.write(f"\r{what} [{bar:<30}] {done:,}/{total:,}{left}   ", ending="")
            self.stdout.flush()

        return progress
