from django.apps import AppConfig


def library_updated(sender, record, **kwargs):
    """Pages kept before a library update quote texts it changed: they go (the import is done)."""
    from kb import reader_cache

    if record.changed:
        reader_cache.content_changed()


class SearchConfig(AppConfig):
    name = "kb.search"
    label = "search"
    verbose_name = "搜索"

    def ready(self):
        from statutes.signals import library_updated as updated

        updated.connect(library_updated, dispatch_uid="kb.search.library_updated")
