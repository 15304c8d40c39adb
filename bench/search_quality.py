"""Search quality and speed on real questions (STARD style), with two references measured beside it.

- system: the search page's own code path (kb.search.selectors.search), current law only, with
          the evidence of the published articles and search by meaning (kb.search.meaning); an
          article whose title is the question itself (normalized) never counts, so that imported
          answers to these very questions are left out, each for its own question (leave-one-out);
- system_lexical: the same search by words alone (no meaning), as it was before meaning;
- system_no_articles: the system without the articles (no evidence, no bridge through them);
- dense_only: the provisions nearest the question by meaning alone;
- bm25:   a plain BM25 over the same provisions' text (jieba without our dictionary, the
          benchmark's stop words, k1=1.3, b=0.75): the quality reference;
- fts5:   SQLite FTS5 (C) over the same documents and the same query terms as the system:
          the speed reference;
- system[NAME]: the system again with other settings (a variant, `--variant`), e.g. another model
          for the answers' vectors, question by question beside the others in the same run.

For the system and each variant, the question's nearness to the nearest answer and provision is
kept, so that the range of thresholds judging "nothing here answers" (kb.search.meaning.answered)
that meets both targets (>= 0.9 of off-topic questions, <= 0.05 of dev ones) is reported for the
model at hand; and the question's embedding time by each model, on one thread.
"""

import json
import math
import re
import sqlite3
import time
import unicodedata
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import jieba
from django.test import override_settings

from articles.models import Article
from kb.search import meaning, vectors
from kb.search.analysis import ChineseBigramAnalyzer, ChineseWordAnalyzer, analyze
from kb.search.embedding import load_model, loaded_path, question_vector
from kb.search.engine import search_engine
from kb.search.evidence import allowed_provisions
from kb.search.query import select_terms, understand
from kb.search.selectors import search
from statutes.models import Provision
from statutes.numerals import NUMERAL_CHARS, chinese_to_int

NATIONAL = "中华人民共和国"
GOLD_RE = re.compile(
    rf"^(?P<law>.*?)第(?P<number>[{NUMERAL_CHARS}]+)条(?:之(?P<suffix>[{NUMERAL_CHARS}]+))?$"
)
CUTOFFS = (1, 3, 5, 10)
DEPTH = 100
SYSTEMS = ("system", "system_lexical", "system_no_articles", "dense_only", "bm25", "fts5")


def unanswered_share(questions: list[str], nearness: "Nearness | None" = None) -> float | None:
    """The share of these questions the search page judges that nothing here answers (meaning's
    judgement: None while its vectors are not built). nearness: kept for the thresholds' range."""
    if not questions or not vectors.ready():
        return None
    judged = []
    for question in questions:
        outcome = search(question, kind="provisions", limit=10)
        judged.append(outcome.answered)
        if nearness is not None:
            nearness.add(question, outcome)
    return round(sum(answer is False for answer in judged) / len(judged), 4)


@dataclass
class Nearness:
    """For each question: whether it cites a provision (answered whatever its nearness), and its
    cosine to the nearest answer and to the nearest provision, by the models of each kind."""

    rows: list[tuple[bool, float, float]] = field(default_factory=list)
    article_model: str = ""
    provision_model: str = ""

    def add(self, text: str, outcome, exclude_articles: frozenset[int] = frozenset()) -> None:
        found = meaning.understand(
            outcome.query.core or outcome.query.text, exclude_articles=exclude_articles
        )
        if found is None:
            return
        self.article_model, self.provision_model = found.article_model, found.provision_model
        self.rows.append((outcome.cited is not None, found.best_article_cosine, found.best_provision_cosine))

    def unanswered(self, answer_cosine: float, provision_cosine: float) -> float:
        judged = [
            not cited and article < answer_cosine and provision < provision_cosine
            for cited, article, provision in self.rows
        ]
        return sum(judged) / max(len(judged), 1)


def threshold_range(dev: Nearness, off_topic: Nearness, *, off_topic_target=0.9, dev_target=0.05) -> dict:
    """The answers' thresholds (cosine, by 0.01, the provisions' kept as the model's) that judge at
    least off_topic_target of the off-topic questions and at most dev_target of the dev ones
    unanswered; and the shares at the thresholds in force."""
    provision_cosine = meaning.threshold(meaning.PROVISION_COSINE, dev.provision_model)
    answer_cosine = meaning.threshold(meaning.ANSWER_COSINE, dev.article_model)
    shares = {
        step / 100: (
            round(off_topic.unanswered(step / 100, provision_cosine), 4),
            round(dev.unanswered(step / 100, provision_cosine), 4),
        )
        for step in range(0, 100)
    }
    meeting = [cosine for cosine, (off, on) in shares.items() if off >= off_topic_target and on <= dev_target]
    return {
        "article_model": dev.article_model,
        "answer_cosine": answer_cosine,
        "provision_cosine": provision_cosine,
        "answer_cosines_meeting_both": [min(meeting), max(meeting)] if meeting else None,
        # answer threshold → (off-topic share, dev share) judged unanswered
        "shares_by_answer_cosine": {f"{cosine:.2f}": share for cosine, share in shares.items()},
        "dev_unanswered": round(dev.unanswered(answer_cosine, provision_cosine), 4),
        "off_topic_unanswered": round(off_topic.unanswered(answer_cosine, provision_cosine), 4),
    }


