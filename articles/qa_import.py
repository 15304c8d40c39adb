"""Importing Q&A in LeCoQA's format (../shared/bench/lecoqa/qa.jsonl) as published articles.

One JSON object a line: qid, question, answer (may be null), keywords (unused), statutes (names
such as 中华人民共和国民法典第五十四条, may be null). Each answered question becomes an article:
- the question its title, the answer its body (a paragraph per line, as Markdown);
- the statutes its citations, resolved in the library (statutes.citations.Library); a name that
  does not resolve is reported by name and left out, never guessed;
- its category from what it cites (articles.categories);
- reprinted from the dataset, credited with its licence, under one author for the dataset.
A file is read and checked whole before anything is written; then every row is written in one
transaction. A second import of the same file writes nothing: each article remembers the row it
came from (import_key, import_digest) and is only saved again when the row says something else.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from statutes.citations import Library
from statutes.models import Provision

from . import categories, services
from .markdown import markdown_problem
from .models import Article, Author

SOURCE_NAME = "LeCoQA 数据集（MIT 许可证）"
SOURCE_URL = "https://github.com/oneal2000/LeCoQA"
AUTHOR_NAME = "LeCoQA 法律团队"
AUTHOR_BIO = "LeCoQA 数据集（oneal2000/LeCoQA，MIT 许可证）中由法律团队撰写的问答。"
KEY_PREFIX = "lecoqa"
MAX_TITLE = 200
MAX_QID = Article._meta.get_field("import_key").max_length - len(KEY_PREFIX) - 1
# Why an answer is published even where the reference check finds a problem: it is the dataset's text.
PUBLISHED_AS_IMPORTED = "数据集原文，照原样转载"


class QAFileError(ValueError):
    """The file cannot be imported as it is; nothing of it was written."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        shown = "; ".join(problems[:10]) + (f"; … ({len(problems)} in all)" if len(problems) > 10 else "")
        super().__init__(f"{path}: {shown}")


@dataclass
class Row:
    line: int
    qid: str
    question: str
    answer: str | None
    statutes: list[str]


@dataclass
class QAImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    without_answer: int = 0
    unresolved: dict[str, int] = field(default_factory=dict)  # statute name → rows naming it

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def read_lines(path: Path) -> list[tuple[int, bytes]]:
    """The file's lines, numbered as an editor numbers them (only \\n ends a line); QAFileError when unreadable."""
    if path.is_dir():
        raise QAFileError(path, ["is a folder, not a file"])
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise QAFileError(path, [f"cannot be read: {error.strerror or error}"]) from None
    # Not str.splitlines: a row's text may hold U+2028 or U+0085, which JSON allows unescaped.
    return list(enumerate(raw.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1))


def read_rows(path: Path) -> list[Row]:
    """Every row of the file, checked; QAFileError lists every malformed one, by line."""
    path = Path(path)
    rows, problems, seen = [], [], {}
    for number, raw in read_lines(path):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"line {number}: not UTF-8 text (byte {error.start + 1} of the line)")
            continue
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            problems.append(f"line {number}: not JSON ({error.msg})")
            continue
        except RecursionError:
            problems.append(f"line {number}: not JSON (nested too deeply)")
            continue
        if not isinstance(data, dict):
            problems.append(f"line {number}: not a JSON object")
            continue
        try:  # a \\ud800 escape is JSON, but no text: it cannot be stored or printed
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            problems.append(f"line {number}: not Unicode text (a lone surrogate escape such as \\ud800)")
            continue
        qid, question, answer, statutes = (data.get(key) for key in ("qid", "question", "answer", "statutes"))
        if not isinstance(qid, int | str) or isinstance(qid, bool) or str(qid).strip() == "":
            problems.append(f"line {number}: no qid")
            continue
        qid = str(qid).strip()
        if len(qid) > MAX_QID:
            problems.append(f"line {number}: qid longer than {MAX_QID} characters")
            continue
        if qid in seen:
            problems.append(f"line {number}: qid {qid} again (first on line {seen[qid]})")
            continue
        seen[qid] = number
        if not isinstance(question, str) or not question.strip():
            problems.append(f"line {number}: no question")
            continue
        if answer is not None and not isinstance(answer, str):
            problems.append(f"line {number}: the answer is not text")
            continue
        if statutes is None:
            statutes = []
        if not isinstance(statutes, list) or not all(isinstance(name, str) for name in statutes):
            problems.append(f"line {number}: statutes is not a list of names")
            continue
        too_much = markdown_problem(markdown_body(answer)) if answer and answer.strip() else None
        if too_much:  # past what an article may hold: said before anything is written
            problems.append(f"line {number}: {too_much}")
            continue
        rows.append(
            Row(number, qid, question.strip(), answer, [name.strip() for name in statutes if name.strip()])
        )
    if not rows and not problems:
        problems.append("holds no rows (the file is empty)")
    if problems:
        raise QAFileError(path, problems)
    return rows


