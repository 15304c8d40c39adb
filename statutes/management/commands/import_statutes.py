"""python manage.py import_statutes PATH: import a statute corpus folder or one file."""

import time
from collections import Counter

from django.core.management.base import BaseCommand

from statutes import exit_codes
from statutes.changes import KIND_LABELS
from statutes.importer import import_statutes
from statutes.models import LawChange
from statutes.progress import Progress

# Past this many new laws (a first import), they are counted, not listed one by one.
MAX_LISTED_NEW_LAWS = 100


class Command(BaseCommand):
    help = (
        "Import statutes in the LawRefBook Markdown format (../shared/data/laws): a whole folder, "
        "with its db.sqlite3 index when present, or one file. Safe to run again: it changes only what differs. "
        "Each law is written whole or not at all; a file that cannot be imported is refused and the rest "
        "imported (exit 2), as is a law whose files lack provisions the library has (see --prune). "
        + exit_codes.HELP
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
        bar = Progress(self.stdout, "导入法律法规", verbosity=verbosity)

        def progress(done, total, title):
            if verbosity >= 2:
                self.stdout.write(f"[{done}/{total}] {title}")
            else:
                bar(done, total)

        try:
            report = import_statutes(path, progress=progress, prune=prune)
        except FileNotFoundError:
            self.stop([f"{path}: no such file or folder"], imported=False)
        if not report.files:
            self.stop([f"{path}: no statute files (.md) in this folder"], imported=False)
        bar.finish()
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
        self.describe_update(report, verbosity)
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Nothing changed: the library was up to date ({elapsed:.1f} s).")
            )
        problems = [f"{file}: {reason}" for file, reason in report.skipped]
        for law, labels, files in report.prune_refused:  # a file cut short, say
            shown = "、".join(labels[:20]) + (f" … ({len(labels)} in all)" if len(labels) > 20 else "")
            lack = "the file lacks" if len(files) == 1 else "its files lack"
            them = "it" if len(labels) == 1 else "them"
            problems.append(
                f"{', '.join(files)}: {law} left as it was: {lack} {shown}, which the library has "
                f"(--prune deletes {them})"
            )
        self.stop(problems, imported=bool(report.laws))

    def describe_update(self, report, verbosity: int) -> None:
        """What changed in the library's current texts, law by law: the report saved in the admin."""
        if not report.law_changes:
            return
        counts = report.summary()
        self.stdout.write(
            "Library update: "
            f"{counts['laws_added']} new laws, {counts['versions_added']} new versions, "
            f"{counts['laws_amended']} amended in place, {counts['laws_repealed']} repealed; provisions "
            f"{counts['provisions_added']} added, {counts['provisions_changed']} changed, "
            f"{counts['provisions_removed']} removed, {counts['provisions_renumbered']} renumbered."
        )
        if verbosity >= 1:
            added = [change for change in report.law_changes if change.kind == LawChange.Kind.ADDED]
            listed = report.law_changes
            if len(added) > MAX_LISTED_NEW_LAWS:  # a first import: thousands of lines say nothing
                listed = [change for change in report.law_changes if change.kind != LawChange.Kind.ADDED]
                self.stdout.write(f"  {len(added)} new laws (listed in the report).")
            for change in listed:
                kinds = Counter(provision.kind for provision in change.provisions)
                detail = "，".join(f"{KIND_LABELS[kind]} {n}" for kind, n in sorted(kinds.items()))
                version = change.law.promulgated_on.isoformat() if change.law.promulgated_on else "?"
                label = LawChange.Kind(change.kind).label
                self.stdout.write(
                    f"  {label} {change.law.title}（{version}）" + (f"：{detail}" if detail else "")
                )
        if report.library_import is not None:
            self.stdout.write(f"The report is kept in the admin: 法库更新 #{report.library_import.pk}.")

    def stop(self, problems: list[str], *, imported: bool) -> None:
        """Exit 2 when some laws were imported and some refused, 1 when none were (statutes.exit_codes)."""
        refused = (
            f"{len(problems)} refused" if imported else f"{len(problems)} problem{'s' * (len(problems) > 1)}"
        )
        verdict = "Partly imported" if imported else "Nothing imported"
        exit_codes.stop(problems, imported=imported, verdict=f"{verdict} ({refused})")
