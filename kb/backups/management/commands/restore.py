"""python manage.py restore FILE: load a backup into a new, migrated database, then rebuild the index."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kb.backups.services import RestoreRefused, restore


class Command(BaseCommand):
    help = (
        "Load a backup made by `manage.py backup` into an empty, migrated database, all or nothing, after "
        "checking its checksum and row counts; then rebuild the search index."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--no-index", action="store_true", help="do not rebuild the search index")

    def handle(self, *args, **options):
        try:
            header = restore(Path(options["path"]))
        except RestoreRefused as error:
            raise CommandError(f"Not restored: {error}") from None
        self.stdout.write(
            f"Database restored: {sum(header['counts'].values()):,} rows, as of {header['created']}."
        )
        if not options["no_index"]:
            # Topics came back with the articles: only the index is derived state.
            call_command("rebuild_index", interactive=False, verbosity=0)
            self.stdout.write("Search index rebuilt.")