def embedding_times(questions: list[str], kind: str) -> dict:
    """The kind's model embedding each question once (no cache), on this process's threads:
    p50 and p95 of the wall time and of the thread's processor time, in ms."""
    path = loaded_path(kind)
    if not path:
        return {}
    model = load_model(path)
    encode = getattr(model, "encode_questions", model.encode)
    encode(questions[:3])  # warm
    wall, processor = [], []
    for text in questions:
        started, started_cpu = time.perf_counter(), time.thread_time()
        encode([text])
        processor.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return {
        "model": model.name,
        "p50_ms": round(percentile(wall, 0.5), 2),
        "p95_ms": round(percentile(wall, 0.95), 2),
        "cpu_p50_ms": round(percentile(processor, 0.5), 2),
        "cpu_p95_ms": round(percentile(processor, 0.95), 2),
    }


def normalized_question(text: str) -> str:
    """A question as two writings of it compare: width, case, punctuation and spaces aside."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()


def own_answers() -> dict[str, frozenset[int]]:
    """Normalized title → the published articles with that title: a question's own answers."""
    answers: dict[str, set[int]] = {}
    for pk, title in Article.objects.published().values_list("pk", "title"):
        answers.setdefault(normalized_question(title), set()).add(pk)
    return {title: frozenset(pks) for title, pks in answers.items()}


def law_key(title: str) -> str:
    """STARD drops 中华人民共和国 (also inside 《》): compare titles without it."""
    return title.replace(NATIONAL, "")


def gold_key(name: str):
    match = GOLD_RE.match(name.strip())
    if not match:
        return None
    suffix = chinese_to_int(match["suffix"]) if match["suffix"] else 0
    return law_key(match["law"]), chinese_to_int(match["number"]), suffix


@dataclass
class Question:
    qid: str
    text: str
    gold: set


def load_questions(path: Path, limit: int | None = None) -> list[Question]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        gold = {key for key in map(gold_key, row.get("gold") or row.get("statutes") or []) if key}
        if gold:
            questions.append(Question(str(row["qid"]), row["question"], gold))
    return questions[:limit] if limit else questions


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0.95 for p95); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(math.ceil(share * len(ordered)) - 1, 0))]


class Scorecard:
    def __init__(self, name: str):
        self.name = name
        self.hits = Counter()
        self.reciprocal_ranks = 0.0
        self.recall = 0.0
        self.latencies: list[float] = []
        self.count = 0

    def add(self, keys: list, gold: set, seconds: float | None) -> None:
        self.count += 1
        first = next((rank for rank, key in enumerate(keys[:DEPTH]) if key in gold), None)
        for cutoff in CUTOFFS:
            if first is not None and first < cutoff:
                self.hits[cutoff] += 1
        if first is not None and first < 10:
            self.reciprocal_ranks += 1 / (first + 1)
        self.recall += len(gold & set(keys[:DEPTH])) / len(gold)
        if seconds is not None:
            self.latencies.append(seconds * 1000)

    def percentile(self, share: float) -> float | None:
        return percentile(self.latencies, share)

    def figures(self) -> dict:
        n = max(self.count, 1)
        figures = {f"hit@{cutoff}": round(self.hits[cutoff] / n, 4) for cutoff in CUTOFFS}
        figures["mrr@10"] = round(self.reciprocal_ranks / n, 4)
        figures["recall@100"] = round(self.recall / n, 4)
        p50, p95 = self.percentile(0.5), self.percentile(0.95)
        figures["p50_ms"] = round(p50, 2) if p50 is not None else None
        figures["p95_ms"] = round(p95, 2) if p95 is not None else None
        figures["queries"] = self.count
        return figures


