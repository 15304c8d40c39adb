"""The reader cache (kb.reader_cache): pages, search results, the sitemap and the feed kept under one
generation that lives in the database; keys and links from configuration; an accelerator the site
never depends on; the one place that counts views and records searches."""

import datetime
import logging
import os
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from articles import services, view_counts
from articles.models import Article
from kb import reader_cache
from kb.search import insight
from kb.search.models import SearchRecord
from kb.search.views import SearchView
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

REDIS_NOWHERE = {
    "default": {
        "BACKEND": "kb.resilient_cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def reader_cache_on(settings):
    settings.READER_CACHE = True
    settings.READER_CACHE_SECONDS = 60
    reader_cache.forget_generation()
    cache.clear()
    yield
    cache.clear()


def kept(path: str, **params) -> bool:
    """Whether the page is in the cache under the current generation."""
    request = RequestFactory().get(path, params)
    view_name = reader_cache.ReaderCacheMiddleware.match(request).view_name
    reader_cache.forget_generation()
    return cache.get(reader_cache.page_key(request, reader_cache.generation(), view_name)) is not None


def canonical(content: str) -> str:
    return content.split('<link rel="canonical" href="', 1)[1].split('"', 1)[0]


class TestReaderPages:
    def test_a_page_is_rendered_once_then_read_from_the_cache(
        self, client, reader_cache_on, django_assert_max_num_queries
    ):
        make_article("第一篇")
        first = client.get(reverse("home"))
        assert first.status_code == 200
        with django_assert_max_num_queries(1):  # the generation, nothing of the page
            second = client.get(reverse("home"))
        assert second.content == first.content and "第一篇" in second.content.decode()

    def test_a_save_moves_the_generation_in_its_transaction_and_readers_see_the_change(
        self, client, reader_cache_on
    ):
        article = make_article("旧标题")
        assert "旧标题" in client.get(reverse("home")).content.decode()
        before = reader_cache.generation()
        article.title = "新标题"
        services.save_article(article=article)
        reader_cache.forget_generation()
        assert reader_cache.generation() == before + 1
        page = client.get(reverse("home")).content.decode()
        assert "新标题" in page and "旧标题" not in page
        category = client.get(reverse("articles:category", args=[article.category.slug])).content.decode()
        assert "新标题" in category

    def test_an_empty_cache_server_never_brings_back_an_older_page(self, client, reader_cache_on):
        """Redis restarted: the generation is in the database, so no page older than the last save."""
        article = make_article("重启前的标题")
        client.get(article.get_absolute_url())
        client.get(reverse("home"))
        article.title = "重启后的标题"
        services.save_article(article=article)
        cache.clear()  # the cache server comes back empty
        for path in (article.get_absolute_url(), reverse("home")):
            page = client.get(path).content.decode()
            assert "重启后的标题" in page and "重启前的标题" not in page, path

    def test_parameters_that_do_not_change_the_page_neither_make_misses_nor_reach_links(
        self, client, reader_cache_on, settings
    ):
        settings.SITE_URL = "https://kb.example.com"
        make_article("第一篇")
        home = client.get(reverse("home"), {"utm_source": "x", "fbclid": "y"}).content.decode()
        assert canonical(home) == "https://kb.example.com/"
        assert kept(reverse("home")) and kept(reverse("home"), utm_source="z", gclid="w")
        assert not kept(reverse("home"), page="2")
        search = client.get(reverse("search:search"), {"q": "网贷", "utm_campaign": "x"}).content.decode()
        assert canonical(search) == "https://kb.example.com/search/?q=%E7%BD%91%E8%B4%B7"

    def test_a_forged_host_or_scheme_cannot_choose_the_links_readers_get(self, client, reader_cache_on):
        article = make_article("链接测试")
        forged = client.get(
            article.get_absolute_url(), HTTP_HOST="localhost:9999", HTTP_X_FORWARDED_PROTO="https"
        ).content.decode()
        following = client.get(article.get_absolute_url()).content.decode()
        permalink = f"http://testserver{article.get_absolute_url()}"
        for page in (forged, following):
            assert canonical(page) == permalink
            assert f'<meta property="og:url" content="{permalink}">' in page
            assert "localhost:9999" not in page and "https://testserver" not in page

    def test_a_disallowed_host_is_refused_before_the_cache(self, client, reader_cache_on):
        make_article("第一篇")
        assert client.get(reverse("home")).status_code == 200
        assert kept(reverse("home"))
        assert client.get(reverse("home"), HTTP_HOST="evil.example").status_code == 400

    def test_a_scheduled_article_appears_at_its_time(self, client, reader_cache_on):
        make_article("已发布")
        make_article("稍后发布", published_at=timezone.now() + datetime.timedelta(days=1))
        assert reader_cache.timeout(reader_cache.generation()) == 60
        cache.clear()
        when = timezone.now() + datetime.timedelta(seconds=2.5)
        make_article("马上发布", published_at=when)
        assert 1 <= reader_cache.timeout(reader_cache.generation()) <= 2  # kept until then, no longer
        assert "马上发布" not in client.get(reverse("home")).content.decode()
        assert kept(reverse("home"))
        time.sleep((when - timezone.now()).total_seconds() + 0.2)
        assert "马上发布" in client.get(reverse("home")).content.decode()

    def test_a_signed_in_editor_goes_through_the_whole_stack(self, admin_client, client, reader_cache_on):
        make_article("第一篇")
        draft = make_article("草稿预览", status=Article.Status.DRAFT)
        assert admin_client.get(draft.get_absolute_url()).status_code == 200  # the editor's preview
        assert client.get(draft.get_absolute_url()).status_code == 404  # never kept for readers
        assert not kept(draft.get_absolute_url())
        assert "草稿预览" not in admin_client.get(reverse("home")).content.decode()
        assert not kept(reverse("home"))

    def test_a_kept_page_is_answered_with_the_headers_the_whole_stack_gave_it(self, client, reader_cache_on):
        make_article("第一篇")
        fresh = client.get(reverse("home"))
        again = client.get(reverse("home"))
        for header in (
            "Content-Security-Policy",
            "X-Frame-Options",
            "X-Content-Type-Options",
            "Content-Type",
        ):
            assert again[header] == fresh[header], header
        assert "Set-Cookie" not in again


class TestSitemapAndFeed:
    def test_a_withdrawn_article_leaves_them_at_once_and_a_new_one_joins(self, client, reader_cache_on):
        article = make_article("将被撤回的文章")

        def listed() -> tuple[bool, bool]:
            sitemap = client.get(reverse("sitemap-section", args=["articles"])).content.decode()
            feed = client.get(reverse("feed")).content.decode()
            return article.get_absolute_url() in sitemap, "将被撤回的文章" in feed

        assert listed() == (True, True)
        services.unpublish_article(article=article)
        assert listed() == (False, False)
        services.publish_article(article=article)
        assert listed() == (True, True)

    def test_their_links_name_the_configured_origin(self, client, reader_cache_on, settings):
        settings.SITE_URL = "https://kb.example.com"
        article = make_article("链接")
        for name, args in (("feed", []), ("sitemap-section", ["articles"]), ("sitemap", [])):
            content = client.get(reverse(name, args=args), HTTP_HOST="localhost:9999").content.decode()
            assert "https://kb.example.com/" in content and "localhost:9999" not in content, name
        feed = client.get(reverse("feed")).content.decode()
        assert f"https://kb.example.com{article.get_absolute_url()}" in feed


class TestWithTheCacheServerUnreachable:
    def test_readers_get_pages_and_editors_saves_complete(self, client, reader_cache_on, caplog):
        with override_settings(CACHES=REDIS_NOWHERE):
            article = make_article("缓存服务器不在时")
            with caplog.at_level(logging.WARNING, logger="kb.resilient_cache"):
                for _ in range(3):
                    assert client.get(reverse("home")).status_code == 200
                    assert client.get(article.get_absolute_url()).status_code == 200
            article.title = "缓存服务器不在时（改过）"
            services.save_article(article=article)
            assert "（改过）" in client.get(reverse("home")).content.decode()
        warnings = [record for record in caplog.records if record.name == "kb.resilient_cache"]
        assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()

    def test_views_are_counted_in_the_database_meanwhile(self, client, settings):
        settings.REDIS_URL = "redis://127.0.0.1:1/0"
        view_counts._client = None
        try:
            article = make_article("计数")
            for _ in range(2):
                assert client.get(article.get_absolute_url()).status_code == 200
        finally:
            view_counts._client = None
        article.refresh_from_db()
        assert article.view_count == 2


class TestCountingReaders:
    def views(self, article) -> int:
        view_counts.flush()
        article.refresh_from_db()
        return article.view_count

    @pytest.mark.parametrize("cache_on", [True, False])
    def test_a_readers_get_counts_once_whether_kept_or_not(self, client, settings, cache_on):
        settings.READER_CACHE = cache_on
        article = make_article("计数一次")
        for _ in range(3):
            client.get(article.get_absolute_url())
        assert self.views(article) == 3

    def test_head_warm_up_robots_and_editors_count_nothing(self, client, admin_client, reader_cache_on):
        article = make_article("不计数")
        url = article.get_absolute_url()
        client.head(url)
        client.get(url, HTTP_X_KB_WARM_UP="1")
        client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; Baiduspider/2.0)")
        admin_client.get(url)  # an editor's preview
        assert self.views(article) == 0
        client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile Safari")
        assert self.views(article) == 1

    def test_searches_are_recorded_once_each_whether_kept_or_not(self, client, demo_index, reader_cache_on):
        first = client.get(reverse("search:search"), {"q": "网贷逾期爆通讯录"}).content.decode()
        with mock.patch.object(SearchView, "get_context_data", autospec=True) as computed:
            again = client.get(reverse("search:search"), {"q": "网贷逾期爆通讯录"}).content.decode()
        assert computed.call_count == 0 and again == first
        assert list(SearchRecord.objects.values_list("query", flat=True)) == ["网贷逾期爆通讯录"] * 2

    def test_editors_head_and_robots_searches_are_not_recorded(
        self, client, admin_client, demo_index, reader_cache_on
    ):
        url = reverse("search:search")
        admin_client.get(url, {"q": "编辑自己搜索"})
        client.head(url, {"q": "只要头部"})
        client.get(url, {"q": "机器人"}, HTTP_USER_AGENT="Googlebot/2.1")
        client.get(url, {"q": "预热"}, HTTP_X_KB_WARM_UP="1")
        assert SearchRecord.objects.count() == 0
        client.get(url, {"q": "读者"})
        assert list(SearchRecord.objects.values_list("query", flat=True)) == ["读者"]


def test_a_forked_worker_records_its_own_searches(settings):
    """gunicorn forks its workers from the master, which recorded the warm-up's searches with a timer
    that does not exist in the children: each child starts with none pending and a timer of its own."""
    settings.SEARCH_LOG_DELAY = 30
    log = insight.SearchLog()
    log.record(searched("主进程里的搜索", 0, 0))
    assert log.pending == 1
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker
        try:
            before = log.pending
            log.record(searched("工作进程里的搜索", 1, 2))
            answer = f"{before} {log.pending} {int(log._timer is not None and log._timer.is_alive())}"
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            answer = repr(error)
        os.write(write, answer.encode())
        os._exit(0)
    os.close(write)
    answer = os.read(read, 200).decode()
    os.waitpid(child, 0)
    assert answer == "0 1 1"
    log._timer.cancel()


def test_pending_searches_are_bounded(settings, caplog):
    settings.SEARCH_LOG_DELAY = 30
    log = insight.SearchLog()
    with mock.patch.object(insight, "MAX_PENDING", 5), caplog.at_level(logging.WARNING):
        for number in range(8):
            log.record(searched(f"搜索{number}", 0, 0))
    log._timer.cancel()
    assert log.pending == 5 and log.dropped == 3
    assert "not recorded" in caplog.text


class TestProductionStack:
    """Production's middleware (kb.settings.prod): headers and HTTPS on every answer, static files too."""

    @pytest.fixture
    def production(self, settings):
        from whitenoise.middleware import WhiteNoiseMiddleware  # noqa: F401 - installed

        middleware = list(settings.MIDDLEWARE)
        middleware.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
        settings.MIDDLEWARE = middleware
        settings.WHITENOISE_USE_FINDERS = True
        settings.WHITENOISE_AUTOREFRESH = True
        settings.SECURE_SSL_REDIRECT = True
        settings.SECURE_HSTS_SECONDS = 31536000
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        settings.READER_CACHE = True
        cache.clear()

    def test_static_files_get_the_security_headers_and_the_https_redirect(self, client, production):
        response = client.get("/static/css/site.css", secure=True)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        plain = client.get("/static/css/site.css")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")

    def test_a_kept_page_never_goes_over_plain_http(self, client, production):
        make_article("第一篇")
        assert client.get(reverse("home"), secure=True).status_code == 200
        assert kept(reverse("home"))
        plain = client.get(reverse("home"))
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        again = client.get(reverse("home"), secure=True)
        assert again["Strict-Transport-Security"].startswith("max-age=31536000")


def searched(query: str, articles: int, provisions: int) -> SearchRecord:
    return SearchRecord(
        query=query, articles_found=articles, provisions_found=provisions, searched_at=timezone.now()
    )
