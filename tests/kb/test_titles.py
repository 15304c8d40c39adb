"""Single-line titles: an imported question over two lines is one title everywhere a reader meets it."""

import importlib
import json
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from articles.models import Article
from articles.qa_import import import_qa
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

TWO_LINES = "保管人在存货人未出具提货单的情况下向第三人放货的，承担违约责任吗？\n向第三人放货"
ONE_LINE = "保管人在存货人未出具提货单的情况下向第三人放货的，承担违约责任吗？向第三人放货"


def page_title(content: str) -> str:
    return re.search(r"<title>(.*?)</title>", content, re.S).group(1)


def test_an_imported_question_over_two_lines_is_stored_as_one_title(tmp_path):
    call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)
    row = {"qid": 7, "question": TWO_LINES, "answer": "承担违约责任。", "statutes": []}
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    import_qa(path)
    assert Article.objects.get(import_key="lecoqa:7").title == ONE_LINE


def test_titles_stored_before_are_put_on_one_line_by_the_migration():
    article = make_article("标题")
    Article.objects.filter(pk=article.pk).update(title="承担违约责任吗？ 向第三人放货")
    untouched = make_article("Hello world 个人信息", category=article.category)
    migration = importlib.import_module("kb.migrations.0002_article_titles_on_one_line")
    migration.titles_on_one_line(apps, None)
    assert Article.objects.get(pk=article.pk).title == "承担违约责任吗？向第三人放货"
    assert Article.objects.get(pk=untouched.pk).title == "Hello world 个人信息"


def test_the_pages_title_is_one_line_even_for_a_row_stored_with_a_break(client):
    article = make_article("标题")
    Article.objects.filter(pk=article.pk).update(title=TWO_LINES)  # around the write path
    content = client.get(article.get_absolute_url()).content.decode()
    assert page_title(content) == f"{ONE_LINE} · 法律知识库"
