"""python manage.py import_qa FILE: Q&A in LeCoQA's format as published articles (articles.qa_import)."""

import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from articles.qa_import import QAFileError, import_qa
from statutes import exit_codes
from statutes.progress import Progress


class Command(BaseCommand):
    help = (
        "Import Q&A (JSON lines: qid, question, answer, statutes; e.g. ../shared/bench/lecoqa/qa.jsonl) as "
        "published articles citing the library's provisions. All or nothing: the whole file is checked "
        "first, and one malformed row refuses it (exit 1, nothing written); then it is written in one "
        "transaction. A second run writes nothing. " + exit_codes.HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a JSON lines file")

    def handle(self, *args, path, verbosity=1, **options):
        started = time.monotonic()
        progress = Progress(self.stdout, "导入问答", verbosity=verbosity)

        try:
            report = import_qa(path, progress=progress)
        except QAFileError as error:
            self.refuse(path, error.problems)
        except DatabaseError as error:  # the one transaction rolled back: nothing of the file stays
            self.refuse(path, [f"the database refused the import ({error})"])
        progress.finish()
        self.stdout.write(
            f"Rows: {report.rows} (created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, without an answer and skipped {report.without_answer})."
        )
        if report.unresolved:
            self.stdout.write(
                self.style.WARNING(f"Statutes not in the library, left out: {len(report.unresolved)}")
            )
            for name, count in sorted(report.unresolved.items(), key=lambda item: -item[1]):
                self.stdout.write(self.style.WARNING(f"  {name} ({count} rows)"))
        elapsed = time.monotonic() - started
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Nothing changed ({elapsed:.1f} s)."))

    def refuse(self, path, problems: list[str]) -> None:
        """Exit 1, nothing written: a line per problem (statutes.exit_codes)."""
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        exit_codes.stop(
            [f"{path}: {problem}" for problem in problems],
            imported=False,
            verdict=f"Nothing imported ({count})",
        )
