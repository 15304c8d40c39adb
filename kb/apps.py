from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project package as an app: site-wide checks that belong to no feature."""

    name = "kb"
    label = "kb"
    verbose_name = "站点"

    def ready(self):
        from . import site  # noqa: F401 - registers the deployment check of KB_SITE_URL