class BM25Reference:
    """Okapi BM25 over the provisions' text, as STARD's baseline does it."""

    def __init__(self, texts: list[str], stopwords: set[str], k1: float = 1.3, b: float = 0.75):
        self.tokenizer = jieba.Tokenizer()  # jieba's own dictionary, not ours
        self.stopwords = stopwords
        self.k1, self.b = k1, b
        postings = defaultdict(list)
        self.lengths = []
        for number, text in enumerate(texts):
            terms = self.tokens(text)
            self.lengths.append(len(terms))
            for term, count in Counter(terms).items():
                postings[term].append((number, count))
        self.postings = postings
        total = len(texts)
        self.average = sum(self.lengths) / max(total, 1)
        self.idf = {
            term: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5)) for term, p in postings.items()
        }

    def tokens(self, text: str) -> list[str]:
        return [word for word in self.tokenizer.lcut(text) if word.strip() and word not in self.stopwords]

    def rank(self, question: str, depth: int = DEPTH) -> list[int]:
        scores = defaultdict(float)
        for term in self.tokens(question):
            for number, count in self.postings.get(term, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[number] / self.average)
                scores[number] += self.idf[term] * count * (self.k1 + 1) / (count + norm)
        return sorted(scores, key=scores.get, reverse=True)[:depth]


class FTS5Reference:
    """The same documents (our analyzers' terms) in SQLite FTS5, queried with the system's terms."""

    def __init__(self, documents: list[tuple[int, str, str, str]]):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(text, heading, bigrams, tokenize='unicode61')")
        self.db.executemany("INSERT INTO docs(rowid, text, heading, bigrams) VALUES (?, ?, ?, ?)", documents)
        self.db.commit()

    def rank(self, terms, depth: int = DEPTH) -> list[int]:
        if not terms:
            return []
        expression = " OR ".join(f'{term.field}:"{term.text}"' for term in terms)
        rows = self.db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (expression, depth)
        ).fetchall()
        return [row[0] for row in rows]


def first_relevant(keys: list, gold: set) -> int:
    return next((rank for rank, key in enumerate(keys[:DEPTH]) if key in gold), DEPTH)


def compare(with_articles: list, without: list, gold: set) -> str:
    """better, same or worse: where the first relevant provision ranks with the articles' evidence."""
    ranked_with, ranked_without = first_relevant(with_articles, gold), first_relevant(without, gold)
    return "better" if ranked_with < ranked_without else "worse" if ranked_with > ranked_without else "same"


def variant_settings(variants: dict[str, dict] | None, name: str | None):
    """The settings of a variant, in force for a block (the system itself: none changed)."""
    return override_settings(**variants[name]) if name else nullcontext()


