"""Find, resolve and verify the statute references in articles or in a text file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.references import is_misquote
from statutes.citations import known_law_names
from statutes.verification import check_text


class Command(BaseCommand):
    help = (
        "Lists the statute references in articles or a file: the law, the provision, whether it resolved "
        "and whether a quote matches; suggests the provision a misquoted passage comes from. "
        "Exit status 1 when a reference is unresolved or a quote does not match."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="every article")
        which.add_argument("--article", type=int, metavar="ID", help="one article")
        which.add_argument("--file", metavar="PATH", help="a UTF-8 text or Markdown file")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a report")

    def handle(self, *args, **options):
        sources = self.sources(options)
        law_names = known_law_names()
        report = []
        for name, text in sources:
            for item in check_text(text, law_names):
                entry = item.as_dict()
                if name:
                    entry["source"] = name
                report.append(entry)
        failed = any(not entry["resolved"] or is_misquote(entry) for entry in report)
        if options["json"]:
            self.stdout.write(json.dumps({"references": report}, ensure_ascii=False, indent=2))
        else:
            self.print_report(report)
        if failed:
            raise SystemExit(1)

    def sources(self, options) -> list[tuple[str, str]]:
        if options["file"]:
            path = Path(options["file"])
            try:
                return [("", path.read_text(encoding="utf-8"))]
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"cannot read {path}: {error}") from None
        articles = Article.objects.order_by("pk")
        if options["article"] is not None:
            articles = articles.filter(pk=options["article"])
            if not articles.exists():
                raise CommandError(f"no article with id {options['article']}")
        return [(f"article {article.pk}", article.body) for article in articles.only("pk", "body")]

    def print_report(self, report: list[dict]) -> None:
        if not report:
            self.stdout.write("No statute references found.")
            return
        problems = 0
        for entry in report:
            where = f"[{entry['source']}] " if entry.get("source") else ""
            law = entry["law"] or entry["law_as_written"] or "?"
            status = "ok" if entry["resolved"] else f"UNRESOLVED ({entry['problem']})"
            quote = {None: "", True: ", quote matches", False: ", QUOTE DOES NOT MATCH"}[
                entry["quote_matches"]
            ]
            if entry.get("quotes_older_version"):
                quote = f", quotes the {entry['suggestion']['version']} version"
            self.stdout.write(f"{where}{entry['text']} → {law} {entry['key']}: {status}{quote}")
            if entry["suggestion"]:
                suggestion = entry["suggestion"]
                self.stdout.write(
                    f"    the quoted text is {suggestion['law']} {suggestion['label']} (key {suggestion['key']})"
                )
            problems += (not entry["resolved"]) + is_misquote(entry)
        self.stdout.write(f"{len(report)} references, {problems} problems.")
