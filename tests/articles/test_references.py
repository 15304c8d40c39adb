"""References in article bodies: linked on save, synced to Citation rows; related articles."""

import json

import pytest
from django.core.management import call_command

from articles.models import Article, ArticleTopic, Citation
from articles.related import related_articles, topic_neighbours
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


def test_listed_articles_without_their_own_di_are_linked_too(statutes):
    article = make_article(body="见《民法典》第一千零三十二条、一千零三十三条。")
    assert article.body_html.count('class="statute-ref"') == 2
    assert set(article.citations.values_list("provision__key", flat=True)) == {"1032", "1033"}


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


def test_topics_are_the_provisions_search_finds_and_follow_the_text(demo_index):
    article = make_article(
        title="催收爆通讯录侵犯隐私吗", body="催收人员把欠款的事告诉通讯录里的亲友，侵害隐私权。"
    )
    topics = list(article.topics.values_list("rank", "provision__law__short_title", "provision__key"))
    assert topics, "the demo index holds the privacy provisions"
    assert [rank for rank, *_ in topics] == list(range(len(topics)))
    assert ("民法典", "1032") in [(law, key) for _, law, key in topics]

    article.title = "劳动合同解除的经济补偿"
    article.body = "公司解除劳动合同，应当支付经济补偿。"
    article.save()
    assert ("民法典", "1032") not in set(
        article.topics.values_list("provision__law__short_title", "provision__key")
    )

    call_command("refresh_topics", verbosity=0)
    assert ArticleTopic.objects.filter(article=article).exists()


def test_topic_neighbours_weigh_shared_provisions_by_rank_and_skip_drafts(statutes):
    from statutes.models import Provision

    provisions = list(Provision.objects.order_by("pk")[:3])
    first, twin, partial, draft = (make_article(title=f"文章{n}", body="正文") for n in range(4))
    ArticleTopic.objects.all().delete()
    for article, chosen in (
        (first, provisions),
        (twin, provisions),
        (partial, provisions[2:]),
        (draft, provisions),
    ):
        ArticleTopic.objects.bulk_create(
            ArticleTopic(article=article, provision=provision, rank=rank)
            for rank, provision in enumerate(chosen)
        )
    draft.status = Article.Status.DRAFT
    draft.save(update_fields=["status"])
    scores = topic_neighbours(first)
    assert set(scores) == {twin.pk, partial.pk}
    assert scores[twin.pk] > scores[partial.pk] > 0


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
