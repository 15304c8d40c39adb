"""The search layer's work after a change to articles, as tasks of Django's Tasks framework.

An article saved, published, withdrawn or deleted changes what search must answer: its document in
the index, its topics, the related lists that show it, and the kept pages (the reader cache's
generation). None of that is the editor's to wait for. The search layer notes the changed articles
as they are saved (kb.search.signals) and, when the transaction commits, enqueues one task for all
of them: the save has answered by then, however busy the index is.

The tasks run in a worker process (`manage.py search_worker`, started by `make run` and `make
serve`), which is the single writer of the Whoosh index; the writer lock stays as the guard
against a rebuild running beside it. Backends (settings.TASKS):
- django-tasks-db (the database; the embedded default): a task is a row, visible to operators in
  the admin; a failed run is retried (RETRY_DELAYS) and stays listed as failed; a worker that dies
  leaves its task "running", and the next worker to start runs it again (search_worker);
- the immediate backend in the tests: the task runs at the commit, in the saving process;
- beyond one machine, any backend of the framework (Celery or RQ through their Django Tasks
  backends) with the Elasticsearch search backend, which takes concurrent writers.

Every task is idempotent (it writes each object as the database has it when it runs), so running
one twice is harmless, and so is a change noted in a transaction that rolled back.
"""

import contextlib
import datetime
import logging
import threading

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from haystack import connections
from haystack.exceptions import NotHandled

from articles.models import Article
from kb import reader_cache

from . import related

try:  # Django 6 has the framework built in; on 5.2 the django-tasks backport provides it.
    from django.tasks import TaskResultStatus, task, task_backends
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import TaskResultStatus, task, task_backends

logger = logging.getLogger(__name__)

# Seconds before each retry of a failed update (then it stays failed, listed for operators).
RETRY_DELAYS = [5, 30, 120, 600]
# How long a task waits for the index's writer lock (a rebuild may hold it) before it is retried.
LOCK_WAIT_SECONDS = 30.0

_noted = threading.local()


def note_changed(model_label: str, pks, *, using: str = "default") -> None:
    """These objects' search documents must follow the database: enqueued with the commit.

    All the changes of one transaction go into one task (a bulk import recomputes each related
    list once). Outside a transaction, at once.
    """
    if getattr(_noted, "paused", False):
        return
    pending = _pending()
    pending.update((model_label, str(pk)) for pk in pks)
    transaction.on_commit(enqueue_noted, using=using)


def _pending() -> set:
    if not hasattr(_noted, "pending"):
        _noted.pending = set()
    return _noted.pending


def enqueue_noted() -> None:
    """One task for everything noted so far (the first on-commit callback takes it all)."""
    pending = _pending()
    if not pending:
        return
    objects = sorted(pending)
    pending.clear()
    try:
        update_search.enqueue(objects=[list(item) for item in objects])
    except Exception:
        # The save stands; `manage.py rebuild_index` and `refresh_topics` bring search up to date.
        logger.exception("Search updates for %d objects could not be enqueued.", len(objects))


@contextlib.contextmanager
def paused():
    """Within it, this process notes nothing (a bulk load that rebuilds the index after)."""
    _noted.paused = True
    try:
        yield
    finally:
        _noted.paused = False
        _pending().clear()


def apply(objects: list[list[str]]) -> set[int]:
    """Write each object's document as the database has it now, or remove it; the article ids."""
    using = "default"
    backend = connections[using].get_backend()
    unified = connections[using].get_unified_index()
    by_model: dict[str, set[str]] = {}
    for model_label, pk in objects:
        by_model.setdefault(model_label, set()).add(str(pk))
    # Whoosh needs one writer at a time; a search server (Elasticsearch) takes concurrent updates.
    write_lock = getattr(backend, "write_lock", None)
    lock = write_lock(timeout=LOCK_WAIT_SECONDS) if write_lock else contextlib.nullcontext()
    with lock:
        for model_label, pks in by_model.items():
            model = apps.get_model(model_label)
            try:
                search_index = unified.get_index(model)
            except NotHandled:
                continue
            indexed = list(search_index.index_queryset(using=using).filter(pk__in=pks))
            if indexed:
                backend.update(search_index, indexed)
            for pk in pks - {str(obj.pk) for obj in indexed}:
                backend.remove(f"{model_label}.{pk}")  # deleted, or no longer for readers
    return {int(pk) for pk in by_model.get(Article._meta.label_lower, ())}


@task()
def update_search(objects: list[list[str]], attempt: int = 1) -> dict:
    """Bring search up to date with these objects ([model label, pk] pairs): their documents, then
    the changed articles' topics and the related lists around them, then the kept pages."""
    try:
        article_ids = apply(objects)
        if article_ids:
            related.after_changes(article_ids)
        reader_cache.content_changed()  # searches kept before the index had the change
    except Exception:
        retry(objects, attempt)
        raise
    return {"objects": len(objects), "articles": len(article_ids)}


def retry(objects: list[list[str]], attempt: int) -> None:
    """The same update again later, while attempts remain and the backend can defer it."""
    if attempt > len(RETRY_DELAYS):
        logger.error("Search update of %d objects failed %d times; left failed.", len(objects), attempt)
        return
    backend = task_backends[update_search.backend]
    if not backend.supports_defer:
        logger.exception("Search update of %d objects failed (not retried here).", len(objects))
        return
    when = timezone.now() + datetime.timedelta(seconds=RETRY_DELAYS[attempt - 1])
    update_search.using(run_after=when).enqueue(objects=objects, attempt=attempt + 1)
    logger.warning("Search update of %d objects failed; retried at %s.", len(objects), when)


def interrupted_results():
    """The database backend's tasks left running by a worker that stopped (for search_worker)."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
