"""The worker that runs the search tasks (kb.search.tasks): the single writer of the Whoosh index."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from kb.search.tasks import TaskResultStatus, interrupted_results


class Command(BaseCommand):
    help = (
        "Run the search tasks queued in the database (django-tasks-db's db_worker), after putting "
        "back in the queue those a previous worker was running when it stopped. Run one at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then stop.")
        parser.add_argument("--interval", type=float, default=0.5, help="Seconds between looks (0.5).")

    def handle(self, *args, batch=False, interval=0.5, **options):
        # The one worker: a task still "running" is one a worker was killed in the middle of. Every
        # task is idempotent, so it is simply run again.
        requeued = interrupted_results().update(status=TaskResultStatus.READY, started_at=None)
        if requeued:
            self.stdout.write(f"{timezone.now():%H:%M:%S} {requeued} interrupted task(s) queued again.")
        call_command(
            "db_worker",
            batch=batch,
            interval=interval,
            startup_delay=False,
            reload=False,
            verbosity=options["verbosity"],
        )
