"""References in article bodies: linked on save, synced to Citation rows, checked from the command line."""

import json

import pytest
from django.core.management import call_command

from articles import services
from articles.models import Article, Citation
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
    services.save_article(article=article)
    assert set(article.citations.values_list("provision__key", "added_by")) == {
        ("1033", Citation.AddedBy.EDITOR),
        ("1034", Citation.AddedBy.FINDER),
    }


def test_listed_articles_without_their_own_di_are_linked_too(statutes):
    article = make_article(body="见《民法典》第一千零三十二条、一千零三十三条。")
    assert article.body_html.count('class="statute-ref"') == 2
    assert set(article.citations.values_list("provision__key", flat=True)) == {"1032", "1033"}


def test_unresolved_references_are_reported_not_linked(statutes):
    # A draft: published, the unknown law would be refused (the publishing rule).
    article = make_article(
        body="见《电信条例》第九十九条和《不存在的法》第三条。", status=Article.Status.DRAFT
    )
    assert 'class="statute-ref"' not in article.body_html
    problems = [entry["problem"] for entry in article.reference_report]
    assert problems[0].startswith("beyond the last article") and problems[1] == "unknown law"


def test_references_inside_links_and_code_are_left_alone(statutes):
    article = make_article(
        body="`《民法典》第一千零三十二条` 与 [《民法典》第一千零三十三条](https://example.com)"
    )
    assert 'class="statute-ref"' not in article.body_html


def test_check_citations_command_exits_1_on_a_mismatch(statutes, tmp_path, capsys):
    path = tmp_path / "post.txt"
    path.write_text(
        "《中华人民共和国电信条例》第三十四条规定：“电信用户依法使用电信的自由和通信秘密受法律保护”",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_status:
        call_command("check_citations", file=str(path), json=True)
    assert exit_status.value.code == 1
    report = json.loads(capsys.readouterr().out)["references"]
    assert report[0]["key"] == "34" and report[0]["quote_matches"] is False
    assert report[0]["suggestion"]["key"] == "65"
