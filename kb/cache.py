"""What readers see, kept in Django's cache and dropped when it changes.

One number, the content generation, is part of every key: a write that changes what readers see
(an article saved, published, withdrawn or deleted, and the search index taking it in) moves it
on after its commit, and every page and search result kept under the old number is dropped at
once, in every process, because the number lives in the shared cache server (Redis, REDIS_URL).
A page also expires on its own: after READER_CACHE_SECONDS (its view counts and "most read" may
lag that much) and at the next scheduled article's publication time, so that the article appears
at its time, with no job.

Only with a cache shared by all processes (settings.READER_CACHE, on when REDIS_URL is set): with
the embedded default's local-memory cache, each gunicorn worker would keep its own generation and
serve pages another worker's save has changed.
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from articles import view_counts
from articles.models import Article

GENERATION_KEY = "kb:generation"
# The reader pages kept, by URL name; of their query strings only the page number counts.
CACHED_PAGES = {
    "home",
    "articles:detail",
    "articles:category",
    "articles:author",
    "statutes:provision_detail",
}
KEPT_PARAMETERS = ("page",)
# Headers of the response as the middleware below this one made it, replayed on a hit; not these.
UNKEPT_HEADERS = {"set-cookie", "date", "content-length"}


def enabled() -> bool:
    return settings.READER_CACHE


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def content_changed() -> None:
    """Drop every kept page and search result (after a commit: readers then get the new content)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (a new cache server, or evicted): any new number will do
        cache.set(GENERATION_KEY, int(timezone.now().timestamp() * 1000), timeout=None)


def timeout(generation_now: int) -> int:
    """How long to keep what is read now: READER_CACHE_SECONDS, or until the next scheduled article."""
    seconds = settings.READER_CACHE_SECONDS
    upcoming = cache.get_or_set(
        f"kb:next-scheduled:{generation_now}",
        lambda: Article.objects.scheduled().aggregate(first=Min("published_at"))["first"] or False,
        timeout=seconds,
    )
    if upcoming:
        until = (upcoming - timezone.now()) / datetime.timedelta(seconds=1)
        seconds = max(0, min(seconds, int(until)))
    return seconds


def page_key(request, generation_now: int) -> str:
    kept = "&".join(f"{name}={request.GET[name]}" for name in KEPT_PARAMETERS if name in request.GET)
    return f"kb:page:{generation_now}:{request.path}?{kept}"


class ReaderPageCacheMiddleware:
    """Reader pages (home, articles, categories, authors, provisions) for anonymous readers, from the cache.

    First in MIDDLEWARE: a kept page is answered before any other middleware or view runs, with the
    headers the whole stack gave it when it was rendered (security headers, Vary …). A request
    with a session cookie (an editor, signed in) always goes through the whole stack, and nothing
    it gets is kept. An article page served from the cache still counts its view (a Redis
    increment; the count it shows may lag READER_CACHE_SECONDS).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = self.cacheable(request)
        if match is None:
            return self.get_response(request)
        now = generation()
        key = page_key(request, now)
        kept = cache.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content, headers=headers)
        else:
            response = self.get_response(request)
            if (
                request.method == "GET"
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                seconds = timeout(now)
                if seconds:
                    headers = {
                        name: value for name, value in response.items() if name.lower() not in UNKEPT_HEADERS
                    }
                    cache.set(key, (response.content, headers), seconds)
            return response
        if match.view_name == "articles:detail" and request.method == "GET":
            view_counts.count_view(match.kwargs["pk"])
        return response

    def cacheable(self, request):
        """The URL match of a reader page that may come from the cache, or None."""
        if not enabled() or request.method not in ("GET", "HEAD"):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None  # signed in, or was: the page may be theirs alone
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match if match.view_name in CACHED_PAGES else None
