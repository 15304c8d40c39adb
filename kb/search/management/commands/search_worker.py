"""The worker that runs the search tasks (kb.search.tasks): the single writer of the Whoosh index."""

import logging
import signal
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

from kb.search.tasks import TaskResultStatus, interrupted_results, task_backends

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the search tasks queued in the database (django-tasks-db's db_worker), after putting "
        "back in the queue those a previous worker was running when it stopped. Run one at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then stop.")
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between looks (0.5).")

    def handle(self, *args, batch=False, interval=0.5, **options):
        if not isinstance(task_backends["default"], DatabaseBackend):
            # The immediate backend (the tests) runs each task as it is enqueued: none is ever waiting.
            self.stdout.write("The task backend runs tasks as they are enqueued: nothing waits for a worker.")
            return
        # The one worker: a task still "running" is one a worker was killed in the middle of. Every
        # task is idempotent, so it is simply run again.
        requeued = interrupted_results().update(status=TaskResultStatus.READY, started_at=None)
        if requeued:
            self.stdout.write(f"{timezone.now():%H:%M:%S} {requeued} interrupted task(s) queued again.")
        # db_worker installs its own SIGINT/SIGTERM handlers and leaves them: put back the caller's
        # (a test that runs a batch in its own process must not have its signals turned into exits).
        previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.work(batch=batch, interval=interval, verbosity=options["verbosity"])
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def work(self, *, batch: bool, interval: float, verbosity: int) -> None:
        while True:
            try:
                call_command(
                    "db_worker",
                    batch=batch,
                    interval=interval,
                    startup_delay=False,
                    reload=False,
                    verbosity=verbosity,
                )
                return
            except OperationalError as error:
                # The database busy for longer than its timeout (SQLite with many writers): db_worker
                # lets that end it while it takes the next task. Nothing was claimed; look again.
                logger.warning("The task queue could not be read (%s); the worker goes on.", error)
                close_old_connections()
                time.sleep(interval)
