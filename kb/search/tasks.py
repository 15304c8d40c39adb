"""The search layer's work after a change to articles, as tasks of Django's Tasks framework.

An article saved, published, withdrawn or deleted changes what search must answer: its document in
the index, its topics, the related lists that show it, and the kept pages (the reader cache's
generation). None of that is the editor's to wait for. The search layer notes the changed articles
as they are saved (kb.search.signals) and, when the transaction commits, enqueues one task for all
of them: the save has answered by then, however busy the index is.

Two tasks, so that search keeps up however many editors save at once:
- `update_search` (first in the queue): the changed objects' documents, then the kept pages. When
  it starts, it takes over every other update waiting in the queue and writes them all in one
  index commit (a commit costs the same for one document as for fifty): eight editors saving
  make one update every few seconds, not a queue that grows by minutes;
- `update_related` (after every waiting update): the changed articles' topics and the related lists
  around them, which cost seconds of searching per article; it takes over the waiting ones too.
  A page shows an article's new text as soon as the first task has run; its related list a
  little later.

The tasks run in a worker process (`manage.py search_worker`, started by `make run` and `make
serve`), which is the single writer of the Whoosh index; the writer lock stays as the guard
against a rebuild running beside it. Backends (settings.TASKS):
- django-tasks-db (the database; the embedded default): a task is a row, visible to operators in
  the admin; a failed run is retried (RETRY_DELAYS) and stays listed as failed; a worker that dies
  leaves its task "running", and the next worker to start runs it again (search_worker);
- the immediate backend in the tests: the task runs at the commit, in the saving process (nothing
  waits, so nothing is taken over);
- beyond one machine, any backend of the framework (Celery or RQ through their Django Tasks
  backends) with the Elasticsearch search backend, which takes concurrent writers.

Every task is idempotent (it writes each object as the database has it when it runs), so running
one twice is harmless, and so is a change noted in a transaction that rolled back.
"""

import contextlib
import datetime
import logging
import threading
import time

from django.apps import apps
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from haystack import connections
from haystack.exceptions import NotHandled

from articles.models import Article
from kb import reader_cache

from . import related, vectors

try:  # Django 6 has the framework built in; on 5.2 the django-tasks backport provides it.
    from django.tasks import TaskResultStatus, task, task_backends
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import TaskResultStatus, task, task_backends

logger = logging.getLogger(__name__)
progress_log = logging.getLogger("kb.progress")  # shown by the worker (settings.LOGGING)

# Seconds before each retry of a failed update (then it stays failed, listed for operators).
RETRY_DELAYS = [5, 30, 120, 600]
# How long a task waits for the index's writer lock (a rebuild may hold it) before it is retried.
LOCK_WAIT_SECONDS = 30.0
# The worker takes the index updates before the related lists (the queue runs higher numbers first).
SEARCH_PRIORITY = 10
RELATED_PRIORITY = -10
# At most this many waiting tasks are taken over by one run (a bound on one commit's size).
MAX_TAKEN_OVER = 200

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


@task(priority=SEARCH_PRIORITY, takes_context=True)
def update_search(context, objects: list[list[str]], attempt: int = 1) -> dict:
    """Bring search up to date with these objects ([model label, pk] pairs), and with those of every
    update waiting behind this one: their documents in one commit, then the kept pages; the
    articles' topics and related lists follow in `update_related`."""
    with taking_over_waiting(context, update_search) as waiting:
        everything = _unique([*objects, *(item for kwargs in waiting for item in kwargs["objects"])])
        try:
            article_ids = apply(everything)
            reader_cache.content_changed()  # searches kept before the index had the change
        except Exception:
            retry(update_search, attempt, objects=objects)  # the others go back to the queue
            raise
    if article_ids:
        enqueue_safely(update_related, article_ids=sorted(article_ids))
        try:
            vectors.update_articles(article_ids)  # search by meaning follows the same saves
            reader_cache.content_changed()
        except Exception:
            # The index has them: search by words is right. The articles' vectors are rebuilt later.
            logger.exception(
                "The vectors of %d articles could not be updated; rebuilt later.", len(article_ids)
            )
            enqueue_safely(build_vectors, kinds=[vectors.ARTICLES])
    return {"objects": len(everything), "articles": len(article_ids), "taken_over": len(waiting)}


