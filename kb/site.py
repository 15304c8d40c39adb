"""Site-wide: {{ site_origin }} in every template, and the deployment check that asks for KB_SITE_URL."""

from django.conf import settings
from django.core import checks

from articles.links import site_origin


def site_context(request) -> dict:
    """Template context processor: {{ site_origin }} (articles.links)."""
    return {"site_origin": site_origin(request)}


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    if settings.SITE_URL:
        return []
    return [
        checks.Warning(
            "KB_SITE_URL is not set: absolute links come from each request's Host header, and cached "
            "article pages are kept apart per Host.",
            hint="Set KB_SITE_URL to the site's public address, e.g. https://kb.example.com.",
            id="kb.W001",
        )
    ]
