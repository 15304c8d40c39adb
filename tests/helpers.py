"""Small builders for tests: statute files in the corpus format, laws and provisions."""

import datetime
import io
import sqlite3
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from statutes.models import Law, Provision
from statutes.numerals import format_key, format_label


def statute_text(title: str, body: str, *, history: str = "2020年1月1日 通过", part: str = "") -> str:
    """A file in the corpus format: title, optional 编 line, history, INFO END, body."""
    header = [f"# {title}", ""]
    if part:
        header += [f"# {part}", ""]
    if history:
        header += [history, ""]
    return "\n".join(header) + "<!-- INFO END -->\n\n" + body.strip() + "\n"


def write_statute(folder: Path, relative: str, title: str, body: str, **kwargs) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(statute_text(title, body, **kwargs), encoding="utf-8")
    return path


def write_index(folder: Path, rows: list[dict]) -> Path:
    """A db.sqlite3 with the corpus index's two tables and the given law rows.

    Each row: name, level, folder, and optionally publish, valid_from, expired, filename.
    """
    path = folder / "db.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE TABLE category (id TEXT PRIMARY KEY, name TEXT NOT NULL, folder TEXT NOT NULL,
            isSubFolder INTEGER NOT NULL, "group" TEXT, "order" INTEGER);
        CREATE TABLE law (id TEXT PRIMARY KEY, level TEXT NOT NULL, name TEXT NOT NULL, filename TEXT,
            publish DATE, expired INTEGER NOT NULL, "order" INTEGER, subtitle TEXT, valid_from DATE,
            ver INTEGER, tags TEXT, category_id TEXT NOT NULL);
        """
    )
    folders = sorted({row["folder"] for row in rows})
    for number, name in enumerate(folders):
        connection.execute(
            "INSERT INTO category VALUES (?, ?, ?, 0, NULL, ?)", (f"c{number}", name, name, number)
        )
    for number, row in enumerate(rows):
        connection.execute(
            "INSERT INTO law (id, level, name, filename, publish, expired, valid_from, category_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                f"l{number}",
                row["level"],
                row["name"],
                row.get("filename"),
                row.get("publish"),
                int(row.get("expired", False)),
                row.get("valid_from"),
                f"c{folders.index(row['folder'])}",
            ),
        )
    connection.commit()
    connection.close()
    return path


def make_law(title="中华人民共和国测试法", **fields) -> Law:
    fields.setdefault("short_title", title.removeprefix("中华人民共和国"))
    fields.setdefault("promulgated_on", datetime.date(2020, 1, 1))
    return Law.objects.create(title=title, **fields)


def make_provisions(law: Law, count: int, *, chapter_every: int = 0) -> list[Provision]:
    """count provisions 第一条 … with two 款 each; a new 章 every chapter_every provisions."""
    provisions = []
    for number in range(1, count + 1):
        chapter = f"第{(number - 1) // chapter_every + 1}章 测试" if chapter_every else ""
        provisions.append(
            Provision(
                law=law,
                number=number,
                label=format_label(number),
                key=format_key(number),
                text=f"第{number}条的第一款。\n（一）第一项；\n第{number}条的第二款。",
                chapter=chapter,
                order=number,
            )
        )
    return Provision.objects.bulk_create(provisions)


def make_category(name="金融债务", slug="finance-debt", order=1):
    from articles.models import Category

    return Category.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})[0]


def make_author(name="林清远", firm="明衡律师事务所"):
    from articles.models import Author

    return Author.objects.get_or_create(name=name, defaults={"firm": firm})[0]


def make_article(title="网贷逾期群发短信给通讯录违法吗？", *, cites=(), **fields):
    """A published article (unless told otherwise) citing the given provisions in order."""
    from django.utils import timezone

    from articles import services
    from articles.models import Article

    fields.setdefault("category", make_category())
    fields.setdefault("author", make_author())
    fields.setdefault("body", "网贷逾期后，平台能否群发短信？\n\n## 建议参考\n\n1. 保留证据。\n")
    fields.setdefault("status", Article.Status.PUBLISHED)
    if fields["status"] == Article.Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    article = Article(title=title, **fields)
    # As an editor does it: the article with the citations chosen; those its body makes come first.
    services.save_article(article=article, editor_citations=[provision.pk for provision in cites])
    return article


def run_command(*args, **options):
    """The command as manage.py runs it: (exit status, stdout, the lines manage.py prints on stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err, **options)
    except CommandError as error:  # manage.py prints it so, without a traceback, and exits with returncode
        return (
            error.returncode,
            out.getvalue(),
            [*err.getvalue().splitlines(), *f"CommandError: {error}".splitlines()],
        )
    return 0, out.getvalue(), err.getvalue().splitlines()


def save_fails_at(monkeypatch, call: int, error: Exception) -> list[str]:
    """articles.services.save_article raising error at its call-th call (a database that gives up
    midway through an import); the titles it was called with, in order."""
    from articles import services

    save = services.save_article
    calls = []

    def save_then_fail(**kwargs):
        calls.append(kwargs["article"].title)
        if len(calls) == call:
            raise error
        return save(**kwargs)

    monkeypatch.setattr(services, "save_article", save_then_fail)
    return calls