@task(priority=RELATED_PRIORITY, takes_context=True)
def update_related(context, article_ids: list[int], attempt: int = 1) -> dict:
    """The topics and related lists around these changed articles (and those of the waiting
    related updates), once the index has them; then the kept pages that show the lists."""
    with taking_over_waiting(context, update_related) as waiting:
        everything = sorted({*article_ids, *(pk for kwargs in waiting for pk in kwargs["article_ids"])})
        try:
            related.after_changes(everything)
            reader_cache.content_changed()
        except Exception:
            retry(update_related, attempt, article_ids=article_ids)
            raise
    return {"articles": len(everything), "taken_over": len(waiting)}


# Articles a refresh_all_related step handles before it gives the worker back to the index updates.
RELATED_STEP = 200


@task(priority=RELATED_PRIORITY)
def refresh_all_related(stage: str = "topics", after_pk: int = 0, started: float | None = None) -> dict:
    """Every article's topics, then every article's related list, made by the worker in steps after
    a rebuild of the index (bring_up asks for it): the site answers meanwhile, and an article page
    lists the latest of its category until its own list is made.

    A list compares topics across articles, so every topic comes first. Each step handles the next
    RELATED_STEP articles and enqueues the next one; progress goes to the worker's log with an ETA.
    """
    started = started or time.time()
    ids = list(
        Article.objects.filter(pk__gt=after_pk).order_by("pk").values_list("pk", flat=True)[:RELATED_STEP]
    )
    if ids:
        if stage == "topics":
            for article in Article.objects.filter(pk__in=ids).only("id", "title", "body_html"):
                related.refresh_topics(article)
        else:
            related.refresh_related(ids)
        done = Article.objects.filter(pk__lte=ids[-1]).count()
        left = Article.objects.filter(pk__gt=ids[-1]).count()
        elapsed = time.time() - started
        progress_log.info(
            "%s: %d articles done, %d left, about %d s to go.",
            "Topics" if stage == "topics" else "Related articles",
            done,
            left,
            elapsed / done * left if done else 0,
        )
        enqueue_safely(refresh_all_related, stage=stage, after_pk=ids[-1], started=started)
        return {"stage": stage, "done": done, "left": left}
    if stage == "topics":
        enqueue_safely(refresh_all_related, stage="related", started=time.time())
        return {"stage": stage, "done": "all"}
    reader_cache.content_changed()  # pages kept with the lists they had before
    progress_log.info("Topics and related articles: ready.")
    return {"stage": stage, "done": "all"}


# Texts a build_vectors step embeds before it gives the worker back to the index updates waiting.
VECTOR_STEP = 2_000


@task(priority=RELATED_PRIORITY)
def build_vectors(
    kinds: list[str] | None = None,
    after_pk: int = 0,
    started: float | None = None,
    then_related: bool = False,
) -> dict:
    """Every vector search by meaning uses, built by the worker in steps: bring_up asks for it, and
    the site answers by words meanwhile.

    Each step embeds the next VECTOR_STEP texts into the cache and enqueues the next step (at this
    low priority: the index updates of editors' saves run between steps); when every text of a kind
    is in the cache, its snapshot is written (kb.search.vectors.build, from the cache). Progress
    goes to the worker's log, with an ETA. then_related: the related lists are made again at the end
    (bring_up's first run made them before there were vectors).
    """
    kinds = list(kinds or vectors.KINDS)
    started = started or time.time()
    if not kinds:
        return {}
    kind = kinds[0]
    step = vectors.warm_cache(kind, after_pk=after_pk, limit=VECTOR_STEP)
    if step is not None:
        last, left = step
        done = vectors.objects_and_texts(kind)[0].filter(pk__lte=last).count()
        elapsed = time.time() - started
        eta = elapsed / done * left if done else 0.0
        progress_log.info("%s vectors: %d done, %d left, about %d s to go.", kind, done, left, eta)
        enqueue_safely(build_vectors, kinds=kinds, after_pk=last, started=started, then_related=then_related)
        return {"kind": kind, "done": done, "left": left}
    count = vectors.build(kind)  # every text is in the cache: seconds
    progress_log.info("%s vectors: %d, ready.", kind, count)
    reader_cache.content_changed()  # pages kept while search had words alone
    if kinds[1:]:
        enqueue_safely(build_vectors, kinds=kinds[1:], started=started, then_related=then_related)
    elif then_related:
        # The related lists made before the vectors had words alone: made again, meaning joining in.
        enqueue_safely(refresh_all_related, stage="related")
    return {"kind": kind, "built": count}


