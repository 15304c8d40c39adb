import datetime
import time
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from kb.search import tasks
from kb.search.selectors import search
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


SEED_QUESTION = "网贷逾期群发短信给通讯录违法吗"
SEED_ANSWER = "网贷逾期后平台群发短信给通讯录联系人，违法吗？"
# What the seed answer cites, in its order (fixtures/demo/articles/01-wangdai-tongxunlu.md).
SEED_ANSWER_CITES = [
    ("民法典", "1032"),
    ("民法典", "1033"),
    ("个人信息保护法", "13"),
    ("个人信息保护法", "10"),
    ("互联网信息服务管理办法", "15"),
    ("电信条例", "65"),
    ("民法典", "1034"),
]


class TestRanking:
    def test_the_seed_question_finds_the_demo_article_first_and_the_right_provisions(self, demo_index):
        outcome = search(SEED_QUESTION)
        assert outcome.articles.hits[0].object.title == SEED_ANSWER
        provisions = [(hit.object.law.short_title, hit.object.key) for hit in outcome.provisions.hits]
        # The answer to this very question on the site: what it cites comes first, in its order.
        assert provisions[: len(SEED_ANSWER_CITES)] == SEED_ANSWER_CITES
        assert provisions.index(("电信条例", "65")) == 5
        for hit in outcome.provisions.hits[: len(SEED_ANSWER_CITES)]:
            assert SEED_ANSWER in [article.title for article in hit.cited_by]

    @pytest.mark.parametrize(
        ("text", "law", "key"),
        [
            ("民法典第1032条", "民法典", "1032"),
            ("民法典1032", "民法典", "1032"),
            ("刑法第二百五十三条之一", "刑法", "253-1"),
            ("电信条例65条", "电信条例", "65"),
        ],
    )
    def test_citation_queries_put_that_provision_first(self, demo_index, text, law, key):
        outcome = search(text)
        assert (outcome.cited.law.short_title, outcome.cited.key) == (law, key)
        first = outcome.provisions.hits[0].object
        assert (first.law.short_title, first.key) == (law, key)

    def test_one_character_finds_something(self, demo_index):
        outcome = search("债")
        assert outcome.articles.total > 0 and outcome.provisions.total > 0

    def test_questions_rank_by_more_and_rarer_terms_without_requiring_all(self, demo_index):
        outcome = search("公司不给加班费怎么办呢朋友")
        assert "加班费" in outcome.articles.hits[0].object.title


