"""Statute search learns from the knowledge base: answers near a question lift the provisions they cite."""

import pytest

from articles import services
from articles.models import Article, Citation
from kb.search.selectors import search
from statutes.models import Provision
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

QUESTION = "网贷平台催收时给我通讯录里的人群发短信，侵犯我的隐私吗"
SEED_QUESTION = "网贷逾期群发短信给通讯录违法吗"
SEED_ANSWER = "网贷逾期后平台群发短信给通讯录联系人，违法吗？"


def ranking(question, **options) -> list[int]:
    return [hit.object.pk for hit in search(question, kind="provisions", limit=20, **options).provisions.hits]


def test_answers_near_the_question_lift_what_they_cite_and_the_page_says_why(demo_index, client):
    seed = Article.objects.get(title=SEED_ANSWER)
    harassment = Article.objects.get(title="催收人员上门骚扰、辱骂威胁，借款人该怎么办？")
    assert [hit.object for hit in search(QUESTION, kind="articles").articles.hits[:2]] == [seed, harassment]
    hits = search(QUESTION, kind="provisions", limit=20).provisions.hits
    for hit in hits:
        for article in hit.cited_by:
            assert article.is_published
            assert Citation.objects.filter(article=article, provision=hit.object).exists()
    # 民法典 1033, which both nearest answers cite, comes first; 电信条例 65, which the words alone
    # do not rank among the first 20, comes in among the first 10 on the nearest answer's word.
    first = hits[0]
    assert (first.object.law.short_title, first.object.key) == ("民法典", "1033")
    assert first.cited_by == [seed, harassment]
    telecom = Provision.objects.get(law__short_title="电信条例", key="65")
    assert telecom.pk not in ranking(QUESTION, use_articles=False)
    lifted = next(hit for hit in hits if hit.object == telecom)
    assert hits.index(lifted) < 10 and lifted.cited_by == [seed]
    page = client.get("/search/", {"q": QUESTION, "type": "provisions"}).content.decode()
    assert "2 篇相关问答引用了本条" in page
    assert seed.get_absolute_url() in page and harassment.get_absolute_url() in page


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
    """The seed question: its answer on the site cites 民法典 1032, 1033, 个人信息保护法 13, 10,
    互联网信息服务管理办法 15, 电信条例 65, 民法典 1034, in that order; those come first, in that
    order, not provisions that merely share a word or two with it (在线诉讼规则 32, 香港基本法 30)."""
    answer = Article.objects.get(title=SEED_ANSWER)
    hits = search(SEED_QUESTION, kind="provisions", limit=10).provisions.hits
    assert [(hit.object.law.short_title, hit.object.key) for hit in hits[:7]] == [
        ("民法典", "1032"),
        ("民法典", "1033"),
        ("个人信息保护法", "13"),
        ("个人信息保护法", "10"),
        ("互联网信息服务管理办法", "15"),
        ("电信条例", "65"),
        ("民法典", "1034"),
    ]
    assert [hit.object.pk for hit in hits[:7]] == list(
        answer.citations.values_list("provision_id", flat=True)  # the answer's own order
    )
    assert all(answer in hit.cited_by for hit in hits[:7])
    assert not any(answer in hit.cited_by for hit in hits[7:])
    # Leave the answer out: no other answer resembles the question, so the ranking is the words' alone.
    without = search(SEED_QUESTION, kind="provisions", limit=20, exclude_articles=frozenset({answer.pk}))
    assert [hit.object.pk for hit in without.provisions.hits] == ranking(SEED_QUESTION, use_articles=False)
    assert not any(hit.cited_by for hit in without.provisions.hits)
