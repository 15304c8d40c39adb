"""Backups taken while editors work are consistent snapshots, and restore.

One process creates articles, each with its citations and topics in one transaction, while
another takes backups; every backup must hold each article with all of its rows, or neither.
"""

import gzip
import subprocess
import sys
import time

import yaml
from django.conf import settings

from tests.processes import ROOT, manage, start_shell, throwaway_site

CITATIONS_PER_ARTICLE = 3
TOPICS_PER_ARTICLE = 3

SETUP = f"""
from django.core.management import call_command
from articles.models import Author, Category
call_command("loaddata", "{settings.BASE_DIR / "fixtures" / "demo_statutes.json"}", verbosity=0)
Category.objects.create(name="测试", slug="test")
Author.objects.create(name="测试作者")
"""

WRITER = """
import time
from django.db import transaction
from articles.models import Article, ArticleTopic, Author, Category, Citation
from statutes.models import Provision
category, author = Category.objects.get(), Author.objects.get()
provisions = list(Provision.objects.order_by("pk")[:{citations} + {topics}])
deadline = time.monotonic() + {seconds}
number = 0
while time.monotonic() < deadline:
    with transaction.atomic():
        # Rows only (bulk_create sends no signal): nothing derived is recomputed after the commit.
        (article,) = Article.objects.bulk_create([Article(
            title=f"备份时新建的文章{{number}}", body="正文。", category=category, author=author, status="draft"
        )])
        Citation.objects.bulk_create(
            Citation(article=article, provision=provision, order=order)
            for order, provision in enumerate(provisions[:{citations}])
        )
        ArticleTopic.objects.bulk_create(
            ArticleTopic(article=article, provision=provision, rank=rank)
            for rank, provision in enumerate(provisions[{citations}:])
        )
    number += 1
    time.sleep(0.05)  # an editor's pace, more or less: a few hundred articles in all
print("created", number)
"""


def rows(path) -> dict[str, list[dict]]:
    by_model: dict[str, list[dict]] = {}
    for row in yaml.safe_load(gzip.decompress(path.read_bytes())):
        by_model.setdefault(row["model"], []).append(row)
    return by_model


def assert_consistent(path):
    """Every article of the backup has all its citations and topics; none points at a missing article."""
    backup = rows(path)
    articles = {row["pk"] for row in backup.get("articles.article", [])}
    for model, expected in (
        ("articles.citation", CITATIONS_PER_ARTICLE),
        ("articles.articletopic", TOPICS_PER_ARTICLE),
    ):
        per_article: dict[int, int] = {}
        for row in backup.get(model, []):
            per_article[row["fields"]["article"]] = per_article.get(row["fields"]["article"], 0) + 1
        assert set(per_article) <= articles, f"{path.name}: {model} rows of articles the backup lacks"
        assert all(count == expected for count in per_article.values()), f"{path.name}: {model} cut apart"
        assert set(per_article) == articles, f"{path.name}: articles without their {model} rows"
    return len(articles)


def test_backups_taken_while_articles_are_created_are_consistent_and_restore(site_processes, tmp_path):
    assert manage(site_processes, SETUP).returncode == 0
    writer = start_shell(
        site_processes, WRITER.format(citations=CITATIONS_PER_ARTICLE, topics=TOPICS_PER_ARTICLE, seconds=12)
    )
    backups = []
    try:
        time.sleep(2)  # the writer is under way
        for number in range(4):
            path = tmp_path / f"backup-{number}.yaml.gz"
            made = subprocess.run(
                [sys.executable, "manage.py", "backup", "-o", str(path)],
                cwd=ROOT, env=site_processes, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert made.returncode == 0, made.stderr
            backups.append(path)
    finally:
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err

    counts = [assert_consistent(path) for path in backups]
    assert counts == sorted(counts) and counts[-1] > counts[0] > 0, counts  # taken while articles were added

    # The last one restores into a new database, with every row.
    for fresh in throwaway_site(tmp_path / "restored"):
        restored = subprocess.run(
            [sys.executable, "manage.py", "restore", "--no-index", str(backups[-1])],
            cwd=ROOT, env=fresh, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert restored.returncode == 0, restored.stderr
        count = manage(fresh, "from articles.models import Article; print(Article.objects.count())")
        assert count.stdout.strip().splitlines()[-1] == str(counts[-1])
