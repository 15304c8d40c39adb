"""python manage.py build_vectors: every vector search by meaning uses, built now (re-runnable).

Texts embedded before are taken from the cache (kb.search.vectors), so a second run, or one after
an import that changed a few provisions, embeds only what is new. bring_up leaves this to the
search worker (the site answers by words meanwhile); run it by hand after changing the model.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from kb import reader_cache
from kb.search import vectors
from kb.search.embedding import get_embedder
from statutes.progress import Progress

LABELS = {"provisions": "法条", "articles": "文章"}


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
            progress = Progress(self.stdout, f"语义向量：{LABELS[what]}", verbosity=verbosity)
            count = vectors.build(what, progress=progress)
            progress.finish()
            if verbosity >= 1:
                self.stdout.write(
                    f"{what}: {count:,} vectors ({embedder.name}) in {time.monotonic() - started:.1f} s."
                )
        reader_cache.content_changed()
