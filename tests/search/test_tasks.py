"""The search layer's work after a save, as tasks (kb.search.tasks): the save never waits for it, a
failed update is retried and stays visible, a worker's death loses nothing."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import services
from articles.models import Article
from kb.search import tasks
from kb.search.selectors import search, search_backend
from tests.helpers import make_article

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class LocklessBackend:
    """What the task sees of a search server's backend: update and remove, no write_lock."""

    def __init__(self):
        self.updated, self.removed = [], []

    def update(self, index, objects):
        self.updated.extend(obj.pk for obj in objects)

    def remove(self, identifier):
        self.removed.append(identifier)


@pytest.mark.django_db
def test_a_backend_without_a_write_lock_gets_every_update(monkeypatch, search_index):
    published = make_article("已发布")
    draft = make_article("草稿", status="draft")
    backend = LocklessBackend()
    monkeypatch.setattr(tasks.connections["default"], "get_backend", lambda: backend)
    tasks.apply([["articles.article", str(published.pk)], ["articles.article", str(draft.pk)]])
    assert backend.updated == [published.pk]
    assert backend.removed == [f"articles.article.{draft.pk}"]


@pytest.mark.django_db
def test_the_changes_of_one_transaction_make_one_task(django_capture_on_commit_callbacks):
    tasks._pending().clear()  # what earlier tests noted in transactions that never committed
    with (
        mock.patch.object(tasks, "update_search") as update_search,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = make_article("第一篇")
        second = make_article("第二篇")
    enqueued = update_search.enqueue
    assert enqueued.call_count == 1
    assert enqueued.call_args.kwargs["objects"] == [
        ["articles.article", str(first.pk)],
        ["articles.article", str(second.pk)],
    ]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_save_commits_without_waiting_for_a_busy_index_and_the_worker_brings_it(search_index):
    backend = search_backend()
    with backend.write_lock():  # the index busy (a rebuild, say) for as long as the save takes
        article = make_article("任务队列里的文章甲乙丙")
        queued = DBTaskResult.objects.get()
        assert queued.status == "READY" and queued.task_path.endswith("update_search")
    assert search("任务队列里的文章甲乙丙").articles.total == 0  # not yet: the worker has not run
    call_command("search_worker", batch=True, verbosity=0)
    assert set(DBTaskResult.objects.values_list("task_path", "status")) == {
        ("kb.search.tasks.update_search", "SUCCESSFUL"),
        ("kb.search.tasks.update_related", "SUCCESSFUL"),
    }
    assert [hit.object for hit in search("任务队列里的文章甲乙丙").articles.hits] == [article]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_failed_update_is_retried_later_and_stays_listed_as_failed(search_index):
    article = make_article("失败后重试的文章")
    with mock.patch.object(tasks, "apply", side_effect=OSError("disk full")):
        call_command("search_worker", batch=True, verbosity=0)
    failed = DBTaskResult.objects.get(status="FAILED")
    assert "disk full" in str(failed.exception_class_path) + str(failed.traceback)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.task_path.endswith("update_search")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=3)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # its time has come
    call_command("search_worker", batch=True, verbosity=0)
    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    assert [hit.object for hit in search("失败后重试的文章").articles.hits] == [article]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_task_a_dead_worker_was_running_is_run_again(search_index):
    article = make_article("工人中途退出")
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())  # killed mid-task
    call_command("search_worker", batch=True, verbosity=0)
    assert DBTaskResult.objects.get(task_path__endswith="update_search").status == "SUCCESSFUL"
    assert [hit.object for hit in search("工人中途退出").articles.hits] == [article]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_withdrawal_reaches_search_through_the_worker(search_index):
    article = make_article("将要撤回的文章")
    call_command("search_worker", batch=True, verbosity=0)
    assert search("将要撤回的文章").articles.total == 1
    services.unpublish_article(article=Article.objects.get(pk=article.pk))
    call_command("search_worker", batch=True, verbosity=0)
    assert search("将要撤回的文章").articles.total == 0


