"""Site-wide pages and files that belong to no app."""

import functools
import mimetypes

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from articles.links import absolute_url

# Icons browsers ask for at the site's root, whatever the page says (static/icons, drawn by
# scripts/make_icons.py); the pages link them too (templates/base.html).
ROOT_ICONS = {
    "favicon.ico": "icons/favicon.ico",
    "apple-touch-icon.png": "icons/apple-touch-icon.png",
    "apple-touch-icon-precomposed.png": "icons/apple-touch-icon.png",
}
ICON_MAX_AGE = 24 * 3600


@require_safe
def robots_txt(request):
    sitemap = absolute_url(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/suggest", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@functools.cache
def icon_file(name: str) -> tuple[bytes, str] | None:
    """The icon's bytes and content type, read once per process."""
    path = finders.find(ROOT_ICONS[name])
    if path is None:
        return None
    with open(path, "rb") as handle:
        return handle.read(), mimetypes.guess_type(name)[0] or "application/octet-stream"


@require_safe
@cache_control(public=True, max_age=ICON_MAX_AGE)
def root_icon(request, name: str):
    found = icon_file(name)
    if found is None:
        raise Http404(name)
    content, content_type = found
    return HttpResponse(content, content_type=content_type)
