"""python manage.py import_posts PATH…: legacy Q&A posts (text or saved HTML) as drafts (articles.legacy_posts).

Here in kb, above both layers: the import (articles) is handed the search's suggestions
(kb.search.suggestions) by its caller, as the layers require."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from articles.legacy_posts import PostFileError, import_posts
from kb.search import suggestions
from statutes import exit_codes


class Command(BaseCommand):
    help = (
        "Import legacy Q&A posts (plain text or a saved HTML page from a law firm's site, or folders of them) "
        "as draft articles: sections as headings, the pasted 相关法条 replaced by citations to the library, "
        "and a report of every reference check. All or nothing: every file is checked first, and one that "
        "cannot be imported refuses them all (exit 1, nothing written); then all are written in one "
        "transaction. The check report (each reference, its verdict, the fix) is kept with each draft and shown "
        "on its change form, where a fix is taken with one click. " + exit_codes.HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="post files (.txt, .html) or folders of them")
        parser.add_argument(
            "--update",
            action="store_true",
            help="re-import a changed file over its article while it is a draft",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be imported; write nothing"
        )

    def handle(self, *args, paths, update=False, dry_run=False, **options):
        try:
            results = import_posts(paths, update=update, dry_run=dry_run, suggest=suggestions.provisions_for)
        except PostFileError as error:
            self.refuse(error.problems)
        except DatabaseError as error:  # the one transaction rolled back: nothing of any file stays
            self.refuse([f"{'、'.join(map(str, paths))}：数据库拒绝了这次导入（{error}）"])
        for result in results:
            for line in result.lines():
                self.stdout.write(line)
        created = sum(result.outcome in ("created", "updated") for result in results)
        corrected = sum(
            check.corrected
            for result in results
            if result.outcome in ("created", "updated", "would create")
            for check in result.post.statutes
        )
        summary = f"共 {len(results)} 篇：导入或更新 {created} 篇（均为草稿）"
        if corrected:
            summary += f"；{corrected} 处相关法条的条号与引文不符，已改为引用引文所在的条"
        if dry_run:
            summary += "。试运行：没有写入任何内容"
        self.stdout.write(self.style.SUCCESS(summary + "。"))

    def refuse(self, problems: list[str]) -> None:
        """Exit 1, nothing written: a line per problem, each naming its file (statutes.exit_codes)."""
        exit_codes.stop(
            problems, imported=False, verdict=f"没有导入任何文章（{len(problems)} 个问题）", separator="："
        )
