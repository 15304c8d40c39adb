"""Site-wide template context: the site's origin and the page's canonical address."""

from articles.links import site_origin

from .reader_cache import canonical_path


def site_context(request) -> dict:
    """Template context processor: {{ site_origin }} (articles.links) and {{ canonical_url }}, the
    page's address with only the parameters that change it (never utm_* and the like)."""
    return {"site_origin": site_origin(), "canonical_url": site_origin() + canonical_path(request)}
