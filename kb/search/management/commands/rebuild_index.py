"""python manage.py rebuild_index: a new index built beside the live one, then swapped in whole.

Replaces haystack's command of the same name (which empties the live index first, so that
every search finds nothing until it is full again). On a backend other than our Whoosh one
(Elasticsearch) it does what haystack's does: clear_index, then update_index.
"""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from haystack import connections

from kb.search.backend import KBWhooshSearchBackend
from kb.search.rebuild import DEFAULT_BATCH_SIZE, rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database beside the live one and swap it in when complete: "
        "searches go on meanwhile, against the old index."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", default=True,
            help="accepted for compatibility: nothing is deleted before the new index is complete",
        )  # fmt: skip
        parser.add_argument(
            "-u", "--using", default="default", help="the haystack connection (default: default)"
        )
        parser.add_argument(
            "-b", "--batch-size", dest="batchsize", type=int, default=DEFAULT_BATCH_SIZE,
            help=f"documents written at once (default {DEFAULT_BATCH_SIZE})",
        )  # fmt: skip

    def handle(self, *args, using, batchsize, verbosity=1, interactive=True, **options):
        if not isinstance(connections[using].get_backend(), KBWhooshSearchBackend):
            call_command("clear_index", using=[using], interactive=interactive, verbosity=verbosity)
            call_command("update_index", using=[using], batchsize=batchsize, verbosity=verbosity)
            return
        interactive_progress = verbosity >= 1 and sys.stdout.isatty()

        def progress(label, done, total):
            if interactive_progress:
                self.stdout.write(f"\r索引中 {label} {done}/{total}", ending="")
                self.stdout.flush()
            elif verbosity >= 1 and (done == total or done % (batchsize * 10) == 0):
                self.stdout.write(f"索引中 {label} {done}/{total}")

        report = rebuild(using=using, batch_size=batchsize, progress=progress)
        if interactive_progress:
            self.stdout.write("")
        if verbosity >= 1:
            counts = ", ".join(f"{label} {count}" for label, count in report.documents.items())
            self.stdout.write(
                f"Search index rebuilt in {report.seconds:.1f} s ({counts}; {report.caught_up} articles "
                f"changed during the build caught up, {report.removed} removed) and swapped in: {report.folder}"
            )
