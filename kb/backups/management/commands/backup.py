"""python manage.py backup [-o FILE]: one consistent snapshot of the whole database, compressed."""

from pathlib import Path

from django.core.management.base import BaseCommand

from kb.backups.services import backup, default_backup_path


class Command(BaseCommand):
    help = (
        "Write one consistent snapshot of the whole database to a compressed YAML file readable by its "
        "owner only (default var/backups/kb-<time>.yaml.gz), with the row count of every model and a checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="where to write (.yaml.gz); an existing file is replaced")

    def handle(self, *args, **options):
        path = Path(options["output"]) if options["output"] else default_backup_path()
        header = backup(path)
        rows = sum(header["counts"].values())
        self.stdout.write(
            f"Backup written to {path} ({path.stat().st_size:,} bytes, {rows:,} rows of "
            f"{len(header['counts'])} models, sha256 {header['sha256'][:12]}…)."
        )
