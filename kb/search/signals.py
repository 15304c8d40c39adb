"""Keeps the search index in step with articles: queued after commit, one writer at a time."""

from django.db import transaction
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from articles.models import Article, RelatedArticle
from kb import reader_cache

from . import queue


class QueuedSignalProcessor(BaseSignalProcessor):
    """On save or delete of an article, queue it with the save; drain the queue after the commit.

    The editor's save never waits for more than queue.DEFAULT_WAIT_SECONDS, and never
    fails because of the index: the queue keeps what could not be written yet.
    """

    def setup(self):
        signals.post_save.connect(self.handle_save, sender=Article)
        signals.pre_delete.connect(self.handle_pre_delete, sender=Article)
        signals.post_delete.connect(self.handle_delete, sender=Article)

    def teardown(self):
        signals.post_save.disconnect(self.handle_save, sender=Article)
        signals.pre_delete.disconnect(self.handle_pre_delete, sender=Article)
        signals.post_delete.disconnect(self.handle_delete, sender=Article)

    def handle_pre_delete(self, sender, instance, **kwargs):
        # The rows that list the article go with it: queue their articles now, to fill their lists again.
        listing = RelatedArticle.objects.filter(related=instance).values_list("article_id", flat=True)
        queue.enqueue(sender._meta.label_lower, list(listing))

    def handle_save(self, sender, instance, raw=False, **kwargs):
        if raw:
            # Rows loaded as they are (loaddata, restore): an index build follows, and their topics
            # and related lists came with them.
            return
        self.schedule(sender, instance.pk, using=kwargs.get("using"))

    def handle_delete(self, sender, instance, **kwargs):
        self.schedule(sender, instance.pk, using=kwargs.get("using"))

    def schedule(self, sender, pk, using=None):
        # The task is written in the editor's transaction: it commits, or rolls back, with the save.
        queue.enqueue(sender._meta.label_lower, [pk])
        # Readers' kept pages and results go with the commit; again once the index has the change.
        reader_cache.content_changed_on_commit(using=using)
        transaction.on_commit(queue.drain, using=using)
