"""Keeps the search index in step with articles: queued after commit, one writer at a time."""

from django.db import transaction
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from . import queue


class QueuedSignalProcessor(BaseSignalProcessor):
    """On save or delete of an article, queue it with the save; drain the queue after the commit.

    The editor's save never waits for more than queue.DEFAULT_WAIT_SECONDS, and never
    fails because of the index: the queue keeps what could not be written yet.
    """

    def setup(self):
        from articles.models import Article

        signals.post_save.connect(self.handle_save, sender=Article)
        signals.post_delete.connect(self.handle_delete, sender=Article)

    def teardown(self):
        from articles.models import Article

        signals.post_save.disconnect(self.handle_save, sender=Article)
        signals.post_delete.disconnect(self.handle_delete, sender=Article)

    def handle_save(self, sender, instance, raw=False, **kwargs):
        self.schedule(sender, instance.pk, using=kwargs.get("using"))

    def handle_delete(self, sender, instance, **kwargs):
        self.schedule(sender, instance.pk, using=kwargs.get("using"))

    def schedule(self, sender, pk, using=None):
        # The task is written in the editor's transaction: it commits, or rolls back, with the save.
        queue.enqueue(sender._meta.label_lower, [pk])
        transaction.on_commit(queue.drain, using=using)
