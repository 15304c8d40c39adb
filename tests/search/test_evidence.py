"""Statute search learns from the knowledge base: answers near a question lift the provisions they cite."""

import pytest

from articles import services
from articles.models import Article, Citation
from kb.search.selectors import search
from statutes.models import Provision
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

QUESTION = "网贷平台催收时给我通讯录里的人群发短信，侵犯我的隐私吗"


def ranking(question, **options) -> list[int]:
    return [hit.object.pk for hit in search(question, kind="provisions", limit=20, **options).provisions.hits]


def test_answers_near_the_question_lift_what_they_cite_and_the_page_says_why(demo_index, client):
    hits = search(QUESTION, kind="provisions", limit=20).provisions.hits
    explained = [hit for hit in hits if hit.cited_by]
    assert explained, "the demo answers about 通讯录 cite provisions"
    for hit in explained:
        for article in hit.cited_by:
            assert article.is_published
            assert Citation.objects.filter(article=article, provision=hit.object).exists()
    page = client.get("/search/", {"q": QUESTION, "type": "provisions"}).content.decode()
    first = explained[0]
    assert f"{len(first.cited_by)} 篇相关问答引用了本条" in page
    assert first.cited_by[0].get_absolute_url() in page


def test_without_the_articles_or_with_all_of_them_left_out_it_is_the_direct_ranking(demo_index):
    direct = ranking(QUESTION, use_articles=False)
    everyone = frozenset(Article.objects.values_list("pk", flat=True))
    assert ranking(QUESTION, exclude_articles=everyone) == direct
    assert not any(hit.cited_by for hit in search(QUESTION, exclude_articles=everyone).provisions.hits)


def test_a_question_no_answer_resembles_keeps_its_direct_ranking(demo_index):
    question = "宅基地上的房屋能不能卖给城里人"  # a word or two in common with some answer, no more
    assert ranking(question) == ranking(question, use_articles=False)


def test_the_evidence_follows_the_content_and_drafts_never_count(
    search_index, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)
    consumer = Provision.objects.get(law__short_title="消费者权益保护法", key="55")
    question = "网上买到假货，商家应该怎么赔偿"
    with django_capture_on_commit_callbacks(execute=True):
        answer = make_article(
            "网上买到假货，商家应该怎么赔偿？",
            body="网购买到假货，可以要求商家退一赔三。",
            cites=[consumer],
            status=Article.Status.DRAFT,
        )
    search_index()
    assert not any(hit.cited_by for hit in search(question).provisions.hits)  # a draft never counts
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_article(article=answer)
    lifted = next(hit for hit in search(question).provisions.hits if hit.object == consumer)
    assert lifted.cited_by == [answer]
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish_article(article=answer)
    assert not any(hit.cited_by for hit in search(question).provisions.hits)


def test_a_citation_lists_the_articles_citing_it_first(demo_index):
    privacy = Provision.objects.get(law__short_title="民法典", key="1032")
    citing = set(
        Article.objects.published().filter(citations__provision=privacy).values_list("pk", flat=True)
    )
    assert citing
    hits = search("民法典第1032条", kind="articles", limit=20).articles.hits
    first = [hit.object.pk for hit in hits[: len(citing)]]
    assert set(first) == citing


def test_a_question_answered_already_gets_what_its_answer_cites_first(demo_index):
    """The seed question: its answer on the site cites 电信条例 65, 民法典 1032-1034 …; those come first,
    not provisions that merely share a word or two with it (在线诉讼规则 32, 香港基本法 30)."""
    answer = Article.objects.get(title__startswith="网贷逾期后平台群发短信给通讯录联系人")
    cited = list(answer.citations.order_by("order", "pk").values_list("provision_id", flat=True))
    hits = search("网贷逾期群发短信给通讯录违法吗", kind="provisions", limit=len(cited)).provisions.hits
    assert [hit.object.pk for hit in hits] == cited
    assert all(answer in hit.cited_by for hit in hits)
    # Leave the answer out and the rule has nothing to go by: the ranking is the evidence's and the words'.
    without = search(
        "网贷逾期群发短信给通讯录违法吗", kind="provisions", exclude_articles=frozenset({answer.pk})
    )
    assert all(answer not in hit.cited_by for hit in without.provisions.hits)
