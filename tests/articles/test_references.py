"""References in article bodies: linked on save, synced to Citation rows; related articles."""

import pytest
from django.core.management import call_command

from articles.models import Article, Citation
from articles.related import related_articles
from tests.helpers import make_article


@pytest.fixture
def statutes(db):
    call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)


def test_references_are_linked_with_a_preview_and_synced(statutes):
    article = make_article(
        body="平台不得泄露，见《民法典》第一千零三十二条、第一千零三十三条。<script>x</script>"
    )
    assert article.body_html.count('class="statute-ref"') == 2
    assert 'data-preview="民法典 第一千零三十二条：' in article.body_html
    assert "<script>" not in article.body_html
    found = set(article.citations.values_list("provision__key", "added_by"))
    assert found == {("1032", Citation.AddedBy.FINDER), ("1033", Citation.AddedBy.FINDER)}

    # The body changes: finder rows follow it, an editor's row stays.
    Citation.objects.filter(article=article, provision__key="1033").update(added_by=Citation.AddedBy.EDITOR)
    article.body = "只剩《民法典》第一千零三十四条。"
    article.save()
    assert set(article.citations.values_list("provision__key", "added_by")) == {
        ("1033", Citation.AddedBy.EDITOR),
        ("1034", Citation.AddedBy.FINDER),
    }


def test_unresolved_references_are_reported_not_linked(statutes):
    article = make_article(body="见《电信条例》第九十九条和《不存在的法》第三条。")
    assert 'class="statute-ref"' not in article.body_html
    problems = [entry["problem"] for entry in article.reference_report]
    assert problems[0].startswith("beyond the last article") and problems[1] == "unknown law"


def test_references_inside_links_and_code_are_left_alone(statutes):
    article = make_article(
        body="`《民法典》第一千零三十二条` 与 [《民法典》第一千零三十三条](https://example.com)"
    )
    assert 'class="statute-ref"' not in article.body_html


def test_related_articles_exclude_itself_and_drafts_and_follow_changes(demo_index):
    article = Article.objects.published().get(title__contains="通讯录")
    related = related_articles(article)
    assert related and article not in related and len(related) <= 5
    assert all(item.status == Article.Status.PUBLISHED for item in related)
    first = related[0]
    first.status = Article.Status.DRAFT
    first.save()
    assert first not in related_articles(article)
