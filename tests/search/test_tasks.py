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
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
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
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
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