def saved_one_by_one(titles) -> list[Article]:
    """Articles saved by editors one after another, each its own transaction and its own task."""
    return [make_article(title) for title in titles]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_worker_takes_every_waiting_update_into_one_index_commit(search_index):
    titles = ["候鸟迁徙路线", "潮汐发电原理", "竹简书法鉴赏", "砚台收藏心得"]
    articles = saved_one_by_one(titles)
    assert DBTaskResult.objects.filter(task_path__endswith="update_search").count() == 4
    backend = search_backend()
    with mock.patch.object(
        type(backend), "update", autospec=True, side_effect=type(backend).update
    ) as update:
        call_command("search_worker", batch=True, verbosity=0)
    assert update.call_count == 1  # one commit for the four saves
    assert sorted(obj.pk for obj in update.call_args.args[2]) == sorted(article.pk for article in articles)
    runs = DBTaskResult.objects.filter(task_path__endswith="update_search")
    assert set(runs.values_list("status", flat=True)) == {"SUCCESSFUL"}
    ran = runs.get(return_value__taken_over=3)
    assert runs.filter(return_value__taken_over_by=str(ran.pk)).count() == 3
    for title, article in zip(titles, articles, strict=True):
        assert [hit.object for hit in search(title).articles.hits] == [article]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_related_lists_wait_until_every_index_update_has_run(search_index):
    saved_one_by_one(["相关列表在后甲", "相关列表在后乙"])
    call_command("search_worker", batch=True, verbosity=0)
    index_update = DBTaskResult.objects.get(task_path__endswith="update_search", return_value__taken_over=1)
    related_update = DBTaskResult.objects.get(task_path__endswith="update_related")
    assert related_update.priority < index_update.priority
    assert related_update.started_at >= index_update.finished_at
    assert related_update.status == "SUCCESSFUL"
    assert sorted(related_update.args_kwargs["kwargs"]["article_ids"]) == sorted(
        Article.objects.values_list("pk", flat=True)
    )


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_run_that_fails_gives_back_what_it_took_over(search_index):
    first, second, third = saved_one_by_one(["冰川融化速度", "沙漠绿洲成因", "山谷回声现象"])
    real_apply, calls = tasks.apply, []

    def the_disk_fills_once(objects):
        calls.append(objects)
        if len(calls) == 1:
            raise OSError("disk full")
        return real_apply(objects)

    with mock.patch.object(tasks, "apply", side_effect=the_disk_fills_once):
        call_command("search_worker", batch=True, verbosity=0)
    updates = DBTaskResult.objects.filter(task_path__endswith="update_search")
    failed = updates.get(status="FAILED")
    retry = updates.get(status="READY")  # the failed run's own objects, later
    assert retry.args_kwargs["kwargs"]["objects"] == failed.args_kwargs["kwargs"]["objects"]
    # The two it had taken over went back to the queue and the next run wrote them.
    written = [article for article in (first, second, third) if search(article.title).articles.total]
    assert len(written) == 2
    assert updates.filter(return_value__taken_over=1).count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_every_topic_then_every_related_list_is_made_by_the_worker_in_steps(
    search_index, monkeypatch, caplog
):
    """bring_up leaves them to the worker after a rebuild, so the site answers at once."""
    from articles.models import ArticleTopic, RelatedArticle

    monkeypatch.setattr(tasks, "RELATED_STEP", 2)
    call_command("load_demo", verbosity=0)
    call_command("rebuild_index", interactive=False, verbosity=0)
    ArticleTopic.objects.all().delete()
    RelatedArticle.objects.all().delete()
    tasks.refresh_all_related.enqueue()
    with caplog.at_level("INFO", logger="kb.progress"):
        call_command("search_worker", batch=True, verbosity=0)
    steps = DBTaskResult.objects.filter(task_path__endswith="refresh_all_related")
    assert set(steps.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert steps.count() == 2 * (7 + 1)  # each stage: seven steps of at most two, then its end
    assert ArticleTopic.objects.values("article").distinct().count() == 13
    assert RelatedArticle.objects.values("article").distinct().count() == 13
    assert (
        "Topics: 2 articles done, 11 left" in caplog.text
        and "Topics and related articles: ready." in caplog.text
    )
