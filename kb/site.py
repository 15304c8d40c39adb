"""The site's own address, for the absolute links a page carries (permalinks, QR codes, canonical links).

In production it is configured (KB_SITE_URL): a page rendered once and cached then serves every
reader, and nothing a client sends (its Host header, with any port it likes) may choose the
links in it, nor make each request a cache miss. Without it (development, tests) the address is
the request's own.
"""

from django.conf import settings
from django.core import checks


def site_origin(request) -> str:
    """'https://kb.example.com': scheme and host, no trailing slash."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def absolute_url(request, path: str) -> str:
    return site_origin(request) + path


def site_context(request) -> dict:
    """Template context processor: {{ site_origin }}."""
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
