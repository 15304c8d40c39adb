"""The site's own address, for the absolute links a page carries (permalinks, QR codes, canonical links).

It comes from configuration (settings.SITE_URL: KB_SITE_URL, required in production), never from
a request: a page rendered once and kept then serves every reader, and nothing a client sends (its
Host or X-Forwarded-* headers) may choose the links in it.
"""

import functools
import urllib.parse

from django.conf import settings


def site_origin() -> str:
    """'https://kb.example.com': scheme and host, no trailing slash."""
    return settings.SITE_URL


def absolute_url(path: str) -> str:
    return site_origin() + path


class AtSiteOrigin:
    """A request as if it had been made to the site's configured origin.

    For Django's views that build absolute links from the request (the feed, the sitemaps): with
    it, their links name KB_SITE_URL whatever Host or X-Forwarded-Proto a client sent.
    """

    def __init__(self, request):
        self._request = request
        origin = urllib.parse.urlsplit(site_origin())
        self.scheme, self._host = origin.scheme, origin.netloc

    def get_host(self) -> str:
        return self._host

    def is_secure(self) -> bool:
        return self.scheme == "https"

    def build_absolute_uri(self, location=None) -> str:
        return urllib.parse.urljoin(f"{site_origin()}/", location or self._request.get_full_path())

    def __getattr__(self, name):
        return getattr(self._request, name)


def at_site_origin(view):
    """A view decorator: the view sees the request as made to the site's origin (AtSiteOrigin)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(AtSiteOrigin(request), *args, **kwargs)

    return wrapped
