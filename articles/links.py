"""The site's own address, for the absolute links a page carries (permalinks, QR codes, canonical links).

In production it is configured (KB_SITE_URL): a page rendered once and cached then serves every
reader, and nothing a client sends (its Host header, with any port it likes) may choose the
links in it, nor make each request a cache miss. Without it (development, tests) the address is
the request's own.
"""

from django.conf import settings


def site_origin(request) -> str:
    """'https://kb.example.com': scheme and host, no trailing slash."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def absolute_url(request, path: str) -> str:
    return site_origin(request) + path
