"""python manage.py bench_search --queries FILE [--json OUT] [--variant NAME:SETTING=VALUE,…]: search
quality and latency, with references, and the system with other settings side by side."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.search_quality import SYSTEMS, load_questions, run_benchmark, unanswered_share

DEFAULT_STOPWORDS = (
    Path(__file__).resolve().parents[3].parent / "shared" / "bench" / "stard" / "cn_stopwords.txt"
)
OFF_TOPIC = Path(__file__).resolve().parents[2] / "data" / "off_topic_questions.txt"
COLUMNS = ["hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "recall@100", "p50_ms", "p95_ms", "queries"]


class Command(BaseCommand):
    help = (
        "Search the imported provisions with questions in STARD's format (qid, question, gold) through the "
        "search page's code path, beside a plain BM25 (quality reference) and SQLite FTS5 (speed reference)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queries", required=True, help="JSON lines: qid, question, gold")
        parser.add_argument("--json", dest="json_out", help="write the figures to this file")
        parser.add_argument(
            "--stopwords", default=str(DEFAULT_STOPWORDS), help="stop words of the BM25 reference"
        )
        parser.add_argument("--limit", type=int, help="only the first N questions")
        parser.add_argument(
            "--variant",
            action="append",
            default=[],
            metavar="NAME:SETTING=VALUE[,SETTING=VALUE]",
            help="the system again with these settings, question by question in the same run (repeatable), "
            "e.g. e5:KB_ARTICLE_EMBEDDER=kb.search.embedding.MultilingualE5Small,VECTORS_PATH=var/vectors-e5",
        )
        parser.add_argument(
            "--off-topic",
            default=str(OFF_TOPIC),
            help="questions nothing here answers, one a line: the share judged unanswered (target >= 0.9)",
        )

    def handle(
        self, *args, queries, json_out=None, stopwords=None, limit=None, off_topic=None, variant=(), **options
    ):
        path, stop_path, off_topic_path = Path(queries), Path(stopwords), Path(off_topic)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if not stop_path.is_file():
            raise CommandError(f"no stop word list at {stop_path}: pass --stopwords FILE")
        questions = load_questions(path, limit)
        if not questions:
            raise CommandError(f"no questions with gold provisions in {path}")
        stop = {line.strip() for line in stop_path.read_text(encoding="utf-8").splitlines() if line.strip()}
        if not off_topic_path.is_file():
            raise CommandError(f"no such file: {off_topic_path}")
        variants = dict(parse_variant(text) for text in variant)
        off_topic_questions = [
            line.strip()
            for line in off_topic_path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        figures = run_benchmark(
            questions,
            stop,
            progress=lambda message: self.stderr.write(message),
            variants=variants,
            off_topic=off_topic_questions,
        )
        figures.setdefault("off_topic_unanswered", unanswered_share(off_topic_questions))
        figures["off_topic_questions"] = len(off_topic_questions)
        if figures["index_documents"] is not None and figures["index_documents"] < figures["provisions"]:
            self.stderr.write(
                self.style.WARNING(
                    f"The search index holds {figures['index_documents']:,} documents for {figures['provisions']:,} "
                    "current provisions: run `manage.py rebuild_index` after importing."
                )
            )
        self.stdout.write(self.table(figures))
        if json_out:
            Path(json_out).write_text(
                json.dumps(
                    {
                        name: figures[name]
                        for name in (
                            *SYSTEMS,
                            *(f"system[{name}]" for name in variants),
                            "with_articles_against_without",
                            "dev_unanswered",
                            "off_topic_unanswered",
                            "meaning_ready",
                            "answered_judgement",
                            "question_embedding",
                        )
                        if name in figures
                    },
                    indent=2,
                ),
                encoding="utf-8",
            )
            self.stdout.write(f"Figures written to {json_out}.")

    def table(self, figures) -> str:
        lines = [f"{'':20}" + "".join(f"{column:>12}" for column in COLUMNS)]
        for name in (*SYSTEMS, *(f"system[{name}]" for name in figures["variants"])):
            row = figures[name]
            if not row["queries"]:
                continue
            cells = "".join(f"{'-' if row[c] is None else row[c]:>12}" for c in COLUMNS)
            lines.append(f"{name:20}{cells}")
        system, fts5 = figures["system"], figures["fts5"]
        if fts5["p50_ms"] and fts5["p95_ms"]:
            lines.append(
                f"latency system/fts5: p50 {system['p50_ms'] / fts5['p50_ms']:.1f}x (target <= 4x), "
                f"p95 {system['p95_ms'] / fts5['p95_ms']:.1f}x (target <= 5x)"
            )
        lines.append(
            f"quality: hit@10 {system['hit@10']:.3f} (target >= 0.82, without articles "
            f"{figures['system_no_articles']['hit@10']:.3f}, bm25 {figures['bm25']['hit@10']:.3f}); "
            f"mrr@10 {system['mrr@10']:.3f} (target >= 0.56, without articles "
            f"{figures['system_no_articles']['mrr@10']:.3f}); recall@100 {system['recall@100']:.3f} (target >= 0.91)"
        )
        lexical = figures["system_lexical"]
        if figures["meaning_ready"] and lexical["p95_ms"]:
            lines.append(
                f"meaning against words alone: hit@10 {system['hit@10'] - lexical['hit@10']:+.3f}, "
                f"mrr@10 {system['mrr@10'] - lexical['mrr@10']:+.3f}, recall@100 "
                f"{system['recall@100'] - lexical['recall@100']:+.3f}; p95 {system['p95_ms'] / lexical['p95_ms']:.1f}x "
                "(target <= 3x)"
            )
            lines.append(
                f"judged unanswered: {figures['off_topic_unanswered']:.3f} of {figures['off_topic_questions']} "
                f"off-topic questions (target >= 0.9), {figures['dev_unanswered']:.3f} of the dev questions "
                "(target <= 0.05)"
            )
        for name in figures["variants"]:
            row = figures[f"system[{name}]"]
            lines.append(
                f"system[{name}] against system: hit@10 {row['hit@10'] - system['hit@10']:+.3f}, mrr@10 "
                f"{row['mrr@10'] - system['mrr@10']:+.3f}, recall@100 {row['recall@100'] - system['recall@100']:+.3f}; "
                f"p95 {row['p95_ms'] / lexical['p95_ms']:.1f}x system_lexical's; judged unanswered: "
                f"{row.get('off_topic_unanswered')} off-topic, {row['dev_unanswered']} dev"
            )
        for label, judged in figures.get("answered_judgement", {}).items():
            lines.append(
                f"{label}: answers by {judged['article_model']}, 'nothing here answers' below cosine "
                f"{judged['answer_cosine']} (answers) and {judged['provision_cosine']} (provisions): "
                f"{judged['off_topic_unanswered']:.3f} off-topic, {judged['dev_unanswered']:.3f} dev; "
                f"answer thresholds meeting both targets: {judged['answer_cosines_meeting_both']}"
            )
        for model, timed in figures.get("question_embedding", {}).items():
            lines.append(
                f"a question embedded by {model}: p50 {timed['p50_ms']} ms, p95 {timed['p95_ms']} ms; "
                f"processor time p50 {timed['cpu_p50_ms']} ms, p95 {timed['cpu_p95_ms']} ms (target < 30 ms)"
            )
        compared = figures["with_articles_against_without"]
        lines.append(
            f"the first relevant provision with the articles (evidence and bridge), against without: better for "
            f"{compared['better']} questions, the same for {compared['same']}, worse for {compared['worse']}"
        )
        lines.append(
            f"over {figures['provisions']:,} current provisions and {figures['articles']:,} published articles; "
            f"questions: {system['queries']}, {figures['questions_with_own_answer_left_out']} of them with their "
            "own answer left out"
        )
        return "\n".join(lines)


def parse_variant(text: str) -> tuple[str, dict]:
    """'e5:KB_ARTICLE_EMBEDDER=path,VECTORS_PATH=dir' → ('e5', {setting: value}); paths as Path."""
    name, _, assignments = text.partition(":")
    chosen = {}
    for assignment in filter(None, assignments.split(",")):
        setting, equals, value = assignment.partition("=")
        if not equals or not setting.isupper() or not hasattr(settings, setting):
            raise CommandError(f"--variant {text}: {assignment!r} is not SETTING=VALUE of a known setting")
        chosen[setting] = Path(value) if isinstance(getattr(settings, setting), Path) else value
    if not name or not chosen:
        raise CommandError(f"--variant {text}: expected NAME:SETTING=VALUE[,SETTING=VALUE]")
    return name, chosen