class TestIndexSync:
    def test_publish_unpublish_edit_and_delete_reach_the_index(
        self, search_index, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article("独一无二的标题甲乙丙", status=Article.Status.DRAFT)
        assert search("独一无二的标题甲乙丙").articles.total == 0
        with django_capture_on_commit_callbacks(execute=True):
            article.status = Article.Status.PUBLISHED
            article.save()
        assert search("独一无二的标题甲乙丙").articles.hits[0].object == article
        with django_capture_on_commit_callbacks(execute=True):
            article.title = "改过的题目丁戊己"
            article.save()
        assert search("改过的题目丁戊己").articles.total == 1
        assert search("独一无二的标题甲乙丙").articles.total == 0
        with django_capture_on_commit_callbacks(execute=True):
            article.status = Article.Status.DRAFT
            article.save()
        assert search("改过的题目丁戊己").articles.total == 0
        with django_capture_on_commit_callbacks(execute=True):
            article.status = Article.Status.PUBLISHED
            article.save()
        with django_capture_on_commit_callbacks(execute=True):
            article.delete()
        assert search("改过的题目丁戊己").articles.total == 0

    def test_a_scheduled_article_becomes_searchable_at_its_time_with_no_index_update(
        self, search_index, django_capture_on_commit_callbacks, client
    ):
        coming = timezone.now() + datetime.timedelta(seconds=2)
        with django_capture_on_commit_callbacks(execute=True):
            article = make_article("定时发布的文章庚辛壬", published_at=coming, body="定时发布的正文。\n")
        page = reverse("search:search")
        assert search("定时发布的文章庚辛壬").articles.total == 0
        assert (
            article.get_absolute_url() not in client.get(page, {"q": "定时发布的文章庚辛壬"}).content.decode()
        )
        assert client.get(reverse("search:suggest"), {"q": "定时发布"}).json()["suggestions"] == []

        time.sleep(max(0.0, (coming - timezone.now()).total_seconds()) + 0.05)
        with mock.patch.object(tasks, "apply", side_effect=AssertionError("no index update")):
            outcome = search("定时发布的文章庚辛壬")
            assert [hit.object for hit in outcome.articles.hits] == [article]
            assert (
                article.get_absolute_url() in client.get(page, {"q": "定时发布的文章庚辛壬"}).content.decode()
            )


class TestSearchPage:
    def test_shows_articles_and_provisions_with_marks(self, client, demo_index):
        content = client.get(reverse("search:search"), {"q": "网贷逾期会爆通讯录吗"}).content.decode()
        # Tabs without counts: how many documents share a word with the question says nothing.
        assert 'type=articles">文章</a>' in content and 'type=provisions">法条</a>' in content
        assert "文章（" not in content and "法条（" not in content and "查看全部" not in content
        assert "<mark>通讯录</mark>" in content or "<mark>爆通讯录</mark>" in content
        assert "网贷逾期后平台群发短信给通讯录联系人" in content

    def test_filters_and_pagination(self, client, demo_index):
        url = reverse("search:search")
        content = client.get(url, {"q": "民法典", "type": "provisions", "level": "行政法规"}).content.decode()
        assert "中华人民共和国民法典 第" not in content
        assert client.get(url, {"q": "民法典", "type": "provisions", "page": "2"}).status_code == 200
        for page in ("0", "abc", "51", "-1"):
            assert client.get(url, {"q": "民法典", "type": "provisions", "page": page}).status_code == 404

    def test_zero_results_still_help(self, client, demo_index):
        content = client.get(reverse("search:search"), {"q": "zzzzqqqq"}).content.decode()
        assert "没有找到" in content and "大家常搜" in content

    def test_highlights_are_escaped(self, client, search_index):
        make_article("脚本测试", body="正文里有 <script>alert(1)</script> 和诉讼时效。")
        search_index()
        content = client.get(reverse("search:search"), {"q": "<script>诉讼时效"}).content.decode()
        assert "<script>alert(1)" not in content
        assert "<mark>诉讼时效</mark>" in content

    def test_suggestions(self, client, demo_index):
        data = client.get(reverse("search:suggest"), {"q": "民法典1032"}).json()
        assert data["suggestions"][0]["kind"] == "provision"
        data = client.get(reverse("search:suggest"), {"q": "加班费"}).json()
        assert any(item["kind"] == "article" for item in data["suggestions"])

    def test_a_lone_digit_or_letter_is_no_query_and_says_so(self, client, demo_index):
        for lone in ("1", "a", " 1 ", "１", "1 a"):
            response = client.get(reverse("search:search"), {"q": lone})
            outcome = response.context["outcome"]
            assert outcome.articles.total == 0 and outcome.provisions.total == 0, lone
            assert "太短，无法搜索" in response.content.decode()
        # Two characters are a query: 12 is searched as a word, and found as one (12% in the 民间借贷 answer).
        response = client.get(reverse("search:search"), {"q": "12条"})
        assert "太短，无法搜索" not in response.content.decode()
        outcome = response.context["outcome"]
        assert outcome.query.words == ["12"] and not outcome.query.too_short
        assert [hit.object.title for hit in outcome.articles.hits] == [
            "民间借贷利息最高能约定多少？超出部分还要还吗？"
        ]

    def test_marks_whole_words_only(self, client, demo_index):
        from kb.search.highlight import highlight
        from kb.search.query import understand

        terms = understand("民法典第1032条").highlight_terms
        marked = highlight("最高人民法院认为，依照民法典的规定处理。", terms)
        assert "<mark>民法典</mark>" in marked and "人<mark>民法" not in marked
        terms = understand("网贷逾期会爆通讯录吗").highlight_terms
        assert "<mark>通讯录</mark>" in highlight("平台把欠款告诉通讯录里的人。", terms)

    def test_too_long_queries_are_cut_with_a_message(self, client, demo_index):
        content = client.get(reverse("search:search"), {"q": "债" * 1000}).content.decode()
        assert "搜索词太长" in content


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(max_size=200),
    kind=st.sampled_from(["all", "articles", "provisions", "x"]),
    page=st.one_of(st.text(max_size=4), st.sampled_from(["", "1", "01", "2", "50", "51", "0", "-1", "１"])),
)
def test_hostile_search_parameters_get_the_page_they_ask_for_or_a_404(client, demo_index, q, kind, page):
    from kb.search.query import normalize_query

    response = client.get(reverse("search:search"), {"q": q, "type": kind, "page": page, "level": q[:5]})
    content = response.content.decode()
    number = int(page) if page.isascii() and page.isdigit() else None
    if page and not (number and 1 <= number <= 50):  # pages are 1 to 50, in ASCII digits
        assert response.status_code == 404 and "页面不存在" in content, page
    elif not page or number == 1:
        assert response.status_code == 200, page
        assert f'value="{escape(normalize_query(q)[0])}"' in content  # the question, as searched
    else:  # a later page: there, or missing when the results end before it
        assert response.status_code == 200 or "页面不存在" in content


