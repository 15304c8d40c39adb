"""python manage.py backup [-o FILE]: the whole database to one compressed YAML file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from kb.backups.services import backup, default_backup_path


class Command(BaseCommand):
    help = "Write the whole database to a compressed YAML file (default var/backups/kb-<time>.yaml.gz)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="where to write (.yaml.gz)")

    def handle(self, *args, **options):
        path = backup(Path(options["output"]) if options["output"] else default_backup_path())
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size:,} bytes).")
