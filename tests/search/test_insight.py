"""Search insight for editors: each reader's search recorded (never in the way), reported by period;
articles pinned for a query (编辑推荐)."""

import datetime
import logging
import re
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from kb.search import insight
from kb.search.models import PinnedResult, SearchClick, SearchRecord
from kb.search.selectors import search
from statutes.models import Provision
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


def record(query, articles, provisions=0, *, days_ago=0):
    return SearchRecord.objects.create(
        query=query,
        articles_found=articles,
        provisions_found=provisions,
        searched_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


class TestRecording:
    def test_a_readers_question_is_recorded_normalized_with_counts_and_nothing_personal(
        self, client, demo_index
    ):
        client.get(reverse("search:search"), {"q": "  网贷逾期　爆通讯录  "}, REMOTE_ADDR="203.0.113.9")
        (row,) = SearchRecord.objects.all()
        assert row.query == "网贷逾期 爆通讯录"
        assert row.articles_found >= 1 and row.provisions_found >= 1
        stored = {field.name for field in SearchRecord._meta.get_fields()}
        assert stored == {"id", "query", "articles_found", "provisions_found", "answered", "searched_at"}
        assert row.answered is True

    def test_paging_filtering_and_empty_queries_are_not_new_questions(self, client, demo_index):
        client.get(reverse("search:search"), {"q": ""})
        client.get(reverse("search:search"), {"q": "通讯录", "type": "provisions", "page": "2"})
        client.get(reverse("search:search"), {"q": "通讯录", "level": "法律"})
        client.get(reverse("search:search"), {"q": "通讯录", "versions": "all"})
        assert not SearchRecord.objects.exists()

    def test_a_failure_to_record_is_logged_and_the_search_answers(self, client, demo_index, caplog):
        with (
            mock.patch.object(
                SearchRecord.objects, "bulk_create", side_effect=RuntimeError("database is locked")
            ),
            caplog.at_level(logging.ERROR, logger="kb.search.insight"),
        ):
            response = client.get(reverse("search:search"), {"q": "网贷逾期"})
        assert response.status_code == 200 and "通讯录" in response.content.decode()
        assert "could not be recorded" in caplog.text
        assert not SearchRecord.objects.exists()

    def test_searches_are_written_together_off_the_readers_path(self, settings):
        settings.SEARCH_LOG_DELAY = 60  # the timer will not fire during the test
        log = insight.SearchLog()
        now = timezone.now()
        log.record(SearchRecord(query="问题一", articles_found=1, provisions_found=2, searched_at=now))
        log.record(SearchRecord(query="问题二", articles_found=0, provisions_found=0, searched_at=now))
        assert log.pending == 2 and not SearchRecord.objects.exists()
        with mock.patch.object(
            SearchRecord.objects, "bulk_create", wraps=SearchRecord.objects.bulk_create
        ) as insert:
            assert log.flush() == 2
        assert insert.call_count == 1  # one INSERT for both
        assert sorted(SearchRecord.objects.values_list("query", flat=True)) == ["问题一", "问题二"]
        assert log.pending == 0 and log.flush() == 0

    def test_a_question_nothing_here_answers_is_recorded_as_unanswered(self, client, demo_index):
        client.get(reverse("search:search"), {"q": "xyzzy plugh"})
        (row,) = SearchRecord.objects.all()
        assert row.answered is False and row.articles_found == 0


class TestClicks:
    """What readers open from their results: from the Referer of the page they open."""

    def search_page(self, question, **params):
        return "http://testserver" + reverse("search:search") + "?" + urlencode({"q": question, **params})

    def test_an_article_and_a_provision_opened_from_the_results_are_recorded(self, client, demo_index):
        article = Article.objects.published().first()
        provision = Provision.objects.first()
        client.get(article.get_absolute_url(), HTTP_REFERER=self.search_page("  網貸逾期　爆通讯录 "))
        client.get(provision.get_absolute_url(), HTTP_REFERER=self.search_page("网贷逾期 爆通讯录"))
        clicks = SearchClick.objects.order_by("pk")
        assert [(c.query, c.article_id, c.provision_id) for c in clicks] == [
            ("网贷逾期 爆通讯录", article.pk, None),
            ("网贷逾期 爆通讯录", None, provision.pk),
        ]

    def test_other_referers_record_nothing(self, client, demo_index):
        article = Article.objects.published().first()
        for referer in (
            "https://elsewhere.example/search/?q=网贷",  # another site
            "http://testserver/?q=网贷",  # not the search page
            self.search_page("网贷", type="provisions"),  # results filtered: not the question as asked
            self.search_page(""),  # no question
            "http://[::1",  # not an address at all
        ):
            assert client.get(article.get_absolute_url(), HTTP_REFERER=referer).status_code == 200
        assert not SearchClick.objects.exists()

    def test_editors_opening_results_are_not_counted(self, editor_client, demo_index):
        article = Article.objects.published().first()
        editor_client.get(article.get_absolute_url(), HTTP_REFERER=self.search_page("网贷"))
        assert not SearchClick.objects.exists()


class TestReport:
    def test_frequent_unanswered_and_few_over_a_period(self):
        for _ in range(3):
            record("网贷逾期", 5)
        record("试用期辞退", 0)
        record("试用期辞退", 0)
        record("宠物伤人", 1)
        record("很久以前的问题", 0, days_ago=40)
        report = insight.search_report(insight.period_start("30"))
        assert [(row.query, row.searches) for row in report.frequent] == [
            ("网贷逾期", 3),
            ("试用期辞退", 2),
            ("宠物伤人", 1),
        ]
        assert [row.query for row in report.unanswered] == ["试用期辞退"]
        assert [row.query for row in report.few] == ["宠物伤人"]
        assert report.searches == 6 and report.distinct_queries == 3
        everything = insight.search_report(insight.period_start("all"))
        assert "很久以前的问题" in [row.query for row in everything.unanswered]

    def test_today_holds_the_searches_since_local_midnight_and_no_earlier(self):
        """The period's start is compared as the column stores times (UTC text on SQLite)."""
        record("刚刚搜索的问题", 0)
        midnight = insight.period_start("1")
        SearchRecord.objects.create(
            query="昨天深夜的问题",
            articles_found=0,
            provisions_found=0,
            searched_at=midnight - datetime.timedelta(minutes=1),
        )
        today = insight.search_report(midnight)
        assert [row.query for row in today.unanswered] == ["刚刚搜索的问题"] and today.searches == 1

    def test_a_question_answered_since_leaves_the_unanswered_list(self):
        record("试用期辞退", 0, days_ago=2)
        record("试用期辞退", 4)
        report = insight.search_report(None)
        assert report.unanswered == [] and report.frequent[0].articles_found == 4

    def test_periods_start_at_local_midnight(self):
        now = timezone.make_aware(datetime.datetime(2026, 11, 29, 15, 30))
        start = timezone.localtime(insight.period_start("7", now))
        assert (start.date(), start.hour, start.minute) == (datetime.date(2026, 11, 23), 0, 0)
        assert insight.period_start("all", now) is None and insight.period_start("bogus", now) is None

    def test_editors_read_the_report_and_can_write_or_pin_from_it(self, editor_client):
        record("试用期辞退<script>", 0)
        page = editor_client.get(
            reverse("admin:search_searchrecord_changelist"), {"period": "7"}
        ).content.decode()
        assert "没有文章回答的问题（1）" in page
        assert "试用期辞退&lt;script&gt;" in page and "<script>" not in page.split("</head>")[1]
        assert (
            reverse("admin:articles_article_add") in page and reverse("admin:search_pinnedresult_add") in page
        )
        # An unknown period is the default one, not an error.
        assert (
            editor_client.get(reverse("admin:search_searchrecord_changelist"), {"period": "x"}).status_code
            == 200
        )

    def test_each_question_says_whether_it_was_answered_and_what_readers_opened(self):
        article = make_article("网贷逾期会被起诉吗")
        record("网贷逾期", 5).save()
        SearchRecord.objects.filter(query="网贷逾期").update(answered=True)
        record("无人机航拍", 0)
        SearchRecord.objects.filter(query="无人机航拍").update(answered=False)
        record("旧记录的问题", 0)  # recorded before the verdict was kept: no article, no answer
        for _ in range(2):
            SearchClick.objects.create(query="网贷逾期", article=article, clicked_at=timezone.now())
        SearchClick.objects.create(
            query="网贷逾期", article=article, clicked_at=timezone.now() - datetime.timedelta(days=40)
        )
        report = insight.search_report(insight.period_start("7"))
        rows = {row.query: row for row in report.frequent}
        assert (
            rows["网贷逾期"].answered
            and not rows["无人机航拍"].answered
            and not rows["旧记录的问题"].answered
        )
        assert [(o.title, o.url, o.times) for o in rows["网贷逾期"].opened] == [
            ("网贷逾期会被起诉吗", article.get_absolute_url(), 2)
        ]
        assert report.unanswered_searches == 2 and report.opened == 2

    def test_the_unanswered_total_counts_the_period_not_the_days_the_chart_draws(self):
        """Today's report draws a week, but its totals are today's."""
        record("今天没有答案的问题", 0)
        record("三天前没有答案的问题", 0, days_ago=3)
        today = insight.search_report(insight.period_start("1"))
        assert today.searches == 1 and today.unanswered_searches == 1
        assert insight.search_report(insight.period_start("7")).unanswered_searches == 2

    def test_the_trend_counts_every_day_of_the_period_with_its_unanswered_searches(self):
        record("今天的问题", 3)
        record("今天没有答案的问题", 0)
        record("三天前的问题", 0, days_ago=3)
        trend = insight.daily_trend(insight.period_start("7"))
        today = timezone.localdate()
        assert [day.day for day in trend] == [today - datetime.timedelta(days=n) for n in range(6, -1, -1)]
        by_day = {day.day: (day.searches, day.unanswered) for day in trend}
        assert by_day[today] == (2, 1)
        assert by_day[today - datetime.timedelta(days=3)] == (1, 1)
        assert sum(searches for searches, _ in by_day.values()) == 3
        # Today alone is still drawn over a week; the whole record over the last 90 days.
        assert len(insight.daily_trend(insight.period_start("1"))) == 7
        assert len(insight.daily_trend(None)) == insight.TREND_DAYS

    def test_the_report_page_draws_the_trend_and_marks_unanswered_questions(self, editor_client):
        record("无人机航拍", 0)
        record("网贷逾期", 4)
        record("网贷逾期", 4, days_ago=2)
        page = editor_client.get(reverse("admin:search_searchrecord_changelist"), {"period": "7"})
        html = page.content.decode()
        assert page.status_code == 200
        assert html.count('class="kb-trend-all"') == 7
        assert "搜索 2 次，没有答案 1 次" in html and "搜索 1 次，没有答案 0 次" in html
        assert "<strong>1</strong> 次知识库里没有答案" in html
        unanswered_section = html.split('id="unanswered"')[1].split("</section>")[0]
        assert "无人机航拍" in unanswered_section and "没有答案" in unanswered_section

    def test_readers_and_staff_without_the_right_cannot(self, client):
        assert client.get(reverse("admin:search_searchrecord_changelist")).status_code == 302
        idle = User.objects.create_user("idle", password="not-a-real-password-1", is_staff=True)
        client.force_login(idle)
        assert client.get(reverse("admin:search_searchrecord_changelist")).status_code == 403


class TestPinned:
    def test_a_pinned_article_comes_first_with_its_badge(self, client, demo_index):
        last = search("网贷逾期").articles.hits[-1].object
        PinnedResult.objects.create(query="  网贷逾期 ", article=last)
        assert PinnedResult.objects.get().query == "网贷逾期"
        first = search("网贷逾期").articles.hits[0]
        assert first.object == last and first.pinned
        page = client.get(reverse("search:search"), {"q": "网贷逾期"}).content.decode()
        first_result = re.search(
            r'<a class="result__title" href="[^"]+">([^<]+)</a>( <span class="badge badge--pinned">)?', page
        )
        assert first_result.groups() == (last.title, ' <span class="badge badge--pinned">')
        assert page.count("badge--pinned") == 1

    def test_a_pinned_draft_or_scheduled_article_stays_hidden(self, client, demo_index):
        draft = make_article("置顶的草稿", status=Article.Status.DRAFT)
        scheduled = make_article("置顶的定时文章", published_at=timezone.now() + datetime.timedelta(days=1))
        PinnedResult.objects.create(query="网贷逾期", article=draft)
        PinnedResult.objects.create(query="网贷逾期", article=scheduled, order=1)
        page = client.get(reverse("search:search"), {"q": "网贷逾期"}).content.decode()
        assert "置顶的草稿" not in page and "置顶的定时文章" not in page and "编辑推荐" not in page

    def test_editors_pin_from_the_admin(self, editor_client, demo_index):
        article = Article.objects.published().first()
        response = editor_client.post(
            reverse("admin:search_pinnedresult_add"), {"query": "爆通讯录", "article": article.pk, "order": 0}
        )
        assert response.status_code == 302
        assert PinnedResult.objects.get().article == article


def test_the_pin_list_says_whether_readers_see_each_pinned_article(editor_client):
    later = timezone.now() + datetime.timedelta(days=1)
    PinnedResult.objects.create(query="一", article=make_article("已发布的"))
    PinnedResult.objects.create(query="二", article=make_article("定时的", published_at=later))
    # A draft keeps a time it was given; it is still a draft, not scheduled.
    PinnedResult.objects.create(
        query="三", article=make_article("草稿", status=Article.Status.DRAFT, published_at=later)
    )
    page = editor_client.get(reverse("admin:search_pinnedresult_changelist")).content.decode()
    assert 'kb-state--published">是<' in page
    assert 'kb-state--scheduled">发布后显示<' in page
    assert 'kb-state--draft">否（草稿）<' in page
