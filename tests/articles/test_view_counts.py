"""Views counted in Redis and written in batches (articles.view_counts): exact after the batches are
written, nothing lost or counted twice when a process dies, at most one interval when Redis dies."""

import os
from unittest import mock

import pytest
import redis

from articles import view_counts
from articles.models import Article, ViewCountBatch
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

TEST_REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture
def counted_in_redis(settings):
    try:
        redis.Redis.from_url(TEST_REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"no Redis at {TEST_REDIS} (scripts/ensure-redis starts one)")
        pytest.skip(f"no Redis at {TEST_REDIS}: scripts/ensure-redis starts one")
    settings.REDIS_URL = TEST_REDIS
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600  # the tests flush themselves
    view_counts._client = None
    server = view_counts.client()

    def forget():
        for key in server.scan_iter("kb:views:*"):
            server.delete(key)

    forget()
    yield server
    forget()
    view_counts._client = None


def read(client, article, times):
    for _ in range(times):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_views_reach_the_database_in_one_batch_exactly(client, counted_in_redis):
    article = make_article()
    other = make_article("另一篇")
    read(client, article, 7)
    read(client, other, 2)
    client.head(article.get_absolute_url())  # not a view
    article.refresh_from_db()
    assert article.view_count == 0 and view_counts.pending_views() == 9  # counted, not yet written
    assert view_counts.flush() == 9
    assert dict(Article.objects.values_list("title", "view_count")) == {article.title: 7, "另一篇": 2}
    assert ViewCountBatch.objects.count() == 1 and view_counts.pending_views() == 0
    assert view_counts.flush() == 0  # nothing twice


def test_a_process_dying_after_taking_a_batch_loses_nothing(client, counted_in_redis):
    article = make_article()
    read(client, article, 5)
    # The flushing process takes the batch out of the counts, then dies before writing it.
    with mock.patch.object(view_counts, "apply_batch", side_effect=SystemExit), pytest.raises(SystemExit):
        view_counts.flush()
    counted_in_redis.delete(view_counts.LOCK)  # its lock would expire; the next flush need not wait
    read(client, article, 2)
    assert view_counts.flush() == 7
    article.refresh_from_db()
    assert article.view_count == 7


def test_a_process_dying_after_its_commit_counts_nothing_twice(client, counted_in_redis):
    article = make_article()
    read(client, article, 4)
    real_delete = counted_in_redis.delete
    # It writes the batch to the database, then dies before deleting it from Redis.
    with mock.patch.object(counted_in_redis, "delete", side_effect=SystemExit), pytest.raises(SystemExit):
        view_counts.flush()
    real_delete(view_counts.LOCK)
    article.refresh_from_db()
    assert article.view_count == 4
    assert view_counts.flush() == 0  # the batch is found, seen as written, and only cleared
    article.refresh_from_db()
    assert article.view_count == 4 and view_counts.pending_views() == 0


def test_when_redis_dies_the_page_is_served_the_view_counted_in_the_database_and_at_most_the_last_interval_lost(
    client, counted_in_redis, caplog
):
    article = make_article()
    read(client, article, 3)
    view_counts.flush()
    read(client, article, 2)  # counted in Redis, not yet written …
    counted_in_redis.flushdb()  # … when the server is lost with what it held
    with mock.patch.object(view_counts, "client", side_effect=redis.exceptions.ConnectionError("down")):
        read(client, article, 1)  # served all the same; this view counted in the database
    assert "Views are counted in the database" in caplog.text
    view_counts.flush()
    article.refresh_from_db()
    assert article.view_count == 4  # what was written before stays, with the last; the 2 in Redis are lost


def test_an_editors_save_keeps_the_views_counted_meanwhile(client):
    from articles import services

    article = make_article()
    opened = Article.objects.get(pk=article.pk)  # the editor's copy, read before the readers came
    read(client, article, 3)  # counted in the database (or, with REDIS_URL, in Redis)
    opened.title = "编辑改过的标题"
    services.save_article(article=opened)
    view_counts.flush()
    article.refresh_from_db()
    assert (article.title, article.view_count) == ("编辑改过的标题", 3)


def test_an_article_page_served_from_the_cache_still_counts_its_views(client, counted_in_redis, settings):
    from unittest import mock

    from articles.views import ArticleDetailView

    settings.READER_CACHE = True
    article = make_article()
    read(client, article, 1)  # rendered, and kept
    with mock.patch.object(ArticleDetailView, "get", autospec=True) as rendered:
        read(client, article, 4)
    assert rendered.call_count == 0
    assert view_counts.flush() == 5
    article.refresh_from_db()
    assert article.view_count == 5