# Whoosh's query syntax as a reader may type it, and the same words without the syntax.
WHOOSH_SYNTAX = [
    ("通讯录 AND 短信", "通讯录 短信"),
    ("网贷 NOT 逾期", "网贷 逾期"),
    ("(隐私权 OR 通讯录)", "隐私权 通讯录"),
    ("title:通讯录", "title 通讯录"),
    ("heading:民法典", "heading 民法典"),  # heading is a field of the index: no field search
    ("text:加班费", "text 加班费"),
    ('"网贷 逾期"', "网贷 逾期"),
    ('"通讯录"', "通讯录"),
    ("民法典*", "民法典"),
    ("隐私*权", "隐私 权"),
    ("加班费~", "加班费"),
    ("加班费~2", "加班费 2"),
    ("隐私权^3", "隐私权 3"),
    ("*", ""),
    ("(", ""),
    ("~", ""),
    ('"', ""),
    ("a AND (b", "a and b"),
]


def test_whoosh_syntax_is_plain_text(client, demo_index):
    """Nothing typed is query syntax: the page shows it as typed (escaped), finds what the words
    alone find, and no query string is ever parsed."""
    from whoosh.qparser import QueryParser

    def found(outcome):
        return [
            (hits.total, [hit.object.pk for hit in hits.hits])
            for hits in (outcome.articles, outcome.provisions)
        ]

    page = reverse("search:search")
    for typed, words in WHOOSH_SYNTAX:
        with mock.patch.object(QueryParser, "parse", side_effect=AssertionError("a query string was parsed")):
            response = client.get(page, {"q": typed})
        assert response.status_code == 200, typed
        content = response.content.decode()
        shown = escape(typed.lower())  # as normalized: capitals (and full-width forms) folded
        assert f'value="{shown}"' in content, typed
        outcome = response.context["outcome"]
        assert found(outcome) == found(client.get(page, {"q": words}).context["outcome"]), typed
        if words in ("", "a and b"):  # no word the library has
            assert found(outcome) == [(0, []), (0, [])], typed
            assert f"没有找到能回答“{shown}”的内容" in content, typed
        else:
            assert outcome.provisions.total > 0, typed


def test_the_prior_ranks_higher_norms_and_current_law_first(search_index):
    from statutes.models import Provision, Status
    from tests.helpers import make_law

    text = "用人单位拖欠劳动报酬的，劳动者可以向劳动行政部门投诉。"
    rule = make_law("某部门规章", level="部门规章")
    law = make_law("中华人民共和国某法", level="法律")
    old = make_law("中华人民共和国某法", level="法律", is_current=False, status=Status.AMENDED,
                   promulgated_on=__import__("datetime").date(2001, 1, 1))  # fmt: skip
    for number, target in enumerate((rule, old, law), start=1):
        Provision.objects.create(law=target, number=number, text=text, order=1)
    search_index()
    current_only = search("拖欠劳动报酬投诉", kind="provisions").provisions.hits
    assert [hit.object.law for hit in current_only] == [law, rule]
    everything = search("拖欠劳动报酬投诉", kind="provisions", include_superseded=True).provisions.hits
    assert [hit.object.law for hit in everything] == [law, rule, old]