def imported_answers():
    """The articles imported from a Q&A file (the real answers), whatever editors did to them since."""
    return Article.objects.filter(import_key__startswith=f"{KEY_PREFIX}:")


def markdown_body(answer: str) -> str:
    """The answer's lines as Markdown paragraphs."""
    return "\n\n".join(line.strip() for line in answer.splitlines() if line.strip()) + "\n"


def import_qa(path: Path | str, *, progress: Callable[[int, int], None] | None = None) -> QAImportReport:
    """Import every answered row of the file (see the module's docstring). Returns what was done."""
    rows = read_rows(Path(path))
    report = QAImportReport(rows=len(rows))
    library = Library()
    with transaction.atomic():
        author, _ = Author.objects.get_or_create(name=AUTHOR_NAME, defaults={"bio": AUTHOR_BIO})
        existing = {
            article.import_key: article
            for article in Article.objects.filter(import_key__startswith=f"{KEY_PREFIX}:")
        }
        for done, row in enumerate(rows, start=1):
            if not (row.answer or "").strip():
                report.without_answer += 1
                continue
            provisions = []
            for name in row.statutes:
                provision = library.provision(name)
                if provision is None:
                    report.unresolved[name] = report.unresolved.get(name, 0) + 1
                elif provision not in provisions:
                    provisions.append(provision)
            key = f"{KEY_PREFIX}:{row.qid}"
            outcome = write_article(existing.get(key), key, row, provisions, author)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if progress:
                progress(done, len(rows))
    return report


def row_digest(row: Row) -> str:
    content = json.dumps([row.question, row.answer, row.statutes], ensure_ascii=False)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def write_article(
    article: Article | None, key: str, row: Row, provisions: list[Provision], author: Author
) -> str:
    """Create or update one row's article; "created", "updated" or "unchanged".

    An article whose row has not changed since it was imported is left as it is, whatever an
    editor did to it since; a changed row is imported again over it.
    """
    digest = row_digest(row)
    if article is not None and article.import_digest == digest:
        return "unchanged"
    outcome = "updated" if article is not None else "created"
    article = article or Article(import_key=key)
    article.title = row.question if len(row.question) <= MAX_TITLE else row.question[: MAX_TITLE - 1] + "…"
    article.body = markdown_body(row.answer)
    article.category = categories.category(categories.kind_for(provisions))
    article.author = author
    article.origin, article.source_name, article.source_url = Article.Origin.REPRINT, SOURCE_NAME, SOURCE_URL
    article.status = Article.Status.PUBLISHED
    article.import_digest = digest
    # The dataset's statutes are the article's own citations, in its order; the body's references
    # come first. Published as the dataset has it: the revision names what the check found.
    services.save_article(
        article=article,
        editor_citations=[provision.pk for provision in provisions],
        publish_reason=PUBLISHED_AS_IMPORTED,
    )
    return outcome
