"""python manage.py import_statutes PATH: import a statute corpus folder or one file."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from statutes.importer import import_statutes


class Command(BaseCommand):
    help = (
        "Import statutes in the LawRefBook Markdown format (../shared/data/laws): a whole folder, "
        "with its db.sqlite3 index when present, or one file. Safe to run again: it changes only what differs. "
        "Exits with status 1 when a file was skipped or a law was left untouched (see --prune)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a corpus folder or one .md file")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="delete provisions that a law's files no longer hold (without it, such a law is left as it is)",
        )

    def handle(self, *args, path, verbosity=1, prune=False, **options):
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
            report = import_statutes(path, progress=progress, prune=prune)
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
        if report.prune_refused:
            self.stdout.write(
                self.style.WARNING(
                    f"Laws left as they were: {len(report.prune_refused)}; their files lack provisions the "
                    "library has (a file cut short?). Run again with --prune to delete them:"
                )
            )
            for law, labels in report.prune_refused:
                shown = "、".join(labels[:20]) + (f" … ({len(labels)} in all)" if len(labels) > 20 else "")
                self.stdout.write(self.style.WARNING(f"  {law}: {shown}"))
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Nothing changed: the library was up to date ({elapsed:.1f} s).")
            )
        if report.skipped or report.prune_refused:
            raise CommandError(
                f"Not everything was imported: {len(report.skipped)} file(s) skipped, "
                f"{len(report.prune_refused)} law(s) left as they were (listed above)."
            )
