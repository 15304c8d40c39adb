"""The index queue drains with or without a writer lock (Whoosh has one, a search server does not)."""

import pytest

from kb.search import queue
from kb.search.models import IndexTask
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


class LocklessBackend:
    """What the queue sees of a search server's backend: update and remove, no write_lock."""

    def __init__(self):
        self.updated, self.removed = [], []

    def update(self, index, objects):
        self.updated.extend(obj.pk for obj in objects)

    def remove(self, identifier):
        self.removed.append(identifier)


def test_a_backend_without_a_write_lock_still_gets_every_task(monkeypatch, search_index):
    published = make_article("已发布")
    draft = make_article("草稿", status="draft")
    backend = LocklessBackend()
    monkeypatch.setattr(queue.connections["default"], "get_backend", lambda: backend)
    IndexTask.objects.all().delete()
    queue.enqueue("articles.article", [published.pk, draft.pk])
    assert queue.drain(wait=0)
    assert backend.updated == [published.pk]
    assert backend.removed == [f"articles.article.{draft.pk}"]
    assert not IndexTask.objects.exists()
