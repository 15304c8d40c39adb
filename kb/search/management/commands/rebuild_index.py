"""python manage.py rebuild_index: a new index built beside the live one, then swapped in whole.

Replaces haystack's command of the same name (which empties the live index first, so that
every search finds nothing until it is full again). On a backend other than our Whoosh one
(Elasticsearch) it does what haystack's does: clear_index, then update_index.
"""

import contextlib
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from haystack import connections

from kb.search.backend import KBWhooshSearchBackend
from kb.search.rebuild import DEFAULT_BATCH_SIZE, rebuild
from statutes.progress import Progress

KINDS = {"articles.article": "文章", "statutes.provision": "法条"}
TIMINGS_FILE = "rebuild_timings.json"
# The commit's time as a share of the documents' sending, on a fresh 2-core machine.
FIRST_COMMIT_PER_SENDING = 0.5


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
        bars = {}

        def progress(label, done, total):
            if label not in bars:
                bars[label] = Progress(
                    self.stdout, f"建立索引：{KINDS.get(label, label)}", verbosity=verbosity
                )
            bars[label](done, total)

        report = rebuild(
            using=using, batch_size=batchsize, progress=progress, committing=self.committing(verbosity)
        )
        if verbosity >= 1:
            counts = ", ".join(f"{label} {count}" for label, count in report.documents.items())
            self.stdout.write(
                f"Search index rebuilt in {report.seconds:.1f} s ({counts}; {report.caught_up} articles "
                f"changed during the build caught up, {report.removed} removed) and swapped in: {report.folder}"
            )

    def committing(self, verbosity: int):
        """The commit's heartbeat: the writing processes finish their segments, with nothing to count.

        Its ETA comes from how long the last commit took beside the documents' sending (kept in
        var/), or, on a first run, from the share measured on a 2-core machine.
        """
        started = time.monotonic()
        timings_path = Path(settings.VAR_DIR) / TIMINGS_FILE

        @contextlib.contextmanager
        def heartbeat():
            sending = time.monotonic() - started
            try:
                ratio = float(json.loads(timings_path.read_text())["commit_per_sending"])
            except (OSError, ValueError, KeyError, TypeError):
                ratio = FIRST_COMMIT_PER_SENDING
            committed = time.monotonic()
            waiting = Progress(self.stdout, "建立索引", verbosity=verbosity).waiting(
                "各进程分析文本、写入索引段", expected=ratio * sending
            )
            with waiting:
                yield
            if sending > 1:
                timings_path.parent.mkdir(parents=True, exist_ok=True)
                timings_path.write_text(
                    json.dumps({"commit_per_sending": (time.monotonic() - committed) / sending})
                )

        return heartbeat