def run_benchmark(
    questions: list[Question],
    stopwords: set[str],
    progress=None,
    variants: dict[str, dict] | None = None,
    off_topic: list[str] | None = None,
) -> dict:
    provisions = list(
        Provision.objects.filter(law__is_current=True)
        .select_related("law")
        .only(
            "id",
            "number",
            "suffix",
            "text",
            "part",
            "subpart",
            "chapter",
            "section",
            "law__title",
            "law__short_title",
            "law__is_current",
        )  # fmt: skip
    )
    keys = {
        provision.pk: (law_key(provision.law.title), provision.number, provision.suffix)
        for provision in provisions
    }
    if progress:
        progress(f"{len(provisions):,} current provisions; building the BM25 and FTS5 references…")
    bm25 = BM25Reference([provision.text for provision in provisions], stopwords)
    positions = [provision.pk for provision in provisions]
    word_analyzer, bigram_analyzer = ChineseWordAnalyzer(), ChineseBigramAnalyzer()
    fts5 = FTS5Reference(
        [
            (
                provision.pk,
                " ".join(analyze(word_analyzer, f"{provision.law.short_title} {provision.text}")),
                " ".join(analyze(word_analyzer, " ".join([provision.law.short_title, *provision.headings]))),
                " ".join(analyze(bigram_analyzer, f"{provision.law.short_title} {provision.text}")),
            )
            for provision in provisions
        ]
    )
    engine = search_engine()
    answers = own_answers()
    meaning_ready = vectors.ready()
    if progress and not meaning_ready:
        progress(
            "Search by meaning is off or its vectors are not built (manage.py build_vectors): words only."
        )
    variants = variants or {}
    cards = {name: Scorecard(name) for name in (*SYSTEMS, *(f"system[{name}]" for name in variants))}
    compared = Counter()
    left_out = unanswered = 0
    unanswered_by_variant = Counter()
    nearness = {name: Nearness() for name in (None, *variants)}
    provision_vectors = vectors.current(vectors.PROVISIONS)
    for number, question in enumerate(questions, start=1):
        own = answers.get(normalized_question(question.text), frozenset())
        left_out += bool(own)
        started = time.perf_counter()
        outcome = search(question.text, kind="provisions", limit=DEPTH, exclude_articles=own)
        elapsed = time.perf_counter() - started
        fused = [keys.get(hit.object.pk) for hit in outcome.provisions.hits]
        cards["system"].add(fused, question.gold, elapsed)
        unanswered += outcome.answered is False
        if meaning_ready:
            nearness[None].add(question.text, outcome, exclude_articles=own)
        for name in variants:  # the same search with the variant's settings, side by side
            with variant_settings(variants, name):
                started = time.perf_counter()
                outcome = search(question.text, kind="provisions", limit=DEPTH, exclude_articles=own)
                elapsed = time.perf_counter() - started
                cards[f"system[{name}]"].add(
                    [keys.get(hit.object.pk) for hit in outcome.provisions.hits], question.gold, elapsed
                )
                unanswered_by_variant[name] += outcome.answered is False
                if outcome.meaning_ready:
                    nearness[name].add(question.text, outcome, exclude_articles=own)

        started = time.perf_counter()
        outcome = search(
            question.text, kind="provisions", limit=DEPTH, exclude_articles=own, use_meaning=False
        )
        elapsed = time.perf_counter() - started
        with_articles = [keys.get(hit.object.pk) for hit in outcome.provisions.hits]
        cards["system_lexical"].add(with_articles, question.gold, elapsed)

        started = time.perf_counter()
        outcome = search(question.text, kind="provisions", limit=DEPTH, use_articles=False)
        elapsed = time.perf_counter() - started
        without = [keys.get(hit.object.pk) for hit in outcome.provisions.hits]
        cards["system_no_articles"].add(without, question.gold, elapsed)
        compared[compare(fused, without, question.gold)] += 1

        if provision_vectors is not None:
            started = time.perf_counter()
            nearest = provision_vectors.nearest(question_vector(question.text), DEPTH * 2)
            in_force = allowed_provisions([pk for pk, _ in nearest], current_law_only=True, level="")
            ranked = [pk for pk, _ in nearest if pk in in_force][:DEPTH]
            elapsed = time.perf_counter() - started
            cards["dense_only"].add([keys.get(pk) for pk in ranked], question.gold, elapsed)

        started = time.perf_counter()
        ranked = bm25.rank(question.text)
        elapsed = time.perf_counter() - started
        cards["bm25"].add([keys[positions[i]] for i in ranked], question.gold, elapsed)

        started = time.perf_counter()
        terms = select_terms(understand(question.text), engine.statistics())
        ranked = fts5.rank(terms)
        elapsed = time.perf_counter() - started
        cards["fts5"].add([keys.get(pk) for pk in ranked], question.gold, elapsed)
        if progress and number % 100 == 0:
            so_far = "; ".join(
                f"{name} hit@10 {card.figures()['hit@10']:.3f} mrr@10 {card.figures()['mrr@10']:.3f} "
                f"r@100 {card.figures()['recall@100']:.3f} p95 {card.figures()['p95_ms']} ms"
                for name, card in cards.items()
                if name.startswith("system") and card.count
            )
            progress(f"{number}/{len(questions)} questions: {so_far}")
    figures = {name: card.figures() for name, card in cards.items()}
    figures["variants"] = list(variants)
    figures["meaning_ready"] = meaning_ready
    figures["dev_unanswered"] = round(unanswered / max(len(questions), 1), 4) if meaning_ready else None
    for name in variants:
        figures[f"system[{name}]"]["dev_unanswered"] = round(
            unanswered_by_variant[name] / max(len(questions), 1), 4
        )
    if meaning_ready and off_topic:
        if progress:
            progress("The off-topic questions, and each model's time to embed a question…")
        texts = [question.text for question in questions]
        figures["answered_judgement"], figures["question_embedding"] = {}, {}
        for name in (None, *variants):
            label = f"system[{name}]" if name else "system"
            off = Nearness()
            with variant_settings(variants, name):
                share = unanswered_share(off_topic, off)
                if name:
                    figures[label]["off_topic_unanswered"] = share
                else:
                    figures["off_topic_unanswered"] = share
                figures["answered_judgement"][label] = threshold_range(nearness[name], off)
                for kind in vectors.KINDS:
                    model = load_model(loaded_path(kind)) if loaded_path(kind) else None
                    if model is not None and model.name not in figures["question_embedding"]:
                        figures["question_embedding"][model.name] = embedding_times(texts, kind)
        figures["off_topic_questions"] = len(off_topic)
    figures["provisions"] = len(provisions)
    figures["articles"] = Article.objects.published().count()
    figures["questions_with_own_answer_left_out"] = left_out
    figures["with_articles_against_without"] = {
        outcome: compared[outcome] for outcome in ("better", "same", "worse")
    }
    statistics = engine.statistics()
    figures["index_documents"] = statistics.document_count if statistics else None
    return figures
