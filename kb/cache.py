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
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from articles.models import Article

GENERATION_KEY = "kb:generation"
# The reader pages kept, by URL name; of their query strings only the page number counts.
CACHED_PAGES = {"home", "articles:category", "articles:author", "statutes:provision_detail"}
KEPT_PARAMETERS = ("page",)


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
    """Home, category, author and provision pages for anonymous readers, from the cache.

    Last in MIDDLEWARE: it runs after authentication (an editor, signed in, always gets a fresh
    page), and every other middleware treats a kept page as it treats a fresh one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        now = getattr(request, "_reader_cache_generation", None)
        if (
            now is not None
            and request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            seconds = timeout(now)
            if seconds:
                cache.set(page_key(request, now), (response.content, response["Content-Type"]), seconds)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not self.cacheable(request):
            return None
        now = generation()
        kept = cache.get(page_key(request, now))
        if kept is None:
            request._reader_cache_generation = now  # rendered now: keep it on the way out
            return None
        content, content_type = kept
        response = HttpResponse(content, content_type=content_type)
        patch_vary_headers(response, ["Cookie"])
        return response

    def cacheable(self, request) -> bool:
        match = request.resolver_match
        return (
            enabled()
            and request.method in ("GET", "HEAD")
            and match is not None
            and match.view_name in CACHED_PAGES
            and not request.user.is_authenticated
        )
