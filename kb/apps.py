from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project package as an app: site-wide state (the content generation) that belongs to no feature."""

    name = "kb"
    label = "kb"
    verbose_name = "站点"
