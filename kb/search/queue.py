"""One index writer for many processes: a queue in the database, drained under a file lock.

Draining also brings what depends on the index up to date: the changed articles' topics and the
related lists that change with them (kb.search.related).

After an article's transaction commits, its identifier goes into the IndexTask table and
the saving process tries to drain the queue. Whoever holds the writer lock applies every
pending task, then looks again before leaving, so a task queued meanwhile is never
stranded; a process that finds the lock taken waits briefly and otherwise leaves its task
to the holder. Nothing blocks a save for long, nothing meets Whoosh's LockError, and an
indexing failure is logged while the task waits for the next drain.
"""

import contextlib
import logging
import threading
import time

from django.apps import apps
from haystack import connections
from haystack.exceptions import NotHandled

from articles.models import Article
from kb import reader_cache

from . import related
from .backend import IndexBusy
from .models import IndexTask

logger = logging.getLogger(__name__)

DEFAULT_WAIT_SECONDS = 2.0
BATCH_SIZE = 200
_state = threading.local()


def enqueue(model_label: str, object_pks) -> None:
    IndexTask.objects.bulk_create(IndexTask(model=model_label, object_pk=str(pk)) for pk in object_pks)


def drain(*, wait: float = DEFAULT_WAIT_SECONDS, using: str = "default") -> bool:
    """Apply pending tasks if the writer lock can be had within `wait` seconds.

    Returns True when this call left the queue empty, False when another process holds
    the lock (it will apply our tasks), indexing failed (logged; tasks kept), or draining is
    paused in this process (see paused()).
    """
    if getattr(_state, "paused", False):
        return False
    backend = connections[using].get_backend()
    # Whoosh needs one writer at a time; a search server (Elasticsearch) takes concurrent updates.
    write_lock = getattr(backend, "write_lock", lambda timeout: contextlib.nullcontext())
    deadline = time.monotonic() + wait
    while True:
        try:
            with write_lock(timeout=0):
                changed: set[int] = set()
                while (batch := apply_pending(using=using)) is not None:
                    changed |= batch
                refresh_derived(changed)
                if changed:
                    reader_cache.content_changed()  # searches kept before the index had the change
        except IndexBusy:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
            continue
        except Exception:
            logger.exception("search index update failed; the tasks stay queued for the next drain")
            return False
        # Tasks queued after our last look, by a process that found the lock taken.
        if not IndexTask.objects.exists():
            return True


def apply_pending(*, using: str = "default") -> set[int] | None:
    """Write one batch of pending tasks to the index (the caller holds the lock).

    Returns the ids of the articles among them (an empty set for other objects), None when
    nothing was pending.
    """
    tasks = list(IndexTask.objects.order_by("id")[:BATCH_SIZE])
    if not tasks:
        return None
    backend = connections[using].get_backend()
    unified = connections[using].get_unified_index()
    by_model: dict[str, set[str]] = {}
    for task in tasks:
        by_model.setdefault(task.model, set()).add(task.object_pk)
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
            # Deleted, unpublished or otherwise no longer for readers.
            backend.remove(f"{model_label}.{pk}")
    IndexTask.objects.filter(id__in=[task.id for task in tasks]).delete()
    return {int(pk) for pk in by_model.get(Article._meta.label_lower, ())}


def refresh_derived(article_ids: set[int]) -> None:
    """Topics and related lists after the index has the changed articles: once per drain, for all of them."""
    if not article_ids:
        return
    try:
        related.after_changes(article_ids)
    except Exception:
        # The index has the change; topics and related lists wait for `manage.py refresh_topics`.
        logger.exception(
            "topics and related articles not refreshed after changes to articles %s", sorted(article_ids)
        )


@contextlib.contextmanager
def paused():
    """Within it, this process leaves what it queues for a later drain (a bulk load that rebuilds after)."""
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = False
