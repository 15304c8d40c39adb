"""Related-article quality and speed on LeCoQA-style Q&A, beside haystack's stock more_like_this."""

import json
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from haystack.query import SearchQuerySet

from articles import services
from articles.models import Article, Author, Category
from bench.search_quality import gold_key, percentile
from kb.search.related import compute_related

BENCH_CATEGORY = "bench-related"


class Command(BaseCommand):
    help = (
        "Suggests 5 related articles for each Q&A answer and reports precision@5 (a suggestion is relevant "
        "when it shares a gold provision) and latency, beside haystack's more_like_this. Measures the imported "
        "answers (import_qa, make run) where the site has them; otherwise loads the rows as published "
        "articles (question → title, answer → body) and removes them afterwards unless --keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--qa", required=True, help="JSON lines with qid, question, answer, statutes")
        parser.add_argument("--json", metavar="OUT", help="write the figures to this file")
        parser.add_argument("--limit", type=int, help="only the first N rows")
        parser.add_argument("--keep", action="store_true", help="keep the loaded articles")

    def handle(self, *args, **options):
        path = Path(options["qa"])
        try:
            rows = [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        rows = [row for row in rows if row.get("question") and row.get("answer")][: options["limit"] or None]
        imported = {
            article.import_key: article.pk
            for article in Article.objects.published()
            .filter(import_key__startswith="lecoqa:")
            .only("id", "import_key")
        }
        if imported:
            # The site's own content (make run imported it): measured as it is, nothing loaded.
            gold = {
                imported[f"lecoqa:{row['qid']}"]: {
                    key for key in map(gold_key, row.get("statutes") or []) if key
                }
                for row in rows
                if f"lecoqa:{row['qid']}" in imported
            }
            self.stdout.write(f"Measuring the {len(gold)} imported answers…")
            figures = self.measure(gold)
        else:
            figures = self.load_and_measure(rows, keep=options["keep"])
        for name in ("system", "baseline"):
            f = figures[name]
            self.stdout.write(
                f"{name:<9} precision@5 {f['precision@5']:.4f}  p50 {f['p50_ms']:.1f} ms  p95 {f['p95_ms']:.1f} ms"
            )
        self.stdout.write(f"over {figures['articles']} articles with gold provisions")
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(figures, indent=2), encoding="utf-8")
            self.stdout.write(f"Figures written to {options['json']}.")

    def load_and_measure(self, rows: list[dict], *, keep: bool) -> dict:
        """Without imported answers: the rows loaded as published articles, measured, removed again."""
        category, _ = Category.objects.get_or_create(slug=BENCH_CATEGORY, defaults={"name": "相关文章基准"})
        author, _ = Author.objects.get_or_create(name="基准数据")
        gold = {}
        self.stdout.write(f"Loading {len(rows)} articles…")
        with transaction.atomic():  # one index update after the commit, not one per article
            for row in rows:
                article = Article(
                    title=row["question"][:200],
                    body=row["answer"],
                    category=category,
                    author=author,
                    status=Article.Status.PUBLISHED,
                )
                # Published as the rows are: the benchmark measures related lists, not the citations.
                services.save_article(article=article, publish_reason="相关文章基准的数据，未核对引用")
                gold[article.pk] = {key for key in map(gold_key, row.get("statutes") or []) if key}
        # As the site has them once the search worker has caught up: indexed, their topics, related
        # lists and vectors computed (the worker's queue drained here, whichever backend queued it).
        self.stdout.write("Indexing them (the search worker's tasks)…")
        call_command("search_worker", batch=True, verbosity=0)
        try:
            return self.measure(gold)
        finally:
            if not keep:
                with transaction.atomic():
                    for article in Article.objects.filter(category=category):
                        services.delete_article(article=article)

    def measure(self, gold: dict) -> dict:
        articles = Article.objects.filter(pk__in=list(gold)).select_related("category")
        results = {"system": ([], []), "baseline": ([], [])}
        counted = 0
        for article in articles:
            if not gold[article.pk]:
                continue
            counted += 1
            started = time.perf_counter()
            suggested = compute_related(article, 5)
            results["system"][1].append((time.perf_counter() - started) * 1000)
            results["system"][0].append(self.precision(article, suggested, gold))

            started = time.perf_counter()
            similar = SearchQuerySet().models(Article).more_like_this(article)[:5]
            suggested = [int(result.pk) for result in similar]
            results["baseline"][1].append((time.perf_counter() - started) * 1000)
            results["baseline"][0].append(self.precision(article, suggested, gold))
        figures = {
            name: {
                "precision@5": round(sum(precisions) / max(len(precisions), 1), 4),
                "p50_ms": round(percentile(latencies, 0.5) or 0.0, 2),
                "p95_ms": round(percentile(latencies, 0.95) or 0.0, 2),
            }
            for name, (precisions, latencies) in results.items()
        }
        figures["articles"] = counted
        return figures

    @staticmethod
    def precision(article, suggested: list[int], gold: dict) -> float:
        relevant = sum(1 for pk in suggested[:5] if gold.get(pk, set()) & gold[article.pk])
        return relevant / 5
