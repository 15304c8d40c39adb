"""The search layer learns of article changes here: kept pages go with the editor's commit, and the
index, topics and related lists follow in a task (kb.search.tasks)."""

from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from articles.models import Article, RelatedArticle
from kb import reader_cache

from . import tasks


class TaskSignalProcessor(BaseSignalProcessor):
    """On save or delete of an article: the reader cache's generation moved in the transaction, and
    the article noted for the search task enqueued when it commits. The save never waits for the
    index and never fails because of it."""

    def setup(self):
        signals.post_save.connect(self.handle_save, sender=Article)
        signals.pre_delete.connect(self.handle_pre_delete, sender=Article)
        signals.post_delete.connect(self.handle_delete, sender=Article)

    def teardown(self):
        signals.post_save.disconnect(self.handle_save, sender=Article)
        signals.pre_delete.disconnect(self.handle_pre_delete, sender=Article)
        signals.post_delete.disconnect(self.handle_delete, sender=Article)

    def handle_pre_delete(self, sender, instance, using=None, **kwargs):
        # The rows that list the article go with it: their articles' lists are filled again.
        listing = RelatedArticle.objects.filter(related=instance).values_list("article_id", flat=True)
        tasks.note_changed(sender._meta.label_lower, list(listing), using=using or "default")

    def handle_save(self, sender, instance, raw=False, using=None, **kwargs):
        if raw:
            # Rows loaded as they are (loaddata, restore): an index build follows, and their topics
            # and related lists came with them.
            return
        self.changed(sender, instance.pk, using=using or "default")

    def handle_delete(self, sender, instance, using=None, **kwargs):
        self.changed(sender, instance.pk, using=using or "default")

    def changed(self, sender, pk, using):
        reader_cache.content_changed_on_commit(using=using)
        tasks.note_changed(sender._meta.label_lower, [pk], using=using)
