"""python manage.py import_statutes PATH: import a statute corpus folder or one file."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from statutes.importer import import_statutes


class Command(BaseCommand):
    help = (
        "Import statutes in the LawRefBook Markdown format (../shared/data/laws): a whole folder, "
        "with its db.sqlite3 index when present, or one file. Safe to run again: it changes only what differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a corpus folder or one .md file")

    def handle(self, *args, path, verbosity=1, **options):
        started = time.monotonic()
        show_progress = verbosity >= 1
        interactive = show_progress and sys.stdout.isatty()

        def progress(done, total, title):
            if verbosity >= 2:
                self.stdout.write(f"[{done}/{total}] {title}")
            elif interactive:
                self.stdout.write(f"\r导入中 {done}/{total} 部法律法规", ending="")
                self.stdout.flush()
            elif show_progress and (done % 250 == 0 or done == total):
                self.stdout.write(f"导入中 {done}/{total} 部法律法规")

        try:
            report = import_statutes(path, progress=progress)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from None
        if interactive:
            self.stdout.write("")
        elapsed = time.monotonic() - started

        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            f"Files read: {report.files}. "
            f"Laws: {report.laws} (created {report.laws_created}, updated {report.laws_updated}, "
            f"unchanged {report.laws_unchanged}). "
            f"Provisions: {report.provisions} (created {report.provisions_created}, "
            f"updated {report.provisions_updated}, unchanged {report.provisions_unchanged}, "
            f"deleted {report.provisions_deleted})."
        )
        if report.duplicates:
            self.stdout.write(f"Duplicate copies skipped: {len(report.duplicates)}")
            for skipped, kept in report.duplicates:
                self.stdout.write(f"  {skipped} (same version as {kept})")
        if report.skipped:
            self.stdout.write(self.style.WARNING(f"Files skipped: {len(report.skipped)}"))
            for file, reason in report.skipped:
                self.stdout.write(self.style.WARNING(f"  {file}: {reason}"))
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Nothing changed: the library was up to date ({elapsed:.1f} s).")
            )
