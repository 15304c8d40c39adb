from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_editor_group(sender, **kwargs):
    from .services import ensure_editor_group

    ensure_editor_group()


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "文章"

    def ready(self):
        from statutes.signals import library_updated

        from . import revisions  # noqa: F401 - registers the models whose revisions are kept
        from .alerts import on_library_updated

        # A library update flags the articles citing what it changed.
        library_updated.connect(on_library_updated, dispatch_uid="articles.flag_citing_articles")
        # After migrate has created this app's permissions (statutes' come earlier).
        post_migrate.connect(create_editor_group, sender=self, dispatch_uid="articles.create_editor_group")