def _unique(objects) -> list[list[str]]:
    return [list(item) for item in sorted({(label, str(pk)) for label, pk in objects})]


def enqueue_safely(queued_task, **kwargs) -> None:
    try:
        queued_task.enqueue(**kwargs)
    except Exception:
        # The index has the change; `manage.py refresh_topics` brings the related lists up to date.
        logger.exception("%s could not be enqueued.", queued_task.name)


@contextlib.contextmanager
def taking_over_waiting(context, queued_task):
    """The arguments of the same task's runs waiting in the database queue, claimed for this run.

    They are marked running under this run's worker, so a worker killed meanwhile leaves them to
    be run again (search_worker queues every running task again at its start); they are marked
    done when this run ends well, and put back in the queue when it fails. Other backends (the
    immediate one, a broker's) have no waiting rows to take: nothing is taken over.
    """
    rows = _claim_waiting(context, queued_task)
    try:
        yield [row.args_kwargs["kwargs"] for row in rows]
    except BaseException:
        _release(rows, status=TaskResultStatus.READY, started_at=None)
        raise
    _release(
        rows,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at=timezone.now(),
        return_value={"taken_over_by": str(context.task_result.id)},
    )


def _claim_waiting(context, queued_task) -> list[DBTaskResult]:
    if not isinstance(task_backends[queued_task.backend], DatabaseBackend):
        return []
    try:
        with transaction.atomic():
            rows = list(
                DBTaskResult.objects.ready()
                .filter(task_path=queued_task.module_path, backend_name=queued_task.backend)
                .exclude(pk=context.task_result.id)
                .select_for_update(skip_locked=True)[:MAX_TAKEN_OVER]
            )
            DBTaskResult.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=TaskResultStatus.RUNNING,
                started_at=timezone.now(),
                worker_ids=context.task_result.worker_ids,
            )
    except DatabaseError:
        # The queue busy (SQLite's many writers): this run does its own objects; the others wait.
        logger.warning("Waiting %s tasks could not be taken over; they run on their own.", queued_task.name)
        return []
    return rows


def _release(rows, **fields) -> None:
    if rows:
        DBTaskResult.objects.filter(pk__in=[row.pk for row in rows]).update(**fields)


def retry(queued_task, attempt: int, **kwargs) -> None:
    """The same work again later, while attempts remain and the backend can defer it."""
    if attempt > len(RETRY_DELAYS):
        logger.error("%s failed %d times; left failed.", queued_task.name, attempt)
        return
    backend = task_backends[queued_task.backend]
    if not backend.supports_defer:
        logger.exception("%s failed (not retried here).", queued_task.name)
        return
    when = timezone.now() + datetime.timedelta(seconds=RETRY_DELAYS[attempt - 1])
    queued_task.using(run_after=when).enqueue(**kwargs, attempt=attempt + 1)
    logger.warning("%s failed; retried at %s.", queued_task.name, when)


def interrupted_results():
    """The database backend's tasks left running by a worker that stopped (for search_worker)."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
