"""Reader pages and search results kept in the cache (kb.cache), dropped when what they show changes."""

import datetime
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from kb import cache as kb_cache
from kb.search.models import SearchRecord
from kb.search.views import SearchView
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader_cache(settings):
    settings.READER_CACHE = True
    settings.READER_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def kept(path: str, **params) -> bool:
    """Whether the page is in the cache under the current generation."""
    request = RequestFactory().get(path, params)
    return cache.get(kb_cache.page_key(request, kb_cache.generation())) is not None


class TestReaderPages:
    def test_a_page_is_rendered_once_then_read_from_the_cache(
        self, client, reader_cache, django_assert_max_num_queries
    ):
        make_article("第一篇")
        first = client.get(reverse("home"))
        assert first.status_code == 200
        with django_assert_max_num_queries(2):  # the session and nothing of the page
            second = client.get(reverse("home"))
        assert second.content == first.content and "第一篇" in second.content.decode()

    def test_a_save_drops_it_on_commit_and_readers_see_the_change(
        self, client, reader_cache, django_capture_on_commit_callbacks
    ):
        article = make_article("旧标题")
        assert "旧标题" in client.get(reverse("home")).content.decode()
        article.title = "新标题"
        with django_capture_on_commit_callbacks(execute=True):
            services.save_article(article=article)
        page = client.get(reverse("home")).content.decode()
        assert "新标题" in page and "旧标题" not in page
        category = client.get(reverse("articles:category", args=[article.category.slug])).content.decode()
        assert "新标题" in category

    def test_editors_and_other_parameters(self, client, admin_client, reader_cache):
        make_article("第一篇")
        client.get(reverse("home"))
        # ?utm=… (or any parameter but the page number) is the same page: no new rendering to keep.
        client.get(reverse("home"), {"utm_source": "x"})
        assert kept(reverse("home")) and kept(reverse("home"), utm_source="y")
        assert not kept(reverse("home"), page="2")
        # A signed-in editor gets the page afresh, and it is not kept.
        draft = make_article("编辑才看得到的草稿", status=Article.Status.DRAFT)
        assert client.get(draft.get_absolute_url()).status_code == 404
        cache.clear()
        assert "编辑才看得到的草稿" not in admin_client.get(reverse("home")).content.decode()
        assert not kept(reverse("home"))

    def test_a_scheduled_article_appears_at_its_time(self, client, reader_cache):
        make_article("已发布")
        make_article("稍后发布", published_at=timezone.now() + datetime.timedelta(days=1))
        assert kb_cache.timeout(kb_cache.generation()) == 60
        cache.clear()
        when = timezone.now() + datetime.timedelta(seconds=2.5)
        make_article("马上发布", published_at=when)
        assert 1 <= kb_cache.timeout(kb_cache.generation()) <= 2  # kept until then, no longer
        assert "马上发布" not in client.get(reverse("home")).content.decode()
        assert kept(reverse("home"))
        time.sleep((when - timezone.now()).total_seconds() + 0.2)
        assert "马上发布" in client.get(reverse("home")).content.decode()

    def test_off_without_a_shared_cache(self, client, settings):
        settings.READER_CACHE = False
        make_article("第一篇")
        client.get(reverse("home"))
        assert not kept(reverse("home"))


class TestSearchResults:
    def test_a_repeated_question_is_answered_from_the_cache_and_still_recorded(
        self, client, demo_index, reader_cache, django_assert_max_num_queries
    ):
        first = client.get(reverse("search:search"), {"q": "网贷逾期爆通讯录"}).content.decode()
        # The same question, written differently: full-width letters and spaces normalize alike.
        with django_assert_max_num_queries(12):  # categories, latest articles, the record: no search
            again = client.get(reverse("search:search"), {"q": "  网贷逾期爆通讯录 "}).content.decode()
        assert first.split("<main", 1)[1] == again.split("<main", 1)[1]
        assert SearchRecord.objects.count() == 2
        # Asked again exactly so: the whole page comes from the cache, and is recorded all the same.
        with mock.patch.object(SearchView, "get_context_data", autospec=True) as computed:
            third = client.get(reverse("search:search"), {"q": "网贷逾期爆通讯录"}).content.decode()
        assert computed.call_count == 0 and third == first
        assert list(SearchRecord.objects.values_list("query", flat=True)) == ["网贷逾期爆通讯录"] * 3

    def test_a_save_drops_kept_results(
        self, client, demo_index, reader_cache, django_capture_on_commit_callbacks
    ):
        client.get(reverse("search:search"), {"q": "网贷逾期"})
        article = Article.objects.published().first()
        article.title = "网贷逾期的全新问答标题"
        with django_capture_on_commit_callbacks(execute=True):
            services.save_article(article=article)
        assert (
            "网贷逾期的全新问答标题"
            in client.get(reverse("search:search"), {"q": "网贷逾期"}).content.decode()
        )


def test_a_kept_page_is_answered_with_the_headers_the_whole_stack_gave_it(client, reader_cache):
    make_article("第一篇")
    fresh = client.get(reverse("home"))
    kept = client.get(reverse("home"))
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Content-Type"):
        assert kept[header] == fresh[header], header
    assert "Set-Cookie" not in kept


def test_a_signed_in_editor_goes_through_the_whole_stack(admin_client, client, reader_cache):
    draft = make_article("草稿预览", status=Article.Status.DRAFT)
    assert admin_client.get(draft.get_absolute_url()).status_code == 200  # the editor's preview
    assert client.get(draft.get_absolute_url()).status_code == 404  # never kept for readers
    assert not kept(draft.get_absolute_url())
